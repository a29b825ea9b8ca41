"""One writer per project, whatever name the file is reached by.

Two OS locks, both released by the OS with the process (a crash never leaves a stale
lock behind):

* ``<project>.lock`` beside the *resolved* project path (links followed) holds the user,
  host, process id and time, locked with ``fcntl.flock`` (``msvcrt.locking`` on Windows).
  Every spelling of the path and every symlink finds the same lock file.
* On POSIX, ``fcntl.flock`` on a descriptor of the project file itself: the lock belongs
  to the file's identity (device and inode), so a hard link in another folder is refused
  too. ``flock`` (not ``fcntl``/POSIX record locks, which SQLite uses) is not dropped
  when some other descriptor of the file closes. The descriptor stays open until the last
  SQLite connection of this process to the file has closed (``openfiles``), because
  closing it earlier would drop SQLite's own POSIX locks.

Encrypt, decrypt and restore replace the project file (``os.replace`` gives it a new
inode): they lock the new file before it takes the project's name and ``adopt`` it, so
the project is never unlocked in between.

A refusal is immediate (non-blocking locks) and names who has the project open.
``is_locked(path)`` probes without taking the lock.
"""

from __future__ import annotations

import datetime as _dt
import getpass
import json
import os
import socket
import threading
from pathlib import Path
from typing import BinaryIO

from ..errors import LockedError, ProjectError
from . import openfiles

try:
    import fcntl
except ImportError:  # Windows: the lock file alone (msvcrt), as before
    fcntl = None  # type: ignore[assignment]  # module-or-None: mypy has no spelling for it


def resolved(project_path: str | Path) -> Path:
    return Path(os.path.realpath(project_path))


def lock_path(project_path: str | Path) -> Path:
    """``<name>.lock`` beside the project file the path resolves to."""
    p = resolved(project_path)
    return p.with_name(p.name + ".lock")


_held_lock = threading.Lock()
_held: dict[openfiles.Identity, "ProjectLock"] = {}


def _flock(fd: int, shared: bool = False) -> bool:
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _try_os_lock(fh) -> bool:
    if fcntl is not None:
        return _flock(fh.fileno())
    import msvcrt

    try:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _fd_identity(fd: int) -> openfiles.Identity:
    st = os.fstat(fd)
    return (st.st_dev, st.st_ino)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown user"


def _read_holder(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


def is_locked(path: str | Path) -> bool:
    """Is the project file ``path`` (any spelling or link) held by a writer, this process
    included? Probes with shared, non-blocking locks and takes nothing."""
    ident = openfiles.identity(path)
    with _held_lock:
        if ident is not None and ident in _held:
            return True
    lp = lock_path(path)
    try:
        fh = open(lp, "rb" if fcntl is not None else "r+b")  # msvcrt locks need a writable handle
    except OSError:
        fh = None
    if fh is not None:
        try:
            if fcntl is not None:
                if not _flock(fh.fileno(), shared=True):
                    return True
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            elif not _try_os_lock(fh):
                return True
        finally:
            fh.close()
    if fcntl is None or ident is None:
        return False
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        if not _flock(fd, shared=True):
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        openfiles.close_when_unused(_fd_identity(fd), fd)


class ProjectLock:
    def __init__(self, project_path: str | Path):
        self.project_path = Path(project_path)
        self.path = lock_path(project_path)
        self._fh: BinaryIO | None = None
        self._fd: int | None = None  # descriptor of the project file, flock-ed (POSIX)
        self._ident: openfiles.Identity | None = None

    def holder(self) -> dict:
        return _read_holder(self.path)

    def acquire(self) -> None:
        """Take both locks at once or raise LockedError (no waiting)."""
        if self._fh is not None:
            return
        try:
            fh = open(self.path, "a+b", buffering=0)  # unbuffered: a full disk fails the write, not the close
        except OSError as exc:
            from .database import io_error

            raise io_error(self.project_path, exc, "opened for writing (its lock file could not be made)") from None
        if not _try_os_lock(fh):
            fh.close()
            raise LockedError(self.project_path, self.holder())
        try:
            self._lock_file()
        except BaseException:
            fh.close()
            raise
        info = {"user": _user(), "host": socket.gethostname(), "pid": os.getpid(),
                "since": _dt.datetime.now().isoformat(timespec="seconds"), "project": str(resolved(self.project_path))}
        self._fh = fh
        try:  # who has it: only a courtesy for the message others get (a full disk must not stop us)
            fh.seek(0)
            fh.truncate()
            fh.write(json.dumps(info).encode("utf-8"))
        except OSError:
            self.holder_written = False
        else:
            self.holder_written = True

    def _lock_file(self) -> None:
        """flock the project file itself (its identity), when it exists."""
        if fcntl is None:
            return
        for _attempt in range(5):
            try:
                fd = os.open(self.project_path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            except FileNotFoundError:
                return  # restoring onto a missing file: the new file is adopted when it arrives
            except IsADirectoryError:
                return  # open_project names that problem
            ident = _fd_identity(fd)
            if not _flock(fd):
                openfiles.close_when_unused(ident, fd)
                holder = self.holder()
                raise LockedError(self.project_path, holder if holder.get("pid") else {})
            if openfiles.identity(self.project_path) == ident:
                self._set_fd(fd, ident)
                return
            # the file was replaced between open and flock: lock the new one
            fcntl.flock(fd, fcntl.LOCK_UN)
            openfiles.close_when_unused(ident, fd)
        raise ProjectError(self.project_path, "keeps being replaced by another program; try again")

    def _set_fd(self, fd: int | None, ident: openfiles.Identity | None) -> None:
        with _held_lock:
            if self._ident is not None and _held.get(self._ident) is self:
                del _held[self._ident]
            self._fd, self._ident = fd, ident
            if ident is not None:
                _held[ident] = self

    def adopt(self, fd: int | None) -> None:
        """The file open as ``fd`` (already flock-ed exclusively by this process) has just
        replaced the project file: it is the locked file now, the old one is let go.
        (None on Windows, where the lock file alone is the lock.)"""
        if fd is None:
            return
        old_fd, old_ident = self._fd, self._ident
        self._set_fd(fd, _fd_identity(fd))
        if old_fd is not None:
            fcntl.flock(old_fd, fcntl.LOCK_UN)
            openfiles.close_when_unused(old_ident, old_fd)

    def release(self) -> None:
        if self._fh is None:
            return
        fd, ident = self._fd, self._ident
        self._set_fd(None, None)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            openfiles.close_when_unused(ident, fd)  # SQLite's POSIX locks stay intact
        # The lock file stays (emptied): unlinking it would race with a process that has just
        # opened it and is about to lock the now nameless file while a third creates a new one.
        try:
            self._fh.seek(0)
            self._fh.truncate()
        except OSError:  # a full or read-only disk: the OS lock goes with the close anyway
            pass
        finally:
            self._fh.close()
            self._fh = None

    def covers(self, path: str | Path) -> bool:
        """Is this held lock the lock of the file ``path`` names?"""
        if self._fh is None:
            return False
        if self._ident is not None:
            return openfiles.identity(path) == self._ident
        return lock_path(path) == self.path

    @property
    def held(self) -> bool:
        return self._fh is not None
