"""Which files this process holds SQLite connections to, by identity.

On POSIX, closing *any* file descriptor of a database file drops every lock the process
holds on it (SQLite's "How To Corrupt An SQLite Database File", §2.2): a plain
``open(path)`` for a header check inside a process with a connection lets another process
delete the write-ahead log under it. So nothing here may open a file that this process
has a connection to; ``read_header`` refuses, and callers read the header before
connecting, or ask this registry (it remembers whether the file was opened encrypted).

Every connection ``database`` makes is registered *before* SQLite opens the file and
unregistered when it is closed. A descriptor that must stay open while connections exist
(the lock's descriptor on the project file) is handed to ``close_when_unused``: it is
closed only when the last connection to that file in this process has closed.

Identity is ``(st_dev, st_ino)`` after resolving links, so a symlink, a hard link in
another folder or another spelling of the path is the same file.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from pathlib import Path

Identity = tuple[int, int]

_lock = threading.RLock()
_open: Counter = Counter()
_encrypted: dict[Identity, bool] = {}
_pending: dict[Identity, list[int]] = {}


def identity(path: str | Path) -> Identity | None:
    """``(device, inode)`` of the file ``path`` names (links followed); None if absent."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def register(path: str | Path, encrypted: bool = False) -> Identity | None:
    """Note that this process now has (or is about to have) a connection to ``path``;
    returns its identity (None for a file that does not exist yet)."""
    ident = identity(path)
    if ident is not None:
        with _lock:
            _open[ident] += 1
            _encrypted[ident] = encrypted
    return ident


def unregister(ident: Identity | None) -> None:
    """The connection registered as ``ident`` is closed; when it was the last one,
    descriptors waiting in ``close_when_unused`` are closed now."""
    if ident is None:
        return
    with _lock:
        _open[ident] -= 1
        if _open[ident] > 0:
            return
        del _open[ident]
        _encrypted.pop(ident, None)
        fds = _pending.pop(ident, [])
    for fd in fds:
        _close(fd)


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:  # already closed: nothing left to release
        return


def is_open(path: str | Path) -> bool:
    """Does this process hold an SQLite connection to the file ``path`` names?"""
    ident = identity(path)
    if ident is None:
        return False
    return open_count(ident) > 0


def open_count(ident: Identity | None) -> int:
    if ident is None:
        return 0
    with _lock:
        return _open.get(ident, 0)


def opened_encrypted(path: str | Path) -> bool | None:
    """For a file this process has open: was it opened with a key? None when not open."""
    ident = identity(path)
    with _lock:
        if ident is None or _open.get(ident, 0) <= 0:
            return None
        return _encrypted.get(ident, False)


def close_when_unused(ident: Identity | None, fd: int) -> None:
    """Close ``fd`` (a descriptor of the file ``ident``) now if this process has no
    connection to that file, else when the last one closes."""
    with _lock:
        if ident is not None and _open.get(ident, 0) > 0:
            _pending.setdefault(ident, []).append(fd)
            return
    _close(fd)


class OpenInProcess(OSError):
    """Reading the file with plain I/O would drop this process's SQLite locks on it."""


def read_header(path: str | Path, size: int = 100) -> bytes:
    """The first ``size`` bytes of a file this process has *no* connection to.

    Raises ``OpenInProcess`` for a file that is open as a database here (ask the
    connection or ``opened_encrypted`` instead) and ``OSError`` when it cannot be read.
    Registration waits while the header is read, so no connection can open in between."""
    with _lock:
        if is_open(path):
            raise OpenInProcess(f"{path} is open as a database in this process")
        with open(path, "rb") as fh:
            return fh.read(size)
