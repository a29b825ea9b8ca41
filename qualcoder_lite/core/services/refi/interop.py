"""REFI-QDA interoperability: export and import projects (.qdpx) and codebooks (.qdc).

* ``export_qdpx(project, out)`` writes the whole project (see ``refi_snapshot``).
* ``import_qdpx(in, target)`` creates a **new** project file: the archive is read and
  checked first, then the project is built in a temporary file beside the target and
  renamed into place only when complete, so a half-imported project never exists and an
  existing file is never overwritten (see ``refi_build`` for the mapping).
* ``export_qdc(project, out)`` writes the code tree and the code sets.
* ``ImportCodebook`` merges a codebook (.qdc, a .qdpx's codebook, CSV or indented text)
  into an open project as one undoable command: codes are matched by GUID, then by
  name path; new codes are created; differences are reported as conflicts, never
  overwritten.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .... import __version__
from ... import codepath
from ...commands import Command
from ... import outfile
from ...errors import ProjectError, QualCoderError, UsageError
from ...wording import counted
from . import model as refi
from .qdc import Codebook, read_codebook, write_qdc
from .qdpx_deflate import SourceMembers
from ..gcpause import no_cyclic_gc
from .qdpx_write import source_members, write_qdpx
from .qdpx_read import read_qdpx
from ...project import project_path
from ...store.database import now_iso
from ...store.recorder import Recorder
from ..coding.codes import PALETTE
from .build import build_project, clean_code_name
from .import_report import QdpxImportReport
from .snapshot import codebook, snapshot

Progress = Callable[[int, int, str], bool]


#: what ``export_qdpx(..., target=)`` writes for: offsets as each program reads them
TARGETS = {"standard": "codepoints", "nvivo-windows": "utf16"}
TARGET_LABELS = {"standard": "REFI-QDA standard (QualCoder, ATLAS.ti, MAXQDA, NVivo for Mac)",
                 "nvivo-windows": "NVivo for Windows (offsets in UTF-16 units)"}


def origin(target: str = "standard") -> str:
    """The ``origin`` we write. For NVivo for Windows it says so: our own import then reads
    the offsets as UTF-16 units (``refi_offsets.hint_for``)."""
    if target == "nvivo-windows":
        return f"QualCoder Lite {__version__} for NVivo for Windows (UTF-16 offsets)"
    return f"QualCoder Lite {__version__}"


# ----------------------------------------------------------------------------- export
@dataclass
class ExportReport:
    path: str
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"file": self.path, **self.counts, "warnings": len(self.warnings)}

    def summary(self) -> str:
        c = self.counts
        if "sources" not in c:
            return f"exported {counted(c.get('codes', 0), 'code')} to {self.path}"
        return f"exported {', '.join(counted(c[k], k[:-1]) for k in ('sources', 'codes', 'codings', 'cases', 'memos'))} to {self.path}"


def export_qdpx(project, out: str | Path | outfile.Output, progress: Progress | None = None, target: str = "standard") -> ExportReport:
    """Write the project as a REFI-QDA archive; refuses an empty project (nothing to export).

    ``target="nvivo-windows"`` writes selection offsets in UTF-16 code units, which NVivo for
    Windows reads (an emoji counts two); the standard (code points) is the default."""
    if target not in TARGETS:
        raise UsageError(f"unknown export target {target!r} ({', '.join(TARGETS)})")
    kind, dest = target, outfile.for_project(out, project)
    outfile.check(dest)
    out = dest.path
    # the texts are read as they are written: one view of the project
    with _read_view(project.conn), no_cyclic_gc(), contextlib.ExitStack() as stack:
        members: list[SourceMembers] = []

        def early(snap) -> Callable[[], object]:
            """The texts are compressed (on other threads) while the rest is read."""
            members.append(stack.enter_context(source_members(snap.project.sources, snap.text_of)))
            members[0].top_up()
            return members[0].top_up

        snap = snapshot(project, texts=False, early=early)
        if not snap.project.sources and not snap.project.codes:
            raise QualCoderError(f"nothing to export: {project.name} has no sources and no codes")
        replaced = write_qdpx(snap.project, dest, origin(kind), progress, units=TARGETS[kind], text_of=snap.text_of,
                              members=members[0])
    if replaced:
        snap.warnings.append(f"{replaced} characters XML cannot hold (control characters) were replaced by U+FFFD")
    snap.warnings += _roles_left_out(project.conn)
    return ExportReport(str(out), snap.counts, snap.warnings)


def _roles_left_out(conn) -> list[str]:
    """The warning for speakers marked interviewer: REFI-QDA has no speaker roles, so the
    archive cannot carry them (a project made from it would autocode and quote their turns)."""
    names = [r[0] for r in conn.execute("SELECT speaker FROM speaker_roles WHERE role = 'interviewer' ORDER BY speaker")]
    if not names:
        return []
    shown = ", ".join(repr(n) for n in names[:5]) + (", ..." if len(names) > 5 else "")
    return [f"{counted(len(names), 'speaker')} marked interviewer ({shown}): REFI-QDA has no speaker roles, so the "
            f"archive does not say so; after importing it, mark them again (speakers PROJECT --interviewer NAME)"]


@contextlib.contextmanager
def _read_view(conn) -> Iterator[None]:
    """One read transaction (unless one is open): what is read stays one state of the project
    even if another connection writes meanwhile (the GUI exports on its own connection)."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")  # nothing was written


def codebook_of(project) -> Codebook:
    codes, sets = codebook(project)
    return Codebook(codes, sets)


def export_qdc(project, out: str | Path) -> ExportReport:
    target = outfile.for_project(out, project)
    outfile.check(target)
    out = target.path
    book = codebook_of(project)
    if not book.codes:
        raise QualCoderError(f"nothing to export: {project.name} has no codes")
    replaced = write_qdc(book, target, origin())
    warnings = [f"{replaced} characters XML cannot hold were replaced by U+FFFD"] if replaced else []
    return ExportReport(str(out), {"codes": book.count(), "sets": len(book.sets)}, warnings)


# ----------------------------------------------------------------------------- import project
def import_qdpx(src: str | Path, target: str | Path, coder: str | None = None,
                progress: Progress | None = None) -> QdpxImportReport:
    """Create the project ``target`` from the REFI-QDA file ``src`` (all or nothing). The
    project is built in ``.NAME.qlite.XXXXXXXX.importing`` beside the target (owner-only,
    locked while in use; one a killed import left is removed at the next start)."""
    from ...store import tempfiles

    target = project_path(target)
    tempfiles.clean(target)
    if target.exists():
        raise ProjectError(target, "already exists; choose another name (an import never overwrites)")
    if not target.parent.is_dir():
        raise ProjectError(target, f"folder {target.parent} does not exist")
    # the collector paused: the file's selections and codings (400,000 objects at 10x) live until
    # the project is written and hold no cycles; it would walk them again and again
    with no_cyclic_gc():
        content = read_qdpx(src, progress, pack=True, prefetch=True)  # texts held as UTF-8 until written
        with contextlib.closing(content):  # the workers deriving the texts stop with the import
            report = _build_new(target, content, coder, progress)
    if progress is not None:
        progress(1, 1, "Done")
    return report


def _build_new(target: Path, content, coder: str | None, progress: Progress | None) -> QdpxImportReport:
    from ...project import Project
    from ...store import database, tempfiles

    tmp = tempfiles.TempFile(target, "importing", unique=True).create()
    try:
        project = Project(database.create_database(tmp.path, into_empty_file=True), tmp.path, coder)
        try:
            with _unlogged(project.conn, tmp.path):
                report = build_project(project, content, progress)
        finally:
            project.close()
        tmp.publish_new(tempfiles.default_mode())
    finally:
        tmp.discard()
    report.project_file = str(target)
    return report


@contextlib.contextmanager
def _unlogged(conn, path: Path) -> Iterator[None]:
    """Build the new project without its write-ahead log, back in WAL mode when done.

    The file is a private temporary one, thrown away unless the build completes and fsynced
    when published (``TempFile.publish_new``), so the log's safety buys nothing here, while
    it writes every page twice (log, then checkpoint) and syncs: at 2,000 sources ~250 MB
    more and a third of the build's time. The rollback journal is kept in memory, so
    rollbacks (savepoints) work as before."""
    if str(conn.execute("PRAGMA journal_mode = MEMORY").fetchone()[0]).lower() != "memory":
        raise ProjectError(path, "cannot build the project without its log (journal mode)")
    conn.execute("PRAGMA synchronous = OFF")
    yield
    conn.execute("PRAGMA synchronous = NORMAL")
    if str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower() != "wal":
        raise ProjectError(path, "cannot use write-ahead logging")


# ----------------------------------------------------------------------------- import codebook
@dataclass
class CodebookReport:
    file: str
    created: list[str] = field(default_factory=list)
    matched_by_guid: int = 0
    matched_by_path: int = 0
    conflicts: list[str] = field(default_factory=list)
    sets_created: int = 0
    sets_extended: int = 0

    def as_dict(self) -> dict:
        return {"file": self.file, "created": len(self.created), "matched_by_guid": self.matched_by_guid,
                "matched_by_path": self.matched_by_path, "conflicts": list(self.conflicts),
                "sets_created": self.sets_created, "sets_extended": self.sets_extended}

    def summary(self) -> str:
        return (f"{len(self.created)} new codes, {self.matched_by_guid + self.matched_by_path} already in the project "
                f"({self.matched_by_guid} by GUID, {self.matched_by_path} by name), {len(self.conflicts)} conflicts")


class ImportCodebook(Command):
    """Merge a codebook into the project (one undo step). Nothing existing is overwritten:
    an empty description or memo is filled in, any other difference is a conflict."""

    def __init__(self, book: Codebook, path: str | Path):
        super().__init__()
        self.book = book
        self.path = Path(path)
        self.name = f"Import codebook {self.path.name}"

    def apply(self, project, rec: Recorder) -> CodebookReport:
        report = CodebookReport(str(self.path))
        conn = project.conn
        by_guid = {r["guid"]: r["id"] for r in conn.execute("SELECT id, guid FROM codes")}
        paths = {c.id: c.path_str for c in project.codes.all()}
        claimed: set[int] = set()
        mapped: dict[str, int] = {}

        def merge(codes: list[refi.Code], parent: int | None, where: str) -> None:
            for c in codes:
                name = clean_code_name(c.name)
                shown = f"{where}/{codepath.escape(name)}" if where else codepath.escape(name)
                row = None
                if c.guid and c.guid in by_guid and by_guid[c.guid] not in claimed:
                    row = conn.execute("SELECT * FROM codes WHERE id = ?", (by_guid[c.guid],)).fetchone()
                    report.matched_by_guid += 1
                    if row["parent_id"] != parent or row["name"] != name:
                        report.conflicts.append(f"{shown!r} has the GUID of the project's code "
                                                f"{paths[row['id']]!r}; merged into it, left where it is")
                else:
                    row = conn.execute("SELECT * FROM codes WHERE ifnull(parent_id, 0) = ifnull(?, 0) AND name = ?",
                                       (parent, name)).fetchone()
                    if row is not None:
                        report.matched_by_path += 1
                if row is None:
                    guid = c.guid if c.guid and c.guid not in by_guid else str(uuid.uuid4())
                    count = conn.execute("SELECT count(*) FROM codes").fetchone()[0]
                    code_id = rec.insert("codes", {
                        "guid": guid, "parent_id": parent, "name": name, "description": c.description,
                        "color": c.color or PALETTE[count % len(PALETTE)], "memo": "",
                        "position": project.codes.next_position(parent), "created": now_iso()})
                    by_guid[guid] = code_id
                    paths[code_id] = shown
                    report.created.append(shown)
                else:
                    code_id = row["id"]
                    if c.description and not row["description"]:
                        rec.update("codes", code_id, {"description": c.description})
                    elif c.description and c.description != row["description"]:
                        report.conflicts.append(f"{paths[code_id]!r}: the file's description differs; kept the project's")
                    if c.color and c.color != row["color"]:
                        report.conflicts.append(f"{paths[code_id]!r}: the file's colour {c.color} differs; "
                                                f"kept {row['color']}")
                claimed.add(code_id)
                if c.guid:
                    mapped.setdefault(c.guid, code_id)
                merge(c.children, code_id, paths[code_id])

        merge(self.book.codes, None, "")
        self._sets(project, rec, mapped, report)
        return report

    def _sets(self, project, rec: Recorder, mapped: dict[str, int], report: CodebookReport) -> None:
        conn = project.conn
        for s in self.book.sets:
            members = [mapped[g] for g in s.codes if g in mapped]
            if not members:
                continue
            row = conn.execute("SELECT id FROM sets WHERE kind = 'code' AND name = ?", (s.name or "Set",)).fetchone()
            if row is None:
                taken = {r[0] for r in conn.execute("SELECT guid FROM sets")}
                set_id = rec.insert("sets", {"guid": s.guid if s.guid and s.guid not in taken else str(uuid.uuid4()),
                                             "name": s.name or "Set", "kind": "code", "memo": s.description})
                report.sets_created += 1
            else:
                set_id = row[0]
                report.sets_extended += 1
            have = {r[0] for r in conn.execute("SELECT member_id FROM set_members WHERE set_id = ?", (set_id,))}
            for m in dict.fromkeys(members):
                if m not in have:
                    rec.insert("set_members", {"set_id": set_id, "member_id": m})


def import_codebook(project, path: str | Path) -> CodebookReport:
    """Read ``path`` and merge it into ``project`` as one undoable step."""
    cmd = ImportCodebook(read_codebook(path), path)
    project.execute(cmd)
    return cmd.result


__all__ = ["CodebookReport", "ExportReport", "ImportCodebook", "QdpxImportReport", "codebook_of", "export_qdc",
           "export_qdpx", "import_codebook", "import_qdpx"]
