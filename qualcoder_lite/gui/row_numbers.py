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
    and the width is the widest of the same 200 labels, measured once each."""

    def __init__(self, parent=None):
        super().__init__(Qt.Vertical, parent)
        self.setSectionsClickable(True)  # as QTableView sets up its own header
        self.setHighlightSections(True)
        self._sizes: dict[object, tuple[int, int]] = {}  # label -> its section's (width, height)

    def sizeHint(self) -> QSize:
        n = self.count()
        model = self.model()
        if not n or model is None or self.hiddenSectionCount():
            return super().sizeHint()
        header_data, sizes = model.headerData, self._sizes
        width = height = 0
        for i in (*range(min(n, _ENDS)), *range(max(min(n, _ENDS), n - _ENDS), n)):
            label = header_data(i, Qt.Vertical)
            size = sizes.get(label)
            if size is None:
                hint = self.sectionSizeFromContents(i)
                size = sizes[label] = (hint.width(), hint.height())
            width, height = max(width, size[0]), max(height, size[1])
        return QSize(width, height)

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.FontChange, QEvent.StyleChange):
            self._sizes.clear()
        super().changeEvent(event)
