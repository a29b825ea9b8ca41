"""Write a ``refi.Project`` as a REFI-QDA project archive (.qdpx).

The archive holds ``project.qde`` (UTF-8 XML in ``urn:QDA-XML:project:1.0``, valid against
the standard's Project.xsd) and ``sources/<guid>.txt``, each source's text in UTF-8 without
BOM, LF line breaks. Selections are written in Unicode code points, as the standard says,
or, for NVivo for Windows (``units="utf16"``), in UTF-16 code units, which is how NVivo
for Windows reads them: a character outside the Basic Multilingual Plane (an emoji)
counts two. Line breaks are LF in the written files either way.
The file is written next to the target and renamed into place, so a failed export never
leaves a half-written archive.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime
import io
import os
import re
import time
import zipfile
from pathlib import Path
from typing import BinaryIO, Callable, Sequence

from ... import outfile
from . import model as refi
from .qdpx_deflate import Pipe, SourceMembers
from .qdpx_selections import SelectionWriter

Progress = Callable[[int, int, str], bool]


def _code(w: refi.XmlWriter, code: refi.Code, with_notes: bool = True, guid_attr: str = "guid") -> None:
    attrs = {"guid": code.guid, "name": code.name, "isCodable": "true" if code.codable else "false",
             "color": code.color}
    notes = code.note_refs if with_notes else []
    if not (code.description or notes or code.children):
        w.empty("Code", attrs)
        return
    w.start("Code", attrs)
    if code.description:
        w.element("Description", code.description)
    for n in notes:
        w.empty("NoteRef", {"targetGUID": n})
    for child in code.children:
        _code(w, child, with_notes)
    w.end("Code")


def write_codes(w: refi.XmlWriter, codes: list[refi.Code], with_notes: bool = True) -> None:
    w.start("Codes")
    for c in codes:
        _code(w, c, with_notes)
    w.end("Codes")


def _values(w: refi.XmlWriter, values: list[refi.Value]) -> None:
    for v in values:
        w.start("VariableValue")
        w.empty("VariableRef", {"targetGUID": v.variable})
        w.element(v.element, v.value)
        w.end("VariableValue")


def _note_refs(w: refi.XmlWriter, refs: Sequence[str]) -> None:
    for r in refs:
        w.empty("NoteRef", {"targetGUID": r})


UNITS = ("codepoints", "utf16")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def utf16_counter(text: str) -> Callable[[int], int]:
    """Code point offset in ``text`` -> its offset in UTF-16 code units."""
    astral = [m.start() for m in _ASTRAL.finditer(text)]
    if not astral:
        return lambda cp: cp
    return lambda cp: cp + bisect.bisect_left(astral, cp)


def _text(src: refi.Source) -> str:
    return src.text or ""


def now_stamp() -> str:
    """The current time as an xsd:dateTime (UTC)."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def source_member(src: refi.Source) -> str:
    return f"sources/{src.guid}.txt"


def render_project(p: refi.Project, origin: str, progress: Progress | None = None,
                   units: str = "codepoints", sink: Callable[[str], object] | None = None,
                   text_of: Callable[[refi.Source], str] | None = None) -> tuple[str, int]:
    """(project.qde text, characters replaced because XML cannot carry them); selection
    offsets in ``units`` (see ``UNITS``). With ``sink`` the text goes there piece by piece
    and the text returned is empty. ``text_of(source)`` gives a source's text (default:
    ``source.text``; only UTF-16 offsets need it)."""
    if units not in UNITS:
        raise ValueError(f"unknown offset units {units!r}")
    w = refi.XmlWriter(sink)
    stamp = refi.valid_datetime(p.created)
    w.start("Project", {"xmlns": refi.PROJECT_NS, "name": p.name, "origin": origin,
                        "creatingUserGUID": p.creating_user, "creationDateTime": stamp,
                        "modifyingUserGUID": p.creating_user, "modifiedDateTime": stamp})
    if p.users:
        w.start("Users")
        for u in p.users:
            w.empty("User", {"guid": u.guid, "name": u.name})
        w.end("Users")
    if p.codes:
        w.start("CodeBook")
        write_codes(w, p.codes)
        w.end("CodeBook")
    _variables(w, p)
    _cases(w, p)
    _sources(w, p, progress, units, text_of or _text)
    _notes(w, p, stamp)
    _links_and_sets(w, p)
    if p.description:
        w.element("Description", p.description)
    _note_refs(w, p.note_refs)
    w.end("Project")
    if sink is not None:
        w.flush()
        return "", w.replaced
    return w.getvalue(), w.replaced


def _variables(w: refi.XmlWriter, p: refi.Project) -> None:
    if p.variables:
        w.start("Variables")
        for v in p.variables:
            attrs = {"guid": v.guid, "name": v.name, "typeOfVariable": v.type}
            if v.description:
                w.start("Variable", attrs)
                w.element("Description", v.description)
                w.end("Variable")
            else:
                w.empty("Variable", attrs)
        w.end("Variables")


def _cases(w: refi.XmlWriter, p: refi.Project) -> None:
    if p.cases:
        w.start("Cases")
        for c in p.cases:
            w.start("Case", {"guid": c.guid, "name": c.name})
            if c.description:
                w.element("Description", c.description)
            for g in c.codes:
                w.empty("CodeRef", {"targetGUID": g})
            _values(w, c.values)
            for g in c.sources:
                w.empty("SourceRef", {"targetGUID": g})
            for g in c.selections:
                w.empty("SelectionRef", {"targetGUID": g})
            w.end("Case")
        w.end("Cases")


def _sources(w: refi.XmlWriter, p: refi.Project, progress: Progress | None, units: str,
             text_of: Callable[[refi.Source], str]) -> None:
    if p.sources:
        selections = SelectionWriter(w)
        w.start("Sources")
        for i, s in enumerate(p.sources):
            if progress is not None and not progress(i, len(p.sources), f"Writing {s.name}"):
                raise InterruptedError("export cancelled")
            w.start("TextSource", {"guid": s.guid, "name": s.name, "plainTextPath": f"internal://{s.guid}.txt",
                                   "creatingUser": s.user, "creationDateTime": refi.valid_datetime(s.created)})
            if s.description:
                w.element("Description", s.description)
            selections.write(s.selections, utf16_counter(text_of(s)) if units == "utf16" else None)
            _note_refs(w, s.note_refs)
            _values(w, s.values)
            w.end("TextSource")
            w.flush()  # a source at a time (its selections are one piece)
        w.end("Sources")


def _notes(w: refi.XmlWriter, p: refi.Project, stamp: str | None) -> None:
    if p.notes:
        # Every vendor writes who made a note and when; QualCoder's import stops at a note
        # without creationDateTime (losing every case and attribute after it). Notes with
        # no record of either are the project creator's, from the project's creation.
        who = p.creating_user or (p.users[0].guid if p.users else None)
        when = stamp or now_stamp()
        w.start("Notes")
        for n in p.notes:
            w.start("Note", {"guid": n.guid, "name": n.name, "creatingUser": n.user or who,
                             "creationDateTime": (refi.valid_datetime(n.created) or refi.valid_datetime(n.modified)
                                                  or when),
                             "modifyingUser": n.user if refi.valid_datetime(n.modified) else None,
                             "modifiedDateTime": refi.valid_datetime(n.modified)})
            w.element("PlainTextContent", n.text)
            w.end("Note")
        w.end("Notes")


def _links_and_sets(w: refi.XmlWriter, p: refi.Project) -> None:
    if p.links:
        w.start("Links")
        for ln in p.links:
            w.empty("Link", {"guid": ln.guid, "name": ln.name or None, "direction": ln.direction,
                             "originGUID": ln.origin, "targetGUID": ln.target})
        w.end("Links")
    if p.sets:
        w.start("Sets")
        for s in p.sets:
            w.start("Set", {"guid": s.guid, "name": s.name})
            if s.description:
                w.element("Description", s.description)
            for g in s.codes:
                w.empty("MemberCode", {"targetGUID": g})
            for g in s.sources:
                w.empty("MemberSource", {"targetGUID": g})
            for g in s.notes:
                w.empty("MemberNote", {"targetGUID": g})
            w.end("Set")
        w.end("Sets")


class _OnceFailing(io.RawIOBase):
    """The archive's file: the first failed write is raised, later writes and seeks are
    dropped. ``zipfile`` writes its directory when it is closed, even after an error; on a
    full disk that second write would fail again (and, from ``ZipFile.__del__``, print
    "Exception ignored"). The caller re-raises the first error and removes the file."""

    def __init__(self, fh: BinaryIO) -> None:
        super().__init__()
        self._fh = fh
        self.failed: OSError | None = None

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, b) -> int:
        if self.failed is None:
            try:
                return self._fh.write(b)
            except OSError as exc:
                self.failed = exc
                raise
        return len(b)

    def seek(self, pos: int, whence: int = 0) -> int:
        return self._fh.tell() if self.failed is not None else self._fh.seek(pos, whence)

    def tell(self) -> int:
        return self._fh.tell()

    def flush(self) -> None:
        if self.failed is None:
            try:
                self._fh.flush()
            except OSError as exc:
                self.failed = exc
                raise


# deflate level of the archive's members: 1 compresses transcripts ~2.7x faster than zlib's
# default 6 for an archive ~18 % larger (measured on the fixtures' interviews: 41 % of the text
# against 35 %). At 2,000 transcripts (100 MB of text) the export is bound by deflate, and a
# researcher waits for it, while the archive is only carried to another program.
LEVEL = 1


def source_members(sources: Sequence[refi.Source], text_of: Callable[[refi.Source], str],
                   compresslevel: int = LEVEL) -> SourceMembers:
    """The members of ``sources`` for ``write_qdpx(..., members=)``, compressed from now on."""
    return SourceMembers(sources, text_of, compresslevel, source_member)


#: progress labels of the write's tail: each member written after the XML, and the finished
#: archive about to be renamed into place (a progress that answers the last call only when it
#: knows whether Cancel was pressed, as ``export_process``'s child does, stops even then)
FINISHING, LAST_STEP = "Finishing the archive", "Saving the archive"


def write_qdpx(p: refi.Project, path: str | Path | outfile.Output, origin: str, progress: Progress | None = None,
               compresslevel: int = LEVEL, units: str = "codepoints",
               text_of: Callable[[refi.Source], str] | None = None, members: SourceMembers | None = None) -> int:
    """Write the archive; returns the count of characters XML could not carry (replaced).
    project.qde is rendered straight into the archive, never held whole; ``text_of(source)``
    gives each source's text when its member is written (default: ``source.text``), so a
    snapshot without texts holds one at a time. ``members``: the sources' members, already
    being compressed (``source_members``; the caller closes it)."""
    replaced = 0
    text = text_of or _text
    n = len(p.sources)

    def going_on(label: str = FINISHING) -> None:
        """While the members are written after the last source's XML: Cancel is still asked."""
        if progress is not None and not progress(n, n, label):
            raise InterruptedError("export cancelled")

    def write(tmp: Path) -> None:
        nonlocal replaced
        with open(tmp, "wb") as fh:
            out = _OnceFailing(fh)
            try:
                with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf, \
                        (contextlib.nullcontext(members) if members is not None
                         else source_members(p.sources, text, compresslevel)) as sources:
                    info = zipfile.ZipInfo("project.qde", time.localtime(time.time())[:6])  # as writestr
                    info.compress_type = zf.compression
                    info._compresslevel = zf.compresslevel  # type: ignore[attr-defined]  # as writestr sets it
                    with zf.open(info, "w") as member, Pipe(lambda piece: member.write(piece.encode("utf-8"))) as pipe:
                        def sink(piece: str) -> None:
                            pipe.put(piece)  # compressed and written on the pipe's thread
                            sources.top_up()  # the texts are compressed meanwhile, on another

                        _, replaced = render_project(p, origin, progress, units, sink, text)
                    sources.write_all(zf, going_on)
                out.flush()
                os.fsync(fh.fileno())
                going_on(LAST_STEP)  # the last moment a cancel (or the app's end) keeps the archive out
            except OSError:
                if out.failed is not None:
                    raise out.failed from None
                raise
            finally:
                if out.failed is not None:  # what the buffer still holds cannot be written either
                    with contextlib.suppress(OSError):
                        fh.close()

    outfile.write_file(path, write)
    return replaced
