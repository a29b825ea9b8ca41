"""Read a REFI-QDA project (.qdpx archive, or a bare project.qde) into ``refi.Project``.

Nothing here touches a project file: ``services.refi.interop`` writes the result. The archive
is hostile input (``SafeZip``: path traversal, zip bombs; the XML is streamed without
DTDs or entities, and the limits in ``core.limits`` bound what is kept). Anything that
breaks the structure the schema requires is an ``InputError`` naming the file and the
reason; anything merely odd is tolerated and reported.

Vendor quirks handled here (measured on real exports):

* The project XML is ``project.qde``, ``Project.qde`` or another ``*.qde`` (ATLAS.ti 26
  writes ``Trial.qde``): matched case-insensitively, a single other ``.qde`` is used.
* Source files sit in ``sources/`` (NVivo for Mac, qc, the standard) or ``Sources/``
  (NVivo for Windows, ATLAS.ti); member names are matched case-insensitively.
* ``plainTextPath`` is ``internal://NAME`` as the standard says, or plain ``NAME``
  (qc 1.3 writes it without the prefix); percent-encoded names are tried decoded too.
* Source files may be missing altogether (the ATLAS.ti standard export has none): such
  sources are listed and their selections kept aside, never silently dropped.
* Texts are decoded by BOM (UTF-8, UTF-16, UTF-32), then UTF-16 sniffing, UTF-8, and
  Windows-1252 as a reported fallback; the BOM is dropped and CRLF/CR become LF, with
  offsets converted so the quoted text stays the same (see ``refi_offsets``).
* GUIDs in upper case or braces (ATLAS.ti, NVivo for Windows) are matched case-insensitively;
  ``#RGB`` colours and a missing ``isCodable`` are accepted.
* Names are kept exactly as written, including ATLAS.ti for Mac's decomposed (NFD) accents.
* ATLAS.ti memos carry a one-line ``Description`` besides their text: both are kept.
* PDF sources: the plain-text ``Representation`` is imported as a text source with its
  selections; ATLAS.ti repeats each PDF area selection as a text selection with the same
  GUID, so only area selections without such a twin are kept aside.
* Audio/video ``Transcript`` texts are imported as sources; when a transcript points at the
  same file as a text source (ATLAS.ti), the two are one source. Time and picture-area
  selections are kept aside (not text).
"""

from __future__ import annotations

import functools
import hashlib
import io
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as DET

from ... import limits
from ...limits import MAX_CODE_DEPTH
from ...errors import InputError
from . import model as refi
from ...formats.checks import MAX_TEXT_BYTES, MB, check_file
from .offsets import CONVENTIONS, DESCRIPTIONS, Detection, VendorUnitsToCodePoints, crlf_positions, detect
from ...formats.safexml import local
from ...formats.safezip import SafeZip
from ...formats.textfile import decode_bytes
from ...formats.textnorm import normalise

KIND = "a REFI-QDA project"
MAX_QDE_BYTES = 150 * MB
Progress = Callable[[int, int, str], bool]

_TEXT_HOLDERS = ("TextSource", "PDFSource", "AudioSource", "VideoSource", "PictureSource")
_MEDIA_SELECTIONS = {"PictureSelection": "a picture area", "PDFSelection": "a PDF page area",
                     "AudioSelection": "an audio time span", "VideoSelection": "a video time span"}
_SELECTIONS = frozenset({"PlainTextSelection", "TranscriptSelection", *_MEDIA_SELECTIONS})
#: elements whose selections are read as the XML streams by (``_Reader.parse``)
_SELECTION_HOLDERS = frozenset({*_TEXT_HOLDERS, "Representation", "Transcript"})
#: the note references of the many selections and codings that have none (immutable, shared)
_NO_REFS: tuple[str, ...] = ()
#: attributes that do not make two selections different
_IDENTITY_ATTRS = frozenset({"guid", "name", "creationDateTime", "modifiedDateTime", "modifyingUser"})


@dataclass
class KeptAside:
    """A selection that could not become codings, kept so it is not lost."""

    source: str
    source_guid: str
    selection_guid: str
    start: int | None
    end: int | None
    name: str
    codes: list[str]  # code GUIDs
    users: list[str | None]
    reason: str

    def as_dict(self) -> dict:
        return {"source": self.source, "source_guid": self.source_guid, "selection_guid": self.selection_guid,
                "start": self.start, "end": self.end, "name": self.name, "codes": self.codes,
                "users": self.users, "reason": self.reason}


@dataclass
class QdpxContent:
    project: refi.Project
    path: Path
    member: str
    detection: Detection | None = None
    warnings: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count
    kept_aside: list[KeptAside] = field(default_factory=list)
    missing_sources: list[str] = field(default_factory=list)
    adjusted: int = 0  # selection ends that fell inside a character and were snapped
    refused: list[str] = field(default_factory=list)  # what the limits left out, one line each
    refused_selections: int = 0
    #: GUIDs of dropped duplicate selections -> the GUID of the selection they repeat
    duplicate_of: dict[str, str] = field(default_factory=dict)

    def skip(self, reason: str, n: int = 1) -> None:
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n


# ----------------------------------------------------------------------------- helpers
@functools.lru_cache(maxsize=256)
def _local_name(tag: str) -> str:
    return local(tag)[1]


def _name(el: Element) -> str:
    return _local_name(el.tag)


def _kids(el: Element, name: str) -> list[Element]:
    return [c for c in el if isinstance(c.tag, str) and _name(c) == name]


def _kid(el: Element, name: str) -> Element | None:
    for c in el:
        if isinstance(c.tag, str) and _name(c) == name:
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
    if not value or not value.strip():
        return None
    return refi.norm_guid(value) or refi.derived_guid("foreign-guid", value.strip())


class _Reader:
    def __init__(self, path: Path, member: str, archive: SafeZip | None, progress: Progress | None):
        self.path = path
        self.member = member
        self.archive = archive
        self.progress = progress
        self.content: QdpxContent | None = None
        self._basenames: dict[str, object] | None = None
        self._folders: set[str] = set()
        self._seen_guids: set[str] = set()
        # filled while the XML streams by (parse): selections per holder element, what the
        # limits left out, duplicates dropped
        self._streamed: dict[Element, _Holder] = {}
        self._elements = 0
        self._selections = 0
        self._codings = 0
        self._duplicates = 0
        self._duplicate_of: dict[str, str] = {}
        self._shared: dict[str, str] = {}

    def fail(self, reason: str) -> InputError:
        return InputError(self.path, f"{self.member}: {reason}")

    def required_guid(self, el: Element, what: str) -> str:
        g = _guid_ref(el.get("guid"))
        if g is None:
            label = el.get("name")
            raise self.fail(f"<{what}>{f' {label!r}' if label else ''} has no guid (required)")
        return g

    def position(self, el: Element, attr: str, what: str) -> int:
        v = el.get(attr)
        try:
            return int((v or "").strip())
        except ValueError:
            raise self.fail(f"<{what}> {el.get('guid')} has no valid {attr} ({v!r})") from None

    # -- archive members ----------------------------------------------------------------
    def find_member(self, ref: str) -> tuple[object | None, str]:
        """(zip member or None, why not) for a plainTextPath."""
        if self.archive is None:
            return None, "not in a bare .qde file (no archive)"
        p = ref.strip()
        low = p.lower()
        if low.startswith("internal:"):
            p = p[len("internal:"):].lstrip("/")
        elif low.startswith(("relative:", "absolute:", "file:", "http:", "https:")):
            return None, f"an external file ({ref}), not inside the archive"
        elif p:
            self.note_assumption("plainTextPath without 'internal://' (qc style) looked up in sources/")
        for cand in (p, urllib.parse.unquote(p)):
            for full in (f"sources/{cand}", cand):
                info = self.archive.find(full)
                if info is not None and not info.is_dir():
                    if not info.filename.startswith("sources/") and "/" in info.filename:
                        self._folders.add(info.filename.split("/")[0])
                    return info, ""
        if self._basenames is None:
            self._basenames = {}
            for n in self.archive.names():
                info = self.archive.find(n)
                if info is not None and not info.is_dir():
                    self._basenames.setdefault(PurePosixPath(info.filename).name.lower(), info)
        info = self._basenames.get(PurePosixPath(p).name.lower())
        if info is not None:
            self.note_assumption(f"source file {p!r} found as {info.filename!r}")
            return info, ""
        return None, "its text file is missing from the archive"

    def note_assumption(self, text: str) -> None:
        assert self.content is not None
        if text not in self.content.assumptions:
            self.content.assumptions.append(text)

    def load_text(self, ref: str, label: str) -> tuple[str | None, str]:
        """(raw decoded text or None, why missing) for a plainTextPath."""
        info, why = self.find_member(ref)
        if info is None:
            return None, why
        data = self.archive.read(info, MAX_TEXT_BYTES)
        where = f"{self.path}:{info.filename}"
        try:
            text, warnings = decode_bytes(where, data)
        except InputError as exc:
            return None, f"its text cannot be read ({exc.reason})"
        for w in warnings:
            self.content.warnings.append(f"{label}: {w}")
        if text.startswith("\ufeff"):
            text = text[1:]
        return text, ""

    # -- streaming ---------------------------------------------------------------------------
    def parse(self, stream) -> Element:
        """Parse the project XML from ``stream`` without DTDs or entities, taking each
        selection as it ends: duplicates are dropped, selections past the limits left
        out, text selections turned into ``refi.Selection`` and their elements freed, so
        memory follows what is kept, not the size of the file."""
        stack: list[Element] = []
        root: Element | None = None
        inside = 0  # depth inside a selection element
        try:
            for event, el in DET.iterparse(stream, events=("start", "end"), forbid_dtd=True,
                                           forbid_entities=True, forbid_external=True):
                if event == "start":
                    if root is None:
                        root = el
                        self.check_root(el)
                    if inside:
                        inside += 1
                        if inside > limits.MAX_SELECTION_ELEMENTS:
                            raise self.fail(f"a <{_name(stack[-inside + 1])}> holds more than "
                                            f"{limits.MAX_SELECTION_ELEMENTS:,} elements")
                    elif _name(el) in _SELECTIONS and stack and _name(stack[-1]) in _SELECTION_HOLDERS:
                        inside = 1
                    else:
                        self._elements += 1
                        if self._elements > limits.MAX_XML_ELEMENTS:
                            raise self.fail(f"has more than {limits.MAX_XML_ELEMENTS:,} elements besides "
                                            "selections (the limit for a project)")
                    stack.append(el)
                else:
                    stack.pop()
                    if inside:
                        inside -= 1
                        if inside == 0:
                            self.take(el, stack[-1])
        except defusedxml.DefusedXmlException as exc:
            raise self.fail(f"declares a DTD or entities, which are refused ({exc})") from None
        except ParseError as exc:
            if getattr(stream, "blank", False):
                raise self.fail("is empty") from None
            raise self.fail(f"is not well-formed XML ({exc})") from None
        assert root is not None
        return root

    def check_root(self, root: Element) -> None:
        """Refuse a file that is not a project at its first element, before reading on."""
        name = local(root.tag)[1]
        if name == "CodeBook":
            raise self.fail("is a codebook (.qdc), not a project; import it as a codebook")
        if name != "Project":
            raise self.fail(f"is not a REFI-QDA project (root element <{name}>)")

    def take(self, el: Element, holder: Element) -> None:
        """A selection has ended: keep it (within the limits) or drop it, and free it."""
        state = self._streamed.get(holder)
        if state is None:
            state = self._streamed[holder] = _Holder()
        kind = _name(el)
        sel = None
        if kind == "PlainTextSelection":
            sel = self.selection(el, self.position(el, "startPosition", kind), self.position(el, "endPosition", kind))
            guid, key = sel.guid, _text_identity(sel)
        else:
            guid, key = _guid_ref(el.get("guid")), _identity(el, kind)
        first = state.seen.get(key)
        if first is not None:
            self._duplicates += 1
            if self._duplicates > limits.MAX_DUPLICATE_SELECTIONS:
                raise self.fail(f"has more than {limits.MAX_DUPLICATE_SELECTIONS:,} duplicate selections (the same "
                                "span, codes and coders again); the file looks generated or damaged")
            if guid and first and guid != first:
                self._duplicate_of.setdefault(guid, first)
            self._drop(el, holder)
            return
        codings = len(sel.codings) if sel is not None else len(_kids(el, "Coding"))
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
            if sel is None:
                return  # media and transcript selections are read with their holder
            state.selections.append(sel)
        self._drop(el, holder)

    @staticmethod
    def _drop(el: Element, holder: Element) -> None:
        # the selection that just ended is its holder's last child: O(1), not a search
        if len(holder) and holder[-1] is el:
            del holder[-1]
        else:  # pragma: no cover - the tree builder appends children in order
            holder.remove(el)

    def limits_report(self) -> None:
        """What the limits left out, for the report (one line per source and reason)."""
        c = self.content
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

    # -- the document ---------------------------------------------------------------------
    def read(self, root: Element) -> QdpxContent:
        self.check_root(root)
        ns = local(root.tag)[0]
        proj = refi.Project(name=(root.get("name") or "").strip() or self.path.stem,
                            origin=(root.get("origin") or "").strip(),
                            creating_user=_guid_ref(root.get("creatingUserGUID")),
                            created=root.get("creationDateTime"))
        self.content = QdpxContent(project=proj, path=self.path, member=self.member)
        self.limits_report()
        if ns != refi.PROJECT_NS:
            self.note_assumption(f"XML namespace {ns or '(none)'!r} read as {refi.PROJECT_NS}")
        if not root.get("name"):
            self.content.warnings.append(f"the project has no name; named {proj.name!r}")
        for el in root:
            if not isinstance(el.tag, str):
                continue
            n = _name(el)
            if n == "Users":
                for u in _kids(el, "User"):
                    g = self.required_guid(u, "User")
                    proj.users.append(refi.User(g, (u.get("name") or u.get("id") or "").strip()))
            elif n == "CodeBook":
                codes = _kid(el, "Codes")
                if codes is not None:
                    proj.codes = [self.code(c) for c in _kids(codes, "Code")]
            elif n == "Variables":
                for v in _kids(el, "Variable"):
                    t = (v.get("typeOfVariable") or "Text").strip()
                    if t not in refi.VARIABLE_TYPES:
                        self.content.warnings.append(f"variable {v.get('name')!r}: unknown type {t!r}, read as Text")
                        t = "Text"
                    proj.variables.append(refi.Variable(self.required_guid(v, "Variable"),
                                                        (v.get("name") or "").strip(), t,
                                                        _text_of(v, "Description")))
            elif n == "Cases":
                for c in _kids(el, "Case"):
                    proj.cases.append(refi.Case(
                        guid=self.required_guid(c, "Case"), name=c.get("name") or "",
                        description=_text_of(c, "Description"), values=self.values(c),
                        sources=_refs(c, "SourceRef"), selections=_refs(c, "SelectionRef"),
                        codes=_refs(c, "CodeRef")))
            elif n == "Sources":
                self.sources(el)
            elif n == "Notes":
                for note in _kids(el, "Note"):
                    proj.notes.append(self.note(note))
            elif n == "Links":
                for ln in _kids(el, "Link"):
                    o, t = _guid_ref(ln.get("originGUID")), _guid_ref(ln.get("targetGUID"))
                    if o and t:
                        proj.links.append(refi.Link(self.required_guid(ln, "Link"), o, t, ln.get("name") or "",
                                                    ln.get("direction") or "Associative"))
            elif n == "Sets":
                for s in _kids(el, "Set"):
                    proj.sets.append(refi.Set(self.required_guid(s, "Set"), (s.get("name") or "").strip(),
                                              _text_of(s, "Description"), _refs(s, "MemberCode"),
                                              _refs(s, "MemberSource"), _refs(s, "MemberNote")))
            elif n == "Graphs":
                self.content.skip("graphs (networks, maps) are not imported", len(_kids(el, "Graph")))
            elif n == "Description":
                proj.description = el.text or ""
            elif n == "NoteRef":
                g = _guid_ref(el.get("targetGUID"))
                if g:
                    proj.note_refs.append(g)
        if self._folders:
            self.note_assumption(f"source files found under {', '.join(sorted(self._folders))}/")
        return self.content

    def code(self, el: Element, depth: int = 1) -> refi.Code:
        name = el.get("name")
        if name is None:
            raise self.fail(f"<Code> {el.get('guid')} has no name (required)")
        if depth > MAX_CODE_DEPTH:
            raise self.fail(f"codes are nested more than {MAX_CODE_DEPTH} levels deep")
        codable = (el.get("isCodable") or "true").strip().lower() not in ("false", "0")
        return refi.Code(guid=self.required_guid(el, "Code"), name=name, description=_text_of(el, "Description"),
                         color=refi.norm_color(el.get("color")), codable=codable,
                         children=[self.code(c, depth + 1) for c in _kids(el, "Code")],
                         note_refs=_refs(el, "NoteRef"))

    def values(self, el: Element) -> list[refi.Value]:
        out = []
        for vv in _kids(el, "VariableValue"):
            ref = _kid(vv, "VariableRef")
            g = _guid_ref(ref.get("targetGUID")) if ref is not None else None
            if g is None:
                self.content.skip("variable values without a variable reference")
                continue
            for child in vv:
                if isinstance(child.tag, str) and _name(child) != "VariableRef":
                    out.append(refi.Value(g, (child.text or "").strip(), _name(child)))
                    break
        return out

    def note(self, el: Element) -> refi.Note:
        g = self.required_guid(el, "Note")
        name = el.get("name") or ""
        text = _text_of(el, "PlainTextContent")
        if _kid(el, "PlainTextContent") is None and el.get("plainTextPath"):
            raw, why = self.load_text(el.get("plainTextPath"), f"note {name!r}")
            if raw is None:
                self.content.warnings.append(f"note {name!r}: {why}; imported without its text")
            text = normalise(raw or "")
        description = _text_of(el, "Description")
        if description.strip():  # ATLAS.ti memos carry a one-line description besides their text
            text = f"{description}\n\n{text}" if text else description
        return refi.Note(g, name, text, _guid_ref(el.get("creatingUser")),
                         el.get("creationDateTime"), el.get("modifiedDateTime"))

    # -- sources ----------------------------------------------------------------------------
    def selections(self, holder: Element, src: refi.Source) -> None:
        state = self._streamed.get(holder)  # read while the XML streamed by (parse)
        if state is not None:
            src.selections.extend(state.selections)
            state.selections = []

    def shared(self, value: str | None) -> str | None:
        """A code or user reference: the one string for each GUID (they repeat in every
        selection; 250,000 selections would otherwise hold a million copies)."""
        g = _guid_ref(value)
        return None if g is None else self._shared.setdefault(g, g)

    def selection(self, s: Element, start: int, end: int) -> refi.Selection:
        g = self.required_guid(s, _name(s))
        user = self.shared(s.get("creatingUser"))
        codings = []
        for c in _kids(s, "Coding"):
            ref = _kid(c, "CodeRef")
            code = self.shared(ref.get("targetGUID")) if ref is not None else None
            if code is None:
                raise self.fail(f"<Coding> {c.get('guid')} has no CodeRef (required)")
            cg = _guid_ref(c.get("guid")) or refi.derived_guid("coding", g, code)
            codings.append(refi.Coding(cg, code, self.shared(c.get("creatingUser")) or user,
                                       c.get("creationDateTime") or s.get("creationDateTime"),
                                       _refs(c, "NoteRef") or _NO_REFS))
        return refi.Selection(g, start, end, s.get("name") or "", _text_of(s, "Description"),
                              user, s.get("creationDateTime"), codings, _refs(s, "NoteRef") or _NO_REFS)

    def text_source(self, el: Element, guid: str, name: str, element: str) -> refi.Source:
        src = refi.Source(guid=guid, name=name, path=el.get("plainTextPath"), description=_text_of(el, "Description"),
                          user=_guid_ref(el.get("creatingUser")), created=el.get("creationDateTime"),
                          values=self.values(el), note_refs=_refs(el, "NoteRef"), element=element)
        inline = _kid(el, "PlainTextContent")
        if inline is not None:
            src.raw = inline.text or ""
        elif src.path:
            src.raw, src.missing_reason = self.load_text(src.path, f"source {name!r}")
        elif el.get("richTextPath"):
            src.missing_reason = "only its rich text (.docx) is in the archive, no plain text"
        else:
            src.missing_reason = "it has neither PlainTextContent nor plainTextPath"
        if src.raw is not None:
            src.text = normalise(src.raw)
        self.selections(el, src)
        return src

    def media_selections(self, el: Element, src_name: str, src_guid: str, twins: set[str]) -> None:
        for kind, what in _MEDIA_SELECTIONS.items():
            for s in _kids(el, kind):
                sel = self.selection(s, 0, 0)
                if sel.guid in twins:
                    continue
                self.content.kept_aside.append(KeptAside(
                    src_name, src_guid, sel.guid, None, None, sel.name, [c.code for c in sel.codings],
                    [c.user for c in sel.codings], f"{what} is not text"))

    def sources(self, el: Element) -> None:
        proj = self.content.project
        holders = [s for s in el if isinstance(s.tag, str) and _name(s) in _TEXT_HOLDERS]
        by_path: dict[str, refi.Source] = {}
        transcripts: list[tuple[Element, Element]] = []
        for i, h in enumerate(holders):
            if self.progress is not None and not self.progress(i, len(holders), f"Reading {h.get('name') or ''}"):
                raise InterruptedError("import cancelled")
            kind = _name(h)
            guid = self.required_guid(h, kind)
            name = h.get("name") or ""
            twins: set[str] = set()
            if kind == "TextSource":
                src = self.text_source(h, guid, name, kind)
                proj.sources.append(src)
                if src.path:
                    by_path.setdefault(src.path.strip().lower(), src)
            elif kind == "PDFSource":
                rep = _kid(h, "Representation")
                if rep is not None:
                    src = self.text_source(rep, guid, name, kind)
                    src.description = _text_of(h, "Description") or src.description
                    src.values = self.values(h) + src.values
                    src.note_refs = _refs(h, "NoteRef") + src.note_refs
                    twins = {s.guid for s in src.selections}
                    proj.sources.append(src)
                else:
                    self.content.skip("PDF sources without a plain-text representation")
            elif kind in ("AudioSource", "VideoSource"):
                transcripts += [(h, t) for t in _kids(h, "Transcript")]
                if not _kids(h, "Transcript"):
                    self.content.skip("audio and video sources without a transcript")
            else:
                self.content.skip("picture sources")
            self.media_selections(h, name, guid, twins)
        for media, t in transcripts:
            self.transcript(media, t, by_path)

    def transcript(self, media: Element, t: Element, by_path: dict[str, refi.Source]) -> None:
        proj = self.content.project
        points = {}
        for sp in _kids(t, "SyncPoint"):
            g = _guid_ref(sp.get("guid"))
            if g and sp.get("position") is not None:
                points[g] = self.position(sp, "position", "SyncPoint")
        path = (t.get("plainTextPath") or "").strip().lower()
        twin = by_path.get(path) if path else None
        if twin is None:
            name = t.get("name") or f"{media.get('name') or 'media'} (transcript)"
            twin = self.text_source(t, self.required_guid(t, "Transcript"), name, "Transcript")
            proj.sources.append(twin)
            if path:
                by_path[path] = twin
        else:
            self.note_assumption("transcripts that point at a text source's file were merged with it")
        for s in _kids(t, "TranscriptSelection"):
            a = points.get(_guid_ref(s.get("fromSyncPoint")))
            b = points.get(_guid_ref(s.get("toSyncPoint")))
            sel = self.selection(s, a if a is not None else -1, b if b is not None else -1)
            if a is None or b is None:
                self.content.kept_aside.append(KeptAside(
                    twin.name, twin.guid, sel.guid, None, None, sel.name, [c.code for c in sel.codings],
                    [c.user for c in sel.codings], "its sync points are missing"))
            else:
                twin.selections.append(sel)


# ----------------------------------------------------------------------------- offsets
def _convert(content: QdpxContent) -> None:
    """Verify every selection against its text and convert offsets to code points."""
    proj = content.project
    present = [s for s in proj.sources if s.text is not None]
    texts = [(s.raw, s.text, [(x.start, x.end, x.name) for x in s.selections]) for s in present]
    det = detect(texts, proj.origin)
    content.detection = det
    for src in proj.sources:
        if src.text is None:
            content.missing_sources.append(f"{src.name or src.guid} ({src.missing_reason})")
            for sel in src.selections:
                content.kept_aside.append(_aside(src, sel, f"source text missing: {src.missing_reason}"))
            src.selections = []
            continue
        differs = src.raw != src.text or not src.raw.isascii()
        m = VendorUnitsToCodePoints(src.text, crlf_positions(src.raw), det.convention) if differs else None
        by_name = _ByName(src, det.convention) if differs and not det.trusted else None
        if by_name is not None and not by_name.names_are_quotes():
            by_name = None
        kept = []
        for sel in src.selections:
            if by_name is not None and sel.name.strip():
                placed = by_name.place(sel)
                if placed is None:
                    content.kept_aside.append(_aside(src, sel, "its name (the quoted text) fits the text under no "
                                                               "offset convention"))
                    content.warnings.append(
                        f"source {src.name or src.guid!r}: selection {sel.guid} ({sel.start}-{sel.end}, "
                        f"{_short(sel.name)!r}) fits the text under no offset convention; kept aside, not placed")
                    continue
                sel.start, sel.end = placed
                kept.append(sel)
                continue
            if m is None:
                a, b, a_ok, b_ok = sel.start, sel.end, True, True
                if a < 0 or b > len(src.text):
                    a = b = None
            else:
                a, a_ok = m.to_cp(sel.start, False)
                b, b_ok = m.to_cp(sel.end, True)
            if a is None or b is None:
                content.kept_aside.append(_aside(src, sel, f"outside the text (length {len(src.text)})"))
                continue
            if a >= b:
                content.kept_aside.append(_aside(src, sel, "empty or reversed selection"))
                continue
            if not (a_ok and b_ok):
                content.adjusted += 1
            sel.start, sel.end = a, b
            kept.append(sel)
        src.selections = kept
        if by_name is not None:
            for conv, n in sorted(by_name.other.items()):
                content.warnings.append(
                    f"source {src.name or src.guid!r}: {n} selection{'s' if n != 1 else ''} read as "
                    f"{DESCRIPTIONS[conv]}, not {DESCRIPTIONS[det.convention]}, because "
                    f"{'their names' if n != 1 else 'its name'} (the quoted text) fit only that way "
                    "(offsets mixed in one file)")


def _short(s: str, width: int = 40) -> str:
    s = " ".join(s.split())
    return s if len(s) <= width else s[: width - 1] + "…"


def _fits(name: str, quote: str) -> bool:
    """True when a selection's ``name`` is its quoted text (QualCoder writes the selected
    text there), or the start of it cut with an ellipsis; white space is not compared."""
    n, q = " ".join(name.split()), " ".join(quote.split())
    if not n:
        return False
    if n == q:
        return True
    if n.endswith(("…", "...")):
        head = n.rstrip("…").rstrip(".").rstrip()
        return len(head) >= 4 and q.startswith(head)
    return False


class _ByName:
    """Offsets decided per selection by its name, for files that mix conventions (a
    QualCoder project holding imported UTF-16 codings beside its own code-point ones).

    A selection whose name is its text under the project's convention stays so; one whose
    name fits only another convention's text is placed that way; one that fits under
    none is kept aside (never placed by guess). Used only where names are quotes: at
    least half of a source's named selections fit under some convention."""

    def __init__(self, src: refi.Source, primary: str):
        self.text = src.text
        self.crlfs = crlf_positions(src.raw)
        self.primary = primary
        self.src = src
        self._maps: dict[str, VendorUnitsToCodePoints] = {}
        self.other: dict[str, int] = {}

    def span(self, conv: str, sel: refi.Selection) -> tuple[int, int] | None:
        m = self._maps.get(conv)
        if m is None:
            m = self._maps[conv] = VendorUnitsToCodePoints(self.text, self.crlfs, conv)
        a, a_ok = m.to_cp(sel.start, False)
        b, b_ok = m.to_cp(sel.end, True)
        if a is None or b is None or a >= b or not (a_ok and b_ok):
            return None
        return a, b

    def fitting(self, sel: refi.Selection):
        for conv in (self.primary, *(c for c in CONVENTIONS if c != self.primary)):
            span = self.span(conv, sel)
            if span is not None and _fits(sel.name, self.text[span[0]:span[1]]):
                yield conv, span

    def names_are_quotes(self) -> bool:
        named = [s for s in self.src.selections if s.name.strip()]
        fit = sum(1 for s in named if next(self.fitting(s), None) is not None)
        return bool(named) and 2 * fit >= len(named)

    def place(self, sel: refi.Selection) -> tuple[int, int] | None:
        for conv, span in self.fitting(sel):
            if conv != self.primary:
                self.other[conv] = self.other.get(conv, 0) + 1
            return span
        return None


def _aside(src: refi.Source, sel: refi.Selection, reason: str) -> KeptAside:
    return KeptAside(src.name or src.guid, src.guid, sel.guid, sel.start, sel.end, sel.name,
                     [c.code for c in sel.codings], [c.user for c in sel.codings], reason)


# ----------------------------------------------------------------------------- entry point
def _looks_like_zip(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror or exc})") from None


def _qde_member(path: Path, archive: SafeZip) -> tuple[str, str | None]:
    """(member name, assumption or None) of the project XML inside the archive."""
    info = archive.find("project.qde")
    if info is not None:
        return info.filename, None if info.filename == "project.qde" else f"project XML read from {info.filename!r}"
    qdes = [n for n in archive.names() if n.lower().endswith(".qde")]
    top = [n for n in qdes if "/" not in n]
    pick = top if top else qdes
    if len(pick) == 1:
        return pick[0], f"project XML read from {pick[0]!r} (no project.qde)"
    if not pick:
        raise InputError(path, "not a REFI-QDA project (no project.qde in the archive)")
    raise InputError(path, f"several project files in the archive ({', '.join(sorted(pick)[:4])}); expected one project.qde")


def read_qdpx(path: str | Path, progress: Progress | None = None) -> QdpxContent:
    """Read and check a .qdpx (or bare .qde); offsets come back as code points."""
    path = Path(path)
    check_file(path, 2 * MAX_QDE_BYTES, KIND)
    if _looks_like_zip(path):
        with SafeZip(path, KIND) as archive:
            member, assumption = _qde_member(path, archive)
            reader = _Reader(path, member, archive, progress)
            with archive.open(member, MAX_QDE_BYTES) as stream:
                root = reader.parse(stream)
            content = reader.read(root)
    else:
        member, assumption = path.name, "a bare project XML without an archive: source texts only where inline"
        reader = _Reader(path, member, None, progress)
        try:
            with open(path, "rb") as fh:
                root = reader.parse(_FileStream(fh, path, MAX_QDE_BYTES))
        except OSError as exc:
            raise InputError(path, f"cannot read the file ({exc.strerror or exc})") from None
        content = reader.read(root)
    if assumption:
        content.assumptions.insert(0, assumption)
    _convert(content)
    return content


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
    return (sel.start, sel.end, sel.user, sel.description, tuple(sorted(sel.note_refs)),
            tuple(sorted((c.code, c.user or "", tuple(sorted(c.note_refs))) for c in sel.codings)))


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


class _FileStream(io.RawIOBase):
    """A bare .qde on disk, refused past ``max_bytes`` (the file may grow while read)."""

    def __init__(self, fh, path: Path, max_bytes: int):
        super().__init__()
        self._fh = fh
        self._path = path
        self.max_bytes = max_bytes
        self.size = 0
        self.blank = True

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n if n is not None and n >= 0 else MB)
        self.size += len(data)
        if self.size > self.max_bytes:
            raise InputError(self._path, f"larger than the {self.max_bytes // MB} MB limit")
        if self.blank and data.strip():
            self.blank = False
        return data

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)
