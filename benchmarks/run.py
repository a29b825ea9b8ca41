"""Time QualCoder Lite at research scale and print the table (Markdown) and JSON.

    python benchmarks/run.py                                   # 200 x 50,000 chars, 60 codes, 20,000 codings
    python benchmarks/run.py --sources 800 --codings 80000     # 4x the data
    python benchmarks/run.py --quick --repeat 1 --json out.json   # tiny, a few seconds (CI)

The project comes from ``benchmarks/make_project.py`` (built once, then reused from
``benchmarks/out/``; ``--rebuild`` makes it again). Every operation runs ``--repeat`` times
on a private copy of it and reports the median and the spread (min-max). GUI figures are
measured offscreen through the real widgets (``QT_QPA_PLATFORM=offscreen``): a timing ends
when the affected widgets have repainted, not when the database write returns.

Memory: ``RSS peak`` is the process's resident-set high-water mark while the operation ran
(``VmHWM`` after resetting it through ``/proc/self/clear_refs``; elsewhere
``resource.getrusage().ru_maxrss``, the high-water mark since the process started). It is the
memory the application as a whole needs, baseline included. ``Python peak`` is
``tracemalloc``'s peak of Python allocations during one extra, untimed run (tracemalloc slows
Python down, so it is never on while timing). MB = 10^6 bytes.

Each group of operations runs in its own child process (so one operation's memory does not
inflate the next one's); ``--inline`` (the default with ``--quick``) runs them all in this
process instead.

Operations of features that are not in the code base yet (quote report, codebook, REFI-QDA,
agreement) are shown as ``n/a``. They are timed through their core entry points
(``services.exports.write_report`` / ``export_codebook``, ``services.interop.export_qdpx`` /
``import_qdpx``, ``services.agreement.compare``); when one of those is missing but the command
line has the feature, through the command line's ``main()`` in process (those figures include
opening the project: see the ``Open project (core)`` row).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (str(ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

import gui_jobs  # noqa: E402
import make_project as mp  # noqa: E402
import targets  # noqa: E402

MEMORY_TARGET_MB = 400.0
QUICK = {"n_sources": 10, "chars": 5_000, "codes": 10, "codings": 500}


# --------------------------------------------------------------------------- operations
@dataclass(frozen=True)
class Op:
    key: str
    label: str
    group: str

    @property
    def target_s(self) -> float | None:
        """The 1x target (targets.py; a run judges every row against its own scale's)."""
        t = targets.TIME_1X.get(self.key)
        return t[1] if t else None


OPS = (
    Op("create", "Create project + import the sources (core)", "create"),
    Op("import_big", "Import one 20 MB transcript (core)", "import_big"),
    Op("open_core", "Open project (core `open_project`)", "open_core"),
    Op("open_gui", "Open project to a usable window (GUI)", "open_gui"),
    Op("open_source", "Open the busiest source in the transcript view (GUI)", "open_source"),
    Op("apply_code", "Apply a code: action to repaint (GUI)", "apply"),
    Op("undo", "Undo it: action to repaint (GUI)", "apply"),
    Op("redo", "Redo it: action to repaint (GUI)", "apply"),
    Op("apply_after_matrix", "Apply a code after the matrix view was opened once (GUI)", "apply_after_matrix"),
    Op("retrieval", "Retrieval table, busiest code (GUI)", "retrieval"),
    Op("search_word", "Search a common word (core)", "search"),
    Op("search_phrase", "Search a phrase (core)", "search"),
    Op("search_word_first", "Search a common word: first page of hits (core)", "search"),
    Op("search_phrase_first", "Search a phrase: first page of hits (core)", "search"),
    Op("postings_build", "Make the search postings (what the app does in the background after an import)", "search"),
    Op("search_phrase_unbuilt", "Search a phrase before the postings are made (core)", "search"),
    Op("autocode", "Autocode ~1,000 matches by sentence (core)", "autocode"),
    Op("matrix_core", "Framework matrix, cases x all codes (core)", "matrix_core"),
    Op("matrix_gui", "Framework matrix model + repaint (GUI)", "matrix_gui"),
    Op("report", "Quote report .docx, ~25 % of codings", "report"),
    Op("codebook", "Codebook .docx", "codebook"),
    Op("qdpx_export", "REFI-QDA .qdpx export", "qdpx_export"),
    Op("qdpx_import", "REFI-QDA .qdpx import (new project)", "qdpx_import"),
    Op("agreement", "Coder agreement, alex vs sam, all codes", "agreement"),
    # long jobs through the GUI's job runner, each with its longest GUI-thread stall (gui_jobs.py)
    Op("gui_import", "Import transcripts through the GUI's job (GUI)", "gui_import"),
    Op("stall_gui_import", "Longest GUI-thread stall during that import", "gui_import"),
    Op("gui_export", "REFI-QDA export through the GUI's job (GUI)", "gui_export"),
    Op("stall_gui_export", "Longest GUI-thread stall during that export", "gui_export"),
    Op("gui_merge", "Merge a colleague's copy through the GUI's job (GUI)", "gui_merge"),
    Op("stall_gui_merge", "Longest GUI-thread stall during that merge", "gui_merge"),
    Op("gui_agreement", "Coder comparison through the GUI's job (GUI)", "gui_agreement"),
    Op("stall_gui_agreement", "Longest GUI-thread stall during that comparison", "gui_agreement"),
    Op("gui_postings", "Search postings made in the background (GUI)", "gui_postings"),
    Op("stall_gui_postings", "Longest GUI-thread stall while they are made", "gui_postings"),
)
OP_KEYS = tuple(op.key for op in OPS)
GROUPS: dict[str, list[Op]] = {}
for _op in OPS:
    GROUPS.setdefault(_op.group, []).append(_op)


class NotAvailable(Exception):
    """The feature is not in the code base (yet): the row shows n/a."""


# --------------------------------------------------------------------------- measuring
def _rss_reset() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _rss_peak_mb() -> float:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6


def _rss_now_mb() -> float | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return None


@dataclass
class Result:
    times: list[float] = field(default_factory=list)
    py_peak_mb: float | None = None
    rss_peak_mb: float | None = None
    rss_base_mb: float | None = None
    note: str = ""
    label: str | None = None

    def add_time(self, seconds: float, rss_peak: float) -> None:
        self.times.append(seconds)
        self.rss_peak_mb = max(self.rss_peak_mb or 0.0, rss_peak)


_PROFILER = None  # a cProfile.Profile while --profile is on (timed runs only)


class Timer:
    """Times one run: ``with timer.run(result): ...``; the RSS high-water mark is reset
    before and read after each run (outside the timed part)."""

    def __init__(self) -> None:
        self.resettable = _rss_reset()

    @contextlib.contextmanager
    def run(self, result: Result):
        gc.collect()
        base = _rss_now_mb()
        if result.rss_base_mb is None:
            result.rss_base_mb = base
        _rss_reset()
        if _PROFILER is not None:
            _PROFILER.enable()
        t0 = time.perf_counter()
        yield
        elapsed = time.perf_counter() - t0
        if _PROFILER is not None:
            _PROFILER.disable()
        result.add_time(elapsed, _rss_peak_mb())

    @contextlib.contextmanager
    def traced(self, result: Result):
        """One untimed run under tracemalloc: the Python allocation peak."""
        gc.collect()
        tracemalloc.start()
        try:
            yield
        finally:
            _cur, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            result.py_peak_mb = peak / 1e6


def measure(fn: Callable[[Any], Any], repeat: int, setup: Callable[[], Any] | None = None,
            teardown: Callable[[Any], None] | None = None, result: Result | None = None) -> Result:
    result = result or Result()
    timer = Timer()
    for _ in range(repeat):
        state = setup() if setup else None
        with timer.run(result):
            fn(state)
        if teardown:
            teardown(state)
    state = setup() if setup else None
    with timer.traced(result):
        fn(state)
    if teardown:
        teardown(state)
    return result


# --------------------------------------------------------------------------- environment
@dataclass
class Env:
    project: Path  # the cached benchmark project (never modified)
    work: Path  # a private temporary folder
    repeat: int
    params: dict

    def copy(self, name: str) -> Path:
        dst = self.work / f"{name}.qlite"
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(str(dst) + suffix)
        shutil.copy(self.project, dst)
        return dst


def _as_the_app_leaves_it(path: Path) -> None:
    """The cached project as the app keeps a project it has open: migrated to this schema,
    with the search postings it makes in the background after an import (a cache from an
    earlier round gets them here, once)."""
    from qualcoder_lite.core.project import open_project

    with open_project(path, coder="alex") as project:
        if project.postings_missing():
            print("making the search postings of the cached project …", file=sys.stderr, flush=True)
            project.complete_postings()


def _open(path: Path):
    from qualcoder_lite.core.project import open_project

    return open_project(path, coder="alex")


def _busiest(project) -> tuple[int, int]:
    """(busiest source id, busiest code id) by number of codings."""
    sources = project.sources.all()
    sid = max(sources, key=lambda s: (s.codings, s.length, -s.id)).id
    counts = project.codes.counts()
    cid = max(counts, key=lambda c: (counts[c][0], -c))
    return sid, cid


# --------------------------------------------------------------------------- GUI helpers
_app = None


def gui_app():
    global _app
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    _app = QApplication.instance() or QApplication(["qualcoder-lite-benchmark"])
    return _app


def settle(*widgets) -> None:
    """Let the event loop run dry and repaint ``widgets`` synchronously."""
    app = gui_app()
    app.processEvents()
    for w in widgets:
        w.repaint()
    app.processEvents()


def _retrieval_read(w, limit: float = 60.0) -> None:
    """Let the retrieval table read the rest of its rows (it shows the first screen at once and
    reads the others in event-loop steps behind it): a researcher selects text and applies a
    code well after that, so the timed apply does not include those steps."""
    from qualcoder_lite.gui.segment_table import RetrievalPanel

    app = gui_app()
    end = time.perf_counter() + limit
    for panel in w.findChildren(RetrievalPanel):
        while not panel.model.keys_done and time.perf_counter() < end:
            app.processEvents()
    settle(w)


def open_window(path: Path, backed_up: bool = True):
    """The window on ``path``, shown and idle; ``backed_up``: also wait until the automatic
    backup (taken in the background after opening) is done, so that it does not share the
    machine with the operation timed next (the open itself is timed without it)."""
    app = gui_app()
    from qualcoder_lite.gui.main_window import MainWindow

    w = MainWindow(coder="alex")
    if not w.open_path(path, coder="alex"):
        raise RuntimeError(f"the window could not open {path}")
    w.resize(1400, 900)
    w.show()
    settle(w)
    job = getattr(w, "backup_job", None)
    while backed_up and job is not None and not job.reported:
        job.wait(0.05)
        app.processEvents()
    return w


def close_window(w) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    w.close()
    w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    gui_app().processEvents()


def _view_widgets(wb):
    return (wb.view.viewport(), wb.view.margin)


# --------------------------------------------------------------------------- groups
# (in a child process) the benchmark project's transcripts as .txt files in a folder; prints
# their names and their characters in all
_WRITE_TRANSCRIPTS = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import make_project as mp
p = json.loads(sys.argv[3])
plan = mp.generate(p["n_sources"], p["chars"], p["codes"], p["codings"], p["seed"])
for src in plan.sources:
    (Path(sys.argv[2]) / f"{src.name}.txt").write_text(src.text, encoding="utf-8")
print(json.dumps([[s.name for s in plan.sources], sum(len(s.text) for s in plan.sources)]))
"""


def g_create(env: Env) -> dict[str, Result]:
    """A new project and the import of every transcript from .txt files, as a user does it
    (the core's ``import_files``: read, detect speaker turns, write in one transaction)."""
    from qualcoder_lite.core.project import new_project
    from qualcoder_lite.core.services.sources.importing import CaseRule, import_files

    p = env.params
    folder = env.work / "transcripts"
    folder.mkdir(exist_ok=True)
    # the texts are generated in a child process: generating 100 M characters here left
    # ~410 MB of freed heap that this process never gave back (the 10x import's "RSS peak"
    # started at 470 MB), so the peak measured the generator, not the importer
    done = subprocess.run([sys.executable, "-c", _WRITE_TRANSCRIPTS, str(HERE), str(folder), json.dumps(p)],
                          capture_output=True, text=True, check=True)
    names, chars = json.loads(done.stdout)
    files = [folder / f"{name}.txt" for name in names]
    n = len(files)
    counter = iter(range(10_000))

    def setup():
        path = env.work / f"create-{next(counter)}.qlite"
        mp._remove(path)
        return path

    def fn(path):
        project = new_project(path, coder="alex")
        import_files(project, files, CaseRule(pattern=r"^(P\d+)"))
        project.close()

    res = measure(fn, env.repeat, setup, mp._remove)
    res.label = f"Create project + import {n} .txt transcripts, {chars / 1e6:.1f} M chars (core `import_files`)"
    return {"create": res}


BIG_CHARS = 20_000_000  # one long transcript (issue 17); a hundredth of it with --quick


def g_import_big(env: Env) -> dict[str, Result]:
    """One very long transcript (interviews of the benchmark project run together, ~20 MB) into
    a new project through ``import_files``, with a progress callback that records the longest
    wait between two calls (what a progress dialog and its Cancel button live on)."""
    from qualcoder_lite.core.project import new_project
    from qualcoder_lite.core.services.sources.importing import import_files

    p = env.params
    target = BIG_CHARS if p["chars"] >= 50_000 else BIG_CHARS // 100
    n = max(1, -(-target // p["chars"]))
    plan = mp.generate(n, p["chars"], p["codes"], min(p["codings"], n), p["seed"])
    big = env.work / "one-long-transcript.txt"
    big.write_text("\n\n".join(s.text for s in plan.sources), encoding="utf-8")
    del plan
    counter = iter(range(10_000))
    gaps: list[float] = []

    def setup():
        path = env.work / f"big-{next(counter)}.qlite"
        mp._remove(path)
        return path

    def fn(path):
        last = [time.perf_counter()]
        worst = [0.0]

        def progress(_done, _total, _label):
            now = time.perf_counter()
            worst[0] = max(worst[0], now - last[0])
            last[0] = now
            return True

        project = new_project(path, coder="alex")
        import_files(project, [big], progress=progress)
        project.close()
        gaps.append(max(worst[0], time.perf_counter() - last[0]))

    res = measure(fn, env.repeat, setup, mp._remove)
    res.label = (f"Import one {big.stat().st_size / 1e6:.1f} MB transcript (core `import_files`); "
                 f"longest wait between progress calls {statistics.median(gaps):.2f} s (median)")
    return {"import_big": res}


def g_open_core(env: Env) -> dict[str, Result]:
    path = env.copy("open_core")
    return {"open_core": measure(lambda _s: _opened.append(_open(path)), env.repeat,
                                 teardown=lambda _s: _opened.pop().close())}


_opened: list = []


def g_open_gui(env: Env) -> dict[str, Result]:
    path = env.copy("open_gui")
    gui_app()
    windows: list = []

    def fn(_s):
        windows.append(open_window(path, backed_up=False))  # usable: the backup goes on behind

    res = measure(fn, env.repeat, teardown=lambda _s: close_window(windows.pop()))
    res.note = "MainWindow + open_path + show until idle; first run includes importing the GUI modules"
    return {"open_gui": res}


def g_open_source(env: Env) -> dict[str, Result]:
    path = env.copy("open_source")
    w = open_window(path)
    wb = w.workbench
    project = w.ctx.project
    sid, _cid = _busiest(project)
    other = next(s.id for s in project.sources.all() if s.id != sid) if project.sources.count() > 1 else None

    def setup():
        if other is not None:
            wb.open_source(other)
            settle(*_view_widgets(wb))

    def fn(_s):
        wb.open_source(sid)
        settle(*_view_widgets(wb))

    res = measure(fn, env.repeat, setup)
    src = project.sources.get(sid)
    res.label = f"Open the busiest source, {src.length:,} chars with {src.codings} codings (GUI)"
    close_window(w)
    return {"open_source": res}


def _fresh_spans(project, sid: int, cid: int, limit_cp: int) -> list[tuple[int, int]]:
    """Sentences near the top of the source not yet coded by alex with ``cid``."""
    from qualcoder_lite.core.units import sentences

    text = project.sources.text(sid)
    taken = {(c.start, c.end) for c in project.codings.for_source(sid, ["alex"]) if c.code_id == cid}
    spans = [s for s in sentences(text, project.sources.turns(sid)) if s not in taken]
    visible = [s for s in spans if s[1] <= limit_cp]
    return visible or spans


def g_apply(env: Env, after_matrix: bool = False) -> dict[str, Result]:
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QTextCursor

    path = env.copy("apply_after_matrix" if after_matrix else "apply")
    w = open_window(path)
    if after_matrix:  # the researcher looked at the matrix once, then went back to coding
        w.show_view("matrix")
        settle(w)
        w.show_view("coding")
    wb = w.workbench
    project = w.ctx.project
    sid, cid = _busiest(project)
    wb.open_source(sid)
    wb.codes.select_code(cid)  # the researcher's current code; retrieval shows its segments
    settle(w)
    _retrieval_read(w)
    if wb.codes.selected_code_ids() != [cid]:
        raise RuntimeError("could not select the busiest code in the code tree")
    view = wb.view
    bottom = view.cursorForPosition(QPoint(view.viewport().width() - 1, view.viewport().height() - 1)).position()
    spans = _fresh_spans(project, sid, cid, view.map.to_cp(bottom))
    before = project.codings.count()
    apply_res, undo_res, redo_res = Result(), Result(), Result()
    timer = Timer()

    def select(i: int) -> None:
        start, end = spans[i % len(spans)]
        cur = view.textCursor()
        cur.setPosition(view.map.to_utf16(start))
        cur.setPosition(view.map.to_utf16(end), QTextCursor.KeepAnchor)
        view.setTextCursor(cur)
        settle(*_view_widgets(wb))

    for i in range(env.repeat + 1):
        traced = i == env.repeat
        select(i)
        with (timer.traced(apply_res) if traced else timer.run(apply_res)):
            w.actionApplyCode.trigger()
            settle(*_view_widgets(wb))
        if project.codings.count() != before + 1:
            raise RuntimeError("applying the code did not add a coding")
        with (timer.traced(undo_res) if traced else timer.run(undo_res)):
            w.actionUndo.trigger()
            settle(*_view_widgets(wb))
        if project.codings.count() != before:
            raise RuntimeError("undo did not remove the coding")
        if after_matrix:
            continue
        with (timer.traced(redo_res) if traced else timer.run(redo_res)):
            w.actionRedo.trigger()
            settle(*_view_widgets(wb))
        if project.codings.count() != before + 1:
            raise RuntimeError("redo did not add the coding again")
        w.actionUndo.trigger()  # untimed: the next run starts from the same codings
        settle(*_view_widgets(wb))
    n_code = project.codes.counts()[cid][0]
    if after_matrix:
        apply_res.label = "Apply a code, as above, after the matrix view was opened once (GUI)"
        close_window(w)
        return {"apply_after_matrix": apply_res}
    apply_res.label = (f"Apply a code: action to repaint, in that source, code with {n_code:,} "
                       f"segments selected (GUI)")
    close_window(w)
    return {"apply_code": apply_res, "undo": undo_res, "redo": redo_res}


def g_apply_after_matrix(env: Env) -> dict[str, Result]:
    return g_apply(env, after_matrix=True)


def g_retrieval(env: Env) -> dict[str, Result]:
    path = env.copy("retrieval")
    w = open_window(path)
    wb = w.workbench
    project = w.ctx.project
    _sid, cid = _busiest(project)
    wb.tabs.setCurrentWidget(wb.retrieval)
    table = wb.retrieval.table
    settle(w)

    def setup():
        wb.retrieval.show_codes([])
        settle(table.viewport())

    def fn(_s):
        wb.retrieval.show_codes([cid])
        settle(table.viewport())

    res = measure(fn, env.repeat, setup)
    rows = wb.retrieval.model.rowCount()
    if rows != project.codes.counts()[cid][0]:
        raise RuntimeError(f"retrieval shows {rows} rows")
    res.label = f"Retrieval table, busiest code: {rows:,} segments, visible rows fetched (GUI)"
    close_window(w)
    return {"retrieval": res}


SEARCH_WORD = "practice"
SEARCH_PHRASE = '"quality improvement"'


def _first_page(project, query: str) -> list:
    """What the search panel shows before its first repaint (``gui.search_panel.run``): the
    hits of the first sources by name, until there are ``FIRST_PAGE`` of them."""
    from qualcoder_lite.core.services.search.search import search_by_source
    from qualcoder_lite.gui.search_panel import FIRST_PAGE

    first: list = []
    for in_source in search_by_source(project, query):
        first += in_source
        if len(first) >= FIRST_PAGE:
            break
    return first


def g_search(env: Env) -> dict[str, Result]:
    from qualcoder_lite.core.services.search.search import search

    out = {}
    # a project just imported: the sources' own word indexes only, no postings yet
    project = _open(env.copy("search"))
    with project.conn:
        project.conn.execute("DELETE FROM word_postings_blocks")  # (their rows and members go with them)
    hits: list = []
    res = measure(lambda _s: hits.append(len(search(project, SEARCH_PHRASE))), env.repeat)
    res.label = f"Search `{SEARCH_PHRASE}` (core) before the postings are made: all {hits[-1]:,} hits"
    out["search_phrase_unbuilt"] = res
    project.close()
    # the postings the app makes in the background once an import has settled (on a copy each run)
    made: list = []

    def fresh():
        p = _open(env.copy("postings"))
        with p.conn:
            p.conn.execute("DELETE FROM word_postings_blocks")  # (their rows and members go with them)
        return p

    res = measure(lambda p: made.append(p.complete_postings()), env.repeat, setup=fresh, teardown=lambda p: p.close())
    size = (env.work / "postings.qlite").stat().st_size / 1e6
    res.label = (f"Make the search postings of {made[-1]:,} sources (core `complete_postings`; the app does it in "
                 f"the background after an import); file {size:,.0f} MB with them")
    out["postings_build"] = res
    project = _open(env.work / "postings.qlite")
    for key, query in (("search_word", SEARCH_WORD), ("search_phrase", SEARCH_PHRASE)):
        hits: list = []
        res = measure(lambda _s, q=query, hits=hits: hits.append(len(search(project, q))), env.repeat)
        res.label = f"Search `{query}` (core): all {hits[-1]:,} hits"
        out[key] = res
        first: list = []
        res = measure(lambda _s, q=query, first=first: first.append(len(_first_page(project, q))), env.repeat)
        res.label = (f"Search `{query}`: first page shown, {first[-1]:,} of {hits[-1]:,} hits (core "
                     f"`search_by_source`; the panel reads the rest in 20 ms steps)")
        out[key + "_first"] = res
    project.close()
    return out


AUTOCODE_WORD = "patients"


def g_autocode(env: Env) -> dict[str, Result]:
    import re

    from qualcoder_lite.core.services.coding.autocode import Autocode

    project = _open(env.copy("autocode"))
    rx = re.compile(rf"\b{AUTOCODE_WORD}\b")
    ids, total = [], 0
    for s in sorted(project.sources.all(), key=lambda s: s.name):
        if total >= 1000:
            break
        ids.append(s.id)
        total += len(rx.findall(project.sources.text(s.id)))
    code = project.codes.all()[-1]
    done: list = []

    def fn(_s):
        cmd = Autocode(code.id, rf"\b{AUTOCODE_WORD}\b", unit="sentence", coder="alex", source_ids=ids)
        project.execute(cmd)
        done.append(cmd)

    res = measure(fn, env.repeat, teardown=lambda _s: project.undo(done.pop()))
    cmd = Autocode(code.id, rf"\b{AUTOCODE_WORD}\b", unit="sentence", coder="alex", source_ids=ids)
    project.execute(cmd)
    rep = cmd.result
    res.label = (f"Autocode /{AUTOCODE_WORD}/ by sentence in {len(ids)} sources: {rep.matches:,} matches, "
                 f"{rep.added:,} codings (core)")
    project.close()
    return {"autocode": res}


def g_matrix_core(env: Env) -> dict[str, Result]:
    from qualcoder_lite.core.services.matrix.matrix import build_matrix

    project = _open(env.copy("matrix_core"))
    ids = [c.id for c in project.codes.all()]
    shape: list = []
    res = measure(lambda _s: shape.append(build_matrix(project, ids)), env.repeat)
    m = shape[-1]
    res.label = f"Framework matrix {len(m.rows)} cases x {len(m.columns)} codes, rolled up (core)"
    project.close()
    return {"matrix_core": res}


def g_matrix_gui(env: Env) -> dict[str, Result]:
    path = env.copy("matrix_gui")
    w = open_window(path)
    w.show_view("matrix")
    settle(w)
    model = w.matrix.model
    codes = w.ctx.project.codes.all()
    if hasattr(model, "column_ids"):  # every code a column
        model.column_ids = [c.id for c in codes]
    else:  # the first matrix view: reload() keeps the current columns
        model.matrix.columns = codes
    table = w.matrix.table

    def fn(_s):
        model.reload()
        settle(table.viewport())

    res = measure(fn, env.repeat)
    res.label = (f"Framework matrix view {model.rowCount()} x {model.columnCount()}: "
                 f"model reload + repaint (GUI)")
    close_window(w)
    return {"matrix_gui": res}


# -- features written concurrently: core entry point when known, else the CLI, else n/a --
def _module(name: str):
    import importlib
    import importlib.util

    try:
        if importlib.util.find_spec(name) is None:
            return None
    except ModuleNotFoundError:
        return None
    return importlib.import_module(name)


def _cli_has(command: str) -> bool:
    import argparse as _ap

    from qualcoder_lite import cli

    parser = cli.build_parser()
    for action in parser._actions:
        if isinstance(action, _ap._SubParsersAction):
            return command in action.choices
    return False


def _cli(argv: list[str]) -> str:
    """Run the command line in process; returns stdout, raises on a non-zero exit."""
    from qualcoder_lite import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cli.main(argv)
    if rc != 0:
        raise RuntimeError(f"`qualcoder-lite {' '.join(argv[:2])} …` exited {rc}: {err.getvalue().strip()[-500:]}")
    return out.getvalue()


def _report_filter(project) -> tuple[str, int]:
    """The ``ATTR=VALUE`` filter whose report holds closest to a quarter of all codings as
    quotes (5,000 at the default size): candidates by their cases' codings, checked with the
    core's ``build_report`` when it exists (it merges overlapping quotes and leaves out the
    interviewer). Returns the filter and its number of codings (or of quotes when checked)."""
    values = project.attributes.case_values()
    case_ids = {c.name: c.id for c in project.cases.all()}
    per_value: dict[str, int] = {}
    for s in project.sources.all():
        for case in s.cases[:1]:
            for attr, value in values.get(case_ids[case], {}).items():
                key = f"{attr}={value}"
                per_value[key] = per_value.get(key, 0) + s.codings
    goal = project.codings.count() / 4
    opts_only = _core("qualcoder_lite.core.services.quotes.quotes", "ReportOptions")
    build_only = _core("qualcoder_lite.core.services.quotes.report_build", "build_report")
    build = opts_only + build_only if opts_only and build_only else None
    if build is None:
        best = min(sorted(per_value), key=lambda k: abs(per_value[k] - goal))
        return best, per_value[best]
    opts_cls, build_report = build
    paths = [c.path_str for c in project.codes.all()]
    tried = {}
    for key in sorted(per_value, key=lambda k: abs(per_value[k] * 0.8 - goal))[:3]:
        tried[key] = build_report(project, opts_cls(codes=paths, where=[key])).quote_count
    best = min(sorted(tried), key=lambda k: abs(tried[k] - goal))
    return best, tried[best]


def _core(module: str, *names: str):
    """The named functions of a core module, or None when the module or a name is missing."""
    mod = _module(module)
    if mod is None or not all(hasattr(mod, n) for n in names):
        return None
    return tuple(getattr(mod, n) for n in names)


def g_report(env: Env) -> dict[str, Result]:
    path = env.copy("report")
    project = _open(path)
    where, n_codings = _report_filter(project)
    paths = [c.path_str for c in project.codes.all()]
    out = env.work / "report.docx"
    core = _core("qualcoder_lite.core.services.quotes.exports", "write_report")
    opts_cls = _core("qualcoder_lite.core.services.quotes.quotes", "ReportOptions")
    summary: list[str] = []
    if core and opts_cls:
        opts = opts_cls[0](codes=paths, where=[where])
        res = measure(lambda _s: summary.append(core[0](project, opts, out).summary), env.repeat,
                      teardown=lambda _s: out.unlink(missing_ok=True))
        how = "core `write_report`"
    elif _cli_has("report"):
        argv = ["report", str(path), "--out", str(out), "--where", where, "--codes", *paths]
        res = measure(lambda _s: _cli(argv), env.repeat, teardown=lambda _s: out.unlink(missing_ok=True))
        how = "CLI, incl. open"
    else:
        raise NotAvailable("no quote report yet (core/services/exports.py write_report, `report` command)")
    project.close()
    what = summary[-1].rsplit(": ", 1)[-1] if summary else f"{n_codings:,} codings in {len(paths)} codes"
    res.label = f"Quote report .docx: {what}; {where} ({how})"
    return {"report": res}


def g_codebook(env: Env) -> dict[str, Result]:
    path = env.copy("codebook")
    out = env.work / "codebook.docx"
    core = _core("qualcoder_lite.core.services.quotes.exports", "export_codebook")
    if core:
        project = _open(path)
        res = measure(lambda _s: core[0](project, out), env.repeat, teardown=lambda _s: out.unlink(missing_ok=True))
        project.close()
        how = "core `export_codebook`"
    elif _cli_has("codebook"):
        argv = ["codebook", str(path), "--out", str(out)]
        res = measure(lambda _s: _cli(argv), env.repeat, teardown=lambda _s: out.unlink(missing_ok=True))
        how = "CLI, incl. open"
    else:
        raise NotAvailable("no codebook export yet")
    res.label = f"Codebook .docx ({how})"
    return {"codebook": res}


def _qdpx_funcs():
    core = _core("qualcoder_lite.core.services.refi.interop", "export_qdpx", "import_qdpx")
    if core:
        return core[0], core[1], "core `interop`"
    if _cli_has("export-qdpx") and _cli_has("import-qdpx"):
        return ((lambda project, out: _cli(["export-qdpx", str(project.path), str(out)])),
                (lambda src, target, coder=None: _cli(["import-qdpx", str(src), str(target)])), "CLI, incl. open")
    raise NotAvailable("no REFI-QDA export/import yet")


def g_qdpx_export(env: Env) -> dict[str, Result]:
    export_qdpx, _import, how = _qdpx_funcs()
    project = _open(env.copy("qdpx_export"))
    out = env.work / "export.qdpx"
    # an export never replaces a file silently: each run writes afresh (the last one is kept)
    res = measure(lambda _s: export_qdpx(project, out), env.repeat, setup=lambda: out.unlink(missing_ok=True))
    project.close()
    res.label = f"REFI-QDA .qdpx export, {out.stat().st_size / 1e6:.1f} MB ({how})"
    return {"qdpx_export": res}


def g_qdpx_import(env: Env) -> dict[str, Result]:
    """Imports the archive the export group wrote (made here, untimed, when it is missing);
    in its own process so the export's memory is not counted."""
    export_qdpx, import_qdpx, how = _qdpx_funcs()
    src = env.work / "export.qdpx"
    if not src.exists():
        project = _open(env.copy("qdpx_import"))
        export_qdpx(project, src)
        project.close()
    counter = iter(range(10_000))

    def target():
        t = env.work / f"imported-{next(counter)}.qlite"
        mp._remove(t)
        return t

    res = measure(lambda t: import_qdpx(src, t, coder="alex"), env.repeat, target, mp._remove)
    res.label = f"REFI-QDA .qdpx import into a new project ({how})"
    return {"qdpx_import": res}


def g_agreement(env: Env) -> dict[str, Result]:
    path = env.copy("agreement")
    core = _core("qualcoder_lite.core.services.team.agreement", "compare")
    rows: list = []
    if core:
        project = _open(path)
        res = measure(lambda _s: rows.append(core[0](project, ["alex", "sam"], "character")), env.repeat)
        project.close()
        how = "core `compare`"
    elif _cli_has("agreement"):
        argv = ["agreement", str(path), "--coders", "alex", "sam", "--json"]
        res = measure(lambda _s: _cli(argv), env.repeat)
        how = "CLI, incl. open"
    else:
        raise NotAvailable("no coder agreement yet")
    n = len(getattr(rows[-1], "rows", ())) if rows else None
    codes = f"{n} codes" if n else "every code"
    res.label = f"Coder agreement alex vs sam, {codes}, by character ({how})"
    return {"agreement": res}


GROUP_FUNCS: dict[str, Callable[[Env], dict[str, Result]]] = {
    "create": g_create, "open_core": g_open_core, "open_gui": g_open_gui, "open_source": g_open_source,
    "apply": g_apply, "apply_after_matrix": g_apply_after_matrix, "retrieval": g_retrieval, "search": g_search, "autocode": g_autocode,
    "matrix_core": g_matrix_core, "matrix_gui": g_matrix_gui, "report": g_report, "codebook": g_codebook,
    "import_big": g_import_big, "qdpx_export": g_qdpx_export, "qdpx_import": g_qdpx_import, "agreement": g_agreement,
    "gui_import": gui_jobs.g_gui_import, "gui_export": gui_jobs.g_gui_export, "gui_merge": gui_jobs.g_gui_merge,
    "gui_agreement": gui_jobs.g_gui_agreement,
    "gui_postings": gui_jobs.g_gui_postings,
}


# --------------------------------------------------------------------------- results
def _row(op: Op, res: Result | None, status: str, note: str = "") -> dict:
    row: dict[str, Any] = {"label": op.label, "status": status, "target_s": op.target_s, "median_s": None,
                           "min_s": None, "max_s": None, "times_s": [], "py_peak_mb": None,
                           "rss_peak_mb": None, "rss_base_mb": None, "pass": None, "memory_pass": None,
                           "note": note}
    if res is not None and status == "ok":
        row.update(
            label=res.label or op.label, median_s=statistics.median(res.times), min_s=min(res.times),
            max_s=max(res.times), times_s=res.times, py_peak_mb=res.py_peak_mb, rss_peak_mb=res.rss_peak_mb,
            rss_base_mb=res.rss_base_mb, note=res.note or note,
        )
        if op.target_s is not None:
            row["pass"] = row["median_s"] < op.target_s
        if res.rss_peak_mb is not None:
            row["memory_pass"] = res.rss_peak_mb < MEMORY_TARGET_MB
    return row


def run_group(group: str, env: Env, profile: int = 0) -> dict[str, dict]:
    global _PROFILER
    ops = GROUPS[group]
    if profile:
        import cProfile

        _PROFILER = cProfile.Profile()
    try:
        results = GROUP_FUNCS[group](env)
    except NotAvailable as exc:
        return {op.key: _row(op, None, "n/a", str(exc)) for op in ops}
    except Exception as exc:  # a broken feature must not hide the other figures
        tb = traceback.format_exc(limit=6)
        sys.stderr.write(f"[{group}] failed:\n{tb}\n")
        return {op.key: _row(op, None, "error", f"{type(exc).__name__}: {exc}") for op in ops}
    finally:
        if _PROFILER is not None:
            import pstats

            out = io.StringIO()
            try:
                pstats.Stats(_PROFILER, stream=out).sort_stats("cumulative").print_stats(profile)
            except TypeError:  # nothing was profiled (the GUI job groups time outside measure())
                out.write("(no profiled runs in this group)\n")
            sys.stderr.write(f"\n===== profile of the timed runs of group {group!r} =====\n{out.getvalue()}\n")
            _PROFILER = None
    return {op.key: _row(op, results.get(op.key), "ok") for op in ops}


def run_group_isolated(group: str, env: Env, timeout: float, profile: int = 0) -> dict[str, dict]:
    out = env.work / f"result-{group}.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_child", group, "--_project", str(env.project),
           "--_work", str(env.work), "--repeat", str(env.repeat), "--_params", json.dumps(env.params),
           "--_result", str(out), "--profile", str(profile)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=os.environ.copy())
    except subprocess.TimeoutExpired:
        return {op.key: _row(op, None, "error", f"timed out after {timeout:.0f} s") for op in GROUPS[group]}
    if proc.stderr.strip():
        sys.stderr.write(proc.stderr)
    if proc.returncode != 0 or not out.exists():
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {op.key: _row(op, None, "error", f"child exited {proc.returncode}: {tail}") for op in GROUPS[group]}
    return json.loads(out.read_text(encoding="utf-8"))


def _fmt_time(s: float | None) -> str:
    if s is None:
        return "—"
    if s < 0.010:
        return f"{s * 1000:.1f} ms"
    if s < 1:
        return f"{s * 1000:.0f} ms"
    return f"{s:.2f} s"


def _fmt_spread(lo: float | None, hi: float | None) -> str:
    if lo is None or hi is None:
        return "—"
    if hi < 1:
        digits = 1 if hi < 0.010 else 0
        return f"{lo * 1000:.{digits}f}–{hi * 1000:.{digits}f} ms"
    return f"{lo:.2f}–{hi:.2f} s"


def _fmt_target(r: dict) -> str:
    t = r.get("target")
    if not t:
        return "—"
    txt = ("≤ " if t[0] == "<=" else "< ") + _fmt_time(t[1])
    return txt + (f", < {r['target_mb']:.0f} MB" if r.get("target_mb") else "")


def _fmt_mb(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:.1f} MB" if v < 10 else f"{v:,.0f} MB"


def table(report: dict) -> str:
    p = report["params"]
    grow = report.get("baseline")
    today = report.get("today")
    peak_target = report.get("peak_target_mb", MEMORY_TARGET_MB)
    lines = [
        f"QualCoder Lite benchmarks: {p['n_sources']:,} sources x {p['chars']:,} characters, {p['codes']} codes, "
        f"{p['codings']:,} codings (seed {p['seed']}); median of {report['repeat']} runs",
        f"Machine: {report['machine']['summary']}; load average {report['load_average'][0]} before, "
        f"{report['load_average'][1]} after" + _speed_line(report),
        "",
        "| Operation | Median | Min–max | Target | Result | RSS peak | Python peak |" + (" Growth |" if grow else "")
        + (" Today | Ratio |" if today else ""),
        "|---|---:|---:|---:|:---:|---:|---:|" + ("---:|" if grow else "") + ("---:|---:|" if today else ""),
    ]
    for key in OP_KEYS:
        r = report["operations"][key]
        if r["status"] == "skipped":
            continue
        if r["status"] != "ok":
            lines.append(f"| {r['label']} | {r['status']} | — | {_fmt_target(r)} | "
                         f"{r['status']} | — | — |" + (" — |" if grow else "") + (" — | — |" if today else ""))
            continue
        verdict = "—" if r["pass"] is None else ("PASS" if r["pass"] else "**FAIL**")
        mem = _fmt_mb(r["rss_peak_mb"]) + ("" if r["memory_pass"] in (None, True) else " **FAIL**")
        g = ""
        if grow:
            g = " — |" if "growth" not in r else f" x{r['growth']:.1f}{'' if r['linear'] else ' **superlinear**'} |"
        if today:
            g += (" — | — |" if "ratio" not in r
                  else f" {_fmt_time(r['today_s'])} | x{r['ratio']:.2f} |")
        lines.append(f"| {r['label']} | {_fmt_time(r['median_s'])} | {_fmt_spread(r['min_s'], r['max_s'])} | "
                     f"{_fmt_target(r)} | {verdict} | {mem} | {_fmt_mb(r['py_peak_mb'])} |{g}")
    peak = report["peak_rss_mb"]
    if peak is not None:
        lines.append(f"| **Peak memory, any operation** | | | < {peak_target:.0f} MB | "
                     f"{'PASS' if peak < peak_target else '**FAIL**'} | {_fmt_mb(peak)} | |"
                     + (" |" if grow else "") + (" | |" if today else ""))
    if today:
        lines += ["", f"Today: the same figures before the speed work ({today['source']}); "
                      "ratio = today / now (x2.00 = twice as fast)."]
    if grow:
        lines += ["", f"Growth: median against the {grow['params']['n_sources']}-source run; the data grew "
                      f"x{grow['data_ratio']:.1f} (linear = at most that, +{(GROWTH_SLACK - 1) * 100:.0f} % for noise)."]
    notes = [f"- {report['operations'][k]['label']}: {report['operations'][k]['note']}"
             for k in OP_KEYS if report["operations"][k]["note"] and report["operations"][k]["status"] != "skipped"]
    if notes:
        lines += ["", "Notes:", *notes]
    return "\n".join(lines)


GROWTH_SLACK = 1.10  # timing noise allowed on top of linear growth


def add_growth(report: dict, base: dict) -> None:
    """Each operation's median against a smaller run's: linear means at most the data's growth."""
    p, b = report["params"], base["params"]
    ratio = max(p["n_sources"] * p["chars"] / (b["n_sources"] * b["chars"]), p["codings"] / max(1, b["codings"]))
    report["baseline"] = {"params": b, "data_ratio": ratio}
    for key, row in report["operations"].items():
        old = base["operations"].get(key, {})
        if row["status"] == "ok" and old.get("status") == "ok" and old.get("median_s"):
            row["growth"] = row["median_s"] / old["median_s"]
            row["linear"] = row["growth"] <= ratio * GROWTH_SLACK


def _load() -> float | None:
    """1-minute load average (other processes competing for the CPUs make figures noisy)."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover - not on every platform
        return None


def speed_probe() -> float:
    """Milliseconds of a fixed reference work (pure Python, regular expressions, deflate,
    SQLite: the mix the app's figures are made of), median of 5: how fast the machine runs
    in this sitting. A shared virtual machine's speed can change ~2x between sittings, so
    figures from two sittings compare only through this number."""
    import sqlite3
    import zlib

    text = ("Participant: we talked about practice and quality improvement, " * 4000).encode()

    def work() -> None:
        total = 0
        for i in range(200_000):
            total += i % 7
        len(re.findall(rb"[a-z]+", text))
        zlib.compress(text, 6)
        with contextlib.closing(sqlite3.connect(":memory:")) as conn:
            conn.execute("CREATE TABLE t (a INTEGER, b TEXT)")
            conn.executemany("INSERT INTO t VALUES (?, ?)", ((i, "x" * (i % 50)) for i in range(50_000)))
            conn.execute("SELECT SUM(LENGTH(b)) FROM t GROUP BY a % 10").fetchall()

    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        work()
        runs.append(time.perf_counter() - t0)
    return round(statistics.median(runs) * 1000, 1)


def _speed_line(report: dict) -> str:
    probe = report.get("speed_probe_ms")
    if not probe:
        return ""
    return f"; speed probe {probe[0]:.0f} ms before, {probe[1]:.0f} ms after (a fixed reference work: lower is faster)"


def machine() -> dict:
    import sqlite3

    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "sqlite": sqlite3.sqlite_version}
    try:
        import PySide6

        info["pyside6"] = PySide6.__version__
    except ImportError:  # pragma: no cover
        info["pyside6"] = None
    cpu = ""
    with contextlib.suppress(OSError):
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    info["cpu"] = cpu
    info["summary"] = (f"{info['cpus']} CPUs {cpu}".strip() + f", {platform.system()}, Python {info['python']}, "
                       f"PySide6 {info['pyside6']}, SQLite {info['sqlite']}")
    return info


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sources", type=int, default=None, help="number of sources (default 200)")
    ap.add_argument("--chars", type=int, default=None, help="characters per source (default 50,000)")
    ap.add_argument("--codes", type=int, default=None, help="codes in the tree, all levels (default 60)")
    ap.add_argument("--codings", type=int, default=None, help="codings (default 20,000)")
    ap.add_argument("--seed", type=int, default=mp.DEFAULTS["seed"])
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per operation (default 5)")
    ap.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    ap.add_argument("--quick", action="store_true",
                    help="tiny project (10 sources x 5,000 chars, 10 codes, 500 codings), in process: a few seconds")
    ap.add_argument("--only", nargs="+", choices=sorted(GROUPS), help="run only these groups")
    ap.add_argument("--inline", action="store_true", help="run every operation in this process")
    ap.add_argument("--isolate", action="store_true", help="one child process per group (default unless --quick)")
    ap.add_argument("--out-dir", type=Path, default=mp.OUT_DIR, help="where generated projects are cached")
    ap.add_argument("--rebuild", action="store_true", help="generate the project again even if cached")
    ap.add_argument("--baseline", type=Path, default=None, metavar="BASE.json",
                    help="JSON of a smaller run: adds each figure's growth and checks it is at most linear")
    ap.add_argument("--today", type=Path, default=None, metavar="TODAY.json",
                    help="JSON of the same run before the speed work: adds each figure's ratio to it")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="profile the timed runs with cProfile and print the top N functions (stderr)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per group in a child process")
    ap.add_argument("--_child", help=argparse.SUPPRESS)
    ap.add_argument("--_project", help=argparse.SUPPRESS)
    ap.add_argument("--_work", help=argparse.SUPPRESS)
    ap.add_argument("--_params", help=argparse.SUPPRESS)
    ap.add_argument("--_result", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.repeat < 1:
        ap.error("--repeat must be at least 1")

    if a._child:  # a child process runs one group and writes its rows
        env = Env(Path(a._project), Path(a._work), a.repeat, json.loads(a._params))
        rows = run_group(a._child, env, a.profile)
        Path(a._result).write_text(json.dumps(rows), encoding="utf-8")
        return 0

    base = dict(QUICK) if a.quick else {k: mp.DEFAULTS[k] for k in ("n_sources", "chars", "codes", "codings")}
    for key, val in (("n_sources", a.sources), ("chars", a.chars), ("codes", a.codes), ("codings", a.codings)):
        if val is not None:
            base[key] = val
    params = dict(base, seed=a.seed)
    inline = a.inline or (a.quick and not a.isolate)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="qlite-bench-"))
    # recent-project lists and coder names of the benchmark windows stay out of the user's settings
    os.environ["QUALCODER_LITE_CONFIG_DIR"] = str(work / "config")
    os.environ["QUALCODER_LITE_DATA_DIR"] = str(work / "data")
    try:
        a.out_dir.mkdir(parents=True, exist_ok=True)
        cached = a.out_dir / mp.default_path(**params).name
        build_s = None
        if a.rebuild or not cached.exists():
            print(f"building {cached.name} …", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            mp.build(cached, params["n_sources"], params["chars"], params["codes"], params["codings"],
                     params["seed"], force=True)
            build_s = time.perf_counter() - t0
            print(f"built in {build_s:.1f} s", file=sys.stderr, flush=True)
        _as_the_app_leaves_it(cached)
        env = Env(cached, work, a.repeat, params)
        load_before, speed_before = _load(), speed_probe()
        rows: dict[str, dict] = {}
        for group in GROUPS:
            if a.only and group not in a.only:
                for op in GROUPS[group]:
                    rows[op.key] = _row(op, None, "skipped", "not selected with --only")
                continue
            print(f"… {group}", file=sys.stderr, flush=True)
            rows.update(run_group(group, env, a.profile) if inline
                        else run_group_isolated(group, env, a.timeout, a.profile))
        peak_target = targets.judge(rows, params)
        peaks = [r["rss_peak_mb"] for r in rows.values() if r["rss_peak_mb"] is not None]
        report = {
            "params": params, "repeat": a.repeat, "project": str(cached),
            "project_mb": round(cached.stat().st_size / 1e6, 1), "build_s": build_s,
            "isolated": not inline, "machine": machine(), "load_average": [load_before, _load()],
            "speed_probe_ms": [speed_before, speed_probe()],
            "scale": targets.scale(params), "peak_target_mb": peak_target, "targets": {
                k: r["target"] for k, r in rows.items() if r.get("target")} | {"memory_mb": peak_target},
            "operations": {k: rows[k] for k in OP_KEYS},
            "peak_rss_mb": max(peaks) if peaks else None,
        }
        if a.today:
            targets.add_today(report, json.loads(a.today.read_text(encoding="utf-8")))
        if a.baseline:
            add_growth(report, json.loads(a.baseline.read_text(encoding="utf-8")))
        print(table(report))
        if a.json:
            a.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        failed = [k for k, r in rows.items() if r["status"] == "error"]
        return 1 if failed else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
