"""File ▸ Import sources: the import as a job (its own connection, progress, Cancel), one
undoable step; names already in the project are asked about first."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QMessageBox

from .jobs import Job, Worker


def import_job(paths: list[Path], case_rule=None) -> Callable:
    """The import as a job: reads every file, then runs ImportSources; returns the command
    (with its recorded rows, so the GUI's undo stack can adopt it). Progress counts both
    phases: reading (0..n) then importing (n..2n)."""

    def job(project, progress):
        from ..core.services.sources.importing import ImportSources, prepare

        n = len(paths)

        def reading(done: int, _total: int, label: str) -> bool:
            return progress(done, 2 * n, label)

        def importing(done: int, _total: int, label: str) -> bool:
            return progress(n + done, 2 * n, label)

        prepared = prepare(paths, case_rule, progress=reading)
        cmd = ImportSources(prepared, importing)
        project.execute(cmd)
        return cmd

    return job


def _without_duplicates(window, paths: list[Path]) -> list[Path] | None:
    from ..core.services.sources.importing import _name_of  # the name the import will give

    existing = {s.name for s in window.ctx.project.sources.all()}
    dupes = [p for p in paths if _name_of(p) in existing]
    if not dupes:
        return paths
    names = ", ".join(p.name for p in dupes[:5])
    answer = QMessageBox.question(
        window, "Already imported",
        f"{names} {'is' if len(dupes) == 1 else 'are'} already in the project.\n"
        "Skip and import the others?", QMessageBox.Yes | QMessageBox.Cancel)
    if answer != QMessageBox.Yes:
        return None
    return [p for p in paths if p not in dupes] or None


def import_files(window, paths: list[Path], start_now: bool = True) -> Worker | None:
    """Import in a worker with a progress dialog and Cancel. With ``start_now=False`` the
    caller starts the returned worker (after connecting to its signals)."""
    ctx = window.ctx
    if ctx is None or ctx.project.path is None:
        return None
    if ctx.project.read_only:
        window.show_message("The project is open read-only: nothing can be imported.")
        return None
    paths = _without_duplicates(window, paths)
    if not paths:
        return None

    def finished(cmd) -> None:
        report = cmd.result
        window.show_message(report.summary())
        if report.warnings:
            QMessageBox.information(window, "Imported with warnings", "\n".join(report.warnings[:20]))

    job = (Job(window, import_job(paths), what="An import").writes(ctx)
           .success(finished)
           .failure(lambda msg: window.show_error("Import failed — nothing was imported", msg))
           .cancelled(lambda: window.show_message("Import cancelled; nothing was imported."))
           .with_progress("Import sources", object_name="importProgress")
           .run(start_now))
    window._import_job = job
    window._import_progress = job.dialog
    return job.worker
