"""REFI-QDA in the main window: File ▸ Import / Export entries for projects and codebooks.

Importing or exporting a project runs in a worker (its own connection) with a progress
dialog and Cancel; a summary box follows. Importing a project creates a new file and
opens it. A codebook import is one undoable step on the open project.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

from .jobs import Job, Worker

QDPX_FILTER = "REFI-QDA projects (*.qdpx *.qde);;All files (*)"
CODEBOOK_FILTER = "Codebooks (*.qdc *.csv *.txt *.md *.qdpx);;All files (*)"
PROJECT_FILTER = "QualCoder Lite projects (*.qlite)"
#: the export's target program, chosen by the save dialog's file type (see interop.TARGETS)
EXPORT_TARGET_FILTERS = {"standard": "REFI-QDA projects (*.qdpx)",
                         "nvivo-windows": "REFI-QDA for NVivo for Windows, UTF-16 offsets (*.qdpx)"}


class RefiActions(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.worker: Worker | None = None
        self.progress: QProgressDialog | None = None
        self.summary: QMessageBox | None = None  # the last summary shown (tests read it)
        self.job: Job | None = None  # the last codebook import
        # its menu entries are declared in actions.py (File ▸ Import, File ▸ Export)

    # -- shared ---------------------------------------------------------------------------
    def _run(self, title: str, task: Callable, done: Callable, project=None) -> Worker:
        """``task(progress)``, or ``task(own, progress)`` on a read-only connection of its
        own to ``project`` (the window keeps the writer's lock). A Cancel pressed after the
        file was written came too late: the summary says what was written."""
        finished: list = []

        def recorded(*args):
            finished.append(task(*args))
            return finished[0]

        def cancelled() -> None:
            if finished:
                done(finished[0])
            else:
                self.window.show_message(f"{title} cancelled; nothing was written.")

        job = (Job(self.window, recorded, project=project, what=title)
               .success(done)
               .failure(lambda message: self.window.show_error(f"{title} failed — nothing was written", message))
               .cancelled(cancelled)
               .with_progress(title, object_name="refiProgress")
               .run())
        self.worker, self.progress = job.worker, job.dialog
        return job.worker

    def _summary(self, title: str, text: str, details: list[str]) -> None:
        box = QMessageBox(QMessageBox.Information, title, text, QMessageBox.Ok, self.window)
        box.setObjectName("refiSummary")
        if details:
            box.setInformativeText("\n".join(details[:8]) + ("\n…" if len(details) > 8 else ""))
            box.setDetailedText("\n".join(details))
        self.summary = box
        self.window.show_message(text)
        box.open()

    # -- import ---------------------------------------------------------------------------
    def import_project(self) -> None:
        from ..core.errors import QualCoderError
        from ..core.project import project_path

        src, _ = QFileDialog.getOpenFileName(self.window, "Import a REFI-QDA project", "", QDPX_FILTER)
        if not src:
            return
        suggested = str(Path(src).with_suffix(".qlite"))
        target, _ = QFileDialog.getSaveFileName(self.window, "Save the imported project as", suggested, PROJECT_FILTER,
                                                options=QFileDialog.DontConfirmOverwrite)
        if not target:
            return
        try:
            target = project_path(target)
        except QualCoderError as exc:
            self.window.show_error("Cannot import", str(exc))
            return
        if target.exists():
            self.window.show_error("Cannot import", f"{target}: already exists; choose another name "
                                                    "(an import never overwrites a project)")
            return
        coder = self.window.coder or (self.window.ctx.project.coder if self.window.ctx else None)

        def done(report) -> None:
            self._summary("REFI-QDA project imported", report.summary(), report.details())
            self.window.open_path(target, coder=coder)

        def run(progress):
            from ..core.services.refi.interop import import_qdpx  # imported by the job, not on the GUI thread

            return import_qdpx(src, target, coder, progress)

        self._run("Import REFI-QDA project", run, done)

    def import_codebook(self) -> Job | None:
        """Read a codebook and add its codes as one undoable step, in a job."""
        from ..core.services.refi.interop import ImportCodebook
        from ..core.services.refi.qdc import read_codebook

        ctx = self.window.ctx
        if ctx is None:
            return None
        path, _ = QFileDialog.getOpenFileName(self.window, "Import a codebook", "", CODEBOOK_FILTER)
        if not path:
            return None

        def read_and_add(own, _progress):
            cmd = ImportCodebook(read_codebook(path), path)
            own.execute(cmd)
            return cmd

        def done(cmd) -> None:
            report = cmd.result
            self._summary("Codebook imported", report.summary(), [f"conflict: {c}" for c in report.conflicts])

        self.job = (Job(self.window, read_and_add, what="Import codebook").writes(ctx)
                    .success(done)
                    .failure(lambda msg: self.window.show_error("Cannot import the codebook — nothing was changed",
                                                                msg))
                    .with_progress("Import codebook", object_name="refiProgress")
                    .run())
        return self.job

    # -- export ---------------------------------------------------------------------------
    def _export(self, title: str, suffix: str, filter_: str, run: Callable, own_connection: bool = True) -> None:
        """``run(project, out, progress, chosen filter)`` in a job: on a read-only connection of
        the job's own, or (``own_connection=False``; the job opens nothing) given the project's
        ``path``, ``passphrase`` and ``coder``."""
        from .save_target import from_dialog

        ctx = self.window.ctx
        if ctx is None or ctx.project.path is None:
            return
        project = ctx.project
        suggested = str(project.path.with_suffix(suffix))
        chosen, selected_filter = QFileDialog.getSaveFileName(self.window, title, suggested, filter_)
        out = from_dialog(self.window, chosen, suffix, project, title)
        if out is None:
            return

        def done(report) -> None:
            self._summary(title, report.summary(), report.warnings)

        if own_connection:
            self._run(title, lambda own, progress: run(own, out, progress, selected_filter), done, project=project)
        else:  # read here, on the GUI thread, as a job reads them for its own connection
            file = SimpleNamespace(path=project.path, passphrase=project.passphrase, coder=project.coder)
            self._run(title, lambda progress: run(file, out, progress, selected_filter), done)

    def export_project(self) -> None:
        """The export runs in a child process (``export_process``): its threads never hold
        this process's GIL, so the window repaints throughout; the job relays progress and
        Cancel."""
        by_filter = {f: t for t, f in EXPORT_TARGET_FILTERS.items()}

        def run(project, out, progress, chosen):
            from ..core.services.refi.export_process import export_qdpx_in_child  # imported by the job

            return export_qdpx_in_child(project.path, out, progress, target=by_filter.get(chosen, "standard"),
                                        passphrase=project.passphrase, coder=project.coder)

        self._export("Export REFI-QDA project", ".qdpx", ";;".join(EXPORT_TARGET_FILTERS.values()), run,
                     own_connection=False)

    def export_codebook(self) -> None:
        def run(project, out, _progress, _chosen):
            from ..core.services.refi.interop import export_qdc  # imported by the job

            return export_qdc(project, out)

        self._export("Export REFI-QDA codebook", ".qdc", "REFI-QDA codebooks (*.qdc)", run)
