"""Applying, undoing and redoing a code keep some of what the transcript worked out before
(the stripes in view, the stripes' lanes); what is on screen afterwards must be what the
view shows when it works everything out afresh."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from qualcoder_lite.gui.transcript_view import assign_lanes
from tests.gui.conftest import open_busiest_with_long_lines, select_text


def _settle(qtbot) -> None:
    for _ in range(3):
        QApplication.processEvents()
        qtbot.wait(20)


def _on_screen(widget) -> QImage:
    win = widget.window()
    at = widget.mapTo(win, QPoint(0, 0))
    img = win.screen().grabWindow(win.winId(), at.x(), at.y(), widget.width(), widget.height()).toImage()
    return img.convertToFormat(QImage.Format_RGB32)


def _looked_up_afresh(view) -> tuple[list, QImage]:
    """The stripes in view and the margin's pixels with nothing kept from earlier looks."""
    view._visible_memo = None
    view._edges = ((), {})
    stripes = [(s.coding.id, s.lane, s.color, r.getRect()) for s, r in view.visible_stripes(view.margin.height())]
    return stripes, view.margin.grab().toImage().convertToFormat(QImage.Format_RGB32)


def _assert_margin_fresh(qtbot, view) -> None:
    _settle(qtbot)
    kept = [(s.coding.id, s.lane, s.color, r.getRect()) for s, r in view.visible_stripes(view.margin.height())]
    shown = _on_screen(view.margin)
    stripes, image = _looked_up_afresh(view)
    assert kept == stripes
    assert shown == image
    assert view._lanes_used == 1 + max(assign_lanes(view.codings).values(), default=-1)
    assert {s.coding.id: s.lane for s in view._stripes} == assign_lanes(view.codings)


def test_margin_after_apply_undo_redo_scroll_and_resize_is_what_a_fresh_look_gives(window, qtbot):
    wb = window.workbench
    text, lines, starts = open_busiest_with_long_lines(wb, qtbot, _settle)
    view = wb.view
    _assert_margin_fresh(qtbot, view)
    before = {c.id for c in view.codings}
    # a long passage, then a short one starting before it: the long one changes lanes
    for start, end in ((starts[1], starts[3] + len(lines[3])), (starts[1] - 12, starts[1] + 5)):
        select_text(view, start, end)
        window.actionApplyCode.trigger()
        _assert_margin_fresh(qtbot, view)
    added = {c.id for c in view.codings} - before
    assert len(added) == 2
    assert added <= {s.coding.id for s, _r in view.visible_stripes(view.margin.height())}
    for step in (window.actionUndo, window.actionUndo, window.actionRedo, window.actionRedo, window.actionUndo):
        step.trigger()
        _assert_margin_fresh(qtbot, view)
    bar = view.verticalScrollBar()
    for value in (bar.maximum() // 3, 0):
        bar.setValue(value)
        _assert_margin_fresh(qtbot, view)
    wb.tabs.hide()  # a taller transcript: more stripes in view
    _assert_margin_fresh(qtbot, view)
    window.actionRedo.trigger()
    _assert_margin_fresh(qtbot, view)


class _PaintedRegions:
    """The regions a widget is asked to paint (an event filter)."""

    def __init__(self, widget):
        from PySide6.QtCore import QEvent, QObject

        class Filter(QObject):
            def eventFilter(inner, obj, ev):  # noqa: N805 - the filter's own self is unused
                if obj is widget and ev.type() == QEvent.Paint:
                    self.rects.append(ev.region().boundingRect())
                return False

        self.rects: list = []
        self.filter = Filter()
        widget.installEventFilter(self.filter)


def _line_rect(view, cp: int):
    return view.cursorRect(view._cursor(cp, cp))


def test_only_the_lines_of_a_highlight_that_came_or_went_are_repainted(window, qtbot):
    """Three codes on one sentence low in the view (three highlights starting at the same
    place), then a code on a line at the top: the transcript repaints the top line, not the
    lines down to the sentence; the margin repaints only the new stripe. What is on screen
    is what a full repaint shows, after undo, redo and selecting a coding too."""
    wb = window.workbench
    project = wb.ctx.project
    busiest = max(project.sources.all(), key=lambda s: s.codings)
    wb.open_source(busiest.id)
    view = wb.view
    _settle(qtbot)
    text = view.text
    vp = view.viewport()
    lines = [b for b in text.split("\n") if len(b.strip()) > 20]
    low = next(ln for ln in lines if vp.height() * 0.6 < _line_rect(view, text.index(ln)).top() < vp.height() - 40)
    low_start = text.index(low)
    codes = [c.id for c in project.codes.all()][:4]
    for code in codes[:3]:
        select_text(view, low_start, low_start + len(low))
        wb.apply_codes([code])
    _settle(qtbot)
    starts = [c.start for c in view.codings]
    assert starts.count(low_start) >= 3
    low_top = _line_rect(view, low_start).top()
    top_line = lines[0]
    select_text(view, text.index(top_line), text.index(top_line) + len(top_line))
    _settle(qtbot)
    painted, margin = _PaintedRegions(vp), _PaintedRegions(view.margin)
    wb.apply_codes([codes[3]])
    _settle(qtbot)
    assert painted.rects and max(r.bottom() for r in painted.rects) < low_top
    new = next(s for s, r in view.visible_stripes(view.margin.height()) if s.coding.start == text.index(top_line)
               and s.coding.code_id == codes[3])
    stripe = next(r for s, r in view.visible_stripes(view.margin.height()) if s is new)
    assert margin.rects and all(r.bottom() <= stripe.bottom() + 1 for r in margin.rects)
    for step in (None, window.actionUndo, window.actionRedo, window.actionUndo):
        if step is not None:
            step.trigger()
        _settle(qtbot)
        shown = [_on_screen(vp), _on_screen(view.margin)]
        vp.repaint()
        view.margin.repaint()
        assert shown == [_on_screen(vp), _on_screen(view.margin)]
    view.select_coding(next(c.id for c in view.codings if c.start == low_start))
    _settle(qtbot)
    shown = _on_screen(vp)
    vp.repaint()
    assert shown == _on_screen(vp)


def test_the_retrieval_scroll_bar_repaints_only_when_its_handle_changes(window, qtbot):
    """Rows added far below the view change the bar's range, not its handle (at its
    shortest, at the top): the bar is not repainted. In a table with few rows more than fit
    the handle grows or shrinks with each row: the bar is. Either way the screen shows what
    a full repaint does."""
    from tests.gui.test_partial_repaints import _apply

    wb = window.workbench
    wb.tabs.setCurrentWidget(wb.retrieval)
    counts = wb.ctx.project.codes.counts()
    wb.codes.select_code(max(counts, key=lambda c: counts[c][0]))
    table = wb.retrieval.table
    bar = table.verticalScrollBar()
    names = sorted(s.name for s in wb.ctx.project.sources.all())
    rows = wb.retrieval.model.rowCount()
    chrome = table.height() - table.viewport().height()
    for shown_rows, repainted in ((2, False), (rows - 1, True)):
        table.setMaximumHeight(chrome + shown_rows * table.rowHeight(0) + 2)
        _settle(qtbot)
        assert bar.isVisible() and bar.value() == 0
        painted = _PaintedRegions(bar)
        _apply(window, wb, names[-1], at_end=True)
        _settle(qtbot)
        assert bool(painted.rects) == repainted
        shown = _on_screen(wb.tabs)
        wb.tabs.repaint()
        assert shown == _on_screen(wb.tabs)
        painted.rects.clear()
        window.actionUndo.trigger()
        _settle(qtbot)
        assert bool(painted.rects) == repainted
        shown = _on_screen(wb.tabs)
        wb.tabs.repaint()
        assert shown == _on_screen(wb.tabs)
