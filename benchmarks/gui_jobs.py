"""Long GUI jobs (``gui/jobs.py``) driven through the real window, with a stall probe.

Each group starts its job the way the menu entry does (import, REFI-QDA export, merge, coder
comparison), then runs the event loop until the job has reported and the window has repainted.
Two figures per job: how long it took (start to the window updated), and the longest gap
between turns of the GUI thread's event loop meanwhile (``StallProbe``: a 5 ms timer on the
GUI thread; a gap longer than that is time the window could not repaint or react). The target
for the stall is 50 ms. The GUI has no autocode yet, so there is no autocode job here.

Used by ``run.py`` (groups ``gui_import``, ``gui_export``, ``gui_merge``, ``gui_agreement``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

STALL_TARGET_S = 0.050
TICK_MS = 5
IMPORT_SOURCES = 50  # transcripts per GUI import (a quarter of the default project)
MERGE_CODINGS = 500  # codings the colleague's copy adds


class StallProbe:
    """A ``TICK_MS`` timer on the GUI thread: ``longest`` is the longest time between two
    turns of the event loop (or from the start / to the end) while it ran."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.longest = 0.0
        self._last = 0.0

    def tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    def __enter__(self) -> "StallProbe":
        self.longest = 0.0
        self._last = time.perf_counter()
        self.timer.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.tick()
        self.timer.stop()


def run_job(window, start: Callable[[], object], done: Callable[[object], bool],
            timeout_s: float = 900) -> tuple[float, float]:
    """Start a job, spin the event loop until ``done(job)`` and the window has repainted;
    returns (seconds, longest stall in seconds)."""
    from PySide6.QtCore import QEventLoop, QTimer

    import run as R

    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(2)
    box: dict = {}
    deadline = time.perf_counter() + timeout_s

    def check() -> None:
        if done(box["job"]) or time.perf_counter() > deadline:
            loop.quit()

    poll.timeout.connect(check)
    t0 = time.perf_counter()
    with StallProbe() as probe:
        box["job"] = start()
        poll.start()
        loop.exec()
        poll.stop()
        if not done(box["job"]):
            raise RuntimeError("the GUI job did not finish in time")
        probe.tick()
        R.settle(window)  # the window's repaint after the job's report is GUI-thread work too
    return time.perf_counter() - t0, probe.longest


def _measure_job(env, key: str, start: Callable[[], object], done: Callable[[object], bool],
                 window: Callable[[], object], setup: Callable[[], None] | None = None, after: Callable[[object], None] | None = None):
    """``env.repeat`` runs: the job's time and its stall as two results."""
    import run as R

    took, stall = R.Result(), R.Result()
    timer = R.Timer()
    for i in range(env.repeat + 1):  # the last run, untimed, under tracemalloc: the Python peak
        if setup:
            setup()
        R.settle(window())
        job = {}

        def started(job=job):  # bound now: each run has its own holder
            job["j"] = start()
            return job["j"]

        if i == env.repeat:
            with timer.traced(took):
                run_job(window(), started, done)
            stall.py_peak_mb = took.py_peak_mb
        else:
            R._rss_reset()
            seconds, longest = run_job(window(), started, done)
            peak = R._rss_peak_mb()
            took.add_time(seconds, peak)
            stall.add_time(longest, peak)
        if after:
            after(job["j"])
    return {key: took, f"stall_{key}": stall}


# --------------------------------------------------------------------------- groups
def g_gui_import(env) -> dict:
    """File ▸ Import sources: ``IMPORT_SOURCES`` transcripts into an empty project's window."""
    import make_project as mp
    import run as R
    from qualcoder_lite.core.project import new_project
    from qualcoder_lite.gui.import_sources import import_files

    p = env.params
    n = min(IMPORT_SOURCES, p["n_sources"])
    plan = mp.generate(n, p["chars"], min(p["codes"], 10), min(p["codings"], 10), p["seed"])
    folder = env.work / "gui-import"
    folder.mkdir(exist_ok=True)
    files = []
    for src in plan.sources[:n]:
        f = folder / f"{src.name}.txt"
        f.write_text(src.text, encoding="utf-8")
        files.append(f)
    chars = sum(len(s.text) for s in plan.sources[:n])
    state: dict = {"i": 0}

    def setup():
        if "w" in state:
            R.close_window(state.pop("w"))
        path = env.work / f"gui-import-{state['i']}.qlite"
        state["i"] += 1
        mp._remove(path)
        new_project(path, coder="alex").close()
        state["w"] = R.open_window(path)

    def start():
        worker = import_files(state["w"], files)
        if worker is None:
            raise RuntimeError("the import did not start")
        return state["w"]._import_job

    setup()
    out = _measure_job(env, "gui_import", start, lambda j: j.reported, lambda: state["w"], setup=setup)
    if state["w"].ctx.project.sources.count() != n:
        raise RuntimeError("the GUI import did not import every file")
    R.close_window(state.pop("w"))
    label = f"Import {n} .txt transcripts, {chars / 1e6:.1f} M chars, through the GUI's job into an empty window"
    out["gui_import"].label = label + " (GUI)"
    out["stall_gui_import"].label = f"Longest GUI-thread stall during that import ({n} transcripts)"
    return out


def g_gui_postings(env) -> dict:
    """The search postings the window makes in the background (``gui/postings_keeper.py``),
    from none, in the open benchmark project."""
    import run as R
    from qualcoder_lite.core.store import postings

    w = R.open_window(env.copy("gui_postings"))

    def wait_idle():  # the keeper's own start at opening, then none: each run starts from none
        while w.postings.job is not None or w.postings.timer.isActive():
            R.settle(w)
        with w.ctx.project.conn as conn:
            conn.execute("DELETE FROM word_postings_blocks")  # (their rows and members go with them)

    def start():
        w.postings.start()
        return w.postings.job

    out = _measure_job(env, "gui_postings", start, lambda j: j.reported, lambda: w, setup=wait_idle)
    made = len(postings.served(w.ctx.project.conn))
    R.close_window(w)
    out["gui_postings"].label = f"Make the search postings of {made:,} sources in the background (GUI)"
    out["stall_gui_postings"].label = "Longest GUI-thread stall while they are made"
    return out


def g_gui_export(env) -> dict:
    """File ▸ Export ▸ REFI-QDA project, from the open benchmark project."""
    import run as R
    from qualcoder_lite.gui import qdpx_dialog

    w = R.open_window(env.copy("gui_export"))
    out_path = env.work / "gui-export.qdpx"
    filter_ = qdpx_dialog.EXPORT_TARGET_FILTERS["standard"]
    real = qdpx_dialog.QFileDialog.getSaveFileName
    qdpx_dialog.QFileDialog.getSaveFileName = staticmethod(lambda *_a, **_k: (str(out_path), filter_))
    try:
        def remove_last():  # before the probe: deleting a 56 MB file is ~30 ms of the GUI thread
            out_path.unlink(missing_ok=True)

        def start():
            w.refi_actions.export_project()
            return w.refi_actions.worker

        def done(worker):
            return worker is not None and worker.stopped and w.refi_actions.summary is not None

        def after(_worker):
            w.refi_actions.summary.close()
            w.refi_actions.summary = None

        out = _measure_job(env, "gui_export", start, done, lambda: w, setup=remove_last, after=after)
    finally:
        qdpx_dialog.QFileDialog.getSaveFileName = real
    size = out_path.stat().st_size / 1e6
    R.close_window(w)
    out["gui_export"].label = f"REFI-QDA .qdpx export through the GUI's job, {size:.1f} MB (GUI)"
    out["stall_gui_export"].label = "Longest GUI-thread stall during that export"
    return out


def _colleague_copy(env) -> Path:
    """A copy of the project in which 'kim' coded ``MERGE_CODINGS`` passages more."""
    import run as R
    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.coding.coding import ApplyCode
    from qualcoder_lite.core.units import sentences

    path = env.copy("colleague")
    with open_project(path, coder="kim") as project:
        code = project.codes.all()[0].id
        spans = []
        for s in project.sources.all():
            text = project.sources.text(s.id)
            spans += [(s.id, a, b) for a, b in sentences(text, project.sources.turns(s.id))[:5]]
            if len(spans) >= MERGE_CODINGS:
                break
        project.execute(ApplyCode(0, [code], 0, 0, spans=spans[:MERGE_CODINGS]))
    R.gui_app()
    return path


def g_gui_merge(env) -> dict:
    """Tools ▸ Merge a colleague's copy (undone, untimed, after each run)."""
    import run as R

    colleague = _colleague_copy(env)
    w = R.open_window(env.copy("gui_merge"))
    before = w.ctx.project.codings.count()

    def start():
        return w.team_tools.merge_file(colleague)

    def after(job):
        if job.report is None or w.ctx.project.codings.count() <= before:
            raise RuntimeError("the merge added nothing")
        if w.team_tools.report_dialog is not None:
            w.team_tools.report_dialog.close()
        w.ctx.undo_stack.undo()
        R.settle(w)

    out = _measure_job(env, "gui_merge", start, lambda j: j.reported, lambda: w, after=after)
    R.close_window(w)
    out["gui_merge"].label = f"Merge a colleague's copy (+{MERGE_CODINGS} codings) through the GUI's job (GUI)"
    out["stall_gui_merge"].label = "Longest GUI-thread stall during that merge"
    return out


def g_gui_agreement(env) -> dict:
    """Tools ▸ Coder comparison, alex vs sam by character, computed as a job."""
    import run as R

    w = R.open_window(env.copy("gui_agreement"))
    view = w.team_tools.open_comparison()
    R.settle(w)
    state = {"flip": False}

    def start():
        state["flip"] = not state["flip"]  # a different choice each run, so it computes again
        a, b = ("alex", "sam") if state["flip"] else ("sam", "alex")
        view.set_choice(a, b, "character")
        return view.job

    def done(job):
        return job is not None and job.reported

    out = _measure_job(env, "gui_agreement", start, done, lambda: w)
    if view.comparison is None:
        raise RuntimeError("the comparison computed nothing")
    view.close()
    R.close_window(w)
    out["gui_agreement"].label = "Coder comparison alex vs sam, all codes, through the GUI's job (GUI)"
    out["stall_gui_agreement"].label = "Longest GUI-thread stall during that comparison"
    return out
