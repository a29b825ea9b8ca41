"""``export_process``: the REFI-QDA export the app runs in a child process writes what the export
in this process writes, reports its errors the same way, and leaves nothing when the app dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile

import pytest

from qualcoder_lite.core import outfile
from qualcoder_lite.core.errors import QualCoderError
from qualcoder_lite.core.project import new_project, open_project
from qualcoder_lite.core.services.refi import export_process
from qualcoder_lite.core.services.refi.interop import export_qdpx


def _members(path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


@pytest.mark.parametrize("target", ["standard", "nvivo-windows"])
def test_the_child_writes_the_same_archive_as_this_process(demo_file, tmp_path, target):
    here, there = tmp_path / "here.qdpx", tmp_path / "there.qdpx"
    with open_project(demo_file, coder="alex") as project:
        expected = export_qdpx(project, here, target=target)
    seen = []
    report = export_process.export_qdpx_in_child(demo_file, outfile.Output(there, project=demo_file),
                                                 lambda *a: seen.append(a) or True, target=target, coder="alex")
    assert _members(there) == _members(here)
    assert (report.counts, report.warnings) == (expected.counts, expected.warnings)
    assert report.path == str(there)
    assert seen and seen[0][2].startswith("Writing")


def test_errors_come_out_as_in_this_process(demo_file, tmp_path):
    empty = tmp_path / "empty.qlite"
    new_project(empty, coder="alex").close()
    with open_project(empty) as project, pytest.raises(QualCoderError) as here:
        export_qdpx(project, tmp_path / "a.qdpx")
    with pytest.raises(QualCoderError) as there:
        export_process.export_qdpx_in_child(empty, outfile.Output(tmp_path / "b.qdpx", project=empty))
    assert str(there.value) == str(here.value).replace("a.qdpx", "b.qdpx")
    with pytest.raises(outfile.OutputRefused, match="is the project itself"):  # refused before the child starts
        export_process.export_qdpx_in_child(demo_file, outfile.Output(demo_file, force=True, project=demo_file))
    assert list(tmp_path.glob("*.qdpx")) == []


_HELD = """
import os, pathlib, sys, time
from qualcoder_lite.core.services.refi import export_process, interop

reached = pathlib.Path(sys.argv[1])
write_qdpx = interop.write_qdpx


def held_write(project, dest, origin, progress, **kw):
    def step(done, total, label):  # inside the write, the temporary file open
        if not reached.exists():
            reached.write_text(str(os.getpid()))
            deadline = time.monotonic() + 20
            while progress(done, total, label) and time.monotonic() < deadline:
                time.sleep(0.02)  # until the app has gone
        return progress(done, total, label)

    return write_qdpx(project, dest, origin, step, **kw)


interop.write_qdpx = held_write
sys.exit(export_process.main())
"""

_APP = """
import sys
from qualcoder_lite.core import outfile
from qualcoder_lite.core.services.refi import export_process

export_process._command = lambda: [sys.executable, sys.argv[1], sys.argv[2]]
export_process.export_qdpx_in_child(sys.argv[3], outfile.Output(sys.argv[4]), lambda *a: True)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILL and /proc")
def test_killing_the_app_mid_export_leaves_no_archive(demo_file, tmp_path):
    """The app is killed while its export process writes: the child stops at its next step,
    removes its temporary file and publishes nothing."""
    held, reached, out = tmp_path / "held.py", tmp_path / "reached", tmp_path / "out" / "project.qdpx"
    held.write_text(_HELD, encoding="utf-8")
    out.parent.mkdir()
    env = export_process._environment()
    app = subprocess.Popen([sys.executable, "-c", _APP, str(held), str(reached), str(demo_file), str(out)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not reached.exists() or not reached.read_text():
            assert app.poll() is None and time.monotonic() < deadline, "the export never started writing"
            time.sleep(0.02)
        child = int(reached.read_text())
        assert [p.name for p in out.parent.iterdir()][0].endswith(outfile.TEMP_SUFFIX)  # mid-write
        app.send_signal(signal.SIGKILL)
        app.wait(30)
        while _alive(child):
            assert time.monotonic() < deadline, "the export process went on without the app"
            time.sleep(0.02)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    assert list(out.parent.iterdir()) == []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie (not reaped yet) has stopped
        return fh.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.parametrize("when", ["Finishing the archive", "Saving the archive"])
def test_a_cancel_after_the_last_source_keeps_the_archive_out(demo_file, tmp_path, when):
    """The members are written after the last source's XML: Cancel is asked there too (at
    10x that tail is most of the export), up to the moment before the archive is renamed
    into place (the child waits for that answer), and the archive is not published."""
    out = tmp_path / "out" / "late.qdpx"
    out.parent.mkdir()
    labels = []

    def progress(done, total, label):
        labels.append(label)
        return label != when

    with pytest.raises(InterruptedError):
        export_process.export_qdpx_in_child(demo_file, outfile.Output(out), progress)
    assert when in labels
    assert list(out.parent.iterdir()) == []


_KILLED_CHILD = """
import os, signal, sys
from qualcoder_lite.core.services.refi import export_process, interop

write_qdpx = interop.write_qdpx


def dying_write(project, dest, origin, progress, **kw):
    def step(done, total, label):
        if label == "Finishing the archive":
            os.kill(os.getpid(), signal.SIGKILL)  # killed (out of memory) with its temporary file made
        return progress(done, total, label)

    return write_qdpx(project, dest, origin, step, **kw)


interop.write_qdpx = dying_write
sys.exit(export_process.main())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILL")
def test_a_killed_export_process_leaves_no_temporary_file(demo_file, tmp_path, monkeypatch):
    child = tmp_path / "child.py"
    child.write_text(_KILLED_CHILD, encoding="utf-8")
    monkeypatch.setattr(export_process, "_command", lambda: [sys.executable, str(child)])
    out = tmp_path / "out" / "killed.qdpx"
    out.parent.mkdir()
    with pytest.raises(QualCoderError, match="ended unexpectedly"):
        export_process.export_qdpx_in_child(demo_file, outfile.Output(out), lambda *a: True)
    assert list(out.parent.iterdir()) == []  # not only at the next start of the app


def test_the_child_does_not_import_from_the_apps_working_folder(demo_file, tmp_path, monkeypatch):
    planted = tmp_path / "cwd"
    planted.mkdir()
    marker = tmp_path / "planted-ran"
    for name in ("queue.py", "selectors.py", "zipfile.py"):
        (planted / name).write_text(f"open({str(marker)!r}, 'w').close()\nraise ImportError('planted')\n",
                                    encoding="utf-8")
    monkeypatch.chdir(planted)
    out = tmp_path / "ok.qdpx"
    export_process.export_qdpx_in_child(demo_file, outfile.Output(out), lambda *a: True)
    assert not marker.exists()
    assert zipfile.ZipFile(out).testzip() is None


def test_a_bundled_app_exports_in_its_own_process(demo_file, tmp_path, monkeypatch):
    """A frozen app's executable is no Python to start the child with (it would open the app
    again, or fail on "-m"): the export runs in this process, with the same result."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(export_process.subprocess, "Popen", lambda *a, **k: pytest.fail("a child was started"))
    out = tmp_path / "frozen.qdpx"
    report = export_process.export_qdpx_in_child(demo_file, outfile.Output(out), lambda *a: True, coder="alex")
    with open_project(demo_file, coder="alex") as project:
        expected = export_qdpx(project, tmp_path / "here.qdpx")
    assert report.summary() == expected.summary().replace("here.qdpx", "frozen.qdpx")
    assert [n for n, _ in _members(out)] == [n for n, _ in _members(tmp_path / "here.qdpx")]
