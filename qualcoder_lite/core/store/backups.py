"""Automatic backups of a project file: taken when the project is opened in the app,
rotated (every backup younger than ``KEEP_DAYS`` days, and always the latest
``KEEP_MIN``), restorable from File ▸ Restore backup.

Backups live in the user's data folder, not beside the project, so a project copied to a
shared drive does not drag old copies along. A backup is a consistent snapshot made with
SQLite's online backup API (the same page format; an encrypted project's backups are
encrypted with the same key).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import ProjectError

KEEP_DAYS = 14
KEEP_MIN = 3
STAMP = "%Y%m%d-%H%M%S"


def _data_dir() -> Path:
    override = os.environ.get("QUALCODER_LITE_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("qualcoder-lite", appauthor=False))


def backup_folder(project_path: str | Path) -> Path:
    p = Path(project_path).resolve()
    digest = hashlib.sha256(str(p).encode("utf-8")).hexdigest()[:12]
    return _data_dir() / "backups" / f"{p.stem}-{digest}"


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
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{project.path.stem}-{now.strftime(STAMP)}.qlite"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{project.path.stem}-{now.strftime(STAMP)}.{n}.qlite"
    tmp = target.with_suffix(".tmp")
    dest = project.connect_like(tmp)
    try:
        project.conn.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()
    os.replace(tmp, target)
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
    n = len(list(folder.glob("*.qlite")))
    shutil.rmtree(folder, ignore_errors=True)
    return n


def restore_backup(backup: Path, project_path: str | Path) -> Path:
    """Replace the (closed) project file by a backup; the current file is kept as
    ``<name>.before-restore.qlite`` beside it."""
    project_path = Path(project_path)
    if not backup.exists():
        raise ProjectError(backup, "backup not found")
    if project_path.exists():
        keep = project_path.with_name(f"{project_path.stem}.before-restore{project_path.suffix}")
        os.replace(project_path, keep)
    for suffix in ("-wal", "-shm"):
        Path(str(project_path) + suffix).unlink(missing_ok=True)
    tmp = project_path.with_suffix(".restoring")
    shutil.copyfile(backup, tmp)
    os.replace(tmp, project_path)
    return project_path
