"""Applying, undoing and redoing a code keep some of what the transcript worked out before
(the stripes in view, the stripes' lanes); what is on screen afterwards must be what the
view shows when it works everything out afresh."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from qualcoder_lite.gui.transcript_view import assign_lanes
from tests.gui.conftest import select_text


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
    project = wb.ctx.project
    busiest = max(project.sources.all(), key=lambda s: s.codings)
    wb.open_source(busiest.id)
    counts = project.codes.counts()
    wb.codes.select_code(max(counts, key=lambda c: counts[c][0]))
    view = wb.view
    _settle(qtbot)
    text = view.text
    lines = [b for b in text.split("\n") if len(b.strip()) > 20][:4]
    starts = [text.index(line) for line in lines]
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
