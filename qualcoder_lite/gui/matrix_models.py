"""The framework matrix's lazy table models: the matrix itself (cases × themes, grouped
rows, editable summaries), the group comparison and the matrix coding query."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from ..core import codepath
from ..core.errors import QualCoderError
from ..core.services.matrix.matrix import build_matrix
from ..core.services.matrix.summaries import SetCellSummary
from ..core.services.sources.filters import parse_where
from .context import Context

TO_CHART = QColor("#fff4d6")
TO_CHART_TEXT = QColor("#8a5a00")
_R = Qt.ItemDataRole
DISPLAY, EDIT, BACKGROUND, FOREGROUND, TOOLTIP, USER = (
    int(r) for r in (_R.DisplayRole, _R.EditRole, _R.BackgroundRole, _R.ForegroundRole, _R.ToolTipRole,
                     _R.UserRole))
_MATRIX_ROLES = frozenset((DISPLAY, EDIT, BACKGROUND, FOREGROUND, TOOLTIP, USER))
FONT = int(_R.FontRole)
_HEADER_ROLES = frozenset((DISPLAY, TOOLTIP, FONT, BACKGROUND))  # the roles headerData() answers
HORIZONTAL = Qt.Orientation.Horizontal
_F = Qt.ItemFlag
NO_FLAGS, GROUP_FLAGS = _F.NoItemFlags, _F.ItemIsEnabled
CELL_FLAGS = _F.ItemIsEnabled | _F.ItemIsSelectable | _F.ItemIsEditable
GROUP_BG = QColor("#ecebe6")
_BOLD: list[QFont] = []  # the row headers' font, made once (the header asks for it per row)


def _bold_font() -> QFont:
    if not _BOLD:
        f = QFont()
        f.setBold(True)
        _BOLD.append(f)
    return _BOLD[0]


class MatrixModel(QAbstractTableModel):
    """Rows are cases (or sources) with a header row before each group when grouped."""

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.column_ids: list[int] | None = None
        self.row_kind = "case"
        self.roll_up = True
        self.where_expr: str | None = None
        self.group_by: str | None = None
        self.sort_by: str | None = None
        self.matrix = None
        self.lines: list[tuple[str, object]] = []  # ("group", value) | ("row", matrix row index)
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        where = parse_where(self.ctx.project, [self.where_expr]) if self.where_expr else None
        self.matrix = build_matrix(self.ctx.project, self.column_ids, self.row_kind, self.roll_up, where,
                                   self.group_by, self.sort_by)
        self.lines = []
        group = object()
        for i, row in enumerate(self.matrix.rows):
            if self.group_by and row.group != group:
                group = row.group
                self.lines.append(("group", group))
            self.lines.append(("row", i))
        self.endResetModel()

    # -- lookups ------------------------------------------------------------------
    def row_of(self, line: int):
        kind, value = self.lines[line]
        return self.matrix.rows[value] if kind == "row" else None

    def is_group(self, line: int) -> bool:
        return 0 <= line < len(self.lines) and self.lines[line][0] == "group"

    def cell_at(self, index: QModelIndex):
        kind, value = self.lines[index.row()]
        if kind != "row":
            return None
        return self.matrix.cell(value, index.column())

    # -- model --------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.matrix.columns)

    def headerData(self, section, orientation, role=DISPLAY):
        # plain ints, as in data(): the headers ask ~400 times per reset at 10x, and each
        # ``Qt.DisplayRole``-style lookup costs microseconds
        if role not in _HEADER_ROLES:
            return None
        if orientation == HORIZONTAL:
            if not 0 <= section < len(self.matrix.columns):
                return None
            col = self.matrix.columns[section]
            if role == DISPLAY:
                return col.name
            if role == TOOLTIP:
                return col.display_path + (" (with its sub-codes)" if self.roll_up else "")
            return None
        if not 0 <= section < len(self.lines):
            return None
        kind, value = self.lines[section]
        if role == DISPLAY:
            return f"{self.group_by}: {value}" if kind == "group" else self.matrix.rows[value].name
        if role == FONT:
            return _bold_font()
        if role == BACKGROUND and kind == "group":
            return GROUP_BG
        return None

    def data(self, index: QModelIndex, role=DISPLAY):
        # Painting asks ~10 roles per visible cell on every scroll step: answer the common
        # ones from plain ints and the unused ones first, without building anything.
        if role not in _MATRIX_ROLES or not index.isValid():
            return None
        kind, value = self.lines[index.row()]
        if kind == "group":
            if role == DISPLAY and index.column() == 0:
                n = sum(1 for r in self.matrix.rows if r.group == value)
                return f"{self.group_by} = {value}  ({n} {'case' if n == 1 else 'cases'})"
            if role == BACKGROUND:
                return GROUP_BG
            return None
        cell = self.matrix.cells.get((self.matrix.rows[value].id, self.matrix.columns[index.column()].id))
        if cell is None:
            return "" if role in (DISPLAY, EDIT) else (0 if role == USER else None)
        if role == DISPLAY:
            badge = f"[{cell.quotes}]  " if cell.quotes else ""
            return badge + ("to chart" if cell.to_chart else cell.summary)
        if role == EDIT:
            return cell.summary
        if role == BACKGROUND:
            return TO_CHART if cell.to_chart else None
        if role == FOREGROUND:
            return TO_CHART_TEXT if cell.to_chart else None
        if role == TOOLTIP:
            # the badge counts codings; the quote panel shows them merged into quotes (issue 18)
            tip = (f"[{cell.quotes}]: {cell.quotes} coding{'s' if cell.quotes != 1 else ''} linked; the quote panel "
                   "shows them as quotes (overlapping codings of one passage once)")
            return tip + (f"\n\n{cell.summary}" if cell.summary else "\nNo summary yet: type to chart this cell")
        if role == USER:
            return cell.quotes
        return None

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return NO_FLAGS
        if self.is_group(index.row()):
            return GROUP_FLAGS
        return CELL_FLAGS

    def setData(self, index: QModelIndex, value, role=Qt.EditRole) -> bool:
        if not index.isValid() or role != Qt.EditRole or self.is_group(index.row()):
            return False
        row = self.row_of(index.row())
        col = self.matrix.columns[index.column()]
        text = str(value).strip()
        if text == self.cell_at(index).summary:
            return False
        try:
            self.ctx.run(SetCellSummary(row.id, col.id, text, row_kind=self.matrix.row_kind))
        except QualCoderError:
            return False
        return True


class ComparisonModel(QAbstractTableModel):
    """Per column (code) and group value: cases with quotes / cases in the group (share)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.codes: list[tuple[int, str]] = []
        self.values: list[str] = []
        self.by: dict[tuple[int, str], object] = {}

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.codes = list(dict.fromkeys((r.code_id, codepath.display_escaped(r.code)) for r in rows))
        self.values = list(dict.fromkeys(r.value for r in rows))
        self.by = {(r.code_id, r.value): r for r in rows}
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.codes)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.values)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role != Qt.DisplayRole:
            return None
        if orientation == Qt.Horizontal:
            return self.values[section] if 0 <= section < len(self.values) else None
        return self.codes[section][1] if 0 <= section < len(self.codes) else None

    def data(self, index: QModelIndex, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        r = self.by.get((self.codes[index.row()][0], self.values[index.column()]))
        if r is None:
            return None
        if role == Qt.DisplayRole:
            share = "–" if r.share is None else f"{round(100 * r.share)}%"
            return f"{r.cases}/{r.cases_total}  ({share})"
        if role == Qt.ToolTipRole:
            return f"{r.cases} of {r.cases_total} cases have quotes here; {r.codings} codings"
        if role == Qt.BackgroundRole and r.share is not None:
            c = QColor("#4e79a7")
            c.setAlpha(int(25 + 140 * r.share))
            return c
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignCenter)
        if role == Qt.UserRole:
            return r.cases
        return None


class QueryModel(QAbstractTableModel):
    """Matrix coding query: codes × attribute values; measure = cases, codings or words."""

    MEASURES = ("cases", "codings", "words")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.columns = []
        self.values: list[str] = []
        self.cells = {}
        self.measure = "cases"

    def set_result(self, columns, values, cells) -> None:
        self.beginResetModel()
        self.columns, self.values, self.cells = columns, values, cells
        self.endResetModel()

    def set_measure(self, measure: str) -> None:
        self.measure = measure
        if self.columns and self.values:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.columns) - 1, len(self.values) - 1))

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.values)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role != Qt.DisplayRole:
            return None
        if orientation == Qt.Horizontal:
            return self.values[section] if 0 <= section < len(self.values) else None
        return self.columns[section].display_path if 0 <= section < len(self.columns) else None

    def data(self, index: QModelIndex, role=Qt.DisplayRole):
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.TextAlignmentRole):
            return None
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        cell = self.cells.get((self.columns[index.row()].id, self.values[index.column()]))
        return 0 if cell is None else getattr(cell, self.measure)
