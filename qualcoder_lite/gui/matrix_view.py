"""Framework matrix (object name ``matrixView``): cases × themes, each cell the analyst's
summary with a count of linked quotes. A lazy table model over core data."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTableView, QVBoxLayout, QWidget

from ..core.errors import QualCoderError
from ..core.services.matrix import build_matrix
from ..core.services.summaries import SetCellSummary
from .context import Context

TO_CHART = QColor("#fff4d6")


class MatrixModel(QAbstractTableModel):
    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.matrix = build_matrix(ctx.project)

    def reload(self) -> None:
        self.beginResetModel()
        self.matrix = build_matrix(self.ctx.project, [c.id for c in self.matrix.columns] or None)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.matrix.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.matrix.columns)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role == Qt.DisplayRole:
            if orientation == Qt.Horizontal and 0 <= section < len(self.matrix.columns):
                return self.matrix.columns[section].name
            if orientation == Qt.Vertical and 0 <= section < len(self.matrix.rows):
                return self.matrix.rows[section].name
        if role == Qt.ToolTipRole and orientation == Qt.Horizontal and 0 <= section < len(self.matrix.columns):
            return self.matrix.columns[section].path_str
        return None

    def data(self, index: QModelIndex, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        cell = self.matrix.cell(index.row(), index.column())
        if role == Qt.DisplayRole:
            badge = f"[{cell.quotes}] " if cell.quotes else ""
            if not cell.summary and cell.quotes:
                return f"{badge}to chart"
            return badge + cell.summary
        if role == Qt.EditRole:
            return cell.summary
        if role == Qt.BackgroundRole and cell.quotes and not cell.summary:
            return TO_CHART
        if role == Qt.ToolTipRole:
            return f"{cell.quotes} linked quote{'s' if cell.quotes != 1 else ''}" + (
                f"\n{cell.summary}" if cell.summary else "")
        return None

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.NoItemFlags
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsEditable

    def setData(self, index: QModelIndex, value, role=Qt.EditRole) -> bool:
        if not index.isValid() or role != Qt.EditRole:
            return False
        row = self.matrix.rows[index.row()]
        col = self.matrix.columns[index.column()]
        text = str(value).strip()
        if text == self.matrix.cell(index.row(), index.column()).summary:
            return False
        try:
            self.ctx.run(SetCellSummary(row.id, col.id, text, row_kind=self.matrix.row_kind))
        except QualCoderError:
            return False
        return True


class MatrixView(QWidget):
    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = MatrixModel(ctx, self)
        self.table = QTableView(self)
        self.table.setObjectName("matrixView")
        self.table.setModel(self.model)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setDefaultSectionSize(220)
        self.table.verticalHeader().setDefaultSectionSize(64)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.table)

    def on_changed(self, changes) -> None:
        if changes.tables & {"codings", "codes", "matrix_cells", "cases", "case_sources", "sources"}:
            self.model.reload()
