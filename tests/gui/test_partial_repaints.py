"""What is on screen after a change is what a fresh paint of the widget shows. Some widgets
repaint only the part that changed (the retrieval table skips its cells when rows are added
or removed below the rows shown); a skipped repaint that was needed would leave stale pixels,
which these tests compare against a fresh rendering of the same widget."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import open_source, select_text

USER = 256


def _on_screen(widget) -> QImage:
    """The widget's pixels as the window's backing store holds them (what the user sees)."""
    win = widget.window()
    at = widget.mapTo(win, QPoint(0, 0))
    img = win.screen().grabWindow(win.winId(), at.x(), at.y(), widget.width(), widget.height()).toImage()
    return img.convertToFormat(QImage.Format_RGB32)


def _fresh(widget) -> QImage:
    return widget.grab().toImage().convertToFormat(QImage.Format_RGB32)


def _settle(qtbot) -> None:
    for _ in range(3):
        QApplication.processEvents()
        qtbot.wait(20)


def _assert_painted(qtbot, widget) -> None:
    _settle(qtbot)
    assert _on_screen(widget) == _fresh(widget)


def _table(window, qtbot):
    wb = window.workbench
    wb.retrieval.table.setMaximumHeight(100)  # a short table: two rows shown, the rest below
    wb.tabs.setCurrentWidget(wb.retrieval)
    counts = wb.ctx.project.codes.counts()
    wb.codes.select_code(max(counts, key=lambda c: counts[c][0]))  # the code with the most rows
    _settle(qtbot)
    table = wb.retrieval.table
    shown = table.rowAt(table.viewport().height() - 1)
    assert 0 <= shown < wb.retrieval.model.rowCount() - 1, "the table must have rows below the view"
    return wb, table


def _apply(window, wb, source: str, at_end: bool) -> int:
    """Code the first or the last line of a source with the current code; the new row's number."""
    open_source(wb, source)
    text = wb.view.text
    lines = [ln for ln in text.split("\n") if len(ln.strip()) > 20]
    line = lines[-1] if at_end else lines[0]
    start = text.rindex(line) if at_end else text.index(line)
    select_text(wb.view, start, start + len(line))
    ids = set(wb.retrieval.model.ids)
    window.actionApplyCode.trigger()
    new = [i for i in wb.retrieval.model.ids if i not in ids]
    assert len(new) == 1
    return wb.retrieval.model.ids.index(new[0])


def test_retrieval_rows_added_and_removed_below_and_inside_the_view_are_painted(window, qtbot):
    wb, table = _table(window, qtbot)
    names = sorted(s.name for s in wb.ctx.project.sources.all())
    _assert_painted(qtbot, table.viewport())
    # below the rows shown: the cells are not repainted, the scroll bar is
    row = _apply(window, wb, names[-1], at_end=True)
    assert row > table.rowAt(table.viewport().height() - 1)
    _assert_painted(qtbot, table.viewport())
    table.scrollToBottom()
    _assert_painted(qtbot, table.viewport())
    table.scrollToTop()
    window.actionUndo.trigger()
    _assert_painted(qtbot, table.viewport())
    # inside the rows shown: the rows move down and must be painted again
    row = _apply(window, wb, names[0], at_end=False)
    assert row <= table.rowAt(table.viewport().height() - 1)
    _assert_painted(qtbot, table.viewport())
    window.actionUndo.trigger()
    _assert_painted(qtbot, table.viewport())
    window.actionRedo.trigger()
    _assert_painted(qtbot, table.viewport())
