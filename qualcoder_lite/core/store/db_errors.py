"""What a database error means, in words: the medium (full, read-only, failing), damage to the
contents, or another connection; and the right ``ProjectError`` for each."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import DamagedProjectError, ProjectError, ProjectIOError


_QUOTED = re.compile(r"'[^']*'?|\"[^\"]*\"?")


def db_error_reason(exc: BaseException) -> str:
    """The cause of a database error in a few words, without the values SQLite or the
    driver may quote in it (``Could not decode to UTF-8 column 'text' with text '…'``
    carries the start of a transcript)."""
    msg = str(exc)
    if "could not decode" in msg.lower():
        return "stored text is not valid UTF-8"
    msg = _QUOTED.sub("…", msg.split(" with text ", 1)[0])
    msg = " ".join(msg.split())
    if len(msg) > 120:
        msg = msg[:119] + "…"
    return msg or getattr(exc, "sqlite_errorname", None) or exc.__class__.__name__


def is_damage(exc: BaseException) -> bool:
    """True for errors that mean the file's content is damaged (not a busy, full or
    read-only file)."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    msg = str(exc).lower()
    return (name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in msg
            or "could not decode" in msg or "not a database" in msg)


# ----------------------------------------------------------------------------- errors
_IO_CODES = ("SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_NOLFS")
_DAMAGE_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_IO_WORDS = ("disk i/o error", "disk is full", "unable to open database file", "readonly database",
             "read-only", "access permission denied")
_DAMAGE_WORDS = ("malformed", "not a database", "corrupt")


def error_kind(exc: BaseException) -> str | None:
    """``"io"`` (the medium: full, read-only, failing), ``"damage"`` (the contents),
    ``"busy"`` (another connection) or None, for an SQLite/SQLCipher error."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(_IO_CODES):
        return "io"
    if name.startswith(_DAMAGE_CODES):
        return "damage"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return "busy"
    message = str(exc).lower()
    if any(w in message for w in _IO_WORDS):
        return "io"
    if any(w in message for w in _DAMAGE_WORDS):
        return "damage"
    if "locked" in message or "busy" in message:
        return "busy"
    return None


def _mb(n: int) -> str:
    return f"{n / 1_000_000:,.1f} MB"


def io_cause(path: str | Path, exc: BaseException | None = None) -> str:
    """Why reading or writing ``path`` fails, in words: a full disk, a read-only medium or
    folder, missing permissions, the process's file size limit, or what the system said."""
    import errno

    p = Path(path)
    folder = Path(os.path.abspath(p)).parent  # named in full: never "the disk holding ."
    err = getattr(exc, "errno", None)
    name = getattr(exc, "sqlite_errorname", "") or ""
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):  # no statvfs on Windows, or the folder is gone
        st = None
    if st is not None and st.f_flag & getattr(os, "ST_RDONLY", 1):
        return f"the disk or medium holding {folder} is read-only"
    if err == errno.EROFS:
        return f"the disk or medium holding {folder} is read-only"
    free = None if st is None else st.f_bavail * st.f_frsize
    if err == errno.ENOSPC or name.startswith("SQLITE_FULL") or (free is not None and free < 256 * 1024):
        return f"the disk holding {folder} is full ({_mb(free or 0)} free)"
    try:
        import resource

        soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        if err == errno.EFBIG or (soft != resource.RLIM_INFINITY and name.startswith(("SQLITE_IOERR", "SQLITE_FULL"))):
            return f"the file size limit of this process ({_mb(soft)}, 'ulimit -f') was reached"
    except ImportError:  # Windows
        pass
    if err in (errno.EACCES, errno.EPERM) or name.startswith(("SQLITE_PERM", "SQLITE_READONLY")):
        return "permission denied"
    if p.exists() and not os.access(p, os.R_OK):
        return "permission denied (you may not read the file)"
    if not os.access(folder, os.W_OK):
        return f"the folder {folder} is read-only for you"
    if p.exists() and not os.access(p, os.W_OK):
        return "the file is read-only for you"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    return f"{exc or 'input/output error'}"


def io_error(path: str | Path, exc: BaseException | None, doing: str = "read or written") -> ProjectIOError:
    """A ProjectIOError naming the file and the cause (never 'damaged')."""
    return ProjectIOError(path, f"cannot be {doing}: {io_cause(path, exc)}; "
                                "a problem of the disk or folder, not damage to the project")


def project_error(path: str | Path, exc: BaseException, doing: str = "read or written") -> ProjectError:
    """The right kind of ProjectError for a database error met while using ``path``."""
    kind = error_kind(exc)
    if kind == "io":
        return io_error(path, exc, doing)
    if kind == "damage":
        return DamagedProjectError(path, f"is damaged ({exc})")
    if kind == "busy":
        return ProjectError(path, f"is busy: another program is writing to it ({exc}); try again")
    return ProjectError(path, f"could not be {doing} ({exc})")
