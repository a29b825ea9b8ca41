"""The one way the desktop app runs work (the shape of Anki's ``CollectionOp``)::

    Job(parent, fn, project=ctx.project).success(show).with_progress("Exporting").run()

``fn(project, progress)`` runs on a thread of the pool with its OWN connection to the
project's file (an sqlite3 connection may not cross threads; same passphrase, no lock: this
process holds it already). ``progress(done, total, label)`` returns False once Cancel was
pressed; the work then raises InterruptedError and the core rolls its step back. Without a
project, ``fn(progress)`` gets the callback alone (a file operation, a new project).

The callbacks run on the GUI thread, after the progress dialog has closed:
``success(result)``; ``failure(message)`` for a ``QualCoderError`` or ``OSError`` (a clear
message naming the file and reason; by default shown in a warning); ``cancelled()``. Any
other exception is a bug: an error dialog (object name ``jobError``) shows it with the
traceback, which also goes to stderr; it is never swallowed.

``writes(ctx)`` opens a writable connection; a ``Command`` the job returns that changed the
project goes on ``ctx``'s undo stack (undo notices, "what changed") before ``success``. If
Cancel came too late to stop such a command, the worker undoes it: a cancelled job leaves
the project as it was. A project without a file (in memory) runs its job on the spot.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
import time
import traceback
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from ..core.commands import Command
from ..core.errors import QualCoderError


class JobSignals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)  # whatever the job returned
    failed = Signal(str)
    crashed = Signal(str)  # an unexpected exception, with its traceback
    cancelled = Signal()


#: the progress dialog is redrawn at most this often (a job may report thousands of steps a second)
SHOW_EVERY_S = 0.04


class _ThrottledProgress:
    """A job's progress on its dialog, at most every ``SHOW_EVERY_S``: the latest report wins,
    and a report that comes sooner is shown when that time is up, so the dialog never lags
    the job by more. (A window-modal ``QProgressDialog.setValue`` runs the event loop: one per
    report, a job with thousands of steps kept the GUI thread busy for hundreds of ms in a
    row, with each of those calls nested in the one before.)"""

    def __init__(self, dialog):
        self.dialog = dialog
        self.latest: tuple[int, int, str] | None = None
        self.shown_at = -SHOW_EVERY_S
        self.timer = QTimer(dialog)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.show)

    def report(self, n: int, total: int, text: str) -> None:
        self.latest = (n, total, text)
        wait = SHOW_EVERY_S - (time.monotonic() - self.shown_at)
        if wait <= 0:
            self.show()
        elif not self.timer.isActive():
            self.timer.start(int(wait * 1000) + 1)

    def show(self) -> None:
        if self.latest is None:
            return
        n, total, text = self.latest
        self.latest = None
        self.shown_at = time.monotonic()
        dialog = self.dialog
        top = max(total, 1)
        if dialog.maximum() != top:
            dialog.setMaximum(top)
        if dialog.labelText() != text:
            dialog.setLabelText(text)
        dialog.setValue(min(n, top))  # last: it may run the event loop (a later report waits)


_running: set["Worker"] = set()  # started and not yet stopped (keeps them alive, too)
_running_lock = threading.Lock()


_NO_FULL_COLLECTIONS = 1 << 30  # the oldest generation's threshold while a job runs
_collector_lock = threading.Lock()
_collector = {"jobs": 0, "saved": None}  # jobs running; the thresholds to restore after the last


@contextlib.contextmanager
def young_collections_only():
    """While any job runs, the cyclic garbage collector collects its young generations
    only. A full collection walks every object of the process (~20-40 ms for the window's
    own at 10x, hundreds of ms with a job's rows) in one C call that holds the GIL, so the
    GUI thread cannot turn meanwhile; a job that builds many rows set off several. Young
    collections still free the cycles that die young; the thresholds come back when the
    last job stops (one full collection then catches up, as it would have anyway)."""
    with _collector_lock:
        if _collector["jobs"] == 0:
            saved = gc.get_threshold()
            _collector["saved"] = saved
            if saved[0]:  # a threshold of 0 turns the collector off: left as it is
                gc.set_threshold(saved[0], saved[1], _NO_FULL_COLLECTIONS)
        _collector["jobs"] += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector["jobs"] -= 1
            saved = _collector["saved"]
            if _collector["jobs"] == 0 and saved is not None and gc.get_threshold()[2] == _NO_FULL_COLLECTIONS:
                gc.set_threshold(*saved)  # unless someone set other thresholds meanwhile


def _message(exc: BaseException) -> str | None:
    """The one-line message of an expected failure; None for a bug."""
    if isinstance(exc, QualCoderError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")
    return None


class Worker(QRunnable):
    """Runs ``task(progress)`` off the GUI thread and reports through queued signals.
    ``what`` names the job in a question ("An import is running...")."""

    def __init__(self, task: Callable, what: str = "A background task"):
        super().__init__()
        self.task = task
        self.what = what
        self.signals = JobSignals()
        self.thread: threading.Thread | None = None  # the thread it ran on (tests look)
        self.background = False  # finished, not cancelled, when the project closes (``Job.in_background``)
        self.idle = False  # cancelled without asking when the project closes (``Job.when_idle``)
        self._cancel = threading.Event()
        self._stopped = threading.Event()
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ``run`` has returned (its last signal is then queued); True if so."""
        return self._stopped.wait(timeout)

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def progress(self, done: int, total: int, label: str) -> bool:
        self.signals.progress.emit(done, total, label)
        return not self._cancel.is_set()

    def run(self) -> None:
        self.thread = threading.current_thread()
        try:
            with young_collections_only():
                self._run_task()
        finally:
            self._stopped.set()
            with _running_lock:
                _running.discard(self)

    def _run_task(self) -> None:
        try:
            result = self.task(self.progress)
        except InterruptedError:
            self.signals.cancelled.emit()
            return
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none swallowed
            message = _message(exc)
            if message is None:
                details = traceback.format_exc()
                print(details, file=sys.stderr)
                self.signals.crashed.emit(details)
            else:
                self.signals.failed.emit(message)
            return
        if self._cancel.is_set():
            self.signals.cancelled.emit()
            return
        self.signals.finished.emit(result)


def project_task(project, fn: Callable, writes: bool, cancelled: Callable[[], bool]) -> Callable:
    """``fn(own, progress)`` on a connection of its own to ``project``'s file; a command
    that ran although Cancel was pressed is undone there."""
    from ..core.errors import ProjectError
    from ..core.project import open_project

    path, passphrase, coder = project.path, project.passphrase, project.coder
    refused = writes and project.read_only  # another program holds the lock: write nothing

    def task(progress):
        if refused:
            raise ProjectError(path, "is open read-only; nothing was changed")
        with open_project(path, passphrase=passphrase, coder=coder, read_only=not writes) as own:
            result = fn(own, progress)
            if cancelled():
                if isinstance(result, Command) and result.changed_anything:
                    own.undo(result)
                raise InterruptedError("cancelled")
            return result

    return task


def start(worker: Worker) -> None:
    with _running_lock:
        _running.add(worker)
    QThreadPool.globalInstance().start(worker)


def running() -> list[Worker]:
    """The jobs started that have not stopped yet (queued ones included)."""
    with _running_lock:
        return [w for w in _running if not w.stopped]


def stop(jobs: list[Worker]) -> None:
    """Cancel ``jobs`` and wait until each has stopped (a cancelled job rolls its step
    back: the project holds all of it or none), then deliver their last reports while
    their receivers still exist. The window repaints meanwhile; user input waits. A
    background job (the automatic backup) is not cancelled: it is waited for."""
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, Qt
    from PySide6.QtGui import QGuiApplication

    for job in jobs:
        if not job.background:
            job.cancel()
    QGuiApplication.setOverrideCursor(Qt.WaitCursor)
    try:
        for job in jobs:
            while not job.wait(0.05):
                QCoreApplication.processEvents(QEventLoop.ExcludeUserInputEvents, 50)
    finally:
        QGuiApplication.restoreOverrideCursor()
    QCoreApplication.sendPostedEvents(None, QEvent.MetaCall)


class Job:
    """A job built in steps: ``Job(parent, fn, project=...)``, then ``success``,
    ``failure``, ``cancelled``, ``writes``, ``with_progress``, and ``run()`` last."""

    def __init__(self, parent, fn: Callable, project=None, what: str = "A background task"):
        self.parent = parent
        self.fn = fn
        self.project = project
        self.what = what
        self.worker: Worker | None = None
        self.dialog = None  # the progress dialog, if any
        self.error_box = None  # the error shown last, if any (tests read it)
        self._ctx = None
        self._success: Callable = lambda _result: None
        self._failure: Callable[[str], None] | None = None
        self._cancelled: Callable[[], None] = lambda: None
        self._progress: tuple[str, bool, str] | None = None
        self._always: Callable[[], None] = lambda: None
        self._background = False
        self._idle = False
        self.reported = False  # True once the job's report (success, failure...) has run
        self.result = None  # what the job returned, once it succeeded

    # -- building ---------------------------------------------------------------------
    def success(self, cb: Callable) -> "Job":
        self._success = cb
        return self

    def failure(self, cb: Callable[[str], None]) -> "Job":
        self._failure = cb
        return self

    def cancelled(self, cb: Callable[[], None]) -> "Job":
        self._cancelled = cb
        return self

    def always(self, cb: Callable[[], None]) -> "Job":
        """Run ``cb()`` last, after the outcome's callback, whatever it was (a crash too)."""
        self._always = cb
        return self

    def writes(self, ctx) -> "Job":
        """Write on ``ctx``'s project; a command returned goes on its undo stack."""
        self._ctx = ctx
        self.project = ctx.project
        return self

    def in_background(self) -> "Job":
        """A job the user did not ask for and is not asked about (the automatic backup):
        closing the project or quitting waits for it to finish instead of cancelling it."""
        self._background = True
        return self

    def when_idle(self) -> "Job":
        """Upkeep the user did not ask for and loses nothing by stopping (search postings):
        closing the project or quitting cancels it without asking."""
        self._idle = True
        return self

    def with_progress(self, label: str, cancellable: bool = True, object_name: str = "jobProgress") -> "Job":
        self._progress = (label, cancellable, object_name)
        return self

    # -- running ----------------------------------------------------------------------
    def run(self, start_now: bool = True) -> "Job":
        """Start the job (with ``start_now=False`` the caller starts ``self.worker``,
        e.g. after connecting to its signals)."""
        if self.project is not None and self.project.path is None:
            self._run_here()
            return self
        writes = self._ctx is not None
        if self.project is None:
            task = self.fn
        else:
            task = project_task(self.project, self.fn, writes, lambda: worker.cancel_requested)
        worker = self.worker = Worker(task, self.what)
        worker.background = self._background
        worker.idle = self._idle
        worker.signals.finished.connect(self._closing(self._done))
        worker.signals.failed.connect(self._closing(self._failed))
        worker.signals.crashed.connect(self._closing(self._crashed))
        worker.signals.cancelled.connect(self._closing(self._cancelled))
        if self._progress is not None:
            self.dialog = self._progress_dialog(*self._progress)
        _keep.add(self)
        worker.signals.finished.connect(lambda *_a: _keep.discard(self))
        for sig in (worker.signals.failed, worker.signals.crashed, worker.signals.cancelled):
            sig.connect(lambda *_a: _keep.discard(self))
        if start_now:
            start(worker)
        return self

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker has stopped (its reports are then queued)."""
        return self.worker is None or self.worker.wait(timeout)

    def _run_here(self) -> None:
        """An in-memory project cannot be opened twice: its job runs on the spot."""
        try:
            result = self.fn(self.project, None)
        except InterruptedError:
            self._closing(self._cancelled)()
        except (QualCoderError, OSError) as exc:
            self._closing(self._failed)(_message(exc))
        else:
            self._closing(self._done)(result)

    def _closing(self, then: Callable) -> Callable:
        def handler(*args) -> None:
            if self.dialog is not None:
                self.dialog.close()
                self.dialog.deleteLater()
            try:
                then(*args)
            finally:
                try:
                    self._always()
                finally:
                    self.reported = True

        return handler

    def _progress_dialog(self, label: str, cancellable: bool, object_name: str):
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QProgressDialog

        dialog = QProgressDialog(f"{label}…", "Cancel" if cancellable else None, 0, 0, self.parent)
        dialog.setObjectName(object_name)
        dialog.setWindowTitle(label)
        dialog.setMinimumDuration(300)
        dialog.setWindowModality(Qt.WindowModal)
        if cancellable:
            dialog.canceled.connect(self.worker.cancel)

        self.shown_progress = _ThrottledProgress(dialog)  # held here: a connection holds no reference
        self.worker.signals.progress.connect(self.shown_progress.report)
        return dialog

    # -- reports (GUI thread) ---------------------------------------------------------
    def _done(self, result) -> None:
        self.result = result
        ctx = self._ctx
        if ctx is not None and isinstance(result, Command):
            if ctx.project is not self.project:  # closed meanwhile: the file has the change
                return
            ctx.adopt(result)
        self._success(result)

    def _failed(self, message: str) -> None:
        if self._failure is not None:
            self._failure(message)
            return
        show = getattr(self._window(), "show_error", None)
        if show is not None:
            show(f"{self.what} failed", message)
        else:
            self._box("warning", f"{self.what} failed", message, None)

    def _crashed(self, details: str) -> None:
        last = details.strip().splitlines()[-1] if details.strip() else "unknown error"
        self._box("critical", f"{self.what} stopped with an error",
                  f"{self.what} stopped with an unexpected error; nothing more was done.\n\n{last}", details)

    def _window(self):
        return self.parent.window() if self.parent is not None else None

    def _box(self, kind: str, title: str, text: str, details: str | None) -> None:
        from PySide6.QtWidgets import QMessageBox

        icon = QMessageBox.Critical if kind == "critical" else QMessageBox.Warning
        box = QMessageBox(icon, title, text, QMessageBox.Ok, self.parent)
        box.setObjectName("jobError")
        if details:
            box.setDetailedText(details)
        self.error_box = box
        box.open()


_keep: set[Job] = set()  # jobs whose worker has not reported yet (keeps their callbacks alive)
