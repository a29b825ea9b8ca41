"""Benchmark: full-text search from the word index, against the scan it replaces.

    python benchmarks/bench_search.py [--sources 200] [--chars 50000] [--codes 60] [--codings 20000]
                                      [--repeat 5] [--project PATH] [QUERY ...]

On a private copy of the shared synthetic project (``benchmarks/make_project.py``, built once
into ``benchmarks/out/``), for each query (default: the two of ``run.py``): ``search`` as the
application runs it (hits from ``source_facts.word_index``), the same with every index ignored
(the regular-expression scan over every candidate's text: the implementation before the
index, and still the fallback), and reading every hit's snippet afterwards (what
``search --json`` adds). Then what the index costs: building it for every source (part of
import) and the backfill when an older project is opened (``complete_word_index``), and its
size. Wall-clock medians; not part of the test run.
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

from qualcoder_lite.core.project import open_project  # noqa: E402
from qualcoder_lite.core.services.search import search as search_mod  # noqa: E402
from qualcoder_lite.core.store import database  # noqa: E402

QUERIES = ("practice", '"quality improvement"')


def median_ms(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    d = make_project.DEFAULTS
    ap.add_argument("--sources", type=int, default=d["n_sources"])
    ap.add_argument("--chars", type=int, default=d["chars"])
    ap.add_argument("--codes", type=int, default=d["codes"])
    ap.add_argument("--codings", type=int, default=d["codings"])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--project", type=Path, help="an existing project instead of the synthetic one")
    ap.add_argument("queries", nargs="*", default=list(QUERIES))
    a = ap.parse_args(argv)
    src = a.project
    if src is None:
        src = make_project.default_path(a.sources, a.chars, a.codes, a.codings, d["seed"])
        if not src.exists():
            make_project.build(src, a.sources, a.chars, a.codes, a.codings)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "search.qlite"
        shutil.copy(src, path)
        t = time.perf_counter()
        project = open_project(path, coder="bench")  # migrates an older copy and builds its indexes
        opened = time.perf_counter() - t
        rows = []
        for q in a.queries:
            ms, hits = median_ms(lambda q=q: search_mod.search(project, q), a.repeat)
            real_load, real_lean = search_mod._WordIndex.load, search_mod._lean
            search_mod._WordIndex.load = classmethod(lambda cls, *_a: None)  # every source scanned
            search_mod._lean = lambda *_a: None  # (and no index read from its bytes)
            try:
                scan_ms, scanned = median_ms(lambda q=q: search_mod.search(project, q), max(1, a.repeat // 2))
            finally:
                search_mod._WordIndex.load, search_mod._lean = real_load, real_lean
            same = [(h.source_id, h.start, h.end) for h in hits] == [(h.source_id, h.start, h.end) for h in scanned]
            snip_ms, _ = median_ms(lambda q=q: [h.as_dict() for h in search_mod.search(project, q)], a.repeat)
            rows.append((q, len(hits), ms, scan_ms, snip_ms, "yes" if same else "NO"))
        texts = [r[0] for r in project.conn.execute("SELECT text FROM sources")]
        size = project.conn.execute("SELECT (SELECT sum(length(word_index)) FROM source_facts), "
                                    "sum(length(CAST(text AS BLOB))) FROM sources").fetchone()
        build_ms, _ = median_ms(lambda: [search_mod.build_word_index(x) for x in texts], 1)
        project.conn.execute("UPDATE source_facts SET word_index = NULL")
        backfill_ms, n = median_ms(lambda: database.complete_word_index(project.conn), 1)
        project.close()
    print(f"{len(texts)} sources, {sum(map(len, texts)):,} characters; opened in {opened:.2f} s")
    print()
    print("| Query | Hits | Index | Scan (before) | Index + every snippet | Same hits |")
    print("|---|---:|---:|---:|---:|:---:|")
    for q, n_hits, ms, scan_ms, snip_ms, same in rows:
        print(f"| `{q}` | {n_hits:,} | {ms:.0f} ms | {scan_ms:.0f} ms | {snip_ms:.0f} ms | {same} |")
    print()
    print(f"Index: {size[0] / 1e6:.1f} MB for {size[1] / 1e6:.1f} MB of text; building it for every source "
          f"{build_ms / 1000:.2f} s ({build_ms / max(1, len(texts)):.1f} ms a source); backfill on open "
          f"{backfill_ms / 1000:.2f} s ({n} sources)")
    return 0 if all(r[5] == "yes" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
