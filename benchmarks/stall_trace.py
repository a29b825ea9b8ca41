"""Why the GUI thread stalled during a GUI job: a diagnostic beside ``gui_jobs.py`` (not a figure).

    python benchmarks/stall_trace.py gui_agreement --out-dir /work/bench-out [--sources 2000 --codings 200000]
    python benchmarks/stall_trace.py gui_merge --out-dir /work/bench-out --profile 30

Runs one of ``gui_jobs``' groups with the stall probe extended in two ways, and prints per run:

* the longest gap between two ticks and the GUI thread's own CPU time inside that gap. A gap
  with little CPU is time the GUI thread *waited* (for the GIL, held by the job's Python code on
  the worker thread, or for a core on a loaded machine); a gap full of CPU is GUI-thread work;
  and how long in that gap the GUI thread waited, runnable, for a CPU (Linux schedstat: the
  machine's load; the rest of a gap without CPU is the GIL or a lock);
* the most GUI-thread CPU between two ticks (the longest stretch of GUI work, which a loaded
  machine does not inflate much) and the GUI thread's CPU during the whole job.

A watchdog thread samples both threads' Python stacks while a gap is open (the GUI thread
inside ``QEventLoop.exec`` with no Python frame below it is in Qt or waiting for the GIL), and
``--profile N`` profiles the GUI thread alone (cProfile sees only the thread it runs on).
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
for p in (str(HERE.parent), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

import gui_jobs  # noqa: E402
import make_project as mp  # noqa: E402
import run as R  # noqa: E402

LAG_S = 0.030  # a gap open this long is sampled
MAIN = threading.main_thread().ident


def _stack(frame, depth: int) -> tuple[str, ...]:
    return tuple(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in traceback.extract_stack(frame)[-depth:])


class TracedProbe(gui_jobs.StallProbe):
    """The stall probe, also counting the GUI thread's CPU time between ticks."""

    runs: list[tuple[float, float, float, float, float]] = []
    current: "TracedProbe | None" = None
    profiler: cProfile.Profile | None = None

    def tick(self) -> None:
        now, cpu, queued = time.perf_counter(), time.thread_time(), _queued()
        spent = cpu - self._cpu
        self.busiest = max(self.busiest, spent)
        if now - self._last > self.longest:
            self.longest, self.cpu_in_longest = now - self._last, spent
            self.queued_in_longest = queued - self._queued
        self._last, self._cpu, self._queued = now, cpu, queued

    def __enter__(self) -> "TracedProbe":
        if TracedProbe.profiler is not None:
            TracedProbe.profiler.enable()
        self._cpu = self._cpu0 = time.thread_time()
        self._queued = _queued()
        self.busiest = self.cpu_in_longest = self.queued_in_longest = 0.0
        super().__enter__()
        TracedProbe.current = self
        return self

    def __exit__(self, *_exc) -> None:
        super().__exit__()
        TracedProbe.current = None
        if TracedProbe.profiler is not None:
            TracedProbe.profiler.disable()
        TracedProbe.runs.append((self.longest, self.cpu_in_longest, self.queued_in_longest, self.busiest,
                                 time.thread_time() - self._cpu0))


def _queued() -> float:
    """Seconds this thread has waited, runnable, for a CPU (Linux schedstat; 0 elsewhere): a
    gap spent there is the machine's load, not the GIL."""
    try:
        with open("/proc/thread-self/schedstat") as fh:
            return int(fh.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


class _Collections:
    """The collections of the cyclic garbage collector longer than ``LONG_GC_S`` while a probe
    runs: (generation, milliseconds, on the GUI thread?). A collection holds the GIL throughout."""

    LONG_GC_S = 0.005
    seen: list[tuple[int, float, bool]] = []
    _start = 0.0

    @classmethod
    def callback(cls, phase: str, info: dict) -> None:
        if phase == "start":
            cls._start = time.perf_counter()
        elif TracedProbe.current is not None and time.perf_counter() - cls._start > cls.LONG_GC_S:
            on_gui = threading.get_ident() == MAIN
            cls.seen.append((info["generation"], (time.perf_counter() - cls._start) * 1000, on_gui))


def _watch(gui: collections.Counter, worker: collections.Counter) -> None:
    while True:
        time.sleep(0.004)
        probe = TracedProbe.current
        if probe is None or time.perf_counter() - probe._last < LAG_S:
            continue
        frames = sys._current_frames()
        if MAIN in frames:
            gui[_stack(frames[MAIN], 8)] += 1
        for tid, frame in frames.items():
            if tid not in (MAIN, threading.get_ident()):
                worker[_stack(frame, 5)] += 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("group", choices=["gui_import", "gui_export", "gui_merge", "gui_agreement"])
    ap.add_argument("--sources", type=int, default=mp.DEFAULTS["n_sources"])
    ap.add_argument("--codings", type=int, default=mp.DEFAULTS["codings"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out-dir", type=Path, default=mp.OUT_DIR, help="where the benchmark projects are cached")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile the GUI thread, top N")
    a = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    params = {k: mp.DEFAULTS[k] for k in ("n_sources", "chars", "codes", "codings", "seed")}
    params.update(n_sources=a.sources, codings=a.codings)
    project = a.out_dir / mp.default_path(**params).name
    if not project.exists():
        ap.error(f"{project}: not built yet (run.py with the same sizes builds it)")
    work = Path(tempfile.mkdtemp(prefix="qlite-stall-trace-"))
    os.environ["QUALCODER_LITE_CONFIG_DIR"] = str(work / "config")
    gui_jobs.StallProbe = TracedProbe  # run_job looks it up when it runs
    if a.profile:
        TracedProbe.profiler = cProfile.Profile()
    gui, worker = collections.Counter(), collections.Counter()
    threading.Thread(target=_watch, args=(gui, worker), daemon=True).start()
    import gc

    gc.callbacks.append(_Collections.callback)
    R.GROUP_FUNCS[a.group](R.Env(Path(project), work, a.repeat, params))
    ms = (lambda s: round(s * 1000))
    print("per run (the last one under tracemalloc): longest gap ms / GUI CPU in it / GUI waiting for a CPU in it / "
          "most GUI CPU between two ticks / GUI CPU in all")
    for run in TracedProbe.runs:
        print("   ", " / ".join(str(ms(x)) for x in run))
    timed = TracedProbe.runs[:-1] or TracedProbe.runs
    print(f"median of the timed runs: longest gap {ms(statistics.median(r[0] for r in timed))} ms, most GUI CPU "
          f"between two ticks {ms(statistics.median(r[3] for r in timed))} ms")
    print("collections over 5 ms during the jobs (generation, ms, thread):",
          ", ".join(f"{g}/{d:.0f}/{'GUI' if on_gui else 'job'}" for g, d, on_gui in _Collections.seen) or "none")
    for title, counter in (("GUI thread while a gap was open", gui), ("other threads meanwhile", worker)):
        print(f"== {title} (samples) ==")
        for stack, n in counter.most_common(8):
            print(f"{n:5d}  " + "\n       ".join(stack))
    if TracedProbe.profiler is not None:
        pstats.Stats(TracedProbe.profiler).sort_stats("cumulative").print_stats(a.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
