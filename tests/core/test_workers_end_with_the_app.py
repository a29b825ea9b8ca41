"""Worker processes of an import end when the app that made them is killed (kill -9 never
shuts a pool down; an idle worker would otherwise wait on its queue for ever, holding a copy
of the app's memory, transcripts included)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir() or sys.platform != "linux",
                                reason="reads process states from /proc")

_APP = textwrap.dedent("""
    import os, time
    from concurrent.futures import ProcessPoolExecutor
    from qualcoder_lite.core.services.sources import reading

    if __name__ == "__main__":
        pool = ProcessPoolExecutor(max_workers=2, mp_context=reading._context(), initializer=reading._worker_start)
        pids = set()
        for _ in range(50):
            pids |= {f.result() for f in [pool.submit(os.getpid) for _ in range(4)]}
            if len(pids) == 2:
                break
        print(" ".join(map(str, sorted(pids))), flush=True)
        time.sleep(120)  # killed here, its workers idle on the pool's queue
""")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has ended (its new parent may not reap it)


def _left_after(pids, seconds: float = 20) -> list[int]:
    """Those of ``pids`` still alive after up to ``seconds`` (killed, so none is left behind)."""
    deadline = time.monotonic() + seconds
    while any(map(_alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in pids if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


def test_idle_import_workers_end_when_the_app_is_killed(tmp_path):
    script = tmp_path / "app.py"
    script.write_text(_APP, encoding="utf-8")
    app = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                           env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        line = app.stdout.readline()
        workers = [int(x) for x in line.split()]
        assert len(workers) == 2 and all(map(_alive, workers))
    finally:
        app.send_signal(signal.SIGKILL)
        app.wait()
    assert _left_after(workers) == []


_JOB_APP = textwrap.dedent("""
    import sys, threading, time
    from pathlib import Path
    from qualcoder_lite.core.services.sources import reading

    def job():
        def progress(done, total, label):
            if done == 1:  # the workers are busy or waiting: the app is killed here
                print("READING", flush=True)
                time.sleep(120)
            return True
        for _ in reading.read_files(sorted(Path(sys.argv[1]).glob("*.txt")), progress=progress):
            pass

    if __name__ == "__main__":
        t = threading.Thread(target=job)  # a job thread, as the GUI's: the fork server's workers
        t.start()
        t.join()
""")


def _descendants(root: int) -> set[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        kids = {p for p, pp in parents.items() if pp == pid and p not in found}
        found |= kids
        todo.extend(kids)
    return found


def test_a_job_threads_import_leaves_no_process_when_the_app_is_killed(tmp_path):
    """The GUI's import runs on a job thread, whose workers come from a fork server: the
    server lives while any worker holds its pipe, so the workers must watch the app itself."""
    folder = tmp_path / "texts"
    folder.mkdir()
    for i in range(12):
        (folder / f"t{i:02}.txt").write_text(f"Interviewer: text {i}\nP1: " + "words we say " * 30_000, encoding="utf-8")
    script = tmp_path / "app.py"
    script.write_text(_JOB_APP, encoding="utf-8")
    app = subprocess.Popen([sys.executable, str(script), str(folder)], stdout=subprocess.PIPE, text=True,
                           env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        assert app.stdout.readline().strip() == "READING"
        family = _descendants(app.pid)
        assert len(family) >= 3, family  # the fork server and its workers (and the resource tracker)
    finally:
        app.send_signal(signal.SIGKILL)
        app.wait()
    assert _left_after(family) == []


_JOB_IMPORT = textwrap.dedent("""
    import sys, threading
    from pathlib import Path
    from qualcoder_lite.core.services.sources import reading

    def job():
        got = list(reading.read_files(sorted(Path(sys.argv[1]).glob("*.txt"))))
        print(len(got), flush=True)

    if __name__ == "__main__":
        t = threading.Thread(target=job)  # the fork server's workers
        t.start()
        t.join()
""")


def test_the_fork_server_does_not_import_from_the_apps_working_folder(tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    for i in range(10):
        (folder / f"t{i:02}.txt").write_text(f"P{i}: " + "words we say " * 20_000, encoding="utf-8")
    planted, marker = tmp_path / "cwd", tmp_path / "planted-ran"
    planted.mkdir()
    for name in ("queue.py", "selectors.py"):
        (planted / name).write_text(f"open({str(marker)!r}, 'w').close()\nraise ImportError('planted')\n",
                                    encoding="utf-8")
    script = tmp_path / "app.py"
    script.write_text(_JOB_IMPORT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    done = subprocess.run([sys.executable, str(script), str(folder)], cwd=planted, capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "10"
    assert not marker.exists()
