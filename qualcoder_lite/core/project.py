"""The project facade: one open project file and its repositories.

``open_project`` is the one factory the GUI, the command line and every worker use.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import re
import shutil
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from . import commands
from .changes import Changes
from .errors import ProjectError
from .store import database
from .store.attributes import AttributeRepo
from .store.cases import CaseRepo
from .store.coders import CoderRepo
from .store.codes import CodeRepo
from .store.codings import CodingRepo
from .store.matrix import MatrixRepo
from .store.memos import MemoRepo
from .store.settings import SettingsRepo
from .store.sources import SourceRepo

if TYPE_CHECKING:
    from .store.lock import ProjectLock

PROJECT_SUFFIX = ".qlite"
#: free space left on the project's disk for the user's own changes when search postings
#: (derived, never needed) are made: below it they are not made (``complete_postings``)
ROOM_KEPT = 64 * 1024 * 1024


def default_coder() -> str:
    try:
        return getpass.getuser() or "coder"
    except (KeyError, OSError):  # no login name (containers, odd environments)
        return "coder"


class Project:
    def __init__(self, db, path: Path | None, coder: str | None = None, passphrase: str | None = None,
                 read_only: bool = False):
        self.db = db
        self.conn: sqlite3.Connection = db.conn
        self.path = path
        self.passphrase = passphrase
        self.read_only = read_only
        self.lock: ProjectLock | None = None
        self.sources = SourceRepo(self.conn)
        self.cases = CaseRepo(self.conn)
        self.codes = CodeRepo(self.conn)
        self.codings = CodingRepo(self.conn)
        self.attributes = AttributeRepo(self.conn)
        self.memos = MemoRepo(self.conn)
        self.matrix = MatrixRepo(self.conn)
        self.coders = CoderRepo(self.conn)
        self.settings = SettingsRepo(self.conn)
        self.settings.read_only = read_only
        self.coder = (coder or "").strip() or default_coder()

    @property
    def name(self) -> str:
        return self.path.stem if self.path else "(memory)"

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with database.transaction(self.conn):
            yield

    @property
    def encrypted(self) -> bool:
        return self.passphrase is not None

    def connect_like(self, path: str | Path):
        """A new connection of the same kind (plain, or encrypted with the same key)."""
        return database.connect_like(self.conn, path, self.passphrase)

    def acquire_lock(self) -> None:
        """Become the one writer of this project (raises LockedError naming the holder)."""
        from .store.lock import ProjectLock

        if self.path is None or self.read_only:
            return
        if self.lock is None:
            self.lock = ProjectLock(self.path)
        self.lock.acquire()

    def _check_writable(self) -> None:
        if self.read_only:
            raise ProjectError(self.path, "is open read-only; nothing was changed")

    def execute(self, cmd: commands.Command) -> Changes:
        self._check_writable()
        with self._disk_errors():
            return commands.run(self, cmd)

    def undo(self, cmd: commands.Command) -> Changes:
        self._check_writable()
        with self._disk_errors():
            return commands.undo(self, cmd)

    def redo(self, cmd: commands.Command) -> Changes:
        self._check_writable()
        with self._disk_errors():
            return commands.redo(self, cmd)

    @contextlib.contextmanager
    def _disk_errors(self) -> Iterator[None]:
        """A full disk or a failing medium is told as such (the change was rolled back),
        naming the file: never as damage."""
        try:
            yield
        except database.db_errors() as exc:
            if database.error_kind(exc) != "io":
                raise
            raise database.io_error(self.path or ":memory:", exc, "written") from None

    def make_backup(self) -> Path:
        """Snapshot the project into its backup folder and rotate old backups (the app
        takes one on every open; ``store/backups.py``)."""
        from .store.backups import make_backup

        return make_backup(self)

    def backup_task(self) -> Callable[..., Path | None]:
        """``make_backup`` for another thread (the app takes it in the background): a
        function of an optional ``progress(done, total, label)`` callback that makes the
        backup on a connection of its own, in steps (``store.backups.take_backup``); it
        returns None, leaving no backup, when encrypting, decrypting, restoring or removing
        the pseudonym key began meanwhile."""
        if self.path is None:
            raise ProjectError(None, "an in-memory project has no backups")
        path, passphrase = self.path, self.passphrase

        def task(progress: Callable[[int, int, str], bool] | None = None) -> Path | None:
            from .store.backups import take_backup

            return take_backup(path, passphrase, progress=progress)

        return task

    def detach_lock(self):
        """Hand this project's lock to the caller (who must release it): closing the
        project then leaves the file locked, e.g. for encrypting it and opening it again."""
        lock, self.lock = self.lock, None
        return lock

    def close(self) -> None:
        with contextlib.suppress(*database.db_errors()):  # closing twice is harmless
            self.sources.read_later_texts()  # search hits not yet shown keep their texts
            self.conn.close()
        if self.lock is not None:  # after the connection: the lock's descriptor is the file's
            self.lock.release()
            self.lock = None

    def __enter__(self) -> "Project":
        return self

    def complete_postings(self, progress: Callable[[int, int], bool] | None = None) -> int:
        """Put the sources that are in no block of word postings yet into new blocks
        (``store.postings.build``; returns how many). They are derived: a file that cannot
        be written just now (read-only, busy, full) is left as it is, and search reads those
        sources' own indexes (same hits, slower); any other database error is a
        ``ProjectError`` naming the file (the project itself is as it was)."""
        if self.read_only:
            return 0
        from .store import postings

        if not self._room_for(postings.bytes_needed(self.conn)):
            return 0  # a nearly full disk is kept for the user's own changes
        try:
            return postings.build(self.conn, progress)
        except database.db_errors() as exc:
            if database.cannot_write_now(exc):
                return 0
            raise ProjectError(self.path, f"search could not be prepared for speed ({exc}); "
                                          f"it finds the same hits, more slowly") from None

    def _room_for(self, needed: int) -> bool:
        """Whether the project's disk has room for ``needed`` bytes of derived data twice
        (the file and its write-ahead log) and still ``ROOM_KEPT`` for the user's changes."""
        if self.path is None:  # in memory: nothing on disk
            return True
        try:
            free = shutil.disk_usage(Path(self.path).parent).free
        except OSError:
            return False
        return free >= 2 * needed + ROOM_KEPT

    def postings_missing(self) -> bool:
        """Whether a source could be put into a block of word postings (``complete_postings``
        would do something)."""
        from .store import postings

        return not self.read_only and bool(postings.missing(self.conn))

    def __exit__(self, *exc) -> None:
        self.close()


def open_project(path: str | Path, passphrase: str | None = None, coder: str | None = None,
                 read_only: bool = False, lock=False, check: bool = True) -> Project:
    """Open an existing project file (migrating older versions): the one factory the GUI,
    the command line and every worker use. An encrypted project needs ``passphrase``
    (falls back to $QUALCODER_LITE_PASSPHRASE). ``lock=True`` makes this the one writer
    (the lock is taken before the file is touched); a held ``ProjectLock`` of this file
    may be passed instead (it then belongs to the project). Temporary files that a killed
    command left for this project are removed first. ``check=False`` leaves out the check
    of every page (it reads the whole file): the caller then runs ``check_project``."""
    from .store import tempfiles
    from .store.lock import ProjectLock

    path = Path(path)
    tempfiles.clean(path)  # even when the file is missing (an import-qdpx target killed half-way)
    if passphrase is None:
        passphrase = os.environ.get(database.PASSPHRASE_ENV) or None
        if passphrase is not None and not database.looks_encrypted(path):
            passphrase = None
    database.check_header(path, passphrase)
    held = lock if isinstance(lock, ProjectLock) else None
    taken = None
    if held is None and lock and not read_only:
        taken = held = ProjectLock(path)
        taken.acquire()
    try:
        if held is not None and not held.covers(path):
            raise ProjectError(path, "the lock handed over is another file's")
        db = database.open_database(path, passphrase, read_only=read_only, check=check)
    except BaseException:
        if taken is not None:
            taken.release()
        raise
    project = Project(db, path, coder, passphrase, read_only)
    project.lock = held
    return project


def check_project(path: str | Path, passphrase: str | None = None) -> None:
    """The check of every page ``open_project`` leaves out with ``check=False``, on a
    connection of its own (any thread): raises DamagedProjectError naming the problem."""
    database.check_pages(Path(path), passphrase)


#: SQLite's files beside a database: a new project under such a name would be taken for
#: another project's log, journal or shared memory (and deleted or overwritten) the next
#: time that project is opened
_SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def project_path(name: str | Path) -> Path:
    """The file a new project gets (``new`` and ``import-qdpx``): ``.qlite`` is added when
    the name has no extension. A name SQLite or the lock keep beside a project
    (``study.qlite-wal``, ``study.qlite.lock``) is refused, whether that project exists yet or not."""
    p = Path(name)
    # "Study v1.2" has no extension: a suffix counts only when it looks like one (.qlite, .db)
    if not (p.suffix and re.fullmatch(r"\.[A-Za-z][A-Za-z0-9_-]*", p.suffix)):
        p = p.with_name(p.name + PROJECT_SUFFIX)
    for suffix in (*_SQLITE_COMPANIONS, ".lock"):
        owner = p.name[: -len(suffix)]
        if p.name.endswith(suffix) and owner:
            raise ProjectError(p, f"is the name of a file kept beside the project {owner}; choose another name "
                                  "(nothing was created)")
    return p


def new_project(path: str | Path, coder: str | None = None, passphrase: str | None = None,
                lock: bool = False) -> Project:
    """Create a new project file (refuses to overwrite an existing file); encrypted when a
    passphrase is given. ``lock=True`` makes this the one writer (the app)."""
    p = Path(path) if str(path) == ":memory:" else project_path(path)
    if str(path) != ":memory:":
        from .store import tempfiles

        tempfiles.clean(p)
    db = database.create_database(p, passphrase)
    project = Project(db, None if str(path) == ":memory:" else p, coder, passphrase)
    if lock and project.path is not None:
        try:
            project.acquire_lock()
        except ProjectError:
            project.close()
            raise
    return project


def memory_project(coder: str | None = None) -> Project:
    """An in-memory project (tests, previews)."""
    db = database.create_database(":memory:")
    return Project(db, None, coder)
