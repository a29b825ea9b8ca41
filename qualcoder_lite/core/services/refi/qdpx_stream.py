"""The project XML of a .qdpx parsed by expat's handlers (``qdpx_xml._StreamingReader.parse``).

Elements are built into an ElementTree (the C ``TreeBuilder``, as ``XMLPullParser`` builds
them) except the ``PlainTextSelection`` elements of a source: there is one per coded span
(200,000 at ten times the benchmark's data), and each is read straight from the parser's
handlers into what ``_Reader.selection`` needs (its attributes, its codings' attributes
and code references, its note references and description), never made into elements. What
the tree holds is what it held when those elements were built and then dropped: the text
and whitespace around a dropped selection went with it (its tail), and nothing else reads
them."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from ... import limits
from ...formats.safexml import local

#: [attributes of a ``Coding``, attributes of its first ``CodeRef`` or None, targets of its ``NoteRef``s]
RawCoding = list[Any]

_HOLDERS = frozenset({"TextSource", "PDFSource", "AudioSource", "VideoSource", "PictureSource", "Representation",
                      "Transcript"})  # qdpx_xml._SELECTION_HOLDERS
_SELECTIONS = frozenset({"PlainTextSelection", "TranscriptSelection", "PictureSelection", "PDFSelection",
                         "AudioSelection", "VideoSelection"})  # qdpx_xml._SELECTIONS

_MAX_INSIDE = limits.MAX_SELECTION_ELEMENTS
_TREE, _OFF, _DESCRIPTION = 0, 1, 2  # character data: to the tree, not read, a selection's description


class RawSelection:
    """A ``PlainTextSelection`` as its handlers saw it: what ``_Reader.selection`` reads of
    its element (direct children only; a ``Coding``'s own children for its code and notes)."""

    __slots__ = ("attrs", "codings", "notes", "description", "coding")

    def __init__(self, attrs: dict[str, str]) -> None:
        self.attrs = attrs
        self.codings: list[RawCoding] = []
        self.notes: list[Any] = []  # targetGUID of each NoteRef child, as written (None when absent)
        self.description: str | None = None  # the first Description child's text (before its first child)
        self.coding: RawCoding | None = None  # the child being read, when a Coding


class Streamer:
    """The handlers of one parse. ``reader`` is the ``_StreamingReader``: its limits,
    ``check_root``, ``on_text_holder``, ``take`` (elements) and ``take_raw`` (selections)."""

    def __init__(self, reader: Any) -> None:
        self.r = reader
        self.tb = TreeBuilder()
        self.p = expat.ParserCreate(None, "}")  # as ElementTree.XMLParser: "{ns}name" tags
        self.p.buffer_text = True
        self.p.StartElementHandler = self.start
        self.p.EndElementHandler = self.end
        self.p.CharacterDataHandler = self.data
        self._mode = _TREE  # where character data goes
        self.root: Element | None = None
        self.stack: list[Element] = []  # the built elements open
        self.inside = 0  # depth inside a selection element (taken when it ends)
        self.raw: RawSelection | None = None  # the selection read by the handlers, when inside one
        self._tags: dict[str, tuple[str, str]] = {}  # expat's name -> (ElementTree tag, local name)
        self._locals: dict[str, str] = {}  # expat's name -> local name
        self._tag_locals: dict[str, str] = {}  # ElementTree tag -> local name

    def feed(self, data: bytes, final: bool = False) -> None:
        self.p.Parse(data, final)

    def _tag(self, name: str) -> tuple[str, str]:
        got = self._tags.get(name)
        if got is None:
            tag = "{" + name if "}" in name else name
            got = (tag, local(tag)[1])
            if len(self._tags) < 4096:
                self._tags[name] = got
                self._locals[name] = got[1]
        return got

    def _local_of(self, tag: str) -> str:
        got = self._tag_locals.get(tag)
        if got is None:
            got = local(tag)[1]
            if len(self._tag_locals) < 4096:
                self._tag_locals[tag] = got
        return got

    def _attrs(self, attrs: dict[str, str]) -> dict[str, str]:
        for k in attrs:
            if "}" in k:  # a namespaced attribute: keyed "{ns}name" as ElementTree keys it
                return {("{" + a if "}" in a else a): v for a, v in attrs.items()}
        return attrs

    def _set_data(self, mode: int) -> None:
        self.p.CharacterDataHandler = self.data if mode == _TREE else self._description if mode == _DESCRIPTION else None
        self._mode = mode

    # -- handlers ------------------------------------------------------------------------
    def start(self, name: str, attrs: dict[str, str]) -> None:
        raw = self.raw
        if raw is not None:  # a child of a selection read here (the hot path: one per coding)
            inside = self.inside = self.inside + 1
            if inside > _MAX_INSIDE:
                self.r.too_deep("PlainTextSelection")
            lname = self._locals.get(name) or self._tag(name)[1]
            if inside == 2:  # a child of the selection
                if self._mode != _OFF:
                    self._set_data(_OFF)
                if lname == "Coding":
                    raw.coding = [attrs, None, []]
                    raw.codings.append(raw.coding)
                    return
                raw.coding = None
                if lname == "NoteRef":
                    raw.notes.append(attrs.get("targetGUID"))
                elif lname == "Description" and raw.description is None:
                    raw.description = ""
                    self._set_data(_DESCRIPTION)  # its text up to its first child
            elif inside == 3:
                if self._mode != _OFF:
                    self._set_data(_OFF)  # a child of the Description: its text is over
                coding = raw.coding
                if coding is not None:
                    if lname == "CodeRef":
                        if coding[1] is None:
                            coding[1] = attrs
                    elif lname == "NoteRef":
                        coding[2].append(attrs.get("targetGUID"))
            return
        tag, lname = self._tag(name)
        stack = self.stack
        if not self.inside and lname in _SELECTIONS and stack and self._local_of(stack[-1].tag) in _HOLDERS:
            self.inside = 1
            if lname == "PlainTextSelection":
                self.raw = RawSelection(attrs)
                if self._mode != _OFF:
                    self._set_data(_OFF)  # its text and whitespace (and its tail) are not read
                return
            if self._mode != _TREE:
                self._set_data(_TREE)
            stack.append(self.tb.start(tag, self._attrs(attrs)))
            return
        if self._mode != _TREE:
            self._set_data(_TREE)
        if self.inside:
            self.inside += 1
            if self.inside > _MAX_INSIDE:
                self.r.too_deep(local(self.stack[-self.inside + 1].tag)[1])
            self.stack.append(self.tb.start(tag, self._attrs(attrs)))
            return
        el = self.tb.start(tag, self._attrs(attrs))
        if self.root is None:
            self.root = el
            self.r.check_root(el)
        self.r.count_element(el, lname)
        stack.append(el)

    def _description(self, text: str) -> None:
        raw = self.raw
        assert raw is not None and raw.description is not None
        raw.description += text

    def end(self, name: str) -> None:
        raw = self.raw
        if raw is not None:
            self.inside -= 1
            if self.inside == 0:
                self.raw = None
                self.r.take_raw(raw, self.stack[-1])  # its tail (text after it) is not read: data stays off
            elif self.inside == 1 and self._mode != _OFF:
                self._set_data(_OFF)  # the Description ended
            return
        if self._mode != _TREE:
            self._set_data(_TREE)
        el = self.tb.end(self._tag(name)[0])
        self.stack.pop()
        if self.inside:
            self.inside -= 1
            if self.inside == 0:
                self.r.take(el, self.stack[-1])
        else:
            self.r.source_ended(el)

    def data(self, text: str) -> None:
        self.tb.data(text)
