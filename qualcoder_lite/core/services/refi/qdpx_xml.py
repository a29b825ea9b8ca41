"""Streaming a REFI-QDA project's XML within the limits: element helpers, and the part of the
reader that takes each selection as it ends (duplicates dropped, selections past the limits
counted and left out, elements freed so memory follows what is kept)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, NoReturn
from xml.etree.ElementTree import Element
from xml.parsers import expat

import defusedxml
from defusedxml.common import DTDForbidden

from ... import limits
from ...errors import InputError
from ...formats.safexml import local
from . import model as refi
from .qdpx_content import QdpxContent
from .qdpx_stream import RawSelection, Streamer

_TEXT_HOLDERS = ("TextSource", "PDFSource", "AudioSource", "VideoSource", "PictureSource")
_MEDIA_SELECTIONS = {"PictureSelection": "a picture area", "PDFSelection": "a PDF page area",
                     "AudioSelection": "an audio time span", "VideoSelection": "a video time span"}
_SELECTIONS = frozenset({"PlainTextSelection", "TranscriptSelection", *_MEDIA_SELECTIONS})
#: elements whose selections are read as the XML streams by (``_Reader.parse``)
_SELECTION_HOLDERS = frozenset({*_TEXT_HOLDERS, "Representation", "Transcript"})
#: elements whose ``plainTextPath`` names a text file read as a source's text
_TEXT_FILE_HOLDERS = frozenset({"TextSource", "Representation", "Transcript"})
#: the note references of the many selections and codings that have none (immutable, shared)
_NO_REFS: tuple[str, ...] = ()
#: attributes that do not make two selections different
_IDENTITY_ATTRS = frozenset({"guid", "name", "creationDateTime", "modifiedDateTime", "modifyingUser"})


# ----------------------------------------------------------------------------- helpers
_OUR_GUID = re.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").fullmatch
_LOCAL_NAMES: dict[object, str | None] = {}  # tag -> local name; None: not an element (a comment)
_LOCAL_NAMES_LIMIT = 4096


def _tag_name(tag: object) -> str | None:
    """The local name of an element's tag, None for a comment or processing instruction."""
    got = _LOCAL_NAMES.get(tag, _NO_NAME)
    if got is _NO_NAME:
        got = local(tag)[1] if isinstance(tag, str) else None
        if len(_LOCAL_NAMES) < _LOCAL_NAMES_LIMIT:
            _LOCAL_NAMES[tag] = got
    return got  # type: ignore[return-value]


_NO_NAME = object()


def _name(el: Element) -> str:
    return local(el.tag)[1] if (n := _tag_name(el.tag)) is None else n


def _kids(el: Element, name: str) -> list[Element]:
    return [c for c in el if _tag_name(c.tag) == name]


def _kid(el: Element, name: str) -> Element | None:
    for c in el:
        if _tag_name(c.tag) == name:
            return c
    return None


def _text_of(el: Element, name: str) -> str:
    k = _kid(el, name)
    return (k.text or "") if k is not None else ""


def _refs(el: Element, name: str) -> list[str]:
    out = []
    for r in _kids(el, name):
        g = _guid_ref(r.get("targetGUID"))
        if g:
            out.append(g)
    return out


def _guid_ref(value: str | None) -> str | None:
    """A reference key: the normalised GUID, or a GUID derived from a malformed value."""
    if value and _OUR_GUID(value) is not None:  # in our form already: what ``norm_guid`` returns
        return value
    if not value or not value.strip():
        return None
    return refi.norm_guid(value) or refi.derived_guid("foreign-guid", value.strip())


class _StreamingReader:
    """The streaming half of the .qdpx reader (``qdpx_read._Reader`` adds the document);
    ``take`` calls the subclass's ``selection`` for text selections."""

    def __init__(self, path: Path, member: str):
        self.path = path
        self.member = member
        self.content: QdpxContent | None = None
        # filled while the XML streams by (parse): selections per holder element, what the
        # limits left out, duplicates dropped
        self._streamed: dict[Element, _Holder] = {}
        self._elements = 0
        self._selections = 0
        self._codings = 0
        self._duplicates = 0
        self._duplicate_of: dict[str, str] = {}
        #: called with each element that may hold a text file's path as it starts (``parse``)
        self.on_text_holder: Callable[[Element], None] | None = None

    @property
    def found(self) -> QdpxContent:
        """What the document holds, as read so far (``read`` makes it first)."""
        assert self.content is not None, "read() has not started"
        return self.content

    def selection(self, el: Element, start: int, end: int) -> refi.Selection:
        """A text selection read from its element (the document half: ``qdpx_read._Reader``)."""
        raise NotImplementedError

    def selection_of(self, raw: RawSelection, start: int, end: int) -> refi.Selection:
        """A text selection read by the parser's handlers (``qdpx_read._Reader``)."""
        raise NotImplementedError

    def fail(self, reason: str) -> InputError:
        return InputError(self.path, f"{self.member}: {reason}")

    def required_guid(self, el: Element | Mapping[str, str], what: str) -> str:
        g = _guid_ref(el.get("guid"))
        if g is None:
            label = el.get("name")
            raise self.fail(f"<{what}>{f' {label!r}' if label else ''} has no guid (required)")
        return g

    def position(self, el: Element | Mapping[str, str], attr: str, what: str) -> int:
        v = el.get(attr)
        try:
            return int((v or "").strip())
        except ValueError:
            raise self.fail(f"<{what}> {el.get('guid')} has no valid {attr} ({v!r})") from None

    # -- streaming ---------------------------------------------------------------------------
    def parse(self, stream) -> Element:
        """Parse the project XML from ``stream`` without DTDs or entities, taking each
        selection as it ends: duplicates are dropped, selections past the limits left
        out, text selections turned into ``refi.Selection`` (read by the parser's handlers,
        never made into elements: ``qdpx_stream``) and media selections' elements freed, so
        memory follows what is kept, not the size of the file."""
        streamer = Streamer(self)
        guard = _PrologGuard()
        try:
            while True:
                data = stream.read(_CHUNK)
                if not data:
                    break
                guard.feed(data)  # first: the parser never sees a DTD the guard has not refused
                streamer.feed(data)
            streamer.feed(b"", True)
        except defusedxml.DefusedXmlException as exc:
            raise self.fail(f"declares a DTD or entities, which are refused ({exc})") from None
        except LookupError as exc:  # <?xml encoding="..."?> names a codec Python does not have
            raise self.fail(f"declares an encoding that cannot be read ({exc})") from None
        except expat.ExpatError as exc:  # worded as ElementTree's ParseError
            if getattr(stream, "blank", False):
                raise self.fail("is empty") from None
            raise self.fail(f"is not well-formed XML ({exc})") from None
        assert streamer.root is not None
        return streamer.root

    def count_element(self, el: Element, name: str) -> None:
        """An element outside the selections has started (``name``: its local name)."""
        self._elements += 1
        if self._elements > limits.MAX_XML_ELEMENTS:
            raise self.fail(f"has more than {limits.MAX_XML_ELEMENTS:,} elements besides "
                            "selections (the limit for a project)")
        if self.on_text_holder is not None and name in _TEXT_FILE_HOLDERS:
            self.on_text_holder(el)

    def too_deep(self, name: str) -> NoReturn:
        raise self.fail(f"a <{name}> holds more than {limits.MAX_SELECTION_ELEMENTS:,} elements")

    def source_ended(self, el: Element) -> None:
        """An element outside the selections has ended: a source's duplicates are all found."""
        state = self._streamed.get(el)
        if state is not None:
            state.seen = {}

    def check_root(self, root: Element) -> None:
        """Refuse a file that is not a project at its first element, before reading on."""
        name = local(root.tag)[1]
        if name == "CodeBook":
            raise self.fail("is a codebook (.qdc), not a project; import it as a codebook")
        if name != "Project":
            raise self.fail(f"is not a REFI-QDA project (root element <{name}>)")

    def take(self, el: Element, holder: Element) -> None:
        """A media or transcript selection's element has ended (text selections: ``take_raw``):
        keep it (within the limits; it is read with its holder) or drop it and free it."""
        kind = _name(el)
        if not self._keep(holder, None, _guid_ref(el.get("guid")), _identity(el, kind), len(_kids(el, "Coding"))):
            self._drop(el, holder)

    def take_raw(self, raw: RawSelection, holder: Element) -> None:
        """A ``PlainTextSelection`` read by the parser's handlers has ended: keep it or not."""
        attrs = raw.attrs
        try:  # ``position``, without its call for the numbers every selection has
            start, end = int(attrs["startPosition"].strip()), int(attrs["endPosition"].strip())
        except (KeyError, ValueError):
            start = self.position(attrs, "startPosition", "PlainTextSelection")
            end = self.position(attrs, "endPosition", "PlainTextSelection")
        sel = self.selection_of(raw, start, end)
        self._keep(holder, sel, sel.guid, _text_identity(sel), len(sel.codings))

    def _keep(self, holder: Element, sel: refi.Selection | None, guid: str | None, key: tuple | bytes,
              codings: int) -> bool:
        """Whether the selection that ended in ``holder`` is kept (a text selection ``sel``
        joins its holder's), or was a duplicate or over the limits."""
        state = self._streamed.get(holder)
        if state is None:
            state = self._streamed[holder] = _Holder()
        first = state.seen.get(key)
        if first is not None:
            self._duplicates += 1
            if self._duplicates > limits.MAX_DUPLICATE_SELECTIONS:
                raise self.fail(f"has more than {limits.MAX_DUPLICATE_SELECTIONS:,} duplicate selections (the same "
                                "span, codes and coders again); the file looks generated or damaged")
            if guid and first and guid != first:
                self._duplicate_of.setdefault(guid, first)
            return False
        if state.kept >= limits.MAX_SELECTIONS_PER_SOURCE:
            state.over_source += 1
        elif self._selections >= limits.MAX_SELECTIONS:
            state.over_total += 1
        elif self._codings + codings > limits.MAX_CODINGS:
            state.over_codings += 1
        else:
            state.seen[key] = guid or ""
            state.kept += 1
            self._selections += 1
            self._codings += codings
            if sel is not None:
                state.selections.append(sel)
            return True
        return False

    @staticmethod
    def _drop(el: Element, holder: Element) -> None:
        # the selection that just ended is its holder's last child: O(1), not a search
        if len(holder) and holder[-1] is el:
            del holder[-1]
        else:  # pragma: no cover - the tree builder appends children in order
            holder.remove(el)

    def limits_report(self) -> None:
        """What the limits left out, for the report (one line per source and reason)."""
        c = self.found
        if self._duplicates:
            c.skip("duplicate selections (the same span, codes, coders and notes as another) dropped",
                   self._duplicates)
            c.duplicate_of = self._duplicate_of
        for holder, state in self._streamed.items():
            label = holder.get("name") or holder.get("guid") or _name(holder)
            for n, why in ((state.over_source, f"the limit of {limits.MAX_SELECTIONS_PER_SOURCE:,} per source"),
                           (state.over_total, f"the limit of {limits.MAX_SELECTIONS:,} per project"),
                           (state.over_codings, f"the limit of {limits.MAX_CODINGS:,} codings per project")):
                if n:
                    c.refused_selections += n
                    c.refused.append(f"source {label!r}: {n:,} selection{'s' if n != 1 else ''} over {why} "
                                     "not imported")


_CHUNK = 64 * 1024


class _PrologGuard:
    """Reads the start of the document (up to its root element) with the handlers defusedxml
    sets (forbid_dtd): a DTD can only come before the root element."""

    def __init__(self) -> None:
        self.done = False
        self._p = expat.ParserCreate()
        self._p.StartDoctypeDeclHandler = self._doctype
        self._p.StartElementHandler = self._root

    @staticmethod
    def _doctype(name, sysid, pubid, _internal_subset):
        raise DTDForbidden(name, sysid, pubid)

    def _root(self, _name, _attrs) -> None:
        self.done = True

    def feed(self, data: bytes) -> None:
        if self.done:
            return
        try:
            self._p.Parse(data, False)
        except expat.ExpatError:
            self.done = True  # not well-formed: the parser, reading the same bytes, says where


@dataclass
class _Holder:
    """Selections of one source (holder element) taken while the XML streamed by."""

    selections: list[refi.Selection] = field(default_factory=list)
    seen: dict[object, str] = field(default_factory=dict)  # identity -> GUID of the first such selection
    kept: int = 0
    over_source: int = 0
    over_total: int = 0
    over_codings: int = 0


def _text_identity(sel: refi.Selection) -> tuple:
    """What makes a text selection the same as another: span, coders, codes, notes and
    description (not its GUID, name or dates)."""
    notes = tuple(sorted(sel.note_refs)) if sel.note_refs else ()
    codings = sel.codings
    if len(codings) == 1:  # most selections: one coding (the same tuple, without a sort)
        c = codings[0]
        return (sel.start, sel.end, sel.user, sel.description, notes,
                ((c.code, c.user or "", tuple(sorted(c.note_refs)) if c.note_refs else ()),))
    return (sel.start, sel.end, sel.user, sel.description, notes,
            tuple(sorted((c.code, c.user or "", tuple(sorted(c.note_refs))) for c in codings)))


def _identity(el: Element, kind: str) -> bytes:
    """What makes a selection the same as another: its kind, span (all attributes but
    GUID, name and dates), codes with coders, note references and description, as a
    16-byte digest (the set of kept ones stays small)."""
    attrs = sorted((k, v) for k, v in el.attrib.items() if k not in _IDENTITY_ATTRS)
    codings = []
    for c in _kids(el, "Coding"):
        ref = _kid(c, "CodeRef")
        codings.append((_key(c.get("creatingUser")), _key(ref.get("targetGUID") if ref is not None else None),
                        sorted(_key(r.get("targetGUID")) for r in _kids(c, "NoteRef"))))
    codings.sort()
    notes = sorted(_key(r.get("targetGUID")) for r in _kids(el, "NoteRef"))
    text = repr((kind, attrs, codings, notes, _text_of(el, "Description")))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _key(guid: str | None) -> str:
    return (guid or "").strip().strip("{}").lower()

