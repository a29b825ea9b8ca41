"""The sources' word indexes and speaker turns of a .qdpx import, made in worker processes
from the moment ``project.qde`` starts streaming by, not after it is read.

As the reader meets a ``TextSource`` (or a PDF's ``Representation``, a ``Transcript``) whose
``plainTextPath`` names a member of the archive, ``Prefetch.submit`` hands that member to a
forked worker, which opens the archive itself, reads, decodes and normalises the text as the
reader does and derives it (``sources.reading.derive``). The reader still reads every text in
this process (its checks, warnings and offsets are unchanged); the import takes a worker's
result only when the worker's text hashes the same as the text read here, and derives it
again otherwise. Sources not handed over while reading (beyond ``BUDGET_BYTES``, or texts held
inline) are derived by the same workers when the import writes them (``derived``).

Workers are used where ``sources.reading`` uses them (many texts, several CPUs, Linux, the
main thread: no fork beside other threads); elsewhere nothing changes.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import os
import pickle
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Iterator, Sequence
from zipfile import ZipInfo

from ...errors import QualCoderError
from ...formats.checks import MAX_TEXT_BYTES
from ...formats.safezip import SafeZip
from ...formats.textfile import decode_bytes
from ...formats.textnorm import normalise
from ..sources import reading
from ..sources.reading import TurnRow
from . import model as refi

#: text bytes handed to the workers while the XML is read: their results (a word index is
#: about three quarters of its text) wait in memory until the import writes their sources.
#: 64 MB keeps the workers busy while this process reads the XML and the texts (~11 s at
#: 2,000 sources of 50,000 characters); the import's peak rose 286 -> 306 MB there
BUDGET_BYTES = 64 << 20

#: word index, word count, speaker turns, and the text's ``text_hash`` when it was computed
Derived = tuple[bytes, int, list[TurnRow], str | None]
_Result = tuple[bytes, bytes, int, bytes]  # text's SHA-256, index, words, pickled turns
_FAILED = (QualCoderError, OSError, UnicodeError, ValueError, EOFError, BrokenProcessPool, pickle.PickleError)

_ARCHIVE: SafeZip | None = None  # a worker's own handle on the archive


#: how much nicer than the import the workers run: the import's own process (reading the XML,
#: writing the project) is what the import waits for, the workers use what CPU it leaves
WORKER_NICENESS = 5


def _start_worker() -> None:
    reading._worker_start()
    with contextlib.suppress(OSError):  # not allowed here: the workers run as the import does
        os.nice(WORKER_NICENESS)


def _digest(text_utf8: bytes) -> bytes:
    """The SHA-256 of a text's UTF-8: what the import compares, and its ``text_hash`` (hex)."""
    return hashlib.sha256(text_utf8).digest()


def _derived(text: str, text_utf8: bytes) -> _Result:
    index, words, turns = reading.derive(text)
    return _digest(text_utf8), index, words, pickle.dumps(turns, pickle.HIGHEST_PROTOCOL)


def _member_in_worker(path: str, kind: str, name: str, where: str) -> _Result | None:
    """The text of member ``name`` as ``qdpx_read._Reader.load_text`` and ``text_source``
    make it (decoded, BOM dropped, normalised), derived; None when that fails (the import
    derives it itself)."""
    global _ARCHIVE
    try:
        if _ARCHIVE is None:
            _ARCHIVE = SafeZip(path, kind)
        info = _ARCHIVE.find(name)
        if info is None:
            return None
        text, _warnings = decode_bytes(where, _ARCHIVE.read(info, MAX_TEXT_BYTES))
        if text.startswith("\ufeff"):
            text = text[1:]
        text = normalise(text)
        return _derived(text, text.encode("utf-8", "surrogatepass"))
    except _FAILED:
        return None


def _text_in_worker(text_utf8: bytes) -> _Result:
    return _derived(text_utf8.decode("utf-8", "surrogatepass"), text_utf8)


class Prefetch:
    """The worker processes of one import (a context manager: leaving it stops them)."""

    def __init__(self, path: Path, kind: str) -> None:
        self.path = path
        self.kind = kind
        self._pool: ProcessPoolExecutor | None = None
        self._by_member: dict[str, Future] = {}
        self._budget = BUDGET_BYTES

    @classmethod
    def allowed(cls, archive: SafeZip) -> bool:
        """Whether an import of ``archive`` derives its texts in workers (as ``derive_texts``
        would: enough members and bytes, several CPUs, Linux, the main thread)."""
        infos = [archive.find(n) for n in archive.names()]
        sizes = [i.file_size for i in infos if i is not None and not i.is_dir()]
        return (reading._pool_allowed(len(sizes)) and len(sizes) >= reading.POOL_MIN_FILES
                and sum(sizes) >= reading.POOL_MIN_BYTES)

    def __enter__(self) -> Prefetch:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def started(self) -> bool:
        """Whether the workers were started (a text was handed over while reading)."""
        return self._pool is not None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)  # what runs takes a text's time
            self._pool = None
        self._by_member.clear()

    def _submit(self, fn, *args) -> Future:
        if self._pool is None:  # forked at the first text, while this is the only thread
            self._pool = ProcessPoolExecutor(max_workers=min(reading.POOL_WORKERS, os.cpu_count() or 1),
                                             mp_context=reading._context(), initializer=_start_worker)
        return self._pool.submit(fn, *args)

    def submit(self, info: ZipInfo, where: str) -> None:
        """Start deriving member ``info`` (once; within the budget)."""
        name = info.filename
        size = min(info.file_size, MAX_TEXT_BYTES)
        if name in self._by_member or size > self._budget:
            return
        self._budget -= size
        self._by_member[name] = self._submit(_member_in_worker, str(self.path), self.kind, name, where)

    def claim(self, member: str) -> Future | None:
        """The worker's result for ``member`` (for the one source whose text it is), if started."""
        return self._by_member.pop(member, None)

    def derived(self, sources: Sequence[refi.Source]) -> Iterator[Derived]:
        """``derive(text)`` of each source's text, in order: the result claimed while reading
        when its text is the same, else made by the workers now or here; with the text's
        ``text_hash`` (the SHA-256 compared, computed once here). The workers are handed texts
        up to ``BUDGET_BYTES`` ahead of the one taken (as while reading), not a few: they never
        wait for this process to take a result before they start on the next text."""
        queue: collections.deque[tuple[refi.Source, Future | None, int]] = collections.deque()
        it = iter(sources)
        ahead = 0  # text bytes of the sources in ``queue``

        def more() -> None:
            nonlocal ahead
            while (len(queue) < reading.DERIVE_AHEAD or ahead < BUDGET_BYTES) and (src := next(it, None)) is not None:
                fut = src.prefetched
                if fut is None and self._pool is not None:
                    fut = self._submit(_text_in_worker, _utf8(src))
                size = _size(src)
                ahead += size
                queue.append((src, fut, size))

        more()
        while queue:
            src, fut, size = queue.popleft()
            ahead -= size
            src.prefetched = None
            more()
            got = _result(fut)
            text_utf8 = _utf8(src)
            digest = hashlib.sha256(text_utf8)
            if got is None or got[0] != digest.digest():
                yield (*reading.derive(text_utf8.decode("utf-8", "surrogatepass")), digest.hexdigest())
            else:
                yield got[1], got[2], pickle.loads(got[3]), digest.hexdigest()


def _result(fut: Future | None) -> _Result | None:
    if fut is None:
        return None
    try:
        return fut.result()
    except _FAILED:
        return None  # derived here


def _size(src: refi.Source) -> int:
    """About the UTF-8 size of a source's text (exactly when packed)."""
    return len(src.packed[0]) if src.packed is not None else len(src.text or "")


def _utf8(src: refi.Source) -> bytes:
    if src.packed is not None:
        return src.packed[0]
    text = src.full_text()
    assert text is not None  # sources with text only
    return text.encode("utf-8", "surrogatepass")
