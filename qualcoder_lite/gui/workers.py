"""Long work off the GUI thread: a worker opens its own connection to the project file
and reports back through queued signals; Cancel rolls the whole step back."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ..core.errors import QualCoderError
from ..core.project import open_project


class WorkerSignals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)  # the executed core command
    failed = Signal(str)
    cancelled = Signal()


class ImportWorker(QRunnable):
    def __init__(self, project_path: Path, paths: list[Path], coder: str, case_rule=None):
        super().__init__()
        self.project_path = project_path
        self.paths = paths
        self.coder = coder
        self.case_rule = case_rule
        self.signals = WorkerSignals()
        self._cancel = threading.Event()
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self._cancel.set()

    def _progress(self, done: int, total: int, label: str) -> bool:
        self.signals.progress.emit(done, total, label)
        return not self._cancel.is_set()

    def run(self) -> None:
        from ..core.services.importing import ImportSources, prepare

        try:
            with open_project(self.project_path, coder=self.coder) as project:
                prepared = prepare(self.paths, self.case_rule, progress=self._progress)
                cmd = ImportSources(prepared, self._progress)
                project.execute(cmd)
        except InterruptedError:
            self.signals.cancelled.emit()
            return
        except QualCoderError as exc:
            self.signals.failed.emit(str(exc))
            return
        except OSError as exc:
            self.signals.failed.emit(f"{exc.filename or ''}: {exc.strerror or exc}")
            return
        self.signals.finished.emit(cmd)


def start(worker: QRunnable) -> None:
    QThreadPool.globalInstance().start(worker)
