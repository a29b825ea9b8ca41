"""What is on screen after a change is what a full repaint shows. Some widgets repaint only
what changed (the retrieval table skips its cells when rows are added or removed below the
rows shown, and scroll bars that look the same; the bottom tabs skip their frame when a
page's size hint changes; the transcript hands Qt only the highlights in view); a skipped
repaint that was needed would leave stale pixels, which these tests look for."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QSplitter

from tests.gui.conftest import open_busiest_with_long_lines, open_source, select_text

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
    """What is on screen is what repainting the whole window gives."""
    _settle(qtbot)
    shown = _on_screen(widget)
    widget.window().repaint()
    assert shown == _on_screen(widget)


def _assert_all_painted(qtbot, widgets) -> None:
    """``_assert_painted`` for several widgets: all looked at before the window repaints."""
    _settle(qtbot)
    shown = [_on_screen(w) for w in widgets]
    for w in widgets:
        w.repaint()
    assert shown == [_on_screen(w) for w in widgets]


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
    _assert_painted(qtbot, wb.tabs)  # the scroll bars, the count above the table
    table.scrollToBottom()
    _assert_painted(qtbot, table.viewport())
    table.scrollToTop()
    window.actionUndo.trigger()
    _assert_painted(qtbot, table.viewport())
    # inside the rows shown: the rows move down and must be painted again
    row = _apply(window, wb, names[0], at_end=False)
    assert row <= table.rowAt(table.viewport().height() - 1)
    _assert_painted(qtbot, table.viewport())
    _assert_painted(qtbot, wb.tabs)
    window.actionUndo.trigger()
    _assert_painted(qtbot, table.viewport())
    _assert_painted(qtbot, wb.tabs)
    window.actionRedo.trigger()
    _assert_painted(qtbot, table.viewport())
    _assert_painted(qtbot, wb.tabs)


def test_the_scroll_bar_appears_and_goes_with_the_rows(window, qtbot):
    """A table that just fits its rows: one more row shows the vertical scroll bar (and
    narrows the columns), undo hides it again."""
    wb = window.workbench
    wb.tabs.setCurrentWidget(wb.retrieval)
    counts = wb.ctx.project.codes.counts()
    wb.codes.select_code(max(counts, key=lambda c: counts[c][0]))
    table = wb.retrieval.table
    _settle(qtbot)
    rows = wb.retrieval.model.rowCount()
    chrome = table.height() - table.viewport().height()
    table.setMaximumHeight(chrome + rows * table.rowHeight(0) + 2)
    _settle(qtbot)
    bar = table.verticalScrollBar()
    assert not bar.isVisible()
    names = sorted(s.name for s in wb.ctx.project.sources.all())
    _apply(window, wb, names[-1], at_end=True)
    _settle(qtbot)
    assert bar.isVisible()
    _assert_painted(qtbot, wb.tabs)
    window.actionUndo.trigger()
    _settle(qtbot)
    assert not bar.isVisible()
    _assert_painted(qtbot, wb.tabs)


def test_the_scroll_bar_handle_follows_a_row_added_below_and_taken_back(window, qtbot):
    """A table a few rows short of its rows: the scroll bar stays, its handle gets shorter
    with a row added below the view and longer again after the undo (what the bar paints
    changed, though it neither came nor went)."""
    wb = window.workbench
    wb.tabs.setCurrentWidget(wb.retrieval)
    counts = wb.ctx.project.codes.counts()
    wb.codes.select_code(max(counts, key=lambda c: counts[c][0]))
    table = wb.retrieval.table
    _settle(qtbot)
    rows = wb.retrieval.model.rowCount()
    chrome = table.height() - table.viewport().height()
    table.setMaximumHeight(chrome + (rows - 2) * table.rowHeight(0) + 2)
    _settle(qtbot)
    bar = table.verticalScrollBar()
    assert bar.isVisible()
    _assert_painted(qtbot, wb.tabs)
    before = _on_screen(bar)
    names = sorted(s.name for s in wb.ctx.project.sources.all())
    row = _apply(window, wb, names[-1], at_end=True)
    assert row > table.rowAt(table.viewport().height() - 1)
    _settle(qtbot)
    assert bar.isVisible() and _on_screen(bar) != before, "the handle must look shorter"
    _assert_painted(qtbot, wb.tabs)
    window.actionUndo.trigger()
    _settle(qtbot)
    assert _on_screen(bar) == before
    _assert_painted(qtbot, wb.tabs)


def _all_highlights_painted(view) -> QImage:
    """The viewport as it looks with every coding's highlight handed to Qt (as before only
    the highlights in view were): the reference for what the user must see."""
    shown = view.extraSelections()
    view.setExtraSelections([view._selection(k) for k in view.highlight_keys()])
    img = _fresh(view.viewport())
    view.setExtraSelections(shown)
    return img


def _stripes_kept_and_fresh(view) -> tuple[list, list]:
    """The stripes in view from the places kept for the margin, and measured afresh."""
    height = view.margin.height()
    kept = [(s.coding.id, r.getRect()) for s, r in view.visible_stripes(height)]
    places = view._edges
    view._edges = ((), {})
    fresh = [(s.coding.id, r.getRect()) for s, r in view.visible_stripes(height)]
    window, view._stripe_window = view._stripe_window, None  # every stripe looked at, not a window of them
    every = [(s.coding.id, r.getRect()) for s, r in view.visible_stripes(height)]
    view._edges, view._stripe_window = places, window  # the next look starts from what was kept
    assert fresh == every
    return kept, fresh


def _codings_in_view(view) -> list:
    vp = view.viewport()
    lo = view.map.to_cp(view.cursorForPosition(QPoint(0, 0)).position())
    hi = view.map.to_cp(view.cursorForPosition(QPoint(vp.width(), vp.height())).position())
    return [c for c in view.codings if c.end > lo and c.start < hi]


def test_highlights_are_painted_after_scrolling_and_resizing(window, qtbot):
    wb = window.workbench
    project = wb.ctx.project
    busiest = max(project.sources.all(), key=lambda s: s.codings)
    wb.open_source(busiest.id)
    view = wb.view
    _settle(qtbot)
    assert _codings_in_view(view)
    assert len(view.extraSelections()) < len(view.codings), "only the highlights in view are given to Qt"
    assert _on_screen(view.viewport()) == _all_highlights_painted(view)
    bar = view.verticalScrollBar()
    last = view.codings[-1]
    for value in (view.document().findBlock(view.map.to_utf16(last.start)).blockNumber() - 2, bar.maximum(),
                  bar.maximum() // 2, 0):
        bar.setValue(value)
        _settle(qtbot)
        assert _codings_in_view(view) or value == bar.maximum() // 2
        assert _on_screen(view.viewport()) == _all_highlights_painted(view), f"scrolled to {value}"
        kept, fresh = _stripes_kept_and_fresh(view)
        assert kept == fresh and (fresh or value == bar.maximum() // 2)
    qtbot.keyClick(view, Qt.Key_PageDown)
    _settle(qtbot)
    assert _on_screen(view.viewport()) == _all_highlights_painted(view)
    height = view.viewport().height()
    wb.tabs.hide()  # the transcript gets the room of the tabs below it: more lines in view
    _settle(qtbot)
    assert view.viewport().height() > height
    assert _on_screen(view.viewport()) == _all_highlights_painted(view)
    kept, fresh = _stripes_kept_and_fresh(view)
    assert kept == fresh
    window.resize(1000, 900)  # narrower: the lines wrap elsewhere
    _settle(qtbot)
    kept, fresh = _stripes_kept_and_fresh(view)
    assert kept == fresh


def test_stripes_and_code_counts_repainted_in_place_match_a_full_repaint(window, qtbot):
    """Applying a code repaints only the margin stripes that came, went or moved, and the
    code tree's count cells. A long passage, then a short one starting before it (the long
    one's stripe moves to another lane all along its lines, far below the short one's
    highlight), undo and redo leave on screen what a full repaint paints."""
    wb = window.workbench
    text, lines, starts = open_busiest_with_long_lines(wb, qtbot, _settle)
    view = wb.view
    widgets = (view.margin, view.viewport(), wb.codes.tree.viewport())
    _assert_all_painted(qtbot, widgets)
    lanes = {}
    for start, end in ((starts[1], starts[3] + len(lines[3])), (starts[1] - 12, starts[1] + 5)):
        select_text(view, start, end)
        window.actionApplyCode.trigger()
        lanes[start] = {s.coding.id: s.lane for s in view._stripes}
        _assert_all_painted(qtbot, widgets)
    long_id = max(view.codings, key=lambda c: c.end - c.start if c.start == starts[1] else -1).id
    top = view.verticalScrollBar().value()
    view.verticalScrollBar().setValue(view.document().findBlock(view.map.to_utf16(starts[3])).blockNumber())
    _settle(qtbot)
    assert long_id in [s.coding.id for s, _r in view.visible_stripes(view.margin.height())]
    kept, fresh = _stripes_kept_and_fresh(view)
    assert kept == fresh
    view.verticalScrollBar().setValue(top)
    assert lanes[starts[1]][long_id] != lanes[starts[1] - 12][long_id], "the long passage's stripe moved"
    for step in (window.actionUndo, window.actionRedo, window.actionUndo, window.actionUndo, window.actionRedo):
        step.trigger()
        _assert_all_painted(qtbot, widgets)
    wb.codes.set_aggregate(True)  # the themes above the code count its codings too
    _assert_all_painted(qtbot, widgets)  # (and the tree is painted before the next change)
    model = wb.codes.model
    themes = [i for i, c in model._codes.items() if c.parent_id is None]
    before = {i: model.shown_counts(i) for i in themes}
    far = [b for b in text.split("\n") if len(b.strip()) > 20][6]
    select_text(view, text.index(far), text.index(far) + len(far))
    window.actionApplyCode.trigger()
    assert any(model.shown_counts(i) != before[i] for i in themes), "a theme's count changed"
    _assert_all_painted(qtbot, widgets)
    for step in (window.actionUndo, window.actionRedo):
        step.trigger()
        _assert_all_painted(qtbot, widgets)


def test_row_numbers_repainted_only_for_rows_changed_in_view(window, qtbot):
    """A row added or removed below the rows shown leaves the row numbers on screen as they
    were (their repaint is skipped); one added above the current row moves its highlighted
    number, which must be repainted."""
    wb, table = _table(window, qtbot)
    widgets = (table.verticalHeader().viewport(), table.viewport())
    names = sorted(s.name for s in wb.ctx.project.sources.all())
    table.setCurrentIndex(wb.retrieval.model.index(1, 1))  # its number is highlighted
    _assert_all_painted(qtbot, widgets)
    row = _apply(window, wb, names[-1], at_end=True)
    assert row > table.rowAt(table.viewport().height() - 1)
    _assert_all_painted(qtbot, widgets)
    window.actionUndo.trigger()
    _assert_all_painted(qtbot, widgets)
    window.actionRedo.trigger()
    _assert_all_painted(qtbot, widgets)
    row = _apply(window, wb, names[0], at_end=False)
    assert row <= 1, "added above the current row"
    _assert_all_painted(qtbot, widgets)
    window.actionUndo.trigger()
    _assert_all_painted(qtbot, widgets)


def test_splitters_lay_out_again_only_when_a_pane_asks_for_other_room(window, qtbot):
    """The heading's count changing leaves the panes where they were; a heading that gets
    much longer (a renamed source) widens the transcript's pane as Qt's own layout does."""
    from qualcoder_lite.core.services.sources.sources import RenameSource

    wb = window.workbench
    project = wb.ctx.project
    splitters = [s for s in wb.findChildren(QSplitter)]
    assert len(splitters) == 2

    def places():
        return [[s.widget(i).geometry() for i in range(s.count())] for s in splitters]

    def laid_out_afresh():
        for s in splitters:
            s.refresh()  # what QSplitter lays out from the panes' hints now
        return places()

    first = next(s for s in sorted(project.sources.all(), key=lambda s: s.name) if s.codings % 10 not in (0, 9))
    open_source(wb, first.name)  # its count keeps its digits: the heading keeps its width
    wb.codes.select_code(next(iter(project.codes.counts())))
    _settle(qtbot)
    before = places()
    line = next(b for b in wb.view.text.split("\n") if len(b.strip()) > 20)
    start = wb.view.text.index(line)
    select_text(wb.view, start, start + len(line))
    heading = wb.heading.text()
    kept = [s._laid_out_from for s in splitters]
    window.actionApplyCode.trigger()
    _settle(qtbot)
    assert wb.heading.text() != heading
    assert all(s._laid_out_from is k for s, k in zip(splitters, kept)) and kept[0] is not None, "not laid out again"
    assert places() == before == laid_out_afresh()
    window.actionUndo.trigger()
    _settle(qtbot)
    assert places() == before == laid_out_afresh()
    window.ctx.run(RenameSource(first.id, "A very long name " * 12))
    _settle(qtbot)
    assert wb.heading.minimumSizeHint().width() > before[1][0].width(), "the heading needs more room"
    shown = places()
    assert shown != before and shown == laid_out_afresh()


def test_a_highlight_that_starts_above_the_view_is_painted_in_it(window, qtbot):
    """A coding over many paragraphs, scrolled so that it starts above the first line in
    view: its highlight is among those handed to Qt (the codings are looked up from their
    starts, back by the longest coding's length)."""
    wb = window.workbench
    project = wb.ctx.project
    busiest = max(project.sources.all(), key=lambda s: s.codings)
    wb.open_source(busiest.id)
    view = wb.view
    _settle(qtbot)
    doc = view.document()
    start, end = view.map.to_cp(doc.findBlockByNumber(1).position()), view.map.to_cp(doc.findBlockByNumber(60).position())
    select_text(view, start, end)
    span = view.selection_cp()  # without the white space at either end
    wb.codes.select_code(project.codes.all()[-1].id)
    before = len(view.codings)
    window.actionApplyCode.trigger()
    _settle(qtbot)
    assert len(view.codings) == before + 1
    long_one = max(view.codings, key=lambda c: c.end - c.start)
    assert (long_one.start, long_one.end) == span
    view.setTextCursor(view.cursorForPosition(QPoint(0, 0)))  # no selection over it
    view.verticalScrollBar().setValue(30)
    _settle(qtbot)
    first = view.map.to_cp(view.cursorForPosition(QPoint(0, 0)).position())
    assert long_one.start < first < long_one.end
    assert long_one.id in {k[0] for k in view.highlights._shown_keys}
    assert _on_screen(view.viewport()) == _all_highlights_painted(view)
    window.actionUndo.trigger()
    _settle(qtbot)
    assert long_one.id not in {c.id for c in view.codings}
    assert _on_screen(view.viewport()) == _all_highlights_painted(view)
