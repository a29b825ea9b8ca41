"""Edit a quote: the analyst's elisions ``[…]`` and insertions ``[the reforms]``.

The edited form is stored with the coding (``SetQuoteEdit``, one undoable step through
``ctx.run``); the coded text is never changed and stays shown here as the original.
Every place that shows the quote prints the edited form through the one renderer, in
the project's quote style. Used by the retrieval table (context menu and the quote cell)
and the report dialog's preview (click a quote).
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout,
)

from ..core.errors import QualCoderError
from ..core.services.coding.coding import SetQuoteEdit
from ..core.services.quotes.quote_render import OMISSION, collapse, render_passage


def quote_rich_text(made) -> str:
    """A rendered quote as Qt rich text: the transcriber's notes in italics."""
    return "".join(f"<i>{escape(t)}</i>" if italic else escape(t) for t, italic in made.runs())


class QuoteEditDialog(QDialog):
    """Shows the coded text and an editor for the quote, with a live preview in the
    project's quote style. ``edited()`` is the text to store (None: no edit)."""

    def __init__(self, original: str, start_text: str, template: str, style: str, parent=None):
        super().__init__(parent)
        self.setObjectName("quoteEditDialog")
        self.setWindowTitle("Edit quote")
        self.resize(620, 460)
        self.template = template
        self.style_name = style
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Coded text</b> (kept unchanged)", self))
        self.original = QPlainTextEdit(self)
        self.original.setObjectName("quoteOriginal")
        self.original.setReadOnly(True)
        self.original.setPlainText(original)
        self.original.setMaximumHeight(110)
        layout.addWidget(self.original)
        layout.addWidget(QLabel("<b>Quote</b> — mark words you leave out with […]; put words you add for "
                                "clarity in [square brackets]", self))
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("quoteEditor")
        self.editor.setPlainText(start_text)
        layout.addWidget(self.editor, 1)
        row = QHBoxLayout()
        self.omit = QPushButton("Leave out selection […]", self)
        self.omit.setObjectName("quoteOmit")
        self.omit.setToolTip("Replace the selected words with […]")
        self.omit.clicked.connect(self.leave_out_selection)
        self.restore = QPushButton("Restore original", self)
        self.restore.setObjectName("quoteRestore")
        self.restore.clicked.connect(lambda: self.editor.setPlainText(self.template))
        row.addWidget(self.omit)
        row.addWidget(self.restore)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(QLabel("<b>As printed</b>", self))
        self.preview = QLabel(self)
        self.preview.setObjectName("quotePreview")
        self.preview.setWordWrap(True)
        layout.addWidget(self.preview)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.editor.textChanged.connect(self._update_preview)
        self._update_preview()

    def leave_out_selection(self) -> None:
        cursor = self.editor.textCursor()
        if cursor.hasSelection():
            cursor.insertText(OMISSION)
        else:
            cursor.insertText(f" {OMISSION} ")
        self.editor.setFocus()

    def edited(self) -> str | None:
        text = collapse(self.editor.toPlainText())
        if not text or text == collapse(self.template):
            return None
        return text

    def _update_preview(self) -> None:
        text = self.edited() or self.template  # read as an edited form: […], [insertions], notes
        made = render_passage(text, 0, len(text), edited=text, style=self.style_name, keep_times=True)
        self.preview.setText(quote_rich_text(made) if made is not None else "")


def edit_quote(parent, ctx, coding_id: int, start: int | None = None, end: int | None = None,
               text: str | None = None) -> bool:
    """Edit the quote of a coding (a merged report quote passes the passage's span).
    With ``text`` no dialog is shown. Returns whether the stored quote changed."""
    from ..core.services.quotes.quoting import Quoter

    project = ctx.project
    coding = project.codings.get(coding_id)
    if coding is None:
        return False
    quoter = Quoter(project)
    s = coding.start if start is None else start
    e = coding.end if end is None else end
    template = quoter.edit_template(coding.source_id, s, e)
    current = coding.quote_edit if coding.quote_edit and collapse(coding.quote_edit) else None
    if text is None:
        source_text = quoter.source(coding.source_id)[0]
        dlg = QuoteEditDialog(source_text[s:e], current or template, template, quoter.fmt.style, parent)
        if dlg.exec() != QDialog.Accepted:
            return False
        new = dlg.edited()
    else:
        new = collapse(text) or None
        if new == collapse(template):
            new = None
    if new == current:
        return False
    try:
        ctx.run(SetQuoteEdit(coding_id, new))
    except QualCoderError:
        return False
    return True
