"""The retrieval table's row numbers (a vertical header whose width is cheap to recompute)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import QHeaderView

#: QHeaderView.sizeHint measures this many sections at each end (see qheaderview.cpp)
_ENDS = 100


class RowNumbers(QHeaderView):
    """A vertical header that shows row numbers, as QTableView's own does.

    Qt recomputes the header's width after every row inserted or removed by measuring the
    first and the last 100 sections, which asks the model ~800 questions through Python
    (~3 ms per coding applied). The labels are the row numbers, so a label's size is kept
    and the width is the widest of the same 200 labels, measured once each; and the hint
    for a row count is kept until the labels or the font change (an undo and a redo go
    back and forth between two counts)."""

    def __init__(self, parent=None):
        super().__init__(Qt.Vertical, parent)
        self.setSectionsClickable(True)  # as QTableView sets up its own header
        self.setHighlightSections(True)
        self._sizes: dict[object, tuple[int, int]] = {}  # label -> its section's (width, height)
        self._hints: dict[int, QSize] = {}  # row count -> the header's size hint

    def sizeHint(self) -> QSize:
        n = self.count()
        model = self.model()
        if not n or model is None or self.hiddenSectionCount():
            return super().sizeHint()
        kept = self._hints.get(n)
        if kept is not None:
            return QSize(kept)
        header_data, sizes = model.headerData, self._sizes
        width = height = 0
        for i in (*range(min(n, _ENDS)), *range(max(min(n, _ENDS), n - _ENDS), n)):
            label = header_data(i, Qt.Vertical)
            size = sizes.get(label)
            if size is None:
                hint = self.sectionSizeFromContents(i)
                size = sizes[label] = (hint.width(), hint.height())
            width, height = max(width, size[0]), max(height, size[1])
        if len(self._hints) > 16:
            self._hints.clear()
        self._hints[n] = QSize(width, height)
        return QSize(width, height)

    def setModel(self, model) -> None:
        old = self.model()
        if model is old:
            return
        if old is not None:
            for signal, slot in self._watched(old):
                signal.disconnect(slot)
        super().setModel(model)
        if model is not None:  # connected after the header's own handlers: ``_resume`` runs last
            for signal, slot in self._watched(model):
                signal.connect(slot)

    def _watched(self, model) -> tuple:
        return ((model.rowsAboutToBeInserted, self._rows_changing), (model.rowsAboutToBeRemoved, self._rows_changing),
                (model.rowsInserted, self._resume), (model.rowsRemoved, self._resume),
                (model.headerDataChanged, self._forget_hints), (model.modelReset, self._forget_hints),
                (model.layoutChanged, self._forget_hints))

    def _forget_hints(self, *_args) -> None:
        self._hints.clear()

    def _rows_changing(self, parent, first: int, _last: int) -> None:
        """Rows change only below the last row shown: the numbers on screen stay as they are
        (a width that changes is set by the table's relayout afterwards, which repaints the
        header). Qt repaints the whole header for every row inserted or removed (~1 ms a
        coding applied); that repaint is left out until the rows have changed."""
        last_shown = self.visualIndexAt(self.viewport().height() - 1)
        if not parent.isValid() and last_shown >= 0 and first > self.logicalIndex(last_shown):
            self.viewport().setAttribute(Qt.WA_UpdatesDisabled, True)  # not setUpdatesEnabled: that repaints

    def _resume(self, *_args) -> None:
        self.viewport().setAttribute(Qt.WA_UpdatesDisabled, False)

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.FontChange, QEvent.StyleChange):
            self._sizes.clear()
            self._hints.clear()
        super().changeEvent(event)
