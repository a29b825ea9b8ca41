"""The sources' members of a .qdpx compressed on other threads while ``project.qde`` is
rendered (zlib lets go of the GIL while it compresses), then written in order, each exactly
as ``ZipFile.writestr`` writes it: the same header, the same deflate stream (one
``compressobj(level, DEFLATED, -15)`` fed the whole text, as ``writestr`` feeds it)."""

from __future__ import annotations

import queue
import threading
import time
import zipfile
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Sequence

from . import model as refi

#: batches of texts handed to the threads and not compressed yet (compressed, they wait in
#: memory until written: about a third of the texts' size); a batch holds texts of at least
#: ``BATCH_BYTES`` (few hand-overs between threads)
AHEAD = 4
BATCH_BYTES = 1 << 20
WORKERS = 2


def _deflate(raws: list[bytes], level: int) -> list[tuple[bytes, int, int]]:
    out = []
    for raw in raws:
        c = zlib.compressobj(level, zlib.DEFLATED, -15)
        out.append((c.compress(raw) + c.flush(), zlib.crc32(raw), len(raw)))
    return out


class _Deflated:
    """Stands in for the compressor of a member being written: hands over the deflate
    stream made on another thread (``_ZipWriteFile`` still counts the size and CRC-32 of
    the text written)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def compress(self, _raw: bytes) -> bytes:
        data, self._data = self._data, b""
        return data

    def flush(self) -> bytes:
        return b""


class SourceMembers:
    """The members ``sources/<guid>.txt`` of ``sources``: ``top_up`` (call it now and then,
    from the thread that reads the texts) keeps the compressing threads busy, a few batches
    handed over at a time; ``write_all`` writes the members in order."""

    def __init__(self, sources: Sequence[refi.Source], text: Callable[[refi.Source], str], level: int,
                 member: Callable[[refi.Source], str]) -> None:
        self.sources = sources
        self.text = text
        self.level = level
        self.member = member
        self._batches: list[tuple[Future, int]] = []  # (compressing, index after its last text)
        self._next = 0  # the first text not handed over yet
        self._taken: list[tuple[bytes, int, int]] = []  # what is left of the first batch
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="qdpx-deflate") if sources else None

    def __enter__(self) -> SourceMembers:
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _raw(self, src: refi.Source) -> bytes:
        return self.text(src).encode("utf-8", "replace")

    def top_up(self) -> None:
        """Hand more texts to the threads: at most ``AHEAD`` batches waiting for or being
        compressed (those compressed wait for ``write_all``)."""
        if self._pool is None:
            return
        batches = self._batches
        while self._next < len(self.sources) and sum(1 for f, _end in batches if not f.done()) < AHEAD:
            raws, size = [], 0
            while self._next < len(self.sources) and size < BATCH_BYTES:
                raws.append(self._raw(self.sources[self._next]))
                size += len(raws[-1])
                self._next += 1
            batches.append((self._pool.submit(_deflate, raws, self.level), self._next))

    def _deflated(self, i: int) -> tuple[bytes, int, int]:
        """Text ``i`` compressed (its batch's results let go as they are taken)."""
        self.top_up()
        fut, end = self._batches[0]
        if not self._taken:
            self._taken = list(fut.result())
        got = self._taken.pop(0)
        if not self._taken:
            self._batches.pop(0)
        return got

    def write_all(self, zf: zipfile.ZipFile, going_on: Callable[[], None] | None = None) -> None:
        """Write every member, in order: the deflate stream, CRC-32 and size made on the
        compressing thread go into the archive as ``_ZipWriteFile.write`` puts them there
        (the text is not read, encoded and checksummed again); if zipfile's internals are
        not the ones expected, the text is read again and written as ``writestr`` writes it.
        ``going_on()`` is called before each member (it raises to stop: a cancel)."""
        for i, src in enumerate(self.sources):
            if going_on is not None:
                going_on()
            deflated, crc, size = self._deflated(i)
            info = zipfile.ZipInfo(self.member(src), time.localtime(time.time())[:6])  # as writestr makes it
            info.compress_type = zf.compression
            info._compresslevel = zf.compresslevel  # type: ignore[attr-defined]  # as writestr sets it
            info.external_attr = 0o600 << 16
            info.file_size = size
            with zf.open(info, "w") as dest:
                if zf.compression == zipfile.ZIP_DEFLATED and zf.compresslevel == self.level and _takes_stream(dest):
                    d: Any = dest
                    d._compressor = _Deflated(b"")  # nothing more to flush
                    d._file_size, d._crc, d._compress_size = size, crc, len(deflated)
                    d._fileobj.write(deflated)
                else:
                    dest.write(self._raw(src))


def _takes_stream(dest: object) -> bool:
    """Is ``dest`` a member being written as Python 3.9-3.13's ``_ZipWriteFile``, nothing written yet?"""
    return (getattr(dest, "_compressor", None) is not None and getattr(dest, "_file_size", None) == 0
            and getattr(dest, "_compress_size", None) == 0 and getattr(dest, "_crc", None) == 0
            and getattr(dest, "_fileobj", None) is not None)


class Pipe:
    """``write(piece)`` for each piece ``put`` here, on a thread of its own (the compression
    of ``project.qde`` runs while the rest is rendered). A failed write is raised by the next
    ``put`` or on leaving the ``with`` (after the thread has stopped)."""

    def __init__(self, write: Callable[[str], object], depth: int = 4) -> None:
        self._write = write
        self._queue: queue.Queue[str | None] = queue.Queue(maxsize=depth)
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="qdpx-write", daemon=True)

    def __enter__(self) -> Pipe:
        self._thread.start()
        return self

    def _run(self) -> None:
        while (piece := self._queue.get()) is not None:
            if self._failed is None:
                try:
                    self._write(piece)
                except BaseException as exc:  # handed to the caller's thread, raised there
                    self._failed = exc

    def put(self, piece: str) -> None:
        self._raise()
        self._queue.put(piece)

    def _raise(self) -> None:
        if self._failed is not None:
            raise self._failed

    def __exit__(self, exc_type, exc, tb) -> None:
        self._queue.put(None)
        self._thread.join()
        if exc_type is None:
            self._raise()
