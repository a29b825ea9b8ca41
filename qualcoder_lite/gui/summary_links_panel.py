"""The framework matrix's summary links (object name ``summaryLinkPanel``, under the selected
cell's quotes): the cell's summary with each linked phrase as a link; clicking a phrase opens
the passage it rests on in the coding view. To link: select words of the summary here, choose
the quote they rest on in the list above, then Link phrase to quote. Undoable like any change."""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, Qt, QTimer, QUrl
from PySide6.QtWidgets import QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from ..core.errors import QualCoderError
from ..core.services.anchors.summary_links import AddSummaryLink, DeleteSummaryLink, by_cell, phrase_spans


def summary_html(summary: str, links: list) -> str:
    """The summary as HTML, each linked phrase an ``<a href="link:ID">``; then the links, each
    with a remove anchor."""
    out, at = [], 0
    for start, end, link in phrase_spans(summary, links):
        out.append(html.escape(summary[at:start]))
        out.append(f'<a href="link:{link.id}">{html.escape(summary[start:end])}</a>')
        at = end
    out.append(html.escape(summary[at:]))
    body = "".join(out).replace("\n", "<br>")
    items = "".join(f'<li>“{html.escape(x.phrase)}” → {html.escape(x.source)} {x.start}–{x.end} '
                    f'(<a href="unlink:{x.id}">remove</a>)</li>' for x in links)
    return f"<p>{body}</p>" + (f"<ul>{items}</ul>" if items else "")


class SummaryLinksPanel(QWidget):
    def __init__(self, view, parent=None):
        super().__init__(parent or view)
        self.view = view  # the MatrixView
        self.ctx = view.ctx
        self.setObjectName("summaryLinkPanel")
        self.cell: tuple[str, int, int] | None = None  # row kind, row id, code id
        self.links: dict[int, object] = {}
        self.title = QLabel("Summary links: select words of the summary, choose a quote above, then link.", self)
        self.title.setWordWrap(True)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("summaryLinks")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._anchor)
        self.link_button = QPushButton("Link phrase to quote", self)
        self.link_button.setObjectName("linkSummaryPhrase")
        self.link_button.clicked.connect(lambda: self.link_selected())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.link_button)
        view.table.selectionModel().currentChanged.connect(lambda cur, _prev: self.show_cell(cur))
        self.ctx.changed.connect(self._on_changed)

    def show_cell(self, index: QModelIndex) -> None:
        model = self.view.model
        self.cell, self.links = None, {}
        if not index.isValid() or model.is_group(index.row()) or model.row_of(index.row()) is None:
            self.browser.setHtml("")
            return
        row = model.row_of(index.row())
        code = model.matrix.columns[index.column()]
        self.cell = (model.matrix.row_kind, row.id, code.id)
        self._fill()

    def _fill(self) -> None:
        kind, row_id, code_id = self.cell
        summary = self.ctx.project.conn.execute(
            "SELECT summary FROM matrix_cells WHERE row_kind = ? AND row_id = ? AND code_id = ?",
            (kind, row_id, code_id)).fetchone()
        links = by_cell(self.ctx.project, kind).get((row_id, code_id), [])
        self.links = {x.id: x for x in links}
        self.browser.setHtml(summary_html(summary[0], links) if summary else "<i>No summary yet.</i>")

    def _on_changed(self, changes) -> None:
        if self.cell is not None and changes.tables & {"summary_links", "matrix_cells", "sources"}:
            QTimer.singleShot(0, lambda: self._fill() if self.cell is not None else None)

    def _anchor(self, url: QUrl) -> None:
        kind, _, ident = url.toString().partition(":")
        link = self.links.get(int(ident)) if ident.isdigit() else None
        if link is None:
            return
        if kind == "link":
            self.ctx.sourceRequested.emit(link.source_id, link.start, link.end)
        elif kind == "unlink":
            self._run(DeleteSummaryLink(link.id))

    def link_selected(self, phrase: str | None = None, passage: tuple[int, int, int] | None = None) -> int | None:
        """Link ``phrase`` (default: the words selected here) to ``passage`` (default: the
        quote chosen in the list above)."""
        if self.cell is None:
            return None
        phrase = phrase if phrase is not None else self.browser.textCursor().selectedText().replace("\u2029", "\n").replace("\u2028", "\n")
        if passage is None:
            item = self.view.quotes.currentItem()
            passage = item.data(Qt.UserRole) if item is not None else None
        if not phrase.strip() or passage is None:
            self.title.setText("Select words of the summary and choose the quote they rest on first.")
            return None
        cmd = AddSummaryLink(*self.cell, phrase.strip(), *passage)
        return cmd.result if self._run(cmd) else None

    def _run(self, cmd) -> bool:
        try:
            self.ctx.run(cmd)
        except QualCoderError as exc:
            self.title.setText(str(exc))
            return False
        return True
