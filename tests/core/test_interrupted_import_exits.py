"""An interrupted import ends: SIGINT sent to the command-line process alone (kill -INT PID,
not Ctrl-C to its process group, so the workers are not interrupted too) exits with 130,
says truly whether the import had been saved and leaves no worker behind. A worker stopped in the middle of sending a
result must not leave the pool's manager thread waiting for the rest for ever: the
interpreter's exit joins that thread (``reading._stop_now``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from qualcoder_lite.core.project import open_project
from tests.core.test_workers_end_with_the_app import _descendants, _left_after

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir() or sys.platform != "linux" or (os.cpu_count() or 1) < 2,
                                reason="the import's worker pool runs on Linux with several CPUs; reads /proc")

_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}

_HALF_SENT = textwrap.dedent("""
    import os, struct, sys, time
    from concurrent.futures import ProcessPoolExecutor
    from qualcoder_lite.core.services.sources import reading

    if __name__ == "__main__":
        pool = ProcessPoolExecutor(max_workers=2, mp_context=reading._context(), initializer=reading._worker_start)
        assert pool.submit(os.getpid).result() != os.getpid()
        busy = pool.submit(time.sleep, 60)  # a worker still reading a file
        # what a worker stopped while sending a result leaves in the pool's result pipe: the
        # header of a 1,000-byte message and 10 bytes of it
        os.write(pool._result_queue._writer.fileno(), struct.pack("!i", 1000) + b"x" * 10)
        time.sleep(0.5)  # the pool's manager thread now waits for the other 990 bytes
        reading._stop_now(pool)
        print("STOPPED", flush=True)
        sys.exit(0)  # the interpreter's exit joins the manager thread
""")


def test_a_pool_stopped_while_a_result_was_half_sent_lets_the_program_exit(tmp_path):
    script = tmp_path / "app.py"
    script.write_text(_HALF_SENT, encoding="utf-8")
    app = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env=_ENV)
    try:
        out, err = app.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        workers = _descendants(app.pid)
        app.kill()
        app.communicate()
        _left_after(workers, 0)
        pytest.fail("the program never exited: its pool's manager thread waits for the rest of a result")
    assert app.returncode == 0, err
    assert out.strip() == "STOPPED"


def test_sigint_to_the_process_alone_ends_an_import_with_130_and_nothing_changed(tmp_path):
    proj = tmp_path / "p.qlite"
    run = [sys.executable, "-m", "qualcoder_lite"]
    env = {**_ENV, "QUALCODER_LITE_DATA_DIR": str(tmp_path / "data"),
           "QUALCODER_LITE_CONFIG_DIR": str(tmp_path / "config")}
    assert subprocess.run([*run, "new", str(proj)], env=env, capture_output=True, timeout=60).returncode == 0
    files = tmp_path / "files"
    files.mkdir()
    for i in range(60):
        (files / f"P{i:02}.txt").write_text(f"Interviewer: question {i}?\n\nP{i}: " + "we talk about practice and "
                                            "referrals, waiting lists, link workers " * 4_000, encoding="utf-8")
    app = subprocess.Popen([*run, "import", str(proj), *map(str, sorted(files.iterdir()))], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers: set[int] = set()
    deadline = time.monotonic() + 30
    while len(workers) < 2 and app.poll() is None and time.monotonic() < deadline:
        workers |= _descendants(app.pid)
        time.sleep(0.05)
    time.sleep(0.5)  # the workers are reading and sending their results
    assert app.poll() is None and workers, "the import ended before it could be interrupted"
    os.kill(app.pid, signal.SIGINT)  # to the process alone: its workers are not interrupted
    try:
        _out, err = app.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        workers |= _descendants(app.pid)
        app.kill()
        app.communicate()
        _left_after(workers, 0)
        pytest.fail("the interrupted import never exited")
    assert app.returncode == 130, err
    assert _left_after(workers, 5) == []  # none left behind
    with open_project(proj) as p:
        saved = p.sources.count()
    # a fast machine may have committed the import before the signal came: the message
    # must then say so (tests/cli/test_interrupt_message.py makes each case happen on purpose)
    if "interrupted; nothing was changed" in err:
        assert saved == 0
    else:
        assert "interrupted after the change was saved" in err
        assert saved == 60
