"""Which files this process holds SQLite connections to, by identity.

On POSIX, closing *any* file descriptor of a database file drops every lock the process
holds on it (SQLite's "How To Corrupt An SQLite Database File", §2.2): a plain
``open(path)`` for a header check inside a process with a connection lets another process
delete the write-ahead log under it. So nothing here may open a file that this process
has a connection to; ``read_header`` refuses, and callers read the header before
connecting, or ask the connection.

Identity is ``(st_dev, st_ino)`` after resolving links, so a symlink, a hard link in
another folder or another spelling of the path is the same file.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from pathlib import Path

_lock = threading.Lock()
_open: Counter = Counter()


def identity(path: str | Path) -> tuple[int, int] | None:
    """``(device, inode)`` of the file ``path`` names (links followed); None if absent."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def register(path: str | Path) -> tuple[int, int] | None:
    """Note that this process now has a connection to ``path``; returns its identity."""
    ident = identity(path)
    if ident is not None:
        with _lock:
            _open[ident] += 1
    return ident


def unregister(ident: tuple[int, int] | None) -> None:
    if ident is None:
        return
    with _lock:
        _open[ident] -= 1
        if _open[ident] <= 0:
            del _open[ident]


def is_open(path: str | Path) -> bool:
    """Does this process hold an SQLite connection to the file ``path`` names?"""
    ident = identity(path)
    if ident is None:
        return False
    with _lock:
        return _open.get(ident, 0) > 0


class OpenInProcess(OSError):
    """Reading the file with plain I/O would drop this process's SQLite locks on it."""


def read_header(path: str | Path, size: int = 100) -> bytes:
    """The first ``size`` bytes of a file this process has *no* connection to.

    Raises ``OpenInProcess`` for a file that is open as a database here (ask the
    connection instead) and ``OSError`` when it cannot be read."""
    if is_open(path):
        raise OpenInProcess(f"{path} is open as a database in this process")
    with open(path, "rb") as fh:
        return fh.read(size)
