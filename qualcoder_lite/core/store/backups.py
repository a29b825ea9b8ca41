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

import contextlib
import datetime as _dt
import hashlib
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ..errors import ProjectError
from ..userdirs import data_dir
from .tempfiles import TempFile

KEEP_DAYS = 14
KEEP_MIN = 3
STAMP = "%Y%m%d-%H%M%S"
STEP_PAGES = 1024  # pages copied per step of ``take_backup`` (4 MB at the default page size)
STEP_PAUSE = 0.001  # seconds between two steps


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


def _target(project_path: Path, now: _dt.datetime) -> Path:
    folder = backup_folder(project_path)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / f"{project_path.stem}-{now.strftime(STAMP)}.qlite"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{project_path.stem}-{now.strftime(STAMP)}.{n}.qlite"
    return target


def make_backup(project, now: _dt.datetime | None = None) -> Path:
    """Snapshot the open project into its backup folder and rotate old backups (in one
    step, on the project's own connection: see ``take_backup`` for the app's)."""
    if project.path is None:
        raise ProjectError(None, "an in-memory project has no backups")
    try:
        return _take(project.path, lambda: project.conn, project.connect_like, now, None, -1)
    except _Barred:
        raise ProjectError(project.path, "no backup can be taken while it is being encrypted, decrypted "
                                         "or its pseudonym key removed") from None


# A file operation after which no backup may appear (encrypt, decrypt, removing the
# pseudonym key: ``no_backups``) bars the project's backup folder while it runs. A backup
# being taken (in any thread of this process) notices at its next step, removes its
# temporary file and ends without a backup; none starts, and none is published, while the
# folder is barred. Other processes cannot take one meanwhile: they would need the
# project's lock, which such an operation holds.
_cond = threading.Condition()
_bars: dict[Path, int] = {}  # backup folder -> operations that bar it
_active: dict[Path, int] = {}  # backup folder -> backups being taken


class _Barred(Exception):
    """An operation that allows no backup began while one was being taken."""


@contextlib.contextmanager
def no_backups(project_path: str | Path | None) -> Iterator[None]:
    """Bar the project's backups while the block runs (see above): returns once no backup
    of it is being taken any more."""
    if project_path is None:
        yield
        return
    folder = backup_folder(project_path)
    with _cond:
        _bars[folder] = _bars.get(folder, 0) + 1
        _cond.wait_for(lambda: not _active.get(folder))
    try:
        yield
    finally:
        with _cond:
            _bars[folder] -= 1
            if not _bars[folder]:
                del _bars[folder]


def _barred(folder: Path) -> bool:
    with _cond:
        return bool(_bars.get(folder))


def take_backup(project_path: str | Path, passphrase: str | None = None, now: _dt.datetime | None = None,
                progress: Callable[[int, int, str], bool] | None = None, pages: int | None = None) -> Path | None:
    """``make_backup`` for the app, from any thread: on a connection of its own (one read
    transaction, so the snapshot is the project at one moment while the app writes on), in
    steps of ``pages`` pages (``STEP_PAGES``) with a short pause between them. ``progress(done, total,
    label)`` returning False stops it (InterruptedError; no backup is left). Returns None,
    leaving no backup, when an operation that allows none (``no_backups``) is under way or
    begins meanwhile."""
    from . import database

    path = Path(project_path)

    def connect():
        conn = database.connect_like(None, path, passphrase)
        opened.append(conn)
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts here
        return conn

    opened: list = []
    try:
        return _take(path, connect, lambda p: database.connect_like(None, p, passphrase), now, progress,
                     pages or STEP_PAGES)
    except _Barred:
        return None
    finally:
        for conn in opened:
            conn.close()


def _take(path: Path, source: Callable, connect_like: Callable, now: _dt.datetime | None,
          progress: Callable[[int, int, str], bool] | None, pages: int) -> Path:
    """Copy the project (``source()``: a connection to it) into a temporary file in its
    backup folder and rename it into place, then rotate; the temporary file is removed
    whatever stops it."""
    now = now or _dt.datetime.now()
    folder = backup_folder(path)
    with _cond:
        if _bars.get(folder):
            raise _Barred()
        _active[folder] = _active.get(folder, 0) + 1
    try:
        target = _target(path, now)
        tmp = TempFile(target, "tmp").create()
        try:
            conn = source()
            dest = connect_like(tmp.path)
            try:
                conn.backup(dest, pages=pages, progress=_stepper(folder, progress) if pages > 0 else None)
                dest.execute("PRAGMA journal_mode = DELETE")
            finally:
                dest.close()
            with _cond:  # published only while no operation bars it (it waits for us)
                if _bars.get(folder):
                    raise _Barred()
                tmp.publish_and_close(0o600)
        except BaseException:
            tmp.discard()
            raise
        rotate(path, now)
    finally:
        with _cond:
            _active[folder] -= 1
            if not _active[folder]:
                del _active[folder]
            _cond.notify_all()
    return target


def _stepper(folder: Path, progress: Callable[[int, int, str], bool] | None) -> Callable:
    def step(_status: int, remaining: int, total: int) -> None:
        if _barred(folder):
            raise _Barred()
        if progress is not None and progress(total - remaining, total, "Making the automatic backup") is False:
            raise InterruptedError("the backup was stopped")
        time.sleep(STEP_PAUSE)  # the app's other threads (the window) get their turn

    return step


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
    with no_backups(path):  # none is being written in the folder meanwhile
        if not folder.exists():
            return 0
        n = len(list(folder.glob("*.qlite")))
        shutil.rmtree(folder)  # a failure is raised: callers must not go on as if they were gone
    return n
