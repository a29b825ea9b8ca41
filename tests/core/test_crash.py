"""SIGKILL in the middle of a large import, a bulk autocode and a merge: afterwards the
file passes ``PRAGMA integrity_check`` and holds all or none of the interrupted change.

A child process runs the operation and, at the chosen point (signalled through the
progress callback, or for the merge through the n-th row written), prints KILLME and
waits; the test kills it with SIGKILL there."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from qualcoder_lite.core.project import open_project
    op, project, point = sys.argv[1], sys.argv[2], int(sys.argv[3])
    calls = {{"n": 0}}

    def progress(done, total, label):
        calls["n"] += 1
        if calls["n"] == point:
            print("KILLME", flush=True)
            time.sleep(60)
        return True

    p = open_project(project)
    if op == "import":
        from qualcoder_lite.core.services.sources.importing import import_files
        import_files(p, sys.argv[4:], progress=progress)
    elif op == "autocode":
        from qualcoder_lite.core.services.coding.autocode import Autocode
        code = p.codes.find(["Auto"]).id
        p.execute(Autocode(code, r"\\w+ing\\b", unit="match", progress=progress))
    elif op == "merge":
        from qualcoder_lite.core.store import recorder
        original = recorder.Recorder.insert
        def insert(self, table, values):
            progress(0, 0, table)
            return original(self, table, values)
        recorder.Recorder.insert = insert
        from qualcoder_lite.core.services.team.merge import merge_copy
        merge_copy(p, sys.argv[4])
    p.close()
    print("DONE", flush=True)
""")


def _counts(path):
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("sources", "speaker_turns", "cases", "codes", "codings")}
    finally:
        conn.close()


def _run(op, project, point, *extra) -> str:
    proc = subprocess.Popen([sys.executable, "-c", CHILD.format(root=str(ROOT)), op, str(project), str(point),
                             *map(str, extra)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if line == "KILLME":
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    return line


def _transcripts(tmp_path, n):
    out = []
    for i in range(n):
        f = tmp_path / f"T{i:02d}.txt"
        f.write_text("".join(f"Interviewer: Question {k} about working?\n\nP{i}: Answer {k}, thinking and "
                             f"talking at length about caring and coping.\n\n" for k in range(200)))
        out.append(f)
    return out


@pytest.mark.parametrize("point", [1, 6, 13, 20, 25])  # 12 reads, 12 writes, "Done" before commit
def test_kill_during_import(tmp_path, project_file, point):
    files = _transcripts(tmp_path, 12)
    before = _counts(project_file)
    assert _run("import", project_file, point, *files) == "KILLME"
    after = _counts(project_file)
    assert after == before  # nothing of the interrupted import


def test_import_that_finishes_is_all_there(tmp_path, project_file):
    files = _transcripts(tmp_path, 12)
    assert _run("import", project_file, 10_000, *files) == "DONE"
    assert _counts(project_file)["sources"] == 12


@pytest.mark.parametrize("point", [1, 6, 12])
def test_kill_during_autocode(tmp_path, project_file, point):
    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.coding.codes import AddCode
    from qualcoder_lite.core.services.sources.importing import import_files

    with open_project(project_file) as p:
        import_files(p, _transcripts(tmp_path, 12))
        p.execute(AddCode("Auto"))
    before = _counts(project_file)
    assert _run("autocode", project_file, point) == "KILLME"
    assert _counts(project_file) == before
    assert _run("autocode", project_file, 10_000) == "DONE"
    assert _counts(project_file)["codings"] > before["codings"]


@pytest.mark.parametrize("point", [1, 40, 400])
def test_kill_during_merge(tmp_path, demo_file, point):
    import shutil

    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.coding.autocode import Autocode
    from qualcoder_lite.core.services.coding.codes import AddCode

    other = tmp_path / "colleague.qlite"
    shutil.copy(demo_file, other)
    with open_project(other, coder="sam") as p:
        p.execute(AddCode("Sam's new theme/Everyday words"))
        p.execute(Autocode(p.codes.find("Sam's new theme/Everyday words").id, r"\b(the|and)\b", coder="sam"))
    before = _counts(demo_file)
    assert _run("merge", demo_file, point, other) == "KILLME"
    assert _counts(demo_file) == before
    assert _run("merge", demo_file, 10 ** 9, other) == "DONE"
    merged = _counts(demo_file)
    assert merged["codings"] > before["codings"] and merged["codes"] == before["codes"] + 2
