"""What the query tables share: item roles and a flat table model of result rows."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

DISPLAY, TOOLTIP, ALIGN, USER = (int(r) for r in (Qt.DisplayRole, Qt.ToolTipRole, Qt.TextAlignmentRole,
                                                  Qt.UserRole))
BACKGROUND = int(Qt.BackgroundRole)
RIGHT = int(Qt.AlignRight | Qt.AlignVCenter)


class RowsModel(QAbstractTableModel):
    """A flat table of result rows under the column titles ``HEAD`` (subclasses: ``data``)."""

    HEAD: tuple[str, ...] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEAD)

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY and orientation == Qt.Horizontal and 0 <= section < len(self.HEAD):
            return self.HEAD[section]
        return None
