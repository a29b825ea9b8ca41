"""The bulk-insert comparison behind the note on sqlite-utils keeps working (tiny run, no
assertion on time)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_bulk_insert.py"


def test_bulk_insert_benchmark_runs(tmp_path):
    proc = subprocess.run([sys.executable, str(BENCH), "--codings", "300", "--repeat", "1"],
                          capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [ln.split()[0] for ln in lines] == ["executemany", "insert_all"]
    assert all("300 codings: median" in ln for ln in lines)
