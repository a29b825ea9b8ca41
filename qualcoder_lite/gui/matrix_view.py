"""Framework matrix (object name ``matrixView``): cases × themes; each cell the analyst's
summary with a badge counting its linked quotes. The cell's quotes sit beside the table;
typing in a cell edits its summary (one undoable step per edit). Rows can be filtered,
sorted and grouped by attributes; comparison mode shows, per column and group, how many
cases have quotes there. Lazy table models: nothing is built per cell."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
    QSplitter, QTableView, QTabWidget, QVBoxLayout, QWidget,
)

from ..core.services.matrix.matrix import coding_query, compare
from ..core.services.sources.filters import parse_where
from .context import Context
from .matrix_editors import ColumnDialog, SummaryDelegate
from .matrix_export import MatrixExports
from .matrix_models import ComparisonModel, MatrixModel, QueryModel


class MatrixView(MatrixExports, QWidget):
    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._build_table()
        bar = self._build_toolbar()
        side = self._build_side_panel()
        self._build_lower_tabs()
        self._lay_out(bar, side)
        self._connect()

    # -- building ---------------------------------------------------------------------
    def _build_table(self) -> None:
        self.model = MatrixModel(self.ctx, self)
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

    def _build_toolbar(self) -> QHBoxLayout:
        """The row, filter, grouping and sort options, Columns… and Export…"""
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
        return bar

    def _build_side_panel(self) -> QWidget:
        """The selected cell's quotes."""
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
        from .summary_links_panel import SummaryLinksPanel  # linked phrases of the cell's summary

        self.summary_links = SummaryLinksPanel(self, side)
        sl.addWidget(self.summary_links, 1)
        return side

    def _build_lower_tabs(self) -> None:
        """The group comparison and the matrix coding query."""
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

    def _lay_out(self, bar: QHBoxLayout, side: QWidget) -> None:
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

    def _connect(self) -> None:
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
