"""The retrieval table's view (object name ``segmentTable``): rows patched in place by the
model (``segment_model.SegmentModel.refresh``) repaint only what changed on screen."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyleOptionSlider, QStyleOptionViewItem, QTableView

class SegmentTableView(QTableView):
    """Double-click jumps to the passage, also on the quote cell (which F2 edits).

    A row inserted or removed below the last row shown changes nothing on screen but the
    scroll bar; Qt's relayout after it repaints every visible cell anyway (~10 ms for a
    table of 14 rows x 10 columns), so that relayout runs without repainting the cells."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._below_only: bool | None = None  # since the last relayout: rows changed only below the view
        self.jump_columns: frozenset[int] = frozenset()  # a double-click there jumps, never edits

    def edit(self, index, trigger=None, event=None):
        if trigger is None:
            return super().edit(index)
        if index.isValid() and index.column() in self.jump_columns and trigger == QAbstractItemView.DoubleClicked:
            return False
        return super().edit(index, trigger, event)

    def _rows_changing(self, parent, first: int) -> None:
        last_shown = self.rowAt(self.viewport().height() - 1)
        below = not parent.isValid() and last_shown >= 0 and first > last_shown
        self._below_only = below if self._below_only is None else self._below_only and below

    def rowsInserted(self, parent, first: int, last: int) -> None:
        self._rows_changing(parent, first)
        super().rowsInserted(parent, first, last)

    def rowsAboutToBeRemoved(self, parent, first: int, last: int) -> None:
        self._rows_changing(parent, first)
        super().rowsAboutToBeRemoved(parent, first, last)

    def reset(self) -> None:
        self._below_only = False
        super().reset()

    def doItemsLayout(self) -> None:
        quiet, self._below_only = self._below_only, None
        if not quiet:
            super().doItemsLayout()
            return
        viewport = self.viewport()
        viewport.setAttribute(Qt.WA_UpdatesDisabled, True)  # not setUpdatesEnabled: that repaints
        try:
            super().doItemsLayout()
        finally:
            viewport.setAttribute(Qt.WA_UpdatesDisabled, False)

    def sizeHintForColumn(self, column: int) -> int:
        """Qt's width for a column, measured once per distinct text: the Case column of a
        50,000-segment code repeats a few dozen case names over the ~1,000 rows Qt reads
        (``sampled_rows``), and measuring each row through the delegate took ~15 % of
        showing the code. Any other column, or hidden rows, are left to Qt."""
        model = self.model()
        text_of = getattr(model, "case_of_row", None) if column == 0 else None
        header = self.verticalHeader()
        if text_of is None or header.hiddenSectionCount() or header.sectionsMoved():
            return super().sizeHintForColumn(column)
        first_row: dict[str, int] = {}
        precision = self.horizontalHeader().resizeContentsPrecision()
        for row in sampled_rows(header, precision, self.viewport().height(), model.rowCount(), self.isVisible()):
            first_row.setdefault(text_of(row), row)
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        hint = 0
        for row in first_row.values():
            index = model.index(row, column)
            if self.indexWidget(index) is not None or self.isPersistentEditorOpen(index):
                return super().sizeHintForColumn(column)
            hint = max(hint, self.itemDelegateForIndex(index).sizeHint(option, index).width())
        return hint + 1 if self.showGrid() else hint

    def updateGeometries(self) -> None:
        self._bars_quiet(super().updateGeometries)

    def event(self, ev) -> bool:
        if ev.type() == QEvent.MetaCall:  # e.g. the queued show-or-hide of the scroll bars
            return self._bars_quiet(lambda: super(SegmentTableView, self).event(ev))
        return super().event(ev)

    def _bars_quiet(self, step):
        """Run ``step`` (a relayout) and repaint only the scroll bars it changed. A bar
        repaints (and with it the frame and the tabs beneath it, ~2 ms each) whenever its
        steps are set or the other bar's range changes, even when it looks the same."""
        bars = (self.horizontalScrollBar(), self.verticalScrollBar())
        before = [_bar_state(bar) for bar in bars]
        quiet = [w for bar in bars for w in (bar, bar.parentWidget())]
        for w in quiet:
            w.setAttribute(Qt.WA_UpdatesDisabled, True)  # not setUpdatesEnabled: that repaints
        try:
            done = step()
        finally:
            for w in quiet:
                w.setAttribute(Qt.WA_UpdatesDisabled, False)
        after = [_bar_state(bar) for bar in bars]
        if any(a[:3] != b[:3] for a, b in zip(after, before)):  # a bar came, went or moved
            self.update()
            for bar in bars:
                bar.parentWidget().update()
                bar.update()
        else:
            for bar, a, b in zip(bars, after, before):
                if a[-1] != b[-1]:  # what the bar paints changed (see _bar_state)
                    bar.update()
        return done


def sampled_rows(header, most: int, viewport_height: int, n_rows: int, visible: bool) -> range:
    """The rows ``QTableView::sizeHintForColumn`` measures (no hidden or moved rows): those
    on screen (``header`` is the vertical one), then one above and one below in turn up to
    ``most``, the horizontal header's resize precision (1,000 by default); always a run."""
    top = max(0, header.visualIndexAt(0))
    bottom = header.visualIndexAt(viewport_height)
    if not visible or bottom == -1:
        bottom = n_rows - 1
    if most > 0:
        bottom = min(bottom, top + most - 1)
    done = bottom - top + 1
    last = n_rows - 1
    if most == 0 or last == -1 or done <= 0:
        return range(top, max(top, bottom + 1))
    while done != most and (top > 0 or bottom < last):
        if (done % 2 and top > 0) or bottom == last:
            top -= 1
        else:
            bottom += 1
        done += 1
    return range(top, bottom + 1)


_LOOKS: dict[tuple, tuple] = {}  # what a bar paints, by what it is worked out from (see _bar_state)


def _bar_state(bar) -> tuple:
    """Where the bar and its box are, its steps, and last what it paints: the handle's
    rectangle and whether it is at either end (a row added to 5,000 changes the range, not
    the handle: ~1 ms of repainting the bar and the panes behind it per coding). The look
    is kept by the bar's style, size, direction, range, steps and value: working it out
    took ~50 us, eight times per coding applied (an undo and a redo go back and forth
    between two ranges)."""
    box = bar.parentWidget()
    state = (box.isVisible(), box.geometry(), bar.geometry(), bar.minimum(), bar.maximum(), bar.pageStep(),
             bar.singleStep(), bar.value())
    key = (id(bar.style()), bar.orientation(), bar.invertedAppearance(), bar.sliderPosition(), bar.isEnabled(),
           bar.layoutDirection(), *state[2:])
    look = _LOOKS.get(key)
    if look is None:
        if len(_LOOKS) > 64:
            _LOOKS.clear()
        look = _LOOKS[key] = _bar_look(bar)
    return (*state, look)


def _bar_look(bar) -> tuple:
    """The handle's rectangle, whether the bar is at either end, and whether it is enabled."""
    opt = QStyleOptionSlider()
    opt.initFrom(bar)
    opt.orientation = bar.orientation()
    if opt.orientation == Qt.Horizontal:
        opt.state |= QStyle.State_Horizontal
    opt.minimum, opt.maximum = bar.minimum(), bar.maximum()
    opt.sliderPosition, opt.sliderValue = bar.sliderPosition(), bar.value()
    opt.singleStep, opt.pageStep = bar.singleStep(), bar.pageStep()
    opt.upsideDown = bar.invertedAppearance()
    handle = bar.style().subControlRect(QStyle.CC_ScrollBar, opt, QStyle.SC_ScrollBarSlider, bar)
    return (handle, bar.value() == bar.minimum(), bar.value() == bar.maximum(), bar.isEnabled())
