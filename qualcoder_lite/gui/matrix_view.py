"""Framework matrix (object name ``matrixView``): cases × themes; each cell the analyst's
summary with a badge counting its linked quotes. The cell's quotes sit beside the table;
typing in a cell edits its summary (one undoable step per edit). Rows can be filtered,
sorted and grouped by attributes; comparison mode shows, per column and group, how many
cases have quotes there. Lazy table models: nothing is built per cell."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel,
    QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QSplitter, QStyledItemDelegate, QTableView,
    QTabWidget, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from ..core import codepath
from ..core.errors import QualCoderError
from ..core.services.sources.filters import parse_where
from ..core.services.matrix.matrix import build_matrix, coding_query, compare
from ..core.services.matrix.summaries import SetCellSummary
from .context import Context

TO_CHART = QColor("#fff4d6")
TO_CHART_TEXT = QColor("#8a5a00")
_R = Qt.ItemDataRole
DISPLAY, EDIT, BACKGROUND, FOREGROUND, TOOLTIP, USER = (
    int(r) for r in (_R.DisplayRole, _R.EditRole, _R.BackgroundRole, _R.ForegroundRole, _R.ToolTipRole,
                     _R.UserRole))
_MATRIX_ROLES = frozenset((DISPLAY, EDIT, BACKGROUND, FOREGROUND, TOOLTIP, USER))
GROUP_BG = QColor("#ecebe6")


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

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal:
            if not 0 <= section < len(self.matrix.columns):
                return None
            col = self.matrix.columns[section]
            if role == Qt.DisplayRole:
                return col.name
            if role == Qt.ToolTipRole:
                return col.display_path + (" (with its sub-codes)" if self.roll_up else "")
            return None
        if not 0 <= section < len(self.lines):
            return None
        kind, value = self.lines[section]
        if role == Qt.DisplayRole:
            return f"{self.group_by}: {value}" if kind == "group" else self.matrix.rows[value].name
        if role == Qt.FontRole:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.BackgroundRole and kind == "group":
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
            return Qt.NoItemFlags
        if self.is_group(index.row()):
            return Qt.ItemIsEnabled
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsEditable

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


class SummaryDelegate(QStyledItemDelegate):
    """A multi-line editor for summaries; Enter commits, Shift+Enter adds a line."""

    def createEditor(self, parent, option, index):
        editor = _SummaryEditor(parent)
        editor.commit.connect(lambda: (self.commitData.emit(editor), self.closeEditor.emit(editor)))
        return editor

    def setEditorData(self, editor, index):
        editor.setPlainText(index.data(Qt.EditRole) or "")
        editor.moveCursor(editor.textCursor().MoveOperation.End)

    def setModelData(self, editor, model, index):
        model.setData(index, editor.toPlainText(), Qt.EditRole)


class _SummaryEditor(QPlainTextEdit):
    commit = Signal()

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and not (event.modifiers() & Qt.ShiftModifier):
            self.commit.emit()
            return
        super().keyPressEvent(event)


class ColumnDialog(QDialog):
    """Choose the codes that become columns (a checkable code tree)."""

    def __init__(self, codes, chosen: set[int], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Matrix columns")
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Code"])
        items = {}
        for c in codes:
            parent_item = items.get(c.parent_id, self.tree.invisibleRootItem())
            it = QTreeWidgetItem(parent_item, [c.name])
            it.setData(0, Qt.UserRole, c.id)
            it.setCheckState(0, Qt.Checked if c.id in chosen else Qt.Unchecked)
            items[c.id] = it
        self.tree.expandAll()
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Tick the codes to show as columns (in tree order):", self))
        lay.addWidget(self.tree)
        lay.addWidget(buttons)
        self.resize(420, 520)

    def chosen(self) -> list[int]:
        out = []

        def walk(item):
            for i in range(item.childCount()):
                ch = item.child(i)
                if ch.checkState(0) == Qt.Checked:
                    out.append(ch.data(0, Qt.UserRole))
                walk(ch)

        walk(self.tree.invisibleRootItem())
        return out


class MatrixView(QWidget):
    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = MatrixModel(ctx, self)
        self.table = QTableView(self)
        self.table.setObjectName("matrixView")
        self.table.setModel(self.model)
        self.table.setWordWrap(True)
        self.table.setItemDelegate(SummaryDelegate(self.table))
        self.table.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed
                                   | QAbstractItemView.AnyKeyPressed)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        hh = self.table.horizontalHeader()
        hh.setDefaultSectionSize(230)
        hh.setSectionsMovable(False)
        hh.setMinimumSectionSize(80)
        vh = self.table.verticalHeader()
        vh.setDefaultSectionSize(74)
        vh.setMinimumWidth(90)
        self.table.selectionModel().currentChanged.connect(self._cell_changed)

        # controls
        self.rows = QComboBox(self)
        self.rows.setObjectName("matrixRows")
        self.rows.addItem("Cases", "case")
        self.rows.addItem("Sources", "source")
        self.roll = QCheckBox("Themes include sub-codes", self)
        self.roll.setObjectName("matrixRollUp")
        self.roll.setChecked(True)
        self.filter = QComboBox(self)
        self.filter.setObjectName("matrixFilter")
        self.group = QComboBox(self)
        self.group.setObjectName("matrixGroupBy")
        self.sort = QComboBox(self)
        self.sort.setObjectName("matrixSortBy")
        self.compare_box = QCheckBox("Compare groups", self)
        self.compare_box.setObjectName("matrixCompare")
        columns_btn = QPushButton("Columns…", self)
        columns_btn.setObjectName("matrixColumns")
        columns_btn.clicked.connect(self.choose_columns)
        export_btn = QPushButton("Export…", self)
        export_btn.setObjectName("matrixExport")
        export_btn.clicked.connect(self.export_dialog)
        self.status = QLabel(self)
        bar = QHBoxLayout()
        for label, w in (("Rows:", self.rows), (None, self.roll), ("Show:", self.filter), ("Group by:", self.group),
                         ("Sort by:", self.sort), (None, self.compare_box)):
            if label:
                bar.addWidget(QLabel(label, self))
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.status)
        bar.addWidget(columns_btn)
        bar.addWidget(export_btn)

        # side panel: the selected cell's quotes
        self.quotes = QListWidget(self)
        self.quotes.setObjectName("matrixQuotes")
        self.quotes.setWordWrap(True)
        self.quotes.setSpacing(4)
        self.quotes.itemActivated.connect(self._jump)
        self.cell_title = QLabel(self)
        self.cell_title.setWordWrap(True)
        side = QWidget(self)
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.cell_title)
        sl.addWidget(self.quotes, 1)

        # comparison and coding-query tables
        self.comparison = ComparisonModel(self)
        self.comparison_table = QTableView(self)
        self.comparison_table.setObjectName("comparisonView")
        self.comparison_table.setModel(self.comparison)
        self.comparison_table.horizontalHeader().setDefaultSectionSize(140)
        self.query = QueryModel(self)
        self.query_table = QTableView(self)
        self.query_table.setObjectName("codingQueryView")
        self.query_table.setModel(self.query)
        self.query_attr = QComboBox(self)
        self.query_attr.setObjectName("queryAttribute")
        self.query_measure = QComboBox(self)
        self.query_measure.setObjectName("queryMeasure")
        for m, label in (("cases", "Cases coded"), ("codings", "Codings"), ("words", "Words coded")):
            self.query_measure.addItem(label, m)
        query_export = QPushButton("Export…", self)
        query_export.clicked.connect(self.export_query)
        qw = QWidget(self)
        ql = QVBoxLayout(qw)
        ql.setContentsMargins(0, 0, 0, 0)
        qbar = QHBoxLayout()
        qbar.addWidget(QLabel("Attribute:", self))
        qbar.addWidget(self.query_attr)
        qbar.addWidget(QLabel("Measure:", self))
        qbar.addWidget(self.query_measure)
        qbar.addStretch(1)
        qbar.addWidget(query_export)
        ql.addLayout(qbar)
        ql.addWidget(self.query_table, 1)
        self.lower = QTabWidget(self)
        self.lower.addTab(self.comparison_table, "Group comparison")
        self.lower.addTab(qw, "Matrix coding query")

        split = QSplitter(Qt.Horizontal, self)
        split.addWidget(self.table)
        split.addWidget(side)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setSizes([1050, 330])
        vsplit = QSplitter(Qt.Vertical, self)
        vsplit.addWidget(split)
        vsplit.addWidget(self.lower)
        vsplit.setSizes([620, 220])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(vsplit, 1)

        self._stale = False
        self._query_stale = True
        self.lower.currentChanged.connect(lambda i: self.refresh_query() if i == 1 and self._query_stale else None)
        self.reload_choices()
        for box in (self.rows, self.filter, self.group, self.sort):
            box.currentIndexChanged.connect(self._options_changed)
        self.roll.toggled.connect(self._options_changed)
        self.compare_box.toggled.connect(self._options_changed)
        self.query_attr.currentIndexChanged.connect(lambda _i: self.refresh_query())
        self.query_measure.currentIndexChanged.connect(
            lambda _i: self.query.set_measure(self.query_measure.currentData()))
        self._options_changed()

    # -- options ------------------------------------------------------------------
    def reload_choices(self) -> None:
        attrs = self.ctx.project.attributes.all("case")
        values = self.ctx.project.attributes.case_values()
        keep = {b: b.currentData() for b in (self.filter, self.group, self.sort, self.query_attr)}
        for b in keep:
            b.blockSignals(True)
            b.clear()
        self.filter.addItem("All cases", None)
        self.group.addItem("(no grouping)", None)
        self.sort.addItem("Name", None)
        for a in attrs:
            self.group.addItem(a.name, a.name)
            self.sort.addItem(a.name, a.name)
            self.query_attr.addItem(a.name, a.name)
            for v in sorted({x[a.name] for x in values.values() if a.name in x}):
                self.filter.addItem(f"{a.name} = {v}", f"{a.name}={v}")
        for b, data in keep.items():
            i = b.findData(data)
            b.setCurrentIndex(i if i >= 0 else 0)
            b.blockSignals(False)

    def _options_changed(self, *_):
        m = self.model
        m.row_kind = self.rows.currentData()
        m.roll_up = self.roll.isChecked()
        m.where_expr = self.filter.currentData()
        m.group_by = self.group.currentData()
        m.sort_by = self.sort.currentData()
        self.refresh()

    def refresh(self) -> None:
        self.model.reload()
        self.table.clearSpans()
        for line, (kind, _v) in enumerate(self.model.lines):
            if kind == "group" and self.model.columnCount() > 1:
                self.table.setSpan(line, 0, 1, self.model.columnCount())
            if kind == "group":
                self.table.setRowHeight(line, 26)
        cells = self.model.matrix.cells.values()
        to_chart = sum(1 for c in cells if c.to_chart)
        self.status.setText(f"{len(self.model.matrix.rows)} rows · {to_chart} cells to chart")
        self.refresh_comparison()
        self.refresh_query()

    def refresh_comparison(self) -> None:
        by = self.model.group_by
        show = self.compare_box.isChecked() and by is not None
        was_shown = self.lower.isTabEnabled(0)
        self.lower.setTabEnabled(0, show)
        if show and not was_shown:
            self.lower.setCurrentIndex(0)  # turning comparison on shows it
        if not show:
            self.comparison.set_rows([])
            return
        where = parse_where(self.ctx.project, [self.model.where_expr]) if self.model.where_expr else None
        rows = compare(self.ctx.project, by, [c.id for c in self.model.matrix.columns], self.model.roll_up, where)
        self.comparison.set_rows(rows)

    def refresh_query(self) -> None:
        if self.lower.currentIndex() != 1:  # the query tab is hidden: compute it when shown
            self._query_stale = True
            return
        self._query_stale = False
        by = self.query_attr.currentData()
        if by is None:
            self.query.set_result([], [], {})
            return
        cols, values, cells = coding_query(self.ctx.project, by, [c.id for c in self.model.matrix.columns],
                                           self.model.roll_up)
        self.query.set_result(cols, values, cells)
        self.query.set_measure(self.query_measure.currentData())

    def choose_columns(self) -> None:
        dlg = ColumnDialog(self.ctx.project.codes.all(), {c.id for c in self.model.matrix.columns}, self)
        if dlg.exec() == QDialog.Accepted:
            self.set_columns(dlg.chosen())

    def set_columns(self, code_ids: list[int]) -> None:
        self.model.column_ids = code_ids
        self.refresh()

    # -- the selected cell's quotes --------------------------------------------------
    def _cell_changed(self, current: QModelIndex, _previous=None) -> None:
        self.quotes.clear()
        if not current.isValid() or self.model.is_group(current.row()):
            self.cell_title.setText("")
            return
        row = self.model.row_of(current.row())
        col = self.model.matrix.columns[current.column()]
        from ..core.services.quotes.quoting import Quoter

        quotes = Quoter(self.ctx.project).cell_quotes(self.model.matrix.row_kind, row.id, col.id,
                                                      self.model.roll_up)
        # the badge [n] counts codings: say both when they differ (overlaps merged, interviewer-only left out)
        cell = self.model.matrix.cells.get((row.id, col.id))
        codings = cell.quotes if cell is not None else 0
        from_codings = (f" from {codings} coding{'s' if codings != 1 else ''}" if codings != len(quotes) else "")
        self.cell_title.setText(f"<b>{row.name}</b> × <b>{col.name}</b> — {len(quotes)} quote"
                                f"{'s' if len(quotes) != 1 else ''}{from_codings}")
        for q in quotes:  # as the matrix exports and the quote report print them (one renderer)
            s = q.passage.segment
            item = QListWidgetItem(f"{q.line}\n— {s.source}, {s.code_path[-1]} ({', '.join(q.passage.coders)})")
            item.setData(Qt.UserRole, (s.source_id, q.passage.start, q.passage.end))
            self.quotes.addItem(item)

    def _jump(self, item: QListWidgetItem) -> None:
        sid, start, end = item.data(Qt.UserRole)
        self.ctx.sourceRequested.emit(sid, start, end)

    # -- changes from elsewhere -------------------------------------------------------
    def on_changed(self, changes) -> None:
        # after the cell editor that made the change has closed
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: self._apply_changes(changes))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()

    def _apply_changes(self, changes) -> None:
        t = changes.tables
        relevant = {"codings", "codes", "matrix_cells", "cases", "case_sources", "sources", "attribute_values",
                    "attributes"}
        if not (t & relevant):
            return
        if not self.isVisible():  # coding in the workbench: rebuild when the matrix is shown again
            self._stale = True
            return
        if t & {"attributes", "attribute_values", "cases"}:
            self.reload_choices()
        if t & {"codings", "codes", "matrix_cells", "cases", "case_sources", "sources", "attribute_values"}:
            current = self.table.currentIndex()
            self.refresh()
            if current.isValid() and current.row() < self.model.rowCount():
                self.table.setCurrentIndex(self.model.index(current.row(), current.column()))

    # -- export ---------------------------------------------------------------------
    CHART_FILTERS = ("Word, one framework chart per theme (*.docx)", "Word, the columns shown (*.docx)",
                     "Excel, one sheet per theme and an overview (*.xlsx)", "Excel, the columns shown (*.xlsx)",
                     "CSV, the columns shown (*.csv)")

    def export_dialog(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(self, "Export framework matrix", f"{self.ctx.project.name}-matrix.docx",
                                                   ";;".join(self.CHART_FILTERS), self.CHART_FILTERS[0])
        if path:
            self.export(path, with_quotes=True, confirmed=True, per_theme="per theme" in (chosen or ""))

    def framework_charts(self) -> list:
        """One chart per theme (as the command line's default) with this view's rows: the
        same filter, grouping and order."""
        from ..core.services.sources.filters import parse_where
        from ..core.services.matrix.matrix import framework_charts

        model = self.model
        where = parse_where(self.ctx.project, [model.where_expr]) if model.where_expr else None
        charts = framework_charts(self.ctx.project, row_kind=model.row_kind, where=where, group_by=model.group_by,
                                  sort_by=model.sort_by)
        return [m for m in charts if m.columns]

    def export(self, path: str, with_quotes: bool = False, confirmed: bool = False, per_theme: bool = True) -> str:
        """Write the matrix: .docx and .xlsx as one framework chart per theme (``per_theme``,
        the default, like ``qualcoder-lite matrix``) or one chart of the columns shown; .csv
        is always the columns shown."""
        from pathlib import Path

        from ..core.formats import matrix_export as mx
        from ..core.services.matrix.cell_quotes import matrix_quotes
        from ..core.services.sources.study import study, study_title
        from .save_target import choose_target

        p = Path(path)
        if p.suffix.lower() not in (".xlsx", ".csv", ".docx"):
            p, confirmed = p.with_suffix(".docx"), False
        target = choose_target(self, p, self.ctx.project, confirmed=confirmed, title="Export framework matrix")
        if target is None:
            return ""
        project = self.ctx.project
        kind = p.suffix.lower()
        charts = self.framework_charts() if per_theme and kind != ".csv" else None
        if charts == []:
            charts = None  # no theme has columns: the view's own chart
        what = charts if charts is not None else self.model.matrix
        quotes = None
        if with_quotes:
            quotes = {}
            for m in charts or [self.model.matrix]:
                quotes.update(matrix_quotes(project, m))
        try:
            if kind == ".xlsx":
                mx.write_xlsx(what, target, quotes)
            elif kind == ".csv":
                mx.write_csv(self.model.matrix, target, quotes)
            else:
                mx.write_docx(what, target, study_title(project), quotes, authors=study(project).authors)
        except (QualCoderError, OSError) as exc:
            self.status.setText(f"Export failed: {exc}")
            return ""
        self.status.setText(f"Exported {p.name}" + (f": {len(charts)} charts, one per theme" if charts else ""))
        return str(p)

    def export_query(self, path: str | None = None) -> str:
        from ..core.formats.tables_csv import write_rows_csv
        from .save_target import choose_target, from_dialog

        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self, "Export matrix coding query", "coding-query.csv",
                                                    "CSV (*.csv)")
            target = from_dialog(self, chosen, ".csv", self.ctx.project, "Export matrix coding query")
        else:
            target = choose_target(self, path, self.ctx.project, title="Export matrix coding query")
        if target is None:
            return ""
        head = ["code"] + [f"{self.query_attr.currentData()}={v} ({self.query.measure})" for v in self.query.values]
        rows = [[col.display_path] + [self.query.data(self.query.index(r, c)) for c in range(len(self.query.values))]
                for r, col in enumerate(self.query.columns)]
        try:
            out = write_rows_csv(head, rows, target)
        except (QualCoderError, OSError) as exc:
            self.status.setText(f"Export failed: {exc}")
            return ""
        self.status.setText(f"Exported {out}")
        return str(out)
