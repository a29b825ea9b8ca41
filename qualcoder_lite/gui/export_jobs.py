"""File ▸ Export jobs run as a ``Job`` (own connection, progress dialog, Cancel): the codebook, a
coded transcript and (from the report dialog) the quote tables."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QFileDialog, QInputDialog

from .jobs import Job, Worker


def run_export(window, title: str, job: Callable, parent=None) -> Worker | None:
    """Run an export job on its own read-only connection with a progress dialog and Cancel;
    a project that has no file (in memory) is exported on the spot. Returns the worker
    (None when run on the spot)."""
    def done(result) -> None:
        text = result.summary
        if result.warnings:
            text += " (" + "; ".join(result.warnings) + ")"
        window.show_message(text)

    run = (Job(parent or window, job, project=window.ctx.project, what=title)
           .success(done)
           .failure(lambda msg: window.show_error(f"{title} failed — no file written", msg))
           .cancelled(lambda: window.show_message(f"{title} cancelled; no file written."))
           .with_progress(title, object_name="exportProgress")
           .run())
    window._export_job = run  # tests read the worker and its dialog
    window._export_worker = run.worker
    window._export_progress = run.dialog
    return run.worker


def export_codebook(window, path: str | Path | None = None):
    if window.ctx is None:
        return None
    from .save_target import choose_target, from_dialog

    project = window.ctx.project
    if path is None:
        start_dir = str(project.path.parent / f"{project.name}-codebook.docx") if project.path else ""
        path, chosen = QFileDialog.getSaveFileName(window, "Export codebook", start_dir,
                                                   "Word document (*.docx);;CSV for spreadsheets (*.csv)")
        suffix = Path(path).suffix.lower()
        if suffix not in (".docx", ".csv"):
            suffix = ".csv" if "csv" in chosen.lower() else ".docx"
        target = from_dialog(window, path, suffix, project, "Export codebook")
    else:
        target = choose_target(window, path, project, title="Export codebook")
    if target is None:
        return None

    def job(p, _progress):
        from ..core.services.quotes.exports import export_codebook as run

        return run(p, target)

    return run_export(window, "Export codebook", job)


def export_transcript(window, source: str | None = None, path: str | Path | None = None):
    if window.ctx is None:
        return None
    project = window.ctx.project
    names = [s.name for s in project.sources.all()]
    if not names:
        window.show_message("The project has no sources to export.")
        return None
    if source is None:
        current = 0
        wb = getattr(window, "workbench", None)
        sid = getattr(getattr(wb, "view", None), "source_id", None) if wb is not None else None
        if sid is not None:
            src = project.sources.get(sid)
            if src is not None and src.name in names:
                current = names.index(src.name)
        source, ok = QInputDialog.getItem(window, "Export coded transcript", "Source:", names, current, False)
        if not ok:
            return None
    from .save_target import choose_target, from_dialog

    if path is None:
        start_dir = str(project.path.parent / f"{source}-coded.docx") if project.path else f"{source}-coded.docx"
        chosen, _ = QFileDialog.getSaveFileName(window, "Export coded transcript", start_dir, "Word document (*.docx)")
        target = from_dialog(window, chosen, ".docx", project, "Export coded transcript")
    else:
        target = choose_target(window, path, project, title="Export coded transcript")
    if target is None:
        return None
    visible = window.ctx.visible_coders

    def job(p, progress):
        from ..core.services.quotes.exports import export_source

        return export_source(p, source, target, coders=visible, progress=progress)

    return run_export(window, "Export coded transcript", job)
