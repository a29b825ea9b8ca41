"""Checks shared by the readers: file size before reading, text after reading."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from qualcoder_lite.core.errors import InputError

MB = 1024 * 1024
#: Text sources (and the text extracted from any source) up to this size import.
MAX_TEXT_BYTES = 100 * MB
#: Container formats (.docx, .odt, .pdf) may hold images, so the file itself may be larger.
MAX_DOCUMENT_BYTES = 500 * MB


def check_file(path: str | Path, max_bytes: int, kind: str) -> int:
    """Refuse a missing, non-regular, empty or too large file before reading it.

    ``kind`` completes the message "larger than the 100 MB limit for {kind}".
    Returns the size in bytes.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(path, "is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(path, "is not a regular file")
    if st.st_size == 0:
        raise InputError(path, "the file is empty")
    refuse_open_project(path)
    if st.st_size > max_bytes:
        raise InputError(path, f"larger than the {max_bytes // MB} MB limit for {kind}")
    return st.st_size


def refuse_open_project(path: str | Path) -> None:
    """A project this program has open is SQLite's alone: reading it as an input file (and
    closing it again) would drop the locks that protect its write-ahead log."""
    from qualcoder_lite.core.store import openfiles

    if openfiles.is_open(path):
        raise InputError(path, "is a project that is open in QualCoder Lite, not a file to read in")


def read_bytes(path: str | Path, max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` (the file may have grown since it was checked)."""
    try:
        with open(path, "rb") as f:
            # read(n) allocates n bytes up front: ask for the file's size, not the limit
            # (a 100 MB buffer per imported transcript), then for the rest if it grew
            size = os.fstat(f.fileno()).st_size
            data = f.read(min(size, max_bytes) + 1)
            if size < len(data) <= max_bytes:
                data += f.read(max_bytes + 1 - len(data))
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise InputError(path, f"larger than the {max_bytes // MB} MB limit")
    return data


def require_text(path: str | Path, text: str) -> str:
    """Refuse text that is blank or larger than the text limit; return it unchanged."""
    if not text.strip():
        raise InputError(path, "contains no text")
    if len(text) > MAX_TEXT_BYTES:
        raise InputError(path, f"the text is larger than the {MAX_TEXT_BYTES // MB} MB limit for a text source")
    return text
