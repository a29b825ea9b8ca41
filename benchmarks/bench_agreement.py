"""Benchmark: coder comparison for every code of the 200-source project, at each unit; merge.

    python benchmarks/bench_agreement.py [--sources 200] [--chars 50000] [--codes 60] [--codings 20000]
                                         [--repeat 3] [--project PATH]

The project is the shared synthetic one from ``benchmarks/make_project.py`` (200 sources x
50,000 characters, 60 codes, 20,000 codings by alex and sam, about half of sam's shadowing
alex's); it is built once into ``benchmarks/out/`` and reused (only read here: the merge is
timed on temporary copies). Times are wall-clock seconds of the core calls:

* ``compare`` (``services.agreement``) for all codes, cold (each source's units segmented
  from scratch: the memo cleared) and warm (units memoised, as on a second run in the app);
* ``differences`` for the busiest code in its busiest source (what the comparison view does
  when a code is selected);
* merging a copy of the project into another copy (every coding already there) and into an
  empty project (every row new), and undoing the latter.

Not part of the test run: speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (str(ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

import make_project  # noqa: E402

from qualcoder_lite.core.project import new_project, open_project  # noqa: E402
from qualcoder_lite.core.services.team import agreement  # noqa: E402
from qualcoder_lite.core.services.team.merge import merge_copy  # noqa: E402


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    d = make_project.DEFAULTS
    ap.add_argument("--sources", type=int, default=d["n_sources"])
    ap.add_argument("--chars", type=int, default=d["chars"])
    ap.add_argument("--codes", type=int, default=d["codes"])
    ap.add_argument("--codings", type=int, default=d["codings"])
    ap.add_argument("--repeat", type=int, default=3, help="warm runs per unit (the median is shown)")
    ap.add_argument("--project", type=Path, help="use this project instead of the generated one")
    args = ap.parse_args(argv)

    path = args.project
    if path is None:
        path = make_project.default_path(args.sources, args.chars, args.codes, args.codings, d["seed"])
        if not path.exists():
            t = time.perf_counter()
            make_project.build(path, args.sources, args.chars, args.codes, args.codings)
            print(f"built {path.name} in {time.perf_counter() - t:.1f} s")
    with open_project(path) as project:
        n_codings = project.codings.count()
        n_sources = project.sources.count()
        print(f"project: {path.name}: {n_sources} sources, {project.codes.count()} codes, "
              f"{n_codings:,} codings ({', '.join(c.name for c in project.coders.all())})")
        print()
        print("| unit | units per code | codes | cold s | warm s | overall kappa | overall alpha |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for unit in agreement.UNITS:
            agreement.clear_unit_cache()
            cold, result = timed(lambda unit=unit: agreement.compare(project, ["alex", "sam"], unit))
            warm, result = timed(lambda unit=unit: agreement.compare(project, ["alex", "sam"], unit), args.repeat)
            ov = result.overall
            units = result.rows[0].units if result.rows else 0
            fmt = (lambda v: "-" if v is None else f"{v:.4f}")
            print(f"| {unit} | {units:,} | {len(result.rows)} | {cold:.3f} | {warm:.3f} | {fmt(ov.kappa)} | "
                  f"{fmt(ov.alpha)} |")
        result = agreement.compare(project, ["alex", "sam"], "sentence")
        busiest = max(result.by_source, key=lambda r: r.a_only + r.b_only + r.both)
        diff_t, diffs = timed(lambda: agreement.differences(project, busiest.source_id, busiest.code_id,
                                                            ["alex", "sam"], "sentence"), args.repeat)
        print()
        print(f"differences, busiest code in its busiest source ({busiest.source}, {len(diffs)} spans, "
              f"sentences): {diff_t * 1000:.1f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        mine = Path(tmp) / "mine.qlite"
        shutil.copy(path, mine)
        with open_project(mine) as p:
            t, cmd = timed(lambda: merge_copy(p, path))
        print(f"merge an identical copy ({cmd.result.counts['codings_duplicate']:,} codings already there): "
              f"{t:.2f} s")
        with new_project(Path(tmp) / "empty.qlite", coder="bench") as p:
            t, cmd = timed(lambda: merge_copy(p, path))
            print(f"merge into an empty project ({cmd.result.counts['codings_added']:,} codings, "
                  f"{cmd.result.counts['sources_added']} sources added): {t:.2f} s")
            t, _ = timed(lambda: p.undo(cmd))
            print(f"undo that merge: {t:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
