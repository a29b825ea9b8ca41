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


class ProjectJob(QRunnable):
    """Runs ``job(project, progress)`` on its own connection to ``project``'s file."""

    def __init__(self, project, job: Callable, read_only: bool = True):
        super().__init__()
        self.project_path: Path = project.path
        self.passphrase = project.passphrase
        self.coder = project.coder
        self.read_only = read_only
        self.job = job
        self.signals = WorkerSignals()
        self._cancel = threading.Event()
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self._cancel.set()

    def _progress(self, done: int, total: int, label: str) -> bool:
        self.signals.progress.emit(done, total, label)
        return not self._cancel.is_set()

    def run(self) -> None:
        try:
            # No lock here: this process already holds it for the open project.
            with open_project(self.project_path, passphrase=self.passphrase, coder=self.coder,
                              read_only=self.read_only) as project:
                result = self.job(project, self._progress)
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


def import_job(paths: list[Path], case_rule=None) -> Callable:
    """The import as a job: reads every file, then runs ImportSources; returns the command
    (with its recorded rows, so the GUI's undo stack can adopt it)."""

    def job(project, progress):
        from ..core.services.importing import ImportSources, prepare

        prepared = prepare(paths, case_rule, progress=progress)
        cmd = ImportSources(prepared, progress)
        project.execute(cmd)
        return cmd

    return job


def start(worker: QRunnable) -> None:
    QThreadPool.globalInstance().start(worker)
