"""Real processes and real file systems for the fault-injection tests (no mocks).

* ``Holder``: a child Python process that holds a project the way the app does (its
  lock, its connection, background jobs through the GUI's ``jobs.Worker``), driven line
  by line over stdin, and killed with SIGKILL when the test says so.
* ``run_cli``: ``python -m qualcoder_lite ...`` in a child process.
* ``Paused``: a child that runs a core operation with a progress callback and stops at
  the n-th call (prints ``AT n label`` and waits), to be killed or resumed there.
* ``mounted``: a small tmpfs the test can fill up or remount read-only (root and
  ``mount`` needed; otherwise the test falls back or skips, as each one says).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Mrs Quenby-Fairweather told me about the Glenbrae surgery"


def env(**extra) -> dict:
    e = {k: v for k, v in os.environ.items() if k != "QUALCODER_LITE_PASSPHRASE"}
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e["QT_QPA_PLATFORM"] = "offscreen"
    e.update({k: str(v) for k, v in extra.items() if v is not None})
    return e


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def run_cli(*args, data_dir=None, passphrase=None, preexec_fn=None, cwd=None) -> Result:
    proc = subprocess.run([sys.executable, "-m", "qualcoder_lite", *map(str, args)], capture_output=True, text=True,
                          timeout=180, env=env(QUALCODER_LITE_DATA_DIR=data_dir, QUALCODER_LITE_PASSPHRASE=passphrase),
                          preexec_fn=preexec_fn, cwd=cwd)
    return Result(proc.returncode, proc.stdout, proc.stderr)


HOLDER = textwrap.dedent(r"""
    import json, sys, traceback
    from qualcoder_lite.core.errors import QualCoderError
    from qualcoder_lite.core.project import open_project

    project = None

    def job_export(out):
        # the GUI's background-job path: a worker opens its own connection (the header
        # check runs there) while this process holds the project
        from PySide6.QtCore import QCoreApplication, QThreadPool
        from qualcoder_lite.gui.jobs import Worker, project_task
        from qualcoder_lite.core.services.refi.interop import export_qdpx

        app = QCoreApplication.instance() or QCoreApplication([])
        results = []
        worker = Worker(project_task(project, lambda p, progress: export_qdpx(p, out, progress).summary(),
                                     writes=False, cancelled=lambda: False))
        worker.signals.finished.connect(results.append)
        worker.signals.failed.connect(lambda msg: results.append("failed: " + msg))
        QThreadPool.globalInstance().start(worker)
        QThreadPool.globalInstance().waitForDone()
        app.processEvents()
        return results

    def read_only_window():
        import threading
        out = []
        def look():
            with open_project(project.path, passphrase=project.passphrase, read_only=True) as q:
                out.append(q.codes.count())
        t = threading.Thread(target=look)
        t.start()
        t.join()
        return out

    def code(name):
        from qualcoder_lite.core.services.coding.codes import AddCode
        from qualcoder_lite.core.services.coding.coding import ApplyCode
        cmd = AddCode(name)
        project.execute(cmd)
        src = project.sources.all()[0]
        project.execute(ApplyCode(src.id, cmd.result, 0, 10))
        return project.codings.count() if hasattr(project.codings, "count") else None

    for line in sys.stdin:
        op, *args = json.loads(line)
        try:
            if op == "open":
                project = open_project(args[0], passphrase=args[1], lock=True)
                result = "opened"
            elif op == "job_export":
                result = job_export(args[0])
            elif op == "read_only_window":
                result = read_only_window()
            elif op == "import_self":  # the project file picked as a transcript to import
                from qualcoder_lite.core.services.sources.importing import import_files
                result = import_files(project, [args[0]]).summary()
            elif op == "code":
                result = code(args[0])
            elif op == "close":
                project.close()
                result = "closed"
            else:
                result = "unknown " + op
            print(json.dumps(["ok", result]), flush=True)
        except QualCoderError as exc:
            print(json.dumps(["error", str(exc)]), flush=True)
        except BaseException:
            print(json.dumps(["crash", traceback.format_exc()]), flush=True)
""")


class Holder:
    """A child process holding a project like the app does."""

    def __init__(self, data_dir=None):
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env(QUALCODER_LITE_DATA_DIR=data_dir))

    def ask(self, *cmd):
        self.proc.stdin.write(json.dumps([str(c) if isinstance(c, Path) else c for c in cmd]) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, f"holder died: {self.proc.stderr.read()}"
        status, result = json.loads(line)
        assert status != "crash", result
        return [status, result]

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=60)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


PAUSED = textwrap.dedent(r"""
    import json, sys
    from qualcoder_lite.core.errors import QualCoderError
    op, point = sys.argv[1], int(sys.argv[2])
    args = json.loads(sys.argv[3])
    calls = {"n": 0}

    def progress(done, total, label):
        calls["n"] += 1
        if point == 0 or calls["n"] == point:  # 0: stop at every call
            print("AT", calls["n"], label, flush=True)
            sys.stdin.readline()  # the test kills us here, or says go on
        return True

    try:
        if op in ("encrypt", "decrypt", "restore"):
            from qualcoder_lite.core.services.privacy import projectfile
            if op == "encrypt":
                report = projectfile.encrypt_project(args["path"], args["passphrase"], progress=progress)
            elif op == "decrypt":
                report = projectfile.decrypt_project(args["path"], args["passphrase"], progress=progress)
            else:
                backup = projectfile.choose_backup(args["path"], args.get("backup"))
                report = projectfile.restore_project(args["path"], backup, passphrase=args.get("passphrase"),
                                                     progress=progress)
            result = report.summary()
        elif op == "import-qdpx":
            from qualcoder_lite.core.services.refi.interop import import_qdpx
            result = import_qdpx(args["src"], args["target"], progress=progress).project_file
        else:
            raise SystemExit("unknown op " + op)
    except QualCoderError as exc:
        print("ERROR", exc, flush=True)
        raise SystemExit(1)
    print("DONE", result, flush=True)
""")


class Paused:
    """Run ``op`` in a child that stops at its ``point``-th progress call."""

    def __init__(self, op: str, point: int, data_dir=None, **args):
        self.proc = subprocess.Popen([sys.executable, "-c", PAUSED, op, str(point), json.dumps(
            {k: str(v) if isinstance(v, Path) else v for k, v in args.items()})], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(QUALCODER_LITE_DATA_DIR=data_dir))
        self.first = self.proc.stdout.readline().strip()

    @property
    def paused(self) -> bool:
        return self.first.startswith("AT ")

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=60)

    def resume(self) -> str:
        """Go on to the next stop (point 0); returns its line: ``AT n label``, ``DONE ...``
        or ``ERROR ...``."""
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        self.first = self.proc.stdout.readline().strip()
        return self.first

    def finish(self) -> str:
        """Let it go on; returns its last line (DONE ... or ERROR ...)."""
        if self.paused:
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
        out, err = self.proc.communicate(timeout=120)
        lines = [line for line in ([self.first] + out.splitlines()) if line.strip()]
        return lines[-1] if lines else err

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


def counts(path, passphrase=None) -> dict:
    """Row counts of the main tables, after an integrity check (plain or encrypted)."""
    if passphrase:
        import sqlcipher3

        conn = sqlcipher3.connect(str(path))
        conn.execute(f"PRAGMA key = '{passphrase}'")
    else:
        conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("sources", "cases", "codes", "codings")}
    finally:
        conn.close()


def is_plain_sqlite(path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"


# ----------------------------------------------------------------------------- file systems
def can_mount() -> bool:
    """Root with a working ``mount`` (QCL_TESTS_NO_MOUNT=1 tries the fallbacks instead)."""
    if os.environ.get("QCL_TESTS_NO_MOUNT") or os.name != "posix" or os.geteuid() != 0:
        return False
    probe = Path(f"/tmp/qcl-mount-probe-{os.getpid()}")
    probe.mkdir(exist_ok=True)
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
                            capture_output=True).returncode == 0
        if ok:
            subprocess.run(["umount", str(probe)], check=True)
        return ok
    except FileNotFoundError:
        return False
    finally:
        probe.rmdir()


@contextlib.contextmanager
def mounted(where: Path, size: str):
    """A tmpfs of ``size`` at ``where`` for the duration (root only)."""
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


def remount(where: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(where)], check=True)


def fill(folder: Path) -> Path:
    """Fill the file system holding ``folder`` to the last byte."""
    filler = folder / "filler.bin"
    block = b"\0" * 65536
    with open(filler, "wb", buffering=0) as fh:
        with contextlib.suppress(OSError):
            while True:
                fh.write(block)
                fh.flush()
    with open(filler, "ab", buffering=0) as fh:  # the last partial block
        for size in (4096, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * size)
                    fh.flush()
    return filler


def _others_can_run_python() -> bool:
    import sysconfig

    for path in (os.path.realpath(sys.executable), sysconfig.get_paths()["stdlib"], str(ROOT)):
        p = Path(path)
        for folder in [p, *p.parents]:
            mode = os.stat(folder).st_mode
            if folder.is_dir() and not mode & 0o001:
                return False
    return True


def _drop_to_nobody() -> None:  # runs in the child between fork and exec
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)


@contextlib.contextmanager
def read_only_folder(where: Path, prepare):
    """A folder whose files cannot be written, made by ``prepare(folder)`` first; yields
    ``(folder, preexec_fn)`` for the child processes that must meet it read-only: a
    tmpfs remounted read-only (root with mount), else a chmod 0555 folder, with the
    children dropping root rights (root ignores chmod)."""
    if can_mount():
        with mounted(where, "16m") as folder:
            prepare(folder)
            remount(folder, "ro")
            try:
                yield folder, None
            finally:
                remount(folder, "rw")
        return
    is_root = os.geteuid() == 0
    if is_root and not _others_can_run_python():
        import pytest

        pytest.skip("no mount, and user nobody cannot run this Python (it lives in a private folder)")
    where.mkdir(parents=True, exist_ok=True)
    prepare(where)
    if is_root:  # the children run as nobody: everything they need must be readable
        for p in [where, *where.rglob("*")]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        parent = where.parent
        while parent != parent.parent:  # pytest's tmp folders are 0700
            os.chmod(parent, (os.stat(parent).st_mode & 0o7777) | 0o005)
            parent = parent.parent
    os.chmod(where, 0o555)
    try:
        yield where, (_drop_to_nobody if is_root else None)
    finally:
        os.chmod(where, 0o755)


def _small_file_limit() -> None:  # runs in the child between fork and exec
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))


@contextlib.contextmanager
def full_disk(where: Path, prepare):
    """A folder on a disk with no free space (a small tmpfs filled up, root with mount), or
    else a normal folder whose child processes may not write more than 16 KB into any file
    (RLIMIT_FSIZE, SIGXFSZ ignored). ``prepare(folder)`` runs before the disk is full;
    yields ``(folder, preexec_fn, filler)``; ``filler`` (None with the limit) frees it."""
    if can_mount():
        with mounted(where, "6m") as folder:
            prepare(folder)
            filler = fill(folder)
            yield folder, None, filler
        return
    where.mkdir(parents=True, exist_ok=True)
    prepare(where)
    yield where, _small_file_limit, None
