"""REFI-QDA (QDA-XML 1.0) shared pieces: the exchange model, GUIDs and an XML writer.

The reader (``qdpx_import``) and the writers (``qdpx_export``, ``qdc``) meet in the plain
dataclasses below; ``services.refi.interop`` maps them to and from the project file. Offsets in
a ``Selection`` are code points into ``Source.text`` once the reader has converted them.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...formats.safexml import escape_content

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
#: Namespace for the GUIDs we derive (variables, selections, notes): stable across exports.
GUID_NS = uuid.UUID("6f1d7c52-3b7e-4a55-9f0c-51434c540006")
_GUID_NS_BYTES = GUID_NS.bytes

_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
_COLOR6 = re.compile(r"^#[0-9a-fA-F]{6}$")
_COLOR3 = re.compile(r"^#[0-9a-fA-F]{3}$")
_DATETIME = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
# Characters XML 1.0 cannot carry at all, not even as character references.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def norm_guid(value: str | None) -> str | None:
    """A GUID in our form (lower case, no braces), or None when ``value`` is not one.

    Vendors write upper case (ATLAS.ti, NVivo for Windows) or braces (allowed by the
    schema); references are matched after this normalisation.
    """
    if not value:
        return None
    m = _GUID.match(value.strip())
    return m.group(1).lower() if m else None


def derived_guid(*parts: str) -> str:
    """A GUID derived from ``parts`` (the same parts give the same GUID in every export):
    ``str(uuid.uuid5(GUID_NS, "\x1f".join(parts)))``, computed without the ``UUID`` object
    (an export derives one per selection)."""
    return guid_of_digest(hashlib.sha1(_GUID_NS_BYTES + "\x1f".join(parts).encode("utf-8")).hexdigest())


def derived_guids(*head: str) -> Callable[[str], str]:
    """``derived_guid(*head, *tail)`` for the parts ``tail`` joined with "\x1f" (one string),
    the head hashed once: an export derives one GUID per selection of a source."""
    base = hashlib.sha1(_GUID_NS_BYTES + "".join(f"{h}\x1f" for h in head).encode("utf-8"))

    def guid(tail: str) -> str:
        h = base.copy()
        h.update(tail.encode("utf-8"))
        return guid_of_digest(h.hexdigest())

    return guid


#: the hex digit of the variant's byte once its top bits are 10 (RFC 4122), by the digit it replaces
_VARIANT = {f"{i:x}": f"{(i & 0x3) | 0x8:x}" for i in range(16)}


def guid_of_digest(h: str) -> str:
    """A version-5 UUID string from a SHA-1 hex digest (as ``uuid.uuid5`` makes it): its
    first 16 bytes, the version nibble 5, the variant bits 10."""
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


def norm_color(value: str | None) -> str | None:
    """``#rrggbb`` (lower case) from ``#RGB`` / ``#RRGGBB``; None for anything else."""
    if not value:
        return None
    v = value.strip()
    if _COLOR6.match(v):
        return v.lower()
    if _COLOR3.match(v):
        return "#" + "".join(c * 2 for c in v[1:]).lower()
    return None


def valid_datetime(value: str | None) -> str | None:
    """``value`` if it is an xsd:dateTime, else None (memo stamps may be free text)."""
    return value if value and _DATETIME.match(value) else None


def compose_description(head: str, memos: list[str]) -> str:
    """One ``<Description>`` for readers that see only that (QualCoder reads case, source,
    code and project memos from it): ``head`` (a code's description, a source's or case's
    own memo), then each memo its notes also carry, separated by a blank line."""
    return "\n\n".join(t for t in [head, *memos] if t)


def split_description(description: str, memos: list[str]) -> str:
    """The inverse of ``compose_description``: ``description`` without the memos its notes
    hold (when the notes say which part is which), else ``description`` unchanged."""
    tail = "\n\n".join(t for t in memos if t)
    if not tail:
        return description
    if description == tail:
        return ""
    if description.endswith("\n\n" + tail):
        return description[: -len(tail) - 2]
    return description


# ----------------------------------------------------------------------------- model
@dataclass
class User:
    guid: str
    name: str


@dataclass
class Code:
    guid: str
    name: str
    description: str = ""
    color: str | None = None
    codable: bool = True
    children: list["Code"] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)

    def walk(self, parents: tuple[str, ...] = ()):
        """(code, path) for this code and every descendant, parents first."""
        path = parents + (self.name,)
        yield self, path
        for child in self.children:
            yield from child.walk(path)


def walk_codes(codes: list[Code]):
    for c in codes:
        yield from c.walk()


#: typeOfVariable -> our attribute type
VARIABLE_TYPES = {"Text": "text", "Boolean": "boolean", "Integer": "number", "Float": "number",
                  "Date": "date", "DateTime": "text"}
#: element holding a value of each typeOfVariable
VALUE_ELEMENTS = {"Text": "TextValue", "Boolean": "BooleanValue", "Integer": "IntegerValue",
                  "Float": "FloatValue", "Date": "DateValue", "DateTime": "DateTimeValue"}


#: Description of a Text variable that holds a boolean attribute whose labels are not
#: true/false (yes/no, Y/N, ja/nein): BooleanValue could only say true/false, so the values
#: go as typed, and our import makes the attribute boolean again.
BOOLEAN_AS_TEXT = "Boolean attribute, written as text to keep its labels"


@dataclass
class Variable:
    guid: str
    name: str
    type: str  # a typeOfVariable: Text, Boolean, Integer, Float, Date, DateTime
    description: str = ""


@dataclass
class Value:
    variable: str  # Variable GUID
    value: str
    element: str = "TextValue"


@dataclass(slots=True)  # a project may hold 250,000 selections (core.limits): keep them small
class Coding:
    guid: str
    code: str  # Code GUID
    user: str | None = None
    created: str | None = None
    note_refs: Sequence[str] = field(default_factory=list)  # the reader gives those without notes one shared ()


@dataclass(slots=True)
class Selection:
    guid: str
    start: int
    end: int
    name: str = ""
    description: str = ""
    user: str | None = None
    created: str | None = None
    codings: list[Coding] = field(default_factory=list)
    note_refs: Sequence[str] = field(default_factory=list)  # the reader gives those without notes one shared ()


@dataclass
class Source:
    guid: str
    name: str
    text: str | None = None  # normalised (LF) text; None when missing from the archive
    path: str | None = None  # plainTextPath as written
    description: str = ""
    user: str | None = None
    created: str | None = None
    selections: list[Selection] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    element: str = "TextSource"
    raw: str | None = None  # decoded text before CRLF normalisation (import only)
    missing_reason: str = ""
    #: (text, raw text or None when the same) as UTF-8 while an import holds every source's
    #: text (``pack``): a quarter of a ``str`` with one emoji in it; ``text``/``raw`` are None then
    packed: tuple[bytes, bytes | None] | None = None
    released: bool = False  # the text was written into the project and let go (``release``)
    prefetched: Any = None  # a worker's derivation of the text (``qdpx_prefetch``; import only)

    @property
    def has_text(self) -> bool:
        return self.text is not None or self.packed is not None or self.released

    def release(self) -> None:
        """Let the text go once it is written (the source still has one: ``has_text``)."""
        if self.has_text:
            self.text = self.raw = self.packed = None
            self.released = True

    def pack(self, read: bytes | None = None) -> None:
        """Hold the text (and raw text) as UTF-8 until ``unpacked`` or ``full_text``. ``read``:
        the bytes the text was decoded from, kept instead when they are its UTF-8 (the copy
        made to compare is let go at once: thousands of texts read one after the other then
        leave no gaps between the bytes kept)."""
        if self.text is None:
            return
        raw = None if self.raw is None or self.raw == self.text else self.raw.encode("utf-8", "surrogatepass")
        text = self.text.encode("utf-8", "surrogatepass")
        self.packed = (read if read is not None and read == text else text, raw)
        self.text = self.raw = None

    def full_text(self) -> str | None:
        """The text, packed or not."""
        assert not self.released, "the text was released"
        if self.packed is None:
            return self.text
        return self.packed[0].decode("utf-8", "surrogatepass")

    @contextlib.contextmanager
    def unpacked(self) -> Iterator[None]:
        """``text`` and ``raw`` set for the time of the ``with`` (packed again after)."""
        if self.packed is None:
            yield
            return
        self.text = self.full_text()
        self.raw = self.text if self.packed[1] is None else self.packed[1].decode("utf-8", "surrogatepass")
        try:
            yield
        finally:
            self.text = self.raw = None


@dataclass
class Case:
    guid: str
    name: str
    description: str = ""
    values: list[Value] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    selections: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


@dataclass
class Note:
    guid: str
    name: str
    text: str
    user: str | None = None
    created: str | None = None
    modified: str | None = None


@dataclass
class Link:
    guid: str
    origin: str
    target: str
    name: str = ""
    direction: str = "Associative"


@dataclass
class Set:
    guid: str
    name: str
    description: str = ""
    codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Project:
    name: str
    origin: str = ""
    creating_user: str | None = None
    created: str | None = None
    users: list[User] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    sets: list[Set] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)  # notes on the project as a whole
    description: str = ""


# ----------------------------------------------------------------------------- XML writing
FLUSH_PARTS = 4096  # an ``XmlWriter`` with a sink hands on its text every this many pieces


class XmlWriter:
    """Writes XML as a list of strings (fast for tens of thousands of elements).

    Escaping keeps every value exact through a parser: ``\\r`` becomes ``&#13;`` (a parser
    would turn CRLF into LF) and, in attributes, tabs and newlines become references (a
    parser would turn them into spaces). Characters XML 1.0 cannot carry (most C0 controls,
    lone surrogates) are replaced by U+FFFD and counted in ``replaced``.
    """

    def __init__(self, sink: Callable[[str], object] | None = None) -> None:
        self.parts: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n']
        self.replaced = 0
        self._depth = 0
        self.sink = sink  # given: the text goes there in pieces (``flush``), never held whole

    def _put(self, part: str) -> None:
        self.parts.append(part)
        if self.sink is not None and len(self.parts) >= FLUSH_PARTS:
            self.flush()

    def flush(self) -> None:
        """Hand what was written so far to ``sink``."""
        if self.sink is not None and self.parts:
            self.sink("".join(self.parts))
            self.parts.clear()

    def _clean(self, s: str) -> str:
        if _NOT_XML.search(s):
            s, n = _NOT_XML.subn("\ufffd", s)
            self.replaced += n
        return s

    def text(self, s: str) -> str:
        return escape_content(self._clean(s))

    def attr(self, s: str) -> str:
        s = self.text(s)
        if '"' in s:
            s = s.replace('"', "&quot;")
        if "\n" in s:
            s = s.replace("\n", "&#10;")
        if "\t" in s:
            s = s.replace("\t", "&#9;")
        return s

    def _attrs(self, attrs: Mapping[str, str | None]) -> str:
        return "".join(f' {k}="{self.attr(v)}"' for k, v in attrs.items() if v is not None)

    def raw(self, xml: str) -> None:
        """Already escaped XML (indented by the caller)."""
        self._put(xml)

    def start(self, tag: str, attrs: Mapping[str, str | None] | None = None) -> None:
        self._put(f"{'  ' * self._depth}<{tag}{self._attrs(attrs or {})}>\n")
        self._depth += 1

    def end(self, tag: str) -> None:
        self._depth -= 1
        self._put(f"{'  ' * self._depth}</{tag}>\n")

    def empty(self, tag: str, attrs: Mapping[str, str | None] | None = None) -> None:
        self._put(f"{'  ' * self._depth}<{tag}{self._attrs(attrs or {})}/>\n")

    def element(self, tag: str, text: str, attrs: Mapping[str, str | None] | None = None) -> None:
        """An element with text content only (no whitespace added inside it)."""
        self._put(f"{'  ' * self._depth}<{tag}{self._attrs(attrs or {})}>{self.text(text)}</{tag}>\n")

    def getvalue(self) -> str:
        return "".join(self.parts)
