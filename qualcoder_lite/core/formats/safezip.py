"""Defensive reading of zip containers (.docx, .odt, .qdpx).

The archive is hostile input: member names may try path traversal, declared sizes may
lie, and a small file may inflate to gigabytes. ``SafeZip`` checks the central
directory when it opens and caps the bytes actually decompressed when it reads.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
import zlib
from pathlib import Path
from types import TracebackType
from typing import Iterator

from qualcoder_lite.core.errors import InputError

MB = 1024 * 1024
#: Sum of the declared uncompressed sizes of all members.
MAX_TOTAL_UNCOMPRESSED = 200 * MB
#: A member larger than RATIO_MIN_SIZE must not be compressed more than this.
MAX_RATIO = 200
RATIO_MIN_SIZE = 10 * MB
#: More members than this is not a document.
MAX_MEMBERS = 50_000

_CHUNK = 1 * MB
_DRIVE = re.compile(r"^[A-Za-z]:")
# Errors zipfile and zlib raise on a corrupt member (OSError: a seek to a bad offset).
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError)


def unsafe_name(name: str) -> bool:
    """True if a member name is absolute or climbs out of the archive (``..``)."""
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return True
    return ".." in re.split(r"[/\\]", name)


class SafeZip:
    """A zip archive opened after checking names and sizes; use as a context manager.

    ``kind`` names what the file should be, with its article ("a Word document"), for
    messages such as "not a Word document (not a zip archive)".
    """

    def __init__(self, path: str | Path, kind: str):
        self.path = path
        self.kind = kind
        self._read_total = 0
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise InputError(path, f"not {kind} (not a zip archive)") from None
        except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
            raise InputError(path, f"cannot read the file ({exc.strerror or exc})") from None
        except (EOFError, ValueError, NotImplementedError, OSError) as exc:
            # a truncated or corrupt central directory ("zip file version 10.2", bad seeks)
            raise InputError(path, f"not {kind} (damaged zip archive: {exc})") from None
        try:
            self._infos = self._checked_infos()
        except InputError:
            self._zip.close()
            raise
        self._by_name: dict[str, zipfile.ZipInfo] = {}
        self._by_lower: dict[str, zipfile.ZipInfo] = {}
        for info in self._infos:  # a duplicate name keeps its first entry
            self._by_name.setdefault(info.filename, info)
            self._by_lower.setdefault(info.filename.lower(), info)

    def _checked_infos(self) -> list[zipfile.ZipInfo]:
        infos = self._zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InputError(self.path, f"the archive has more than {MAX_MEMBERS} members")
        total = 0
        for info in infos:
            if unsafe_name(info.filename):
                raise InputError(
                    self.path, f"unsafe member name {info.filename!r} in the archive (path traversal)"
                )
            total += info.file_size
            if total > MAX_TOTAL_UNCOMPRESSED:
                raise InputError(
                    self.path,
                    f"the archive would unpack to more than {MAX_TOTAL_UNCOMPRESSED // MB} MB (zip bomb?)",
                )
            if info.file_size > RATIO_MIN_SIZE:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > MAX_RATIO:
                    raise InputError(
                        self.path,
                        f"member {info.filename!r} is compressed {ratio:.0f}:1 (zip bomb?)",
                    )
        return infos

    # -- context manager -------------------------------------------------------------

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    # -- lookup and reading ----------------------------------------------------------

    def names(self) -> list[str]:
        """Member names as stored."""
        return [info.filename for info in self._infos]

    def find(self, name: str) -> zipfile.ZipInfo | None:
        """The member called ``name``, matched exactly first, then case-insensitively."""
        return self._by_name.get(name) or self._by_lower.get(name.lower())

    def read(self, member: str | zipfile.ZipInfo, max_bytes: int) -> bytes:
        """Decompress one member, stopping with ``InputError`` past ``max_bytes``.

        Declared sizes are not trusted: the member is read in chunks and the count of
        bytes actually produced is checked, for this member and for the whole archive.
        """
        chunks: list[bytes] = []
        with self.open(member, max_bytes) as f:
            while chunk := f.read(_CHUNK):
                chunks.append(chunk)
        return b"".join(chunks)

    def open(self, member: str | zipfile.ZipInfo, max_bytes: int) -> "MemberStream":
        """A binary stream of one member for parsers that read as they go, with the
        checks of ``read`` (use as a context manager)."""
        info = self.find(member) if isinstance(member, str) else member
        if info is None:
            raise InputError(self.path, f"no {member!r} in the archive")
        with self._errors(info.filename):
            return MemberStream(self, info, self._zip.open(info), max_bytes)

    @contextlib.contextmanager
    def _errors(self, name: str) -> Iterator[None]:
        try:
            yield
        except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
            raise InputError(self.path, f"member {name!r} cannot be read ({exc})") from None
        except NotImplementedError as exc:  # unsupported compression method
            raise InputError(self.path, f"member {name!r} cannot be read ({exc})") from None
        except _ZIP_ERRORS as exc:
            raise InputError(self.path, f"the archive is damaged ({name}: {exc})") from None


class BoundedStream(io.RawIOBase):
    """A byte stream of hostile input, refused with ``InputError(path, too_big)`` once more
    than ``max_bytes`` were read (declared sizes are not trusted; a file may grow while it
    is read). ``blank``: nothing but white space so far. The one bounded reader: a zip
    member (``MemberStream``) and a bare file on disk (``open(...)`` wrapped in one) alike."""

    def __init__(self, raw, path: str | Path, max_bytes: int, too_big: str):
        super().__init__()
        self._raw = raw
        self._path = path
        self._too_big = too_big
        self.max_bytes = max_bytes
        self.size = 0
        self.blank = True  # nothing but white space so far

    def readable(self) -> bool:
        return True

    def _pull(self, n: int) -> bytes:
        return self._raw.read(n)

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = _CHUNK
        data = self._pull(n)
        self.size += len(data)
        if self.size > self.max_bytes:
            raise InputError(self._path, self._too_big)
        if self.blank and data.strip():
            self.blank = False
        return data

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


class MemberStream(BoundedStream):
    """One member being decompressed; refuses more than ``max_bytes`` of it, or more than
    the archive's total, with ``InputError`` (declared sizes are not trusted)."""

    def __init__(self, archive: SafeZip, info: zipfile.ZipInfo, raw, max_bytes: int):
        super().__init__(raw, archive.path, max_bytes,
                         f"member {info.filename!r} is larger than {max_bytes // MB} MB")
        self._archive = archive
        self.name = info.filename

    def _pull(self, n: int) -> bytes:
        with self._archive._errors(self.name):
            data = self._raw.read(n)
        self._archive._read_total += len(data)
        return data

    def read(self, n: int = -1) -> bytes:
        data = super().read(n)
        if self._archive._read_total > MAX_TOTAL_UNCOMPRESSED:
            raise InputError(self._archive.path,
                             f"the archive unpacks to more than {MAX_TOTAL_UNCOMPRESSED // MB} MB (zip bomb?)")
        return data

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def open_zip(path: str | Path, kind: str) -> SafeZip:
    """Open ``path`` as a checked zip archive (see ``SafeZip``)."""
    return SafeZip(path, kind)
