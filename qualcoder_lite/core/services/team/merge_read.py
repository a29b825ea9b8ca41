"""Reading a colleague's copy for a merge: a .qlite copied to a scratch folder and opened there,
or a .qdpx imported into a scratch project, then read into a ``Snapshot`` of plain rows."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ...errors import InputError, ProjectError
from ...store.coders import CODER_COLORS
from ..anchors.merge_anchors import read_anchors


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- reading the other copy
@dataclass
class Snapshot:
    """Plain rows read from the other copy; ids are the other copy's ids."""

    label: str  # shown in names and messages (the other file's stem)
    path: str
    coders: dict[int, dict] = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)  # with "sha"; "text" when kept (``snapshot_of``)
    turns: dict[int, list[dict]] = field(default_factory=dict)
    cases: list[dict] = field(default_factory=list)
    case_sources: list[tuple[int, int]] = field(default_factory=list)
    attributes: list[dict] = field(default_factory=list)
    attribute_values: list[dict] = field(default_factory=list)
    codes: list[dict] = field(default_factory=list)  # parents before children
    codings: list = field(default_factory=list)  # rows, read like dicts
    memos: list[dict] = field(default_factory=list)
    matrix_cells: list[dict] = field(default_factory=list)
    speaker_roles: list[dict] = field(default_factory=list)
    sets: list[dict] = field(default_factory=list)
    set_members: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what reading the copy assumed or left out
    anchors: dict[str, list[dict]] = field(default_factory=dict)  # annotations, links, summary links


def distinct_color(wanted: str | None, used: set[str]) -> str:
    """A coder colour no coder here has: the colleague's own when free, else the first free
    one of the palette (coders in both copies started from the same palette, so their
    first coders share its first colour), else a palette colour again when all are taken."""
    if wanted and wanted.lower() not in used:
        return wanted
    for color in CODER_COLORS:
        if color.lower() not in used:
            return color
    return CODER_COLORS[len(used) % len(CODER_COLORS)]


def _rows(conn, sql: str) -> list[dict]:
    return [dict(r) for r in conn.execute(sql)]


def snapshot_of(project, label: str, path: str = "", keep_text: Callable[[dict], bool] | None = None) -> Snapshot:
    """Read everything a merge needs from an open project. Each source row has its text's
    ``sha``; its ``text`` only when ``keep_text(row)`` says so (by default always): a merge
    keeps the texts this project does not have, not the whole other copy. Codings are kept
    as the connection's rows (read like dicts, a third of their size)."""
    conn = project.conn
    snap = Snapshot(label=label, path=path)
    snap.coders = {r["id"]: r for r in _rows(conn, "SELECT * FROM coders")}
    columns = ", ".join(f'"{r[1]}"' for r in conn.execute("PRAGMA table_info(sources)") if r[1] != "text")
    snap.sources = _rows(conn, f"SELECT {columns} FROM sources ORDER BY name")
    for s in snap.sources:  # one text at a time; the speaker turns of the texts kept (a new source's)
        text = conn.execute("SELECT text FROM sources WHERE id = ?", (s["id"],)).fetchone()[0]
        s["sha"] = _sha(text)
        if keep_text is None or keep_text(s):
            s["text"] = text
            turns = conn.execute("SELECT * FROM speaker_turns WHERE source_id = ? ORDER BY start", (s["id"],))
            snap.turns[s["id"]] = [dict(t) for t in turns]
        del text
    snap.cases = _rows(conn, "SELECT * FROM cases ORDER BY name")
    snap.case_sources = [(r["case_id"], r["source_id"]) for r in _rows(conn, "SELECT * FROM case_sources ORDER BY id")]
    snap.attributes = _rows(conn, "SELECT * FROM attributes ORDER BY position, name")
    snap.attribute_values = _rows(conn, "SELECT * FROM attribute_values ORDER BY id")
    codes = {c["id"]: c for c in _rows(conn, "SELECT * FROM codes")}
    for code in project.codes.all():  # parents first; a tree nested too deep is refused there
        c = codes[code.id]
        c["path"] = code.path
        snap.codes.append(c)
    snap.codings = conn.execute('SELECT * FROM codings ORDER BY source_id, start, "end", code_id, coder_id').fetchall()
    snap.memos = _rows(conn, "SELECT * FROM memos ORDER BY id")
    snap.matrix_cells = _rows(conn, "SELECT * FROM matrix_cells ORDER BY id")
    snap.speaker_roles = _rows(conn, "SELECT * FROM speaker_roles ORDER BY speaker")
    snap.sets = _rows(conn, "SELECT * FROM sets ORDER BY id")
    snap.set_members = _rows(conn, "SELECT * FROM set_members ORDER BY id")
    snap.anchors = read_anchors(conn)
    return snap


def scratch_prefix() -> str:
    """Scratch folders carry the process id, so the next start removes a killed merge's
    copy (``outfile.sweep_stale_temps``)."""
    return f"qualcoder-merge-{os.getpid()}-"


def read_copy(path: str | Path, keep_text: Callable[[dict], bool] | None = None) -> Snapshot:
    """Read a colleague's .qlite (or .qdpx, through the REFI-QDA import) without touching it
    (``keep_text``: see ``snapshot_of``)."""
    from ...project import open_project

    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a folder, not a project file")
    if path.suffix.lower() == ".qdpx":
        return _read_qdpx(path, keep_text)
    from ...formats.checks import refuse_open_project

    refuse_open_project(path)  # copying it with plain I/O would drop this program's locks on it
    with tempfile.TemporaryDirectory(prefix=scratch_prefix()) as tmp:
        copy = Path(tmp) / "copy.qlite"
        try:
            shutil.copyfile(path, copy)
            wal = Path(str(path) + "-wal")
            if wal.exists():  # committed changes not yet checkpointed into the main file
                shutil.copyfile(wal, Path(str(copy) + "-wal"))
        except OSError as exc:
            raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None
        try:
            other = open_project(copy)
        except ProjectError as exc:
            raise ProjectError(path, exc.reason) from None
        try:
            return snapshot_of(other, path.stem, str(path), keep_text)
        except ProjectError as exc:  # found while reading: name the colleague's file, not our copy
            raise ProjectError(path, exc.reason) from None
        finally:
            other.close()


def _read_qdpx(path: Path, keep_text: Callable[[dict], bool] | None = None) -> Snapshot:
    """Import the .qdpx into a scratch project in a temporary folder, then read that."""
    from ...project import open_project
    from ..refi.interop import import_qdpx  # the REFI-QDA reader: loaded only for a .qdpx

    with tempfile.TemporaryDirectory(prefix=scratch_prefix()) as tmp:
        target = Path(tmp) / "from-qdpx.qlite"
        imported = import_qdpx(path, target)
        with open_project(target) as scratch:
            snap = snapshot_of(scratch, path.stem, str(path), keep_text)
    snap.notes = [f"from the .qdpx: {line}" for line in imported.details() if line]
    if imported.kept_aside_codings:
        snap.notes.append(f"from the .qdpx: {imported.kept_aside_codings} codings could not be placed and were "
                          "not merged (import the .qdpx on its own to see them)")
    return snap

