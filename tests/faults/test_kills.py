"""SIGKILL at several points of the write commands not covered elsewhere: ``import-qdpx``
(at its first, middle and last progress step) and ``pseudonymise apply`` (after the first,
a middle and the last row it rewrites). Afterwards the project is whole and holds exactly
the state before or after; a killed import leaves no project and no temporary file once
the next command has run. (Exports: test_output_guard.py; encrypt, decrypt, restore and
remove-key: test_store_*.py; import, autocode and merge: tests/core/test_crash.py.)"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.faults.procs import Paused, counts, run_cli

ROOT = Path(__file__).resolve().parents[2]


def _progress_steps(src: Path, target: Path, data_dir: Path) -> int:
    """How many progress calls a full import makes (stopping at each one)."""
    n = 0
    with Paused("import-qdpx", 0, data_dir=data_dir, src=src, target=target) as child:
        line = child.first
        while line.startswith("AT "):
            n += 1
            line = child.resume()
        assert line.startswith("DONE"), line
    for p in target.parent.glob(target.name + "*"):
        p.unlink()
    return n


def test_kill_import_qdpx_at_three_points(tmp_path, demo_file, data_dir):
    src = tmp_path / "study.qdpx"
    assert run_cli("export-qdpx", demo_file, src, data_dir=data_dir).code == 0
    target = tmp_path / "imported.qlite"
    steps = _progress_steps(src, target, data_dir)
    assert steps >= 3
    for point in sorted({1, steps // 2, steps}):
        with Paused("import-qdpx", point, data_dir=data_dir, src=src, target=target) as child:
            assert child.paused, child.first
            child.kill()
        if target.exists():  # only once complete (the last step reports after the rename)
            assert point == steps, f"killed at step {point} of {steps}: a half-imported project exists"
            assert counts(target)["codings"] == counts(demo_file)["codings"]
            for p in tmp_path.glob("imported.qlite*"):
                p.unlink()
        assert run_cli("info", target, data_dir=data_dir).code == 1  # the next start cleans up
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".imported.qlite")]
    r = run_cli("import-qdpx", src, target, data_dir=data_dir)
    assert r.code == 0, r.err
    assert counts(target)["codings"] == counts(demo_file)["codings"]


CHILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from qualcoder_lite.core.store import recorder
    stop_at = int(sys.argv[3])
    calls = {{"n": 0}}
    original = recorder.Recorder.update
    def update(self, *a, **k):
        out = original(self, *a, **k)
        calls["n"] += 1
        if calls["n"] == stop_at:
            print("KILLME", flush=True)
            time.sleep(120)
        return out
    recorder.Recorder.update = update
    from qualcoder_lite.cli import main
    code = main(["pseudonymise", sys.argv[1], "apply", sys.argv[2]])
    print("DONE", calls["n"], flush=True)
    sys.exit(code)
""")


def _texts(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT name, text FROM sources ORDER BY id").fetchall()
        rows += conn.execute("SELECT name, memo FROM codes ORDER BY id").fetchall()
        rows += conn.execute('SELECT start, "end" FROM codings ORDER BY id').fetchall()
    finally:
        conn.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _apply(project: Path, key: Path, stop_at: int) -> str:
    proc = subprocess.Popen([sys.executable, "-c", CHILD.format(root=str(ROOT)), str(project), str(key),
                             str(stop_at)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    while line and line != "KILLME" and not line.startswith("DONE"):
        line = proc.stdout.readline().strip()  # the command's own summary line
    if line == "KILLME":
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=120)
    return line


def test_kill_pseudonymise_apply_at_three_points(tmp_path, demo_file):
    key = tmp_path / "key.csv"
    key.write_text("real,pseudonym\nDr Fraser,[GP_A]\nDr Allan,[GP_B]\n", encoding="utf-8")
    full = tmp_path / "full.qlite"
    import shutil

    shutil.copy(demo_file, full)
    done = _apply(full, key, 10 ** 9)
    assert done.startswith("DONE")
    updates = int(done.split()[1])
    assert updates >= 3
    after = _texts(full)
    before = _texts(demo_file)
    assert after != before
    for point in sorted({1, updates // 2, updates}):
        assert _apply(demo_file, key, point) == "KILLME"
        assert _texts(demo_file) == before, f"killed after {point} of {updates} rows: a partial replacement"
    assert _apply(demo_file, key, 10 ** 9).startswith("DONE")
    assert _texts(demo_file) == after


@pytest.fixture
def demo_file(demo_template, tmp_path) -> Path:
    import shutil

    dst = tmp_path / "demo.qlite"
    shutil.copy(demo_template, dst)
    return dst
