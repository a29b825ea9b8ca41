"""Edit ▸ Edit transcript…: correct the open source's text (a typo, a name to redact, a
passage re-transcribed); OK applies it as one undoable step with every coding and speaker
turn moved to follow the text (``core.services.sources.edit_text``). Codings whose own text
changed are listed afterwards; a coding whose text was deleted entirely is removed only
after the user answers Remove."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QListWidget, QMessageBox, QPlainTextEdit,
                               QVBoxLayout, QWidget)

from ..core.errors import QualCoderError
from ..core.services.anchors.follow_text import AnchorChange, TextDeletedError
from ..core.services.sources.edit_text import ReplaceSourceText, TextEditReport
from .context import Context


def editor_text(editor: QPlainTextEdit) -> str:
    """The editor's text with every character as typed: ``toPlainText`` turns no-break
    spaces into spaces, which would change text nobody touched."""
    return editor.document().toRawText().replace("\u2029", "\n").replace("\u2028", "\n")


class EditTranscriptDialog(QDialog):
    def __init__(self, ctx: Context, source_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("editTranscriptDialog")
        self.ctx, self.source_id = ctx, source_id
        self.report: TextEditReport | None = None
        src = ctx.project.sources.get(source_id)
        self.setWindowTitle(f"Edit transcript – {src.name}")
        self.resize(820, 640)
        layout = QVBoxLayout(self)
        note = QLabel("Correct the text. Codings, speaker turns and everything else anchored in it move with the "
                      "words when you press OK (one step: Undo takes it back). Codings whose text you change are "
                      "listed afterwards.")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("transcriptEditor")
        self.editor.setFont(QFont("monospace"))
        self.editor.setPlainText(ctx.project.sources.text(source_id))
        layout.addWidget(self.editor)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def ask_remove(self, error: TextDeletedError) -> bool:
        """Whether to remove the codings whose text the edit deletes (tests replace this)."""
        lines = "\n".join(f"• {c.line()}" for c in error.changes[:10])
        more = f"\n… and {len(error.changes) - 10} more" if len(error.changes) > 10 else ""
        box = QMessageBox(QMessageBox.Warning, "Coded text deleted",
                          f"Your edit deletes all the text of {len(error.changes)} coded passage(s):\n\n{lines}{more}"
                          "\n\nRemove these codings with the edit (Undo brings them back), or go back to the text?",
                          QMessageBox.Cancel, self)
        remove = box.addButton("Remove", QMessageBox.DestructiveRole)
        box.exec()
        return box.clickedButton() is remove

    def apply(self) -> None:
        text = editor_text(self.editor)
        try:
            cmd = ReplaceSourceText(self.source_id, text)
            try:
                self.ctx.run(cmd)
            except TextDeletedError as exc:
                if not self.ask_remove(exc):
                    return  # back to the text, nothing changed
                cmd = ReplaceSourceText(self.source_id, text, drop_deleted=True)
                self.ctx.run(cmd)
        except QualCoderError as exc:
            QMessageBox.warning(self, "Cannot apply the edit", str(exc))
            return
        self.report = cmd.result
        self.accept()


class EditResultsDialog(QDialog):
    """What the edit did to the codings: each one whose text changed, was removed or merged."""

    def __init__(self, report: TextEditReport, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("editResultsDialog")
        self.setWindowTitle("Codings whose text changed")
        self.resize(760, 360)
        layout = QVBoxLayout(self)
        summary = QLabel(report.summary())
        summary.setWordWrap(True)
        summary.setObjectName("editSummary")
        layout.addWidget(summary)
        self.list = QListWidget(self)
        self.list.setObjectName("changedCodingsList")
        for change in report.changes:
            self.list.addItem(_item_text(change))
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)


def _item_text(change: AnchorChange) -> str:
    return change.line()


def edit_transcript(window) -> EditTranscriptDialog | None:
    """Open the editor on the source shown in the coding view (modal: the project must not
    change under the text being edited)."""
    wb = window.workbench
    if window.ctx is None or wb is None or wb.view.source_id is None:
        window.show_message("Open a source first (click it in the source list)")
        return None
    if window.ctx.project.read_only:
        window.show_message("The project is open for reading only")
        return None
    dlg = EditTranscriptDialog(window.ctx, wb.view.source_id, window)
    window._edit_transcript_dialog = dlg
    dlg.finished.connect(lambda _r: _after(window, dlg))
    dlg.open()
    return dlg


def _after(window, dlg: EditTranscriptDialog) -> None:
    report = dlg.report
    if report is None:
        return
    window.show_message(report.summary())
    if report.changes:
        results = EditResultsDialog(report, window)
        window._edit_results_dialog = results
        results.show()
