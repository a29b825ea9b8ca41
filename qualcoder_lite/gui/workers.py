"""Long work off the GUI thread: a worker opens its own connection to the project file
(an sqlite3 connection may not cross threads) with the same passphrase, and reports back
through queued signals; Cancel makes the progress callback say stop, and the core rolls
the whole step back."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ..core.errors import QualCoderError
from ..core.project import open_project


class WorkerSignals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)  # whatever the job returned
    failed = Signal(str)
    cancelled = Signal()


_running: set["TaskWorker"] = set()  # started and not yet stopped (keeps them alive, too)
_running_lock = threading.Lock()


class TaskWorker(QRunnable):
    """Runs ``task(progress)`` off the GUI thread; ``progress(done, total, label)`` returns
    False once Cancel was pressed, and the task then raises InterruptedError.
    ``what`` names the job in a question ("An import is running...")."""

    what = "A background task"

    def __init__(self, task: Callable, what: str | None = None):
        super().__init__()
        self.task = task
        self.signals = WorkerSignals()
        self._cancel = threading.Event()
        self._stopped = threading.Event()
        if what:
            self.what = what
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ``run`` has returned (its last signal is then queued); True if so."""
        return self._stopped.wait(timeout)

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def _progress(self, done: int, total: int, label: str) -> bool:
        self.signals.progress.emit(done, total, label)
        return not self._cancel.is_set()

    def run(self) -> None:
        try:
            self._run_task()
        finally:
            self._stopped.set()
            with _running_lock:
                _running.discard(self)

    def _run_task(self) -> None:
        try:
            result = self.task(self._progress)
        except InterruptedError:
            self.signals.cancelled.emit()
            return
        except QualCoderError as exc:
            self.signals.failed.emit(str(exc))
            return
        except OSError as exc:
            self.signals.failed.emit(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
            return
        self.signals.finished.emit(result)


class ProjectJob(TaskWorker):
    """Runs ``job(project, progress)`` on its own connection to ``project``'s file (same
    passphrase; no lock: this process already holds it for the open project)."""

    def __init__(self, project, job: Callable, read_only: bool = True, what: str | None = None):
        self.project_path: Path = project.path
        self.passphrase = project.passphrase
        self.coder = project.coder
        self.read_only = read_only
        self.job = job
        super().__init__(self._open_and_run, what)

    def _open_and_run(self, progress):
        with open_project(self.project_path, passphrase=self.passphrase, coder=self.coder,
                          read_only=self.read_only) as project:
            return self.job(project, progress)


def import_job(paths: list[Path], case_rule=None) -> Callable:
    """The import as a job: reads every file, then runs ImportSources; returns the command
    (with its recorded rows, so the GUI's undo stack can adopt it)."""

    def job(project, progress):
        from ..core.services.sources.importing import ImportSources, prepare

        prepared = prepare(paths, case_rule, progress=progress)
        cmd = ImportSources(prepared, progress)
        project.execute(cmd)
        return cmd

    return job


def with_progress(worker: TaskWorker, parent, title: str, object_name: str, done: Callable,
                  failed: Callable[[str], None], cancelled: Callable[[], None]):
    """A window-modal progress dialog for ``worker``, Cancel wired to it; ``done(result)``,
    ``failed(message)`` or ``cancelled()`` runs after the dialog has closed. Returns the
    dialog (keep it alive with the worker until the worker reports)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QProgressDialog

    progress = QProgressDialog(f"{title}…", "Cancel", 0, 0, parent)
    progress.setObjectName(object_name)
    progress.setWindowTitle(title)
    progress.setMinimumDuration(300)
    progress.setWindowModality(Qt.WindowModal)
    progress.canceled.connect(worker.cancel)

    def on_progress(n: int, total: int, label: str) -> None:
        progress.setMaximum(max(total, 1))
        progress.setValue(min(n, max(total, 1)))
        progress.setLabelText(label)

    def closing(then: Callable) -> Callable:
        def handler(*args) -> None:
            progress.close()
            then(*args)

        return handler

    worker.signals.progress.connect(on_progress)
    worker.signals.finished.connect(closing(done))
    worker.signals.failed.connect(closing(failed))
    worker.signals.cancelled.connect(closing(cancelled))
    return progress


def start(worker: QRunnable) -> None:
    if isinstance(worker, TaskWorker):
        with _running_lock:
            _running.add(worker)
    QThreadPool.globalInstance().start(worker)


def running() -> list[TaskWorker]:
    """The jobs started with ``start`` that have not stopped yet (queued ones included)."""
    with _running_lock:
        return [w for w in _running if not w.stopped]


def stop(jobs: list[TaskWorker]) -> None:
    """Cancel ``jobs`` and wait until each has stopped (a cancelled job rolls its step
    back: the project holds all of it or none), then deliver their last reports while
    their receivers still exist. The window repaints meanwhile; user input waits."""
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, Qt
    from PySide6.QtGui import QGuiApplication

    for job in jobs:
        job.cancel()
    QGuiApplication.setOverrideCursor(Qt.WaitCursor)
    try:
        for job in jobs:
            while not job.wait(0.05):
                QCoreApplication.processEvents(QEventLoop.ExcludeUserInputEvents, 50)
    finally:
        QGuiApplication.restoreOverrideCursor()
    QCoreApplication.sendPostedEvents(None, QEvent.MetaCall)
