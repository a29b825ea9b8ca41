"""One writer per project: a lock file beside the project says who has it open.

``<project>.lock`` holds the user, host, process id and time, and is held with an OS
lock (``fcntl.flock`` / ``msvcrt.locking``) while the project is open, so a crashed
session never leaves a stale lock behind: the OS releases it with the process. The GUI
and every writing command of the command line take the lock; a second instance is told
who has the project open and may open it read-only.
"""

from __future__ import annotations

import datetime as _dt
import getpass
import json
import os
import socket
from pathlib import Path

from ..errors import ProjectError


class LockedError(ProjectError):
    """Someone else has the project open for writing."""

    def __init__(self, path, holder: dict):
        self.holder = holder
        who = holder.get("user") or "someone"
        host = holder.get("host") or "another computer"
        since = holder.get("since", "")
        super().__init__(path, f"is open in QualCoder Lite by {who} on {host} (since {since[:16].replace('T', ' ')}); "
                               "open it read-only or try again when they have closed it")


def lock_path(project_path: str | Path) -> Path:
    p = Path(project_path)
    return p.with_name(p.name + ".lock")


def _try_os_lock(fh) -> bool:
    try:
        import fcntl

        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True
    except ImportError:  # Windows
        import msvcrt

        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown user"


class ProjectLock:
    def __init__(self, project_path: str | Path):
        self.path = lock_path(project_path)
        self.project_path = Path(project_path)
        self._fh = None

    def holder(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}

    def acquire(self) -> None:
        if self._fh is not None:
            return
        fh = open(self.path, "a+", encoding="utf-8")
        if not _try_os_lock(fh):
            fh.close()
            raise LockedError(self.project_path, self.holder())
        info = {"user": _user(), "host": socket.gethostname(), "pid": os.getpid(),
                "since": _dt.datetime.now().isoformat(timespec="seconds")}
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(info))
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is None:
            return
        # The file stays (emptied): unlinking it would race with a process that has just
        # opened it and is about to lock the now nameless file while a third creates a new one.
        try:
            self._fh.seek(0)
            self._fh.truncate()
        finally:
            self._fh.close()
            self._fh = None

    @property
    def held(self) -> bool:
        return self._fh is not None


def is_locked(project_path: str | Path) -> bool:
    """Does some process hold the project's lock? (A probe: the lock is not taken.)"""
    p = lock_path(project_path)
    if not p.exists():
        return False
    try:
        fh = open(p, "r", encoding="utf-8")
    except OSError:
        return False
    try:
        free = _try_os_lock(fh)
        if free:
            try:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            except ImportError:  # Windows: the lock goes with the handle
                pass
        return not free
    finally:
        fh.close()
