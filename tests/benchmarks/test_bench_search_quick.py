"""``benchmarks/bench_search.py`` keeps working on a tiny project (no assertions on time)."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import bench_search  # noqa: E402
import make_project as mp  # noqa: E402


def test_search_benchmark_runs_and_finds_the_same_hits_both_ways(tmp_path, capsys):
    path = mp.build(tmp_path / "tiny.qlite", n_sources=6, chars=4_000, codes=10, codings=200)
    assert bench_search.main(["--project", str(path), "--repeat", "1", "practice", '"quality improvement"',
                              "pati*"]) == 0
    out = capsys.readouterr().out
    assert "| `practice` |" in out and "Index:" in out
