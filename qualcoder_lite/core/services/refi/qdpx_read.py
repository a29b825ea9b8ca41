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

import contextlib
import urllib.parse
from pathlib import Path, PurePosixPath
from typing import Any, Callable
from xml.etree.ElementTree import Element
from zipfile import ZipInfo

from ...limits import MAX_CODE_DEPTH
from ...errors import InputError
from . import model as refi
from ...formats.checks import MAX_TEXT_BYTES, MB, check_file
from ...formats.safexml import local
from ...formats.safezip import BoundedStream, SafeZip
from ...formats.textfile import decode_bytes
from ...formats.textnorm import normalise
from .qdpx_content import KeptAside, QdpxContent
from .qdpx_place import _convert
from .qdpx_prefetch import Prefetch
from .qdpx_stream import RawSelection
from .qdpx_xml import (_MEDIA_SELECTIONS, _NO_REFS, _OUR_GUID, _TEXT_HOLDERS, _guid_ref, _kid, _kids, _name, _refs,
                       _StreamingReader, _tag_name, _text_of)

KIND = "a REFI-QDA project"
_UNSEEN: Any = object()
_SHARED_LIMIT = 100_000  # distinct references remembered as written (codes and users: a few hundred)
MAX_QDE_BYTES = 150 * MB
Progress = Callable[[int, int, str], bool]


class _Reader(_StreamingReader):
    def __init__(self, path: Path, member: str, archive: SafeZip | None, progress: Progress | None,
                 pack: bool = False, prefetch: Prefetch | None = None):
        super().__init__(path, member)
        self.archive = archive
        self.progress = progress
        self.pack = pack
        self.prefetch = prefetch
        self.loaded_member = ""  # the member ``load_text`` read last
        self.loaded_bytes: bytes | None = None  # and its bytes, until ``text_source`` packs its text
        if prefetch is not None:
            self.on_text_holder = self.prefetch_text
        self._basenames: dict[str, ZipInfo] | None = None
        self._folders: set[str] = set()
        self._seen_guids: set[str] = set()
        self._shared: dict[str, str] = {}
        self._by_value: dict[str | None, str | None] = {}  # a reference as written -> ``shared``
        self._stamps: dict[str | None, str] = {}  # a time stamp -> the one string for it

    # -- archive members ----------------------------------------------------------------
    def find_member(self, ref: str) -> tuple[ZipInfo | None, str]:
        """(zip member or None, why not) for a plainTextPath."""
        info, why, notes, folder = self._locate(ref)
        for note in notes:
            self.note_assumption(note)
        if folder is not None:
            self._folders.add(folder)
        return info, why

    def _locate(self, ref: str) -> tuple[ZipInfo | None, str, list[str], str | None]:
        """(zip member or None, why not, assumptions to note, folder it was found in when not
        ``sources/``) for a plainTextPath; ``find_member`` without noting anything."""
        if self.archive is None:
            return None, "not in a bare .qde file (no archive)", [], None
        notes: list[str] = []
        p = ref.strip()
        low = p.lower()
        if low.startswith("internal:"):
            p = p[len("internal:"):].lstrip("/")
        elif low.startswith(("relative:", "absolute:", "file:", "http:", "https:")):
            return None, f"an external file ({ref}), not inside the archive", notes, None
        elif p:
            notes.append("plainTextPath without 'internal://' (qc style) looked up in sources/")
        for cand in (p, urllib.parse.unquote(p)):
            for full in (f"sources/{cand}", cand):
                info = self.archive.find(full)
                if info is not None and not info.is_dir():
                    folder = None
                    if not info.filename.startswith("sources/") and "/" in info.filename:
                        folder = info.filename.split("/")[0]
                    return info, "", notes, folder
        if self._basenames is None:
            self._basenames = {}
            for n in self.archive.names():
                info = self.archive.find(n)
                if info is not None and not info.is_dir():
                    self._basenames.setdefault(PurePosixPath(info.filename).name.lower(), info)
        info = self._basenames.get(PurePosixPath(p).name.lower())
        if info is not None:
            notes.append(f"source file {p!r} found as {info.filename!r}")
            return info, "", notes, None
        return None, "its text file is missing from the archive", notes, None

    def prefetch_text(self, el: Element) -> None:
        """Hand the text file of ``el`` to the workers as the XML streams by (``Prefetch``)."""
        ref = el.get("plainTextPath")
        if self.prefetch is not None and ref:
            info = self._locate(ref)[0]
            if info is not None:
                self.prefetch.submit(info, f"{self.path}:{info.filename}")

    def note_assumption(self, text: str) -> None:
        if text not in self.found.assumptions:
            self.found.assumptions.append(text)

    def load_text(self, ref: str, label: str) -> tuple[str | None, str]:
        """(raw decoded text or None, why missing) for a plainTextPath."""
        info, why = self.find_member(ref)
        if info is None:
            return None, why
        assert self.archive is not None  # found there
        self.loaded_member = info.filename
        data = self.loaded_bytes = self.archive.read(info, MAX_TEXT_BYTES)
        where = f"{self.path}:{info.filename}"
        try:
            text, warnings = decode_bytes(where, data)
        except InputError as exc:
            return None, f"its text cannot be read ({exc.reason})"
        for w in warnings:
            self.found.warnings.append(f"{label}: {w}")
        if text.startswith("\ufeff"):
            text = text[1:]
        return text, ""

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
            self.found.warnings.append(f"the project has no name; named {proj.name!r}")
        for el in root:
            if not isinstance(el.tag, str):
                continue
            self.section(_name(el), el, proj)
        if self._folders:
            self.note_assumption(f"source files found under {', '.join(sorted(self._folders))}/")
        return self.content

    def section(self, n: str, el: Element, proj: refi.Project) -> None:
        """One child element of <Project>."""
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
                    self.found.warnings.append(f"variable {v.get('name')!r}: unknown type {t!r}, read as Text")
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
                o, tg = _guid_ref(ln.get("originGUID")), _guid_ref(ln.get("targetGUID"))
                if o and tg:
                    proj.links.append(refi.Link(self.required_guid(ln, "Link"), o, tg, ln.get("name") or "",
                                                ln.get("direction") or "Associative"))
        elif n == "Sets":
            for s in _kids(el, "Set"):
                proj.sets.append(refi.Set(self.required_guid(s, "Set"), (s.get("name") or "").strip(),
                                          _text_of(s, "Description"), _refs(s, "MemberCode"),
                                          _refs(s, "MemberSource"), _refs(s, "MemberNote")))
        elif n == "Graphs":
            self.found.skip("graphs (networks, maps) are not imported", len(_kids(el, "Graph")))
        elif n == "Description":
            proj.description = el.text or ""
        elif n == "NoteRef":
            note_ref = _guid_ref(el.get("targetGUID"))
            if note_ref:
                proj.note_refs.append(note_ref)

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
                self.found.skip("variable values without a variable reference")
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
        text_path = el.get("plainTextPath")
        if _kid(el, "PlainTextContent") is None and text_path:
            raw, why = self.load_text(text_path, f"note {name!r}")
            if raw is None:
                self.found.warnings.append(f"note {name!r}: {why}; imported without its text")
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

    def _stamp(self, value: str | None) -> str | None:
        """``value``, kept as the one string for it (``selection_of``) while few are kept."""
        if value is not None and len(self._stamps) < _SHARED_LIMIT:
            self._stamps[value] = value
        return value

    def shared(self, value: str | None) -> str | None:
        """A code or user reference: the one string for each GUID (they repeat in every
        selection; 250,000 selections would otherwise hold a million copies), looked up by
        the value as written (normalised once)."""
        got = self._by_value.get(value, _UNSEEN)
        if got is _UNSEEN:
            g = _guid_ref(value)
            got = None if g is None else self._shared.setdefault(g, g)
            if len(self._by_value) < _SHARED_LIMIT:
                self._by_value[value] = got
        return got

    def selection(self, s: Element, start: int, end: int) -> refi.Selection:
        """A selection read from its element (media and transcript selections: a text
        selection is read by the parser's handlers, ``selection_of``)."""
        raw = RawSelection(s.attrib)
        for c in s:  # what the parser's handlers take of a PlainTextSelection (qdpx_stream)
            kind = _tag_name(c.tag)
            if kind == "Coding":
                ref = next((k.attrib for k in c if _tag_name(k.tag) == "CodeRef"), None)
                raw.codings.append([c.attrib, ref, [k.get("targetGUID") for k in c if _tag_name(k.tag) == "NoteRef"]])
            elif kind == "NoteRef":
                raw.notes.append(c.get("targetGUID"))
            elif kind == "Description" and raw.description is None:
                raw.description = c.text or ""
        return self.selection_of(raw, start, end, _name(s))

    def selection_of(self, raw: RawSelection, start: int, end: int, what: str = "PlainTextSelection") -> refi.Selection:
        """The selection ``raw`` (the hot path: one per coded span, most with one coding; GUIDs in
        our form and references seen before are taken without a call)."""
        s = raw.attrs
        g = s.get("guid")
        if not g or _OUR_GUID(g) is None:
            g = self.required_guid(s, what)
        known, shared = self._by_value, self.shared  # shared(v): known.get(v), else worked out
        user = known.get(v := s.get("creatingUser"), _UNSEEN)
        if user is _UNSEEN:
            user = shared(v)
        stamps = self._stamps  # time stamps repeat (codings made in one sitting): one string each
        created = s.get("creationDateTime")
        created = stamps.get(created) or self._stamp(created)
        codings = []
        for attrs, code_ref, note_targets in raw.codings:
            code = known.get(v := code_ref.get("targetGUID"), _UNSEEN) if code_ref is not None else None
            if code is _UNSEEN:
                code = shared(v)
            if code is None:
                raise self.fail(f"<Coding> {attrs.get('guid')} has no CodeRef (required)")
            cg = attrs.get("guid")
            if not cg or _OUR_GUID(cg) is None:
                cg = _guid_ref(cg) or refi.derived_guid("coding", g, code)
            notes = [ref for r in note_targets if (ref := _guid_ref(r))] if note_targets else None
            by = known.get(v := attrs.get("creatingUser"), _UNSEEN)
            if by is _UNSEEN:
                by = shared(v)
            stamp = attrs.get("creationDateTime")
            codings.append(refi.Coding(cg, code, by or user, (stamps.get(stamp) or self._stamp(stamp)) or created,
                                       notes or _NO_REFS))
        notes = [ref for r in raw.notes if (ref := _guid_ref(r))] if raw.notes else None
        return refi.Selection(g, start, end, s.get("name") or "", raw.description or "",
                              user, created, codings, notes or _NO_REFS)

    def text_source(self, el: Element, guid: str, name: str, element: str) -> refi.Source:
        src = refi.Source(guid=guid, name=name, path=el.get("plainTextPath"), description=_text_of(el, "Description"),
                          user=_guid_ref(el.get("creatingUser")), created=el.get("creationDateTime"),
                          values=self.values(el), note_refs=_refs(el, "NoteRef"), element=element)
        inline = _kid(el, "PlainTextContent")
        if inline is not None:
            src.raw = inline.text or ""
        elif src.path:
            src.raw, src.missing_reason = self.load_text(src.path, f"source {name!r}")
            if src.raw is not None and self.prefetch is not None:
                src.prefetched = self.prefetch.claim(self.loaded_member)
        elif el.get("richTextPath"):
            src.missing_reason = "only its rich text (.docx) is in the archive, no plain text"
        else:
            src.missing_reason = "it has neither PlainTextContent nor plainTextPath"
        if src.raw is not None:
            src.text = normalise(src.raw)
            if self.pack:
                src.pack(self.loaded_bytes if inline is None else None)
        self.loaded_bytes = None
        self.selections(el, src)
        return src

    def media_selections(self, el: Element, src_name: str, src_guid: str, twins: set[str]) -> None:
        for kind, what in _MEDIA_SELECTIONS.items():
            for s in _kids(el, kind):
                sel = self.selection(s, 0, 0)
                if sel.guid in twins:
                    continue
                self.found.kept_aside.append(KeptAside(
                    src_name, src_guid, sel.guid, None, None, sel.name, [c.code for c in sel.codings],
                    [c.user for c in sel.codings], f"{what} is not text"))

    def sources(self, el: Element) -> None:
        proj = self.found.project
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
                    self.found.skip("PDF sources without a plain-text representation")
            elif kind in ("AudioSource", "VideoSource"):
                transcripts += [(h, t) for t in _kids(h, "Transcript")]
                if not _kids(h, "Transcript"):
                    self.found.skip("audio and video sources without a transcript")
            else:
                self.found.skip("picture sources")
            self.media_selections(h, name, guid, twins)
        for media, t in transcripts:
            self.transcript(media, t, by_path)

    def transcript(self, media: Element, t: Element, by_path: dict[str, refi.Source]) -> None:
        proj = self.found.project
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
            a = points.get(_guid_ref(s.get("fromSyncPoint")) or "")  # "" is no point's GUID
            b = points.get(_guid_ref(s.get("toSyncPoint")) or "")
            sel = self.selection(s, a if a is not None else -1, b if b is not None else -1)
            if a is None or b is None:
                self.found.kept_aside.append(KeptAside(
                    twin.name, twin.guid, sel.guid, None, None, sel.name, [c.code for c in sel.codings],
                    [c.user for c in sel.codings], "its sync points are missing"))
            else:
                twin.selections.append(sel)


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


def read_qdpx(path: str | Path, progress: Progress | None = None, pack: bool = False,
              prefetch: bool = False) -> QdpxContent:
    """Read and check a .qdpx (or bare .qde); offsets come back as code points. ``pack=True``
    holds the sources' texts as UTF-8 (``refi.Source.pack``: an import of thousands).
    ``prefetch=True``: worker processes derive the texts meanwhile where they may
    (``qdpx_prefetch``); the caller stops them with ``content.close()``."""
    path = Path(path)
    check_file(path, 2 * MAX_QDE_BYTES, KIND)
    if _looks_like_zip(path):
        with SafeZip(path, KIND) as archive, contextlib.ExitStack() as on_error:
            member, assumption = _qde_member(path, archive)
            ahead = Prefetch(path, KIND) if prefetch and Prefetch.allowed(archive) else None
            if ahead is not None:
                on_error.enter_context(ahead)
            reader = _Reader(path, member, archive, progress, pack, ahead)
            with archive.open(member, MAX_QDE_BYTES) as stream:
                root = reader.parse(stream)
            content = reader.read(root)
            content.prefetch = ahead
            if assumption:
                content.assumptions.insert(0, assumption)
            _convert(content)
            on_error.pop_all()  # the workers go on: ``content.close()`` stops them
        return content
    else:
        member, assumption = path.name, "a bare project XML without an archive: source texts only where inline"
        reader = _Reader(path, member, None, progress, pack)
        try:
            with open(path, "rb") as fh:
                root = reader.parse(BoundedStream(fh, path, MAX_QDE_BYTES,
                                                  f"larger than the {MAX_QDE_BYTES // MB} MB limit"))
        except OSError as exc:
            raise InputError(path, f"cannot read the file ({exc.strerror or exc})") from None
        content = reader.read(root)
    if assumption:
        content.assumptions.insert(0, assumption)
    _convert(content)
    return content




__all__ = ["KIND", "MAX_CODE_DEPTH", "MAX_QDE_BYTES", "KeptAside", "QdpxContent", "read_qdpx"]
