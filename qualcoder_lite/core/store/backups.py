"""Automatic backups of a project file: taken when the project is opened in the app,
rotated (every backup younger than ``KEEP_DAYS`` days, and always the latest
``KEEP_MIN``), restorable from File ▸ Restore backup.

Backups live in the user's data folder, not beside the project, so a project copied to a
shared drive does not drag old copies along. A backup is a consistent snapshot made with
SQLite's online backup API (the same page format; an encrypted project's backups are
encrypted with the same key), written owner-only to ``.NAME-STAMP.qlite.tmp`` and renamed
into place when complete. Restoring is the file service's (``services.projectfile``).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import ProjectError
from ..userdirs import data_dir
from .tempfiles import TempFile

KEEP_DAYS = 14
KEEP_MIN = 3
STAMP = "%Y%m%d-%H%M%S"


def backup_folder(project_path: str | Path) -> Path:
    p = Path(project_path).resolve()
    digest = hashlib.sha256(str(p).encode("utf-8")).hexdigest()[:12]
    return data_dir() / "backups" / f"{p.stem}-{digest}"


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: _dt.datetime
    size: int

    @property
    def label(self) -> str:
        return f"{self.taken:%Y-%m-%d %H:%M:%S} ({self.size / 1024:,.0f} KB)"


def list_backups(project_path: str | Path) -> list[Backup]:
    """Newest first."""
    folder = backup_folder(project_path)
    out = []
    for f in folder.glob("*.qlite"):
        m = re.search(r"(\d{8}-\d{6})", f.name)
        if m is None:
            continue
        try:
            taken = _dt.datetime.strptime(m.group(1), STAMP)
        except ValueError:
            continue
        out.append(Backup(f, taken, f.stat().st_size))
    out.sort(key=lambda b: b.taken, reverse=True)
    return out


def make_backup(project, now: _dt.datetime | None = None) -> Path:
    """Snapshot the open project into its backup folder and rotate old backups."""
    if project.path is None:
        raise ProjectError(None, "an in-memory project has no backups")
    now = now or _dt.datetime.now()
    folder = backup_folder(project.path)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / f"{project.path.stem}-{now.strftime(STAMP)}.qlite"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{project.path.stem}-{now.strftime(STAMP)}.{n}.qlite"
    tmp = TempFile(target, "tmp").create()
    try:
        dest = project.connect_like(tmp.path)
        try:
            project.conn.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        tmp.publish_and_close(0o600)
    except BaseException:
        tmp.discard()
        raise
    rotate(project.path, now)
    return target


def rotate(project_path: str | Path, now: _dt.datetime | None = None, keep_days: int = KEEP_DAYS,
           keep_min: int = KEEP_MIN) -> list[Path]:
    now = now or _dt.datetime.now()
    removed = []
    for i, b in enumerate(list_backups(project_path)):
        if i < keep_min or (now - b.taken) <= _dt.timedelta(days=keep_days):
            continue
        b.path.unlink(missing_ok=True)
        removed.append(b.path)
    return removed


def purge_backups(project) -> int:
    """Delete every backup of the project (after irreversible changes such as removing a
    pseudonym key or encrypting). Returns how many were removed."""
    path = project.path if hasattr(project, "path") else project
    if path is None:
        return 0
    folder = backup_folder(path)
    if not folder.exists():
        return 0
    n = len(list(folder.glob("*.qlite")))
    shutil.rmtree(folder)  # a failure is raised: callers must not go on as if they were gone
    return n
