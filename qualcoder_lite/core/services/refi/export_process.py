"""``export_qdpx`` in a process of its own (the app's File ▸ Export ▸ REFI-QDA project).

At ten times the data an export reads 200,000 codings, renders ~60 MB of XML and compresses
100 MB of text on three threads for several seconds. In the app's process those threads hand
the GIL to each other thousands of times a second, and the GUI thread, waiting its turn,
could not repaint for 60-110 ms at a time. In a child process the export shares nothing with
the window: the calling thread only relays progress and Cancel.

Between the two (pickles on the child's standard input and output):

* parent -> child: the request (``_Request``), then ``b"c"`` when Cancel is pressed. The end
  of the input (the app has gone) is a cancel too, seen at the export's next progress call;
  ``b"g"`` answers a ``confirm`` (go on);
* child -> parent: ``("progress", done, total, label)`` for each progress call, except the
  last before the archive is renamed into place (``qdpx_write.LAST_STEP``), which is
  ``("confirm", done, total, label)`` and waits for the answer (``b"g"`` or ``b"c"``): a
  Cancel pressed at any time before it keeps the archive out. Then one of
  ``("done", report)``, ``("cancelled",)``, ``("failed", message)`` (a ``QualCoderError``),
  ``("oserror", errno, strerror, filename, message)`` or ``("crashed", traceback)``.

The child opens the project as the app's jobs do (read-only, no lock: the app holds it) and
writes the archive through ``outfile`` as ever (a temporary file beside the target, renamed
into place when complete; a killed export leaves the target as it was). The output is
checked here as well first: ``outfile.check`` knows the files this process has open.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable

from ... import outfile
from ...errors import QualCoderError

Progress = Callable[[int, int, str], bool]

CANCEL, GO = b"c", b"g"
#: how often the relay asks ``progress`` whether Cancel was pressed while the child is quiet
POLL_S = 0.1


@dataclass(frozen=True)
class _Request:
    project: Path
    passphrase: str | None
    coder: str | None
    out: outfile.Output
    target: str


class ExportCrashed(Exception):
    """The export process stopped with an unexpected error (a bug): its traceback."""


def export_qdpx_in_child(project: str | Path, out: outfile.Output, progress: Progress | None = None,
                         target: str = "standard", passphrase: str | None = None, coder: str | None = None):
    """``interop.export_qdpx`` of the project file ``project`` (opened read-only) in a child
    process; returns its ``ExportReport`` and raises what it raised (a ``QualCoderError`` or
    ``OSError`` with the same message, ``InterruptedError`` for a cancel)."""
    outfile.check(out)
    request = _Request(Path(project), passphrase, coder, out, target)
    if getattr(sys, "frozen", False):  # a bundled app: its executable is no Python to run the child with
        return _result(_export(request, progress or (lambda *_a: True)), 0)
    proc = subprocess.Popen(_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_environment(),
                            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
    assert proc.stdin is not None and proc.stdout is not None
    outcome = None
    messages: queue.Queue = queue.Queue()
    reader = threading.Thread(target=_read, args=(proc.stdout, messages), name="qdpx-export-relay", daemon=True)
    reader.start()
    try:
        try:
            data = pickle.dumps(request, pickle.HIGHEST_PROTOCOL)
            proc.stdin.write(len(data).to_bytes(8, "little") + data)
            proc.stdin.flush()
        except OSError:
            pass  # the child has already stopped: its output (or its lack) says why
        outcome = _relay(proc, messages, reader, progress)
    finally:
        _close(proc.stdin)  # the end of its input: a child still running stops at its next step
        if outcome is None:
            proc.kill()  # it did not finish (or this thread was interrupted): nothing more from it
        proc.wait()
        reader.join()  # it has read to the end of the child's output
        proc.stdout.close()
        if outcome is None or outcome[0] == "ended":  # killed or crashed: its temporary file goes now
            outfile.sweep_stale_temps()
    return _result(outcome, proc.returncode)


def _command() -> list[str]:
    # -P: the app's working folder is not put on the child's path (a queue.py there would
    # run in the child); the package's own folder is, through PYTHONPATH (``_environment``)
    return [sys.executable, "-P", "-m", __name__]


def _environment() -> dict[str, str]:
    """This process's environment, with the folder this package was imported from first on
    the child's path (it runs the same code)."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[4])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def _relay(proc: subprocess.Popen, messages: queue.Queue, reader: threading.Thread,
           progress: Progress | None) -> tuple | None:
    """Pass the child's progress (read by ``reader`` into ``messages``) on until its outcome
    (None if it ended without one); a progress call that answers False sends the child a
    cancel."""
    assert proc.stdin is not None
    last: tuple | None = None
    cancelled = False
    while True:
        try:
            msg = messages.get(timeout=POLL_S)
        except queue.Empty:
            msg = None
        if msg is not None and msg[0] == "confirm":
            go = progress is None or bool(progress(*msg[1:]))
            cancelled = cancelled or not go
            try:
                proc.stdin.write(GO if go and not cancelled else CANCEL)
                proc.stdin.flush()
            except OSError:
                pass  # it has stopped meanwhile
            continue
        if msg is not None and msg[0] != "progress":
            return msg
        if msg is not None or last is not None:
            last = msg[1:] if msg is not None else last
            if progress is not None and not progress(*last) and not cancelled:  # type: ignore[misc]
                cancelled = True
                try:
                    proc.stdin.write(CANCEL)
                    proc.stdin.flush()
                except OSError:
                    pass  # it has stopped meanwhile
        if msg is None and not reader.is_alive() and messages.empty():
            return None


def _read(stream: IO[bytes], messages: queue.Queue) -> None:
    while True:
        try:
            msg = pickle.load(stream)
        except (EOFError, OSError, pickle.UnpicklingError):
            messages.put(("ended",))
            return
        messages.put(msg)


def _close(stream: IO[bytes]) -> None:
    try:
        stream.close()
    except OSError:
        pass  # the child has stopped: nothing was left to send


def _result(outcome: tuple | None, returncode: int | None):
    kind = outcome[0] if outcome is not None else "ended"
    if kind == "done":
        return outcome[1]  # type: ignore[index]
    if kind == "cancelled":
        raise InterruptedError("export cancelled")
    if kind == "failed":
        raise QualCoderError(outcome[1])  # type: ignore[index]
    if kind == "oserror":
        _, errno_, strerror, filename, message = outcome  # type: ignore[misc]
        exc = OSError(errno_, strerror) if errno_ is not None and strerror else OSError(message)
        exc.filename = filename
        raise exc
    if kind == "crashed":
        raise ExportCrashed(f"the export process stopped with an error:\n{outcome[1]}")  # type: ignore[index]
    raise QualCoderError(f"the export process ended unexpectedly (exit code {returncode}); nothing was written")


# ----------------------------------------------------------------------------- the child
def main() -> int:
    # the input is read unbuffered: the listening thread, blocked in a read when the export
    # ends, must hold no lock of a buffered reader (shutting down would wait for it)
    requests, replies = sys.stdin.fileno(), sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print cannot garble the replies
    request: _Request = pickle.loads(_read_exactly(requests, int.from_bytes(_read_exactly(requests, 8), "little")))
    stop, answered = threading.Event(), threading.Event()
    threading.Thread(target=_listen, args=(requests, stop, answered), daemon=True).start()
    lock = threading.Lock()

    def send(msg: tuple) -> None:
        with lock:
            pickle.dump(msg, replies, pickle.HIGHEST_PROTOCOL)
            replies.flush()

    def progress(done: int, total: int, label: str) -> bool:
        from .qdpx_write import LAST_STEP

        last = label == LAST_STEP
        answered.clear()
        try:
            send(("confirm" if last else "progress", done, total, label))
        except OSError:
            raise InterruptedError("the app has gone") from None
        # set by a go, a cancel or the end of the input; a cancel that came before the
        # clear above has set ``stop`` already (the listener sets it first)
        while last and not stop.is_set() and not answered.wait(POLL_S):
            pass
        return not stop.is_set()

    outcome = _export(request, progress)
    try:
        send(outcome)
    except OSError:
        return 1  # the app has gone
    return 0


def _read_exactly(fd: int, n: int) -> bytes:
    data = b""
    while len(data) < n:
        got = os.read(fd, n - len(data))
        if not got:
            raise EOFError("the app stopped before it sent the whole request")
        data += got
    return data


def _listen(requests: int, stop: threading.Event, answered: threading.Event) -> None:
    """A cancel from the app, or the end of the input (the app has gone): ``stop``; any
    answer (a go as well): ``answered``."""
    try:
        while (got := os.read(requests, 1)) not in (CANCEL, b""):
            if got == GO:
                answered.set()
    except OSError:
        pass  # the same as the end of the input
    stop.set()
    answered.set()


def _export(request: _Request, progress: Progress) -> tuple:
    from ...project import open_project
    from .interop import export_qdpx

    try:
        with open_project(request.project, passphrase=request.passphrase, coder=request.coder,
                          read_only=True) as project:
            return ("done", export_qdpx(project, request.out, progress, target=request.target))
    except InterruptedError:
        return ("cancelled",)
    except QualCoderError as exc:
        return ("failed", str(exc))
    except OSError as exc:
        return ("oserror", exc.errno, exc.strerror, exc.filename, str(exc))
    except Exception:  # noqa: BLE001 - a bug: its traceback goes to the app, which shows it
        details = traceback.format_exc()
        sys.stderr.write(details)
        return ("crashed", details)


if __name__ == "__main__":
    sys.exit(main())
