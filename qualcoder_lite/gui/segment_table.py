"""Retrieval: a lazy table of coded segments (object name ``segmentTable``).

The model holds only coding ids; rows are fetched a page at a time when the view asks
for them, so a code with thousands of segments opens at once. The Quote column is each
coding's quote from the one renderer (``core.services.quoting``), as the report and the
exports print it; the tooltip shows the coded text. The quote is edited in place (F2 on
the quote cell) or with "Edit quote…" in the context menu; both are undoable.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QStyledItemDelegate, QVBoxLayout,
    QWidget,
)

from ..core.errors import QualCoderError
from ..core.services.sources.filters import Where, parse_where
from .context import Context
from .row_numbers import RowNumbers
from .segment_model import MEMO_COL, QUOTE_COL, SegmentModel
from .segment_view import SegmentTableView

CODE_COL_MIN, CODE_COL_MAX = 120, 320  # the Code column's width, in pixels


class _ElideLeft(QStyledItemDelegate):
    """A code path cut from the left (``… › Money / funding``): the most specific level,
    the one that tells rows apart, stays readable in a narrow column."""

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.ElideLeft


class RetrievalPanel(QWidget):
    errorRaised = Signal(str)

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = SegmentModel(ctx, self)
        self.table = SegmentTableView(self)
        self.table.setObjectName("segmentTable")
        self.table.jump_columns = frozenset({QUOTE_COL})  # F2 edits the quote
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        self.table.setWordWrap(False)
        self.table.setItemDelegateForColumn(2, _ElideLeft(self.table))
        self.table.setVerticalHeader(RowNumbers(self.table))
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._jump)
        self.table.activated.connect(self._jump)
        self.table.setContextMenuPolicy(Qt.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.filter = QComboBox(self)
        self.filter.setObjectName("segmentFilter")
        self.filter.currentIndexChanged.connect(self._filter_changed)
        self.count = QLabel(self)
        self.count.setObjectName("segmentCount")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("Coded segments", self))
        top.addStretch(1)
        top.addWidget(QLabel("Show:", self))
        top.addWidget(self.filter)
        top.addWidget(self.count)
        export = QPushButton("Export…", self)
        export.setObjectName("segmentExport")
        export.clicked.connect(self.export_dialog)
        top.addWidget(export)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.reload_filters()
        # the count follows every change of the rows: a reset recounts every source, a coding
        # added or removed in place (no reset) only the sources it is in
        self._coverage: dict[int, tuple[int, int, int]] = {}  # per source, for the codes shown
        self._sums = [0, 0, 0]  # their references, coded characters and source characters
        self.model.modelReset.connect(self._count_changed)
        self.model.keysRead.connect(self._count_changed)
        self.model.rowsRefreshed.connect(self._count_changed)
        self._count_changed()

    def reload_filters(self) -> None:
        """Choices 'all', then 'attribute = value' for every value in use."""
        current = self.filter.currentData()
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.addItem("All cases", None)
        values = self.ctx.project.attributes.case_values()
        for attr in self.ctx.project.attributes.all("case"):
            seen = sorted({v[attr.name] for v in values.values() if attr.name in v})
            for v in seen:
                self.filter.addItem(f"{attr.name} = {v}", f"{attr.name}={v}")
        idx = self.filter.findData(current)
        self.filter.setCurrentIndex(max(0, idx))
        self.filter.blockSignals(False)

    def _where(self) -> Where | None:
        expr = self.filter.currentData()
        return parse_where(self.ctx.project, [expr]) if expr else None

    def _filter_changed(self, _i: int) -> None:
        self.model.set_query(self.model.code_ids, self._where())

    def show_codes(self, code_ids: list[int]) -> None:
        self.model.set_query(code_ids, self._where())
        self.table.resizeColumnToContents(0)
        self._fit_code_column(code_ids)
        self.table.setColumnWidth(QUOTE_COL, 420)

    def _fit_code_column(self, code_ids: list[int]) -> None:
        """The Code column as wide as the shown codes' paths, between 120 and 320 px and at
        most a quarter of the table (at its default ~100 px, "Working with practices ›
        Relationships with GPs" read "…hips with GPs"; cut from the left, the leaf now shows
        whole). From the codes themselves: sizing to contents would fetch ~1,000 rows."""
        wanted = set(code_ids)
        paths = [c.display_path for c in self.ctx.project.codes.all() if c.id in wanted]
        if not paths:
            return
        fm = self.table.fontMetrics()
        widest = max(fm.horizontalAdvance(p) for p in paths) + 2 * fm.horizontalAdvance("  ")
        # at most a quarter of the table's width: the Quote column is what is read
        cap = max(CODE_COL_MIN, min(CODE_COL_MAX, self.table.width() // 4))  # not the viewport: it narrows when the scroll bar comes
        self.table.setColumnWidth(2, max(CODE_COL_MIN, min(widest, cap)))

    def _count_changed(self, source_ids=None) -> None:
        """'6 segments · 2 sources · 12.5% coverage': the rows shown, the sources they are in,
        and the coded characters (overlaps once) over those sources' characters.
        ``source_ids``: only these sources' figures can have changed (the others are kept)."""
        from ..core.services.queries.coverage import CoverageTotal, coverage_by_source, total_of

        n = self.model.rowCount()
        text = f"{n} segment{'s' if n != 1 else ''}"
        if not n:
            self._coverage, self._sums = {}, [0, 0, 0]
        elif not self.model.keys_done:  # the coverage comes when all are read (``keysRead``)
            self._coverage, self._sums = {}, [0, 0, 0]
            sources = len(self.model.sources_shown)
            text += f" · {sources} source{'s' if sources != 1 else ''} · counting coverage…"
            self.count.setToolTip("")
        else:
            cov, sums = self._coverage, self._sums
            if source_ids is None:  # every row was just read: counted from their keys as read
                self._coverage = dict(self.model.coverage)
                t = total_of(self._coverage)
                self._sums = [t.references, t.characters, t.source_characters]
            elif source_ids:  # the sums follow the sources that changed (summing 2,000 took ~0.4 ms)
                where = self.model.where
                allowed = where.source_ids(self.ctx.project) if where else None
                fresh = coverage_by_source(self.ctx.project, self.model.code_ids, allowed,
                                           self.ctx.visible_coders, only=set(source_ids))
                for sid in source_ids:
                    gone, came = cov.pop(sid, None), fresh.get(sid)
                    for figures, step in ((gone, -1), (came, 1)):
                        if figures is not None:
                            for i in range(3):
                                sums[i] += step * figures[i]
                    if came is not None:
                        cov[sid] = came
            total = CoverageTotal(self._sums[0], len(self._coverage), self._sums[1], self._sums[2])
            text += f" · {total.sources} source{'s' if total.sources != 1 else ''}"
            if total.coverage is not None:
                text += f" · {100 * total.coverage:.1f}% coverage"
            self.count.setToolTip(f"{total.characters:,} coded characters (overlaps counted once) of "
                                  f"{total.source_characters:,} in these sources")
        self.count.setText(text)

    def _jump(self, index: QModelIndex) -> None:
        if index.column() == MEMO_COL and index.flags() & Qt.ItemIsEditable and self.table.state() == QAbstractItemView.EditingState:
            return
        seg = self.model.segment(index.row())
        if seg is not None and index.column() != MEMO_COL:
            self.ctx.sourceRequested.emit(seg.source_id, seg.start, seg.end)

    # -- export and split -------------------------------------------------------------
    def all_segments(self) -> list:
        return [self.model.segment(r) for r in range(self.model.rowCount())]

    def export_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        if not self.model.rowCount():
            self.errorRaised.emit("Nothing to export: choose a code with coded segments first.")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export coded segments", "segments.xlsx",
                                              "Excel (*.xlsx);;Word (*.docx);;CSV (*.csv)")
        if path:
            self.export(path, confirmed=True)

    def export(self, path: str, confirmed: bool = False):
        """Write the segments shown (with their quotes as the table renders them) as a job;
        returns it (its ``result`` is the path written), or None when refused at once."""
        from ..core.formats.segments_export import write_segments
        from .jobs import Job
        from .save_target import choose_target

        target = choose_target(self, path, self.ctx.project, confirmed=confirmed, title="Export coded segments")
        if target is None:
            return None
        segs = self.all_segments()
        quotes = {s.coding_id: self.model.quote(r) for r, s in enumerate(segs)}
        attributes, name = self.model.attributes, self.ctx.project.name
        return (Job(self, lambda _progress: str(write_segments(segs, attributes, target, name, quotes)),
                    what="Export coded segments")
                .success(lambda out: self.errorRaised.emit(f"Exported {len(segs)} segments to {out}"))
                .failure(lambda msg: self.errorRaised.emit(f"Export failed: {msg}"))
                .with_progress("Export coded segments", object_name="exportProgress")
                .run())

    def selected_segments(self) -> list:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.segment(r) for r in rows]

    def edit_quote(self, row: int | None = None) -> bool:
        """Open the quote editor for a row (default: the current one)."""
        from .quote_edit_dialog import edit_quote

        if row is None:
            row = self.table.currentIndex().row()
        seg = self.model.segment(row)
        if seg is None:
            return False
        return edit_quote(self, self.ctx, seg.coding_id)

    def split_selected(self, name: str | None = None) -> bool:
        """Move the selected segments of one code to a new sub-code (split a code)."""
        from PySide6.QtWidgets import QInputDialog

        from ..core.services.coding.codes import SplitCode

        segs = self.selected_segments()
        codes = {s.code_id for s in segs}
        if not segs or len(codes) != 1:
            self.errorRaised.emit("Select segments of one code to split them into a new sub-code.")
            return False
        if name is None:
            name, ok = QInputDialog.getText(self, "Split code", f"New sub-code of '{segs[0].code_path[-1]}' "
                                            f"for the {len(segs)} selected segments:")
            if not ok or not name.strip():
                return False
        try:
            self.ctx.run(SplitCode(codes.pop(), [s.coding_id for s in segs], name))
        except QualCoderError as exc:
            self.errorRaised.emit(str(exc))
            return False
        return True

    def context_menu(self, pos):
        """The table's context menu at a viewport position."""
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self)
        menu.setObjectName("segmentMenu")
        index = self.table.indexAt(pos)
        if index.isValid():
            edit = menu.addAction("Edit quote…", lambda row=index.row(): self.edit_quote(row))
            edit.setObjectName("segmentEditQuote")
        menu.addAction("Split selected into a new sub-code…", self.split_selected)
        menu.addAction("Export…", self.export_dialog)
        return menu

    def _context_menu(self, pos) -> None:
        self.context_menu(pos).exec(self.table.viewport().mapToGlobal(pos))
