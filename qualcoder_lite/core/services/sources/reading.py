"""Reading files for an import: decode, find speaker turns, count words and build the word
index of each - the work that does not touch the project, so it can run in worker processes.

With many files (``POOL_MIN_FILES`` and ``POOL_MIN_BYTES`` together), more than one CPU and
Linux, the files are read by a ``ProcessPoolExecutor`` (at most ``POOL_WORKERS`` processes)
and handed back in their order; otherwise in this process. The workers are forked on the
main thread; on any other (the GUI's job threads: no fork beside other threads) they come
from a fork server (``_files_context``), unless the program is a script without the main
guard (``_server_safe``: the server would run it again). A file a worker could not read is read again
here, so the error raised is exactly the in-process one. A long text reports its
indexing piece by piece (``progress`` with a label such as ``Indexing big: 40 %``), and
either way ``progress`` returning False stops the reading (``InterruptedError``).
"""

from __future__ import annotations

import ast
import collections
import contextlib
import ctypes
import functools
import gc
import multiprocessing
import os
import re
import sys
import threading
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Generator, Iterator, Sequence, cast

from ...errors import QualCoderError
from ...model import Turn
from ...store.casekeys import extra_cases
from ...store.word_index import PIECE_CHARS, IndexPiece, build_word_index, index_piece, index_tokens
from ...units import TurnRow, detect_turn_rows

Progress = Callable[[int, int, str], bool]  # (done, total, label) -> keep going?

POOL_MIN_FILES = 8
POOL_MIN_BYTES = 2_000_000
POOL_WORKERS = 4
DERIVE_AHEAD = 4 * POOL_WORKERS  # texts ``derive_texts`` hands its workers ahead of the caller

_WORD = re.compile(r"\w+")


def count_words(text: str) -> int:
    return sum(1 for _ in _WORD.finditer(text))


def words_of(text: str, index: bytes) -> int:
    """``count_words(text)``, from the index's token count when that is the same number (no
    underscore joins two tokens into one ``\\w+`` word)."""
    tokens = index_tokens(index)
    if tokens is None or "_" in text:
        return count_words(text)
    return tokens


@dataclass
class ReadFile:
    """One file read for import: its text and everything derived from the text alone."""

    text: str | bytes  # UTF-8 when it comes from a worker (a quarter of the pickle of a str with an emoji)
    format: str
    turns: list[TurnRow]  # the values of each turn (a tenth of the pickle of ``Turn`` objects)
    warnings: list[str] = field(default_factory=list)
    word_index: bytes = b""
    words: int = 0
    utf8: bytes | None = None  # the text's UTF-8 when the reader had it (a .txt file in UTF-8): not encoded again


def read_one(path: Path, encoding: str | None = None, step: Callable[[str], bool] | None = None,
             workers: bool = False) -> ReadFile:
    """Read ``path`` (``formats.readers.read_source``), its turns, word index and word count.
    ``step(label)`` is called between stages and pieces of a long text; False stops. With
    ``workers`` (and where ``_pool_allowed``), a long text's turns and the pieces of its index
    are made in forked worker processes meanwhile (the same values)."""
    from ...formats.readers import read_source  # readers pull in zip/xml/pdf code: import on use

    result = read_source(path, encoding=encoding)
    text = result.text
    if len(text) <= PIECE_CHARS:
        step = None  # a short text takes milliseconds: one progress call per file, as ever
    use_pool = workers and step is not None and _pool_allowed(POOL_MIN_FILES)
    with _pool_for(text) if use_pool else contextlib.nullcontext() as pool:
        later = pool.submit(_turns_in_worker) if pool is not None and result.turns is None else None
        _go_on(step, f"Finding speaker turns in {path.name}")
        turns: list[TurnRow]
        if result.turns is not None:
            turns = [(t.speaker, t.label_start, t.label_end, t.start, t.end, t.timestamp) for t in result.turns]
        elif later is None:
            turns = detect_turn_rows(text)
        _go_on(step, f"Indexing {path.name}")

        def piece(done: int, total: int) -> bool:
            return step is None or step(f"Indexing {path.name}: {100 * done // max(total, 1)} %")

        index = build_word_index(text, progress=piece, utf8=result.utf8,
                                 map_pieces=None if pool is None else functools.partial(_pieces_in, pool))
        if later is not None:
            turns = later.result()
    return ReadFile(text, result.format, turns, list(result.warnings), index, words_of(text, index), result.utf8)


_TEXT = ""  # the long text whose turns and index pieces ``_pool_for``'s forked workers make


@contextlib.contextmanager
def _pool_for(text: str) -> Iterator[ProcessPoolExecutor]:
    """Worker processes forked while ``_TEXT`` is ``text``: they read their copy of it, so
    only the results are sent. Work not started when this ends is cancelled."""
    global _TEXT
    _TEXT = text
    _before_fork()
    try:
        pool = ProcessPoolExecutor(max_workers=min(POOL_WORKERS, os.cpu_count() or 1), mp_context=_context(),
                                   initializer=_worker_start)
        try:
            yield pool
        except BaseException:  # cancelled, interrupted or failed: what runs still is not waited for
            _stop_now(pool)
            raise
        pool.shutdown(wait=True)
    finally:
        _TEXT = ""


def _turns_in_worker() -> list[TurnRow]:
    return detect_turn_rows(_TEXT)


def _piece_in_worker(a: int, b: int) -> IndexPiece:
    return index_piece(_TEXT, a, b)


def _pieces_in(pool: ProcessPoolExecutor, text: str, bounds: list[tuple[int, int]]) -> Generator[IndexPiece, None, None]:
    """``index_piece(text, a, b)`` for each of ``bounds``, in order, made by ``pool``."""
    assert text is _TEXT  # the workers' copy
    futures = [pool.submit(_piece_in_worker, a, b) for a, b in bounds]
    try:
        for fut in futures:
            yield fut.result()
    finally:
        for fut in futures:
            fut.cancel()


def _go_on(step: Callable[[str], bool] | None, label: str) -> None:
    if step is not None and not step(label):
        raise InterruptedError("import cancelled")


def _read_in_worker(path: Path, encoding: str | None) -> ReadFile | None:
    """A worker's read; None when it failed in an expected way (the caller reads it again
    in its own process to raise the very error)."""
    try:
        got = read_one(path, encoding)
        got.text, got.utf8 = utf8_of(got), None
        return got
    except (QualCoderError, OSError, UnicodeError, ValueError):
        return None


def utf8_of(read: ReadFile) -> bytes:
    """The text of ``read`` as UTF-8 (the bytes read, or sent, when there are such)."""
    if isinstance(read.text, bytes):
        return read.text
    return read.utf8 if read.utf8 is not None else read.text.encode("utf-8")


def turn_row(turn: Turn | TurnRow) -> TurnRow:
    """A speaker turn as the values of its ``speaker_turns`` row (but its source)."""
    if isinstance(turn, tuple):
        return turn
    return (turn.speaker, turn.label_start, turn.label_end, turn.start, turn.end, turn.timestamp)


def turn_rows(turns: list[Turn] | list[TurnRow]) -> list[TurnRow]:
    """``turn_row`` of each of ``turns`` (rows, as ``read_one`` gives them: the same list)."""
    if not turns or isinstance(turns[0], tuple):
        return cast(list[TurnRow], turns)
    return list(map(turn_row, turns))


def _use_pool(paths: list[Path]) -> bool:
    """Many files, several CPUs and Linux, on the main thread, or on another where a fork
    server may start (``_files_context``, ``_server_safe``)."""
    if not _pool_allowed(len(paths), any_thread=True):
        return False
    if threading.current_thread() is not threading.main_thread() and not _server_safe():
        return False
    size = 0
    for p in paths:
        try:
            size += p.stat().st_size
        except OSError:
            return False  # the in-process read names the file and the reason
    return size >= POOL_MIN_BYTES


def _pool_allowed(n: int, any_thread: bool = False) -> bool:
    """Workers for ``n`` items: enough of them, several CPUs, Linux, and (unless
    ``any_thread``: workers that need nothing of this process but what they are sent) the main
    thread: forking a process while other threads run (the GUI's job threads, Qt's own) may
    copy a lock another thread holds."""
    if n < POOL_MIN_FILES or (os.cpu_count() or 1) < 2 or not sys.platform.startswith("linux"):
        return False
    return any_thread or threading.current_thread() is threading.main_thread()


_TEXTS: Sequence[str] = ()  # the texts ``derive_texts`` hands to its forked workers


def derive(text: str) -> tuple[bytes, int, list[TurnRow]]:
    """A text's word index, word count and speaker turns (as ``TurnRow`` tuples)."""
    index = build_word_index(text)
    return index, words_of(text, index), detect_turn_rows(text)


def _derive_in_worker(i: int) -> tuple[bytes, int, list[TurnRow]]:
    return derive(_TEXTS[i])  # the text is this forked process's copy: nothing is sent


def derive_texts(texts: Sequence[str]) -> Generator[tuple[bytes, int, list[TurnRow]], None, None]:
    """``derive(text)`` for each of ``texts``, in order: in forked worker processes when
    ``read_files`` would use them (many texts, several CPUs, Linux, the main thread)."""
    global _TEXTS
    if not _pool_allowed(len(texts)) or sum(map(len, texts)) < POOL_MIN_BYTES:
        yield from map(derive, texts)
        return
    _TEXTS = texts  # before the pool forks its workers (all at once, on the first submit)
    _before_fork()
    try:
        pool = ProcessPoolExecutor(max_workers=min(POOL_WORKERS, os.cpu_count() or 1), mp_context=_context(),
                                   initializer=_worker_start)
        finished = False
        try:
            # a few texts ahead of the caller, not all: results wait in memory until taken
            futures = collections.deque(pool.submit(_derive_in_worker, i)
                                        for i in range(min(len(texts), DERIVE_AHEAD)))
            for i in range(len(futures), len(texts) + len(futures)):
                result = futures.popleft().result()
                if i < len(texts):
                    futures.append(pool.submit(_derive_in_worker, i))
                yield result
            finished = True
        finally:
            if finished:
                pool.shutdown(wait=True)
            else:  # interrupted, failed, or the caller stopped: the texts under way are not awaited
                _stop_now(pool)
    finally:
        _TEXTS = ()


def _before_fork() -> None:
    """Make here, once, what each worker forked from this process would otherwise make for
    itself: the table of case keys outside ASCII (``casekeys.extra_cases``, tens of
    milliseconds; nearly every transcript has an accented letter)."""
    extra_cases()


def _worker_start(app: int | None = None) -> None:
    """In a forked worker: its collections leave the parent's objects alone (no copies of
    their pages), and allocations are not traced there (a parent measuring its own memory
    with tracemalloc slows its workers several times over otherwise). The worker ends
    when its parent, or the app (process ``app``), does (``_exit_with_parent``)."""
    gc.freeze()
    if tracemalloc.is_tracing():
        tracemalloc.stop()
    _keep_freed_memory()
    _exit_with_parent(app)


#: what a worker keeps of the memory it frees, for its next file (``_keep_freed_memory``)
WORKER_KEPT_BYTES = 32 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's ``mallopt`` parameters (malloc.h)


def _keep_freed_memory() -> None:
    """In a worker: glibc's malloc keeps the memory the worker frees, up to
    ``WORKER_KEPT_BYTES``, for its next file. By default it hands the top of its heap back to
    the system as soon as 128 KB or more are free there, and maps a block of 128 KB or more
    (a transcript's text) anew each time (unless a larger block was freed before: the
    thresholds follow it), so a worker reading one transcript after another faulted the same
    pages in again for each (~100 page faults a 50,000-character transcript). Elsewhere
    (another C library) nothing changes."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_MMAP_THRESHOLD, WORKER_KEPT_BYTES // 2)
        libc.mallopt(_M_TRIM_THRESHOLD, WORKER_KEPT_BYTES)


#: how often a worker looks whether its parent is still there (seconds)
PARENT_CHECK_SECONDS = 0.5


def _exit_with_parent(app: int | None = None) -> None:
    """End this worker once its parent, or the app (process ``app``), has gone. A killed
    app (kill -9, a crash) never shuts its pool down, and an idle worker waits on the
    pool's queue for ever: each would keep a copy of the app's memory, transcripts included.
    An orphan gets a new parent (init or a subreaper), which a daemon thread notices within
    ``PARENT_CHECK_SECONDS``. A fork server's worker has the server as its parent, and the
    server lives as long as any of its workers holds its pipe open: such a worker watches
    the app itself (then the server, its workers gone, ends too)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent and (app is None or _alive(app)):
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


#: how much nicer than the app the workers of a job thread's import run: the GUI thread
#: beside them gets a core as soon as it has work (as ``qdpx_prefetch``'s workers)
JOB_WORKER_NICENESS = 5


def _job_worker_start(app: int | None = None) -> None:
    _worker_start(app)
    with contextlib.suppress(OSError):  # not allowed here: the workers run as the app does
        os.nice(JOB_WORKER_NICENESS)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but is not ours to signal
        return True
    return True


def _context():
    # fork: the workers start at once and never run the host's main module again (spawn and
    # forkserver do, which breaks a script without an ``if __name__ == "__main__"`` guard).
    # The children only read files and compute; they touch no lock of another thread.
    return multiprocessing.get_context("fork")


#: what the fork server imports once, before it forks the workers
_SERVER_PRELOAD = ["__main__", __name__, "qualcoder_lite.core.formats.readers"]


def _files_context():
    """``_context`` on the main thread. On any other, the workers are forked by a fork server
    (a clean process started once, with this module imported: ``_SERVER_PRELOAD``), so a job
    thread's import reads in workers too and leaves the GIL to the GUI thread."""
    if threading.current_thread() is threading.main_thread():
        return _context()
    # The server and its resource tracker start as "python -c ...": without the safe path
    # they would import a queue.py or selectors.py from the app's working folder (the
    # server's own sys.path is then the app's, sent by multiprocessing).
    os.environ.setdefault("PYTHONSAFEPATH", "1")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_SERVER_PRELOAD)  # used when the server starts (once)
    return ctx




def _server_safe() -> bool:
    """Whether the fork server's workers may import this program's main module, as each does
    (multiprocessing's preparation, as for spawn; Python 3.11's server itself does not): it has
    no file, is a package's ``__main__`` (never imported again), or its file holds the
    ``if __name__ == "__main__":`` guard (the app's entry points, the benchmarks). A script
    without one would run again in every worker."""
    if getattr(sys, "frozen", False):  # a bundled app: its executable is no Python to start a server with
        return False
    main = sys.modules.get("__main__")
    name = getattr(getattr(main, "__spec__", None), "name", None)
    if name is not None and (name == "__main__" or name.endswith(".__main__")):
        return True
    path = getattr(main, "__file__", None)
    return path is None or _guarded(os.path.abspath(path))


@functools.lru_cache(maxsize=8)
def _guarded(path: str) -> bool:
    """The file's module has ``if __name__ == "__main__":`` as a statement of its own (not
    in a string or a nested block)."""
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return False
    return any(isinstance(stmt, ast.If) and _is_main_test(stmt.test) for stmt in tree.body)


def _is_main_test(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    names = [x.id for x in sides if isinstance(x, ast.Name)]
    values = [x.value for x in sides if isinstance(x, ast.Constant)]
    return names == ["__name__"] and values == ["__main__"]


def _result(futures: list, i: int, path: Path, encoding: str | None, waiting: Callable[[], None]) -> ReadFile:
    """The worker's read of ``path`` (``futures[i]``, dropped from the list), or this
    process's read when the worker's failed (raising its error) or a worker died (killed,
    out of memory: the pool is broken, and the files left are read here).
    ``waiting()`` is called every ``WAIT_STEP_S`` while the worker reads (it raises
    ``InterruptedError`` for a Cancel, which then need not wait for a big file)."""
    while True:
        try:
            got = futures[i].result(timeout=WAIT_STEP_S)
            break
        except FutureTimeout:
            waiting()
        except BrokenProcessPool:
            got = None
            break
    futures[i] = None
    return got if got is not None else read_one(path, encoding)


def read_files(paths: list[Path], encoding: str | None = None,
               progress: Progress | None = None) -> Iterator[tuple[Path, ReadFile]]:
    """``(path, ReadFile)`` for each of ``paths``, in order."""
    n = len(paths)

    def say(i: int, label: str) -> None:
        if progress is not None and not progress(i, n, label):
            raise InterruptedError("import cancelled")

    if not _use_pool(paths):
        for i, path in enumerate(paths):
            say(i, f"Reading {path.name}")

            def step(label: str, i: int = i) -> bool:
                return progress is None or progress(i, n, label)

            yield path, read_one(path, encoding, step=step, workers=True)
        return
    workers = min(POOL_WORKERS, os.cpu_count() or 1)
    here = threading.current_thread() is threading.main_thread()
    if here:  # forked from this process (else from the fork server)
        _before_fork()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_files_context(),
                               initializer=_worker_start if here else _job_worker_start, initargs=(os.getpid(),))
    finished = False
    try:
        futures: list = [pool.submit(_read_in_worker, p, encoding) for p in paths]
        for i, path in enumerate(paths):
            label = f"Reading {path.name}"
            say(i, label)
            # held here no longer than the caller holds it
            yield path, _result(futures, i, path, encoding, functools.partial(say, i, label))
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:  # a cancel, an error, or the caller stopped: the reads under way are not awaited
            _stop_now(pool)


#: how often a read of a file waiting for its worker asks ``progress`` whether to go on
WAIT_STEP_S = 0.1


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """End ``pool`` without waiting for the files its workers are reading (they only read
    files and compute: nothing of theirs needs finishing).

    A worker stopped in the middle of sending its result leaves part of a message in the
    pool's result pipe, and the pool's manager thread waits for the rest: for ever, as this
    process holds the pipe's writing end too (no end of file comes), and the interpreter's
    exit joins that thread (an interrupted command printed its message and never ended).
    With the workers gone, this end is closed: the thread reads the end of the pipe, finds
    the pool broken and ends."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)  # only the workers write there
    pool.shutdown(wait=False, cancel_futures=True)  # (forgets the queue: taken before)
    for proc in workers:
        with contextlib.suppress(OSError, ValueError):
            proc.terminate()
    for proc in workers:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            proc.join(5)
    if writer is not None:
        with contextlib.suppress(OSError):
            writer.close()
