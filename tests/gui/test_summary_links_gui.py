"""Summary links in the framework matrix: select words of a cell summary, choose the quote,
link; clicking the phrase opens the passage in the coding view; undoable."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPushButton, QTextBrowser, QWidget

from qualcoder_lite.core.services.anchors.summary_links import summary_links
from qualcoder_lite.core.services.matrix.summaries import SetCellSummary
from tests.gui.test_matrix_view import _line_of, _matrix


def test_link_a_phrase_to_a_quote_and_follow_it(qtbot, window):
    m = _matrix(window)
    project = window.ctx.project
    col = 0  # GP01 has quotes under the first theme
    code_id = m.model.matrix.columns[col].id
    case_id = project.cases.id_of("GP01")
    window.ctx.run(SetCellSummary(case_id, code_id, "Wants clearer referral criteria.\nOften rejected."))
    qtbot.waitUntil(lambda: "Wants clearer" in (m.model.index(_line_of(m, "GP01"), col).data() or ""))
    m.table.setCurrentIndex(m.model.index(_line_of(m, "GP01"), col))
    panel = window.findChild(QWidget, "summaryLinkPanel")
    browser = panel.findChild(QTextBrowser, "summaryLinks")
    assert "Wants clearer referral criteria." in browser.toPlainText()
    assert m.quotes.count() > 0
    m.quotes.setCurrentRow(0)
    passage = m.quotes.item(0).data(Qt.UserRole)  # (source id, start, end)
    # select "clearer referral criteria" in the browser, as a reader would
    text = browser.toPlainText()
    cur = browser.textCursor()
    cur.setPosition(text.index("clearer"))
    cur.setPosition(text.index("criteria") + len("criteria"), QTextCursor.KeepAnchor)
    browser.setTextCursor(cur)
    qtbot.mouseClick(panel.findChild(QPushButton, "linkSummaryPhrase"), Qt.LeftButton)
    (link,) = summary_links(project)
    assert (link.phrase, link.source_id, link.start, link.end) == ("clearer referral criteria", *passage)
    qtbot.waitUntil(lambda: 'href="link:' in browser.toHtml())
    # clicking the phrase opens the passage in the coding view
    browser.anchorClicked.emit(QUrl(f"link:{link.id}"))
    wb = window.workbench
    assert window.stack.currentWidget() is wb
    assert wb.view.source_id == passage[0] and wb.view.selection_cp() is not None
    assert wb.view.map.to_cp(wb.view.textCursor().selectionStart()) == passage[1]
    window.actionUndo.trigger()
    assert summary_links(project) == []
    window.actionRedo.trigger()
    assert len(summary_links(project)) == 1
