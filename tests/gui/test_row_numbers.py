"""The retrieval table's row-number header measures its width itself (from each label's
size, kept): it must come out as QHeaderView's own measure at every row count."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QStandardItemModel
from PySide6.QtWidgets import QHeaderView, QTableView

from qualcoder_lite.gui.row_numbers import RowNumbers


def test_width_is_qts_own_at_every_row_count(qtbot):
    table = QTableView()
    qtbot.addWidget(table)
    model = QStandardItemModel(0, 2)
    table.setModel(model)
    header = RowNumbers(table)
    table.setVerticalHeader(header)
    table.show()
    for rows in (1, 9, 10, 99, 100, 101, 150, 199, 200, 201, 999, 1000, 9999, 10000, 10001, 250, 3):
        if rows > model.rowCount():
            model.insertRows(model.rowCount(), rows - model.rowCount())
        else:
            model.removeRows(rows, model.rowCount() - rows)
        assert header.count() == rows
        assert header.sizeHint() == QHeaderView.sizeHint(header), rows
    model.insertRows(0, 5)  # labels move: the row numbers stay 1..n
    assert header.sizeHint() == QHeaderView.sizeHint(header)
    for rows in (9, 10, 9, 10):  # back and forth (undo, redo): the same hints again
        model.removeRows(rows, model.rowCount() - rows) if rows < model.rowCount() else model.insertRows(9, 1)
        assert header.sizeHint() == QHeaderView.sizeHint(header), rows
    model.setHeaderData(0, Qt.Vertical, "a much longer label")  # a label that is not a number
    assert header.sizeHint() == QHeaderView.sizeHint(header)
    model.setHeaderData(0, Qt.Vertical, None)
    assert header.sizeHint() == QHeaderView.sizeHint(header)
    big = QFont(header.font())
    big.setPointSize(big.pointSize() * 3)
    header.setFont(big)  # sizes measured in the old font are forgotten
    assert header.sizeHint() == QHeaderView.sizeHint(header)
    model.removeRows(0, model.rowCount())
    assert header.sizeHint() == QHeaderView.sizeHint(header)
