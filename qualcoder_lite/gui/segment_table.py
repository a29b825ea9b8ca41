"""Retrieval: a lazy table of coded segments (object name ``segmentTable``).

The model holds only coding ids; rows are fetched a page at a time when the view asks
for them, so a code with thousands of segments opens at once.
"""

from __future__ import annotations

import bisect

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QStyledItemDelegate, QTableView,
    QVBoxLayout, QWidget,
)

from ..core.errors import QualCoderError
from ..core.services.coding import SetCodingMemo
from ..core.services.filters import Where, parse_where
from ..core.services.segments import segment_rows
from .context import Context

PAGE = 200
BASE_COLUMNS = ("Case", "Source", "Code", "Quote", "Coder", "Memo")
MEMO_COL = 5
# Plain ints: with PySide6 6.12 every ``Qt.DisplayRole``-style lookup costs ~4 us, and a
# table calls data() for every role of every visible cell on each repaint.
_R = Qt.ItemDataRole
DISPLAY, EDIT, TOOLTIP, USER = (int(r) for r in (_R.DisplayRole, _R.EditRole, _R.ToolTipRole, _R.UserRole))
HORIZONTAL = Qt.Orientation.Horizontal
_F = Qt.ItemFlag
ROW_FLAGS = _F.ItemIsEnabled | _F.ItemIsSelectable
MEMO_FLAGS = ROW_FLAGS | _F.ItemIsEditable


class SegmentModel(QAbstractTableModel):
    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.ids: list[int] = []
        self.keys: list[tuple] = []
        self._cache: dict[int, object] = {}
        self.attributes: list[str] = []
        self.code_ids: list[int] = []
        self.where: Where | None = None

    def set_query(self, code_ids: list[int], where: Where | None = None) -> None:
        self.beginResetModel()
        self.code_ids = list(code_ids)
        self.where = where
        self.attributes = [a.name for a in self.ctx.project.attributes.all("case")]
        allowed = where.source_ids(self.ctx.project) if where else None
        keyed = self.ctx.project.codings.keyed_for_codes(self.code_ids, allowed, self.ctx.visible_coders)
        self.keys = [k for k, _ in keyed]  # sort keys, parallel to ids
        self.ids = [i for _, i in keyed]
        self._cache = {}
        self.endResetModel()

    def refresh(self, changes=None) -> None:
        """Re-read the rows. When ``changes`` names the codings that changed (and no code,
        source, case or attribute did), just those rows are removed and re-inserted in
        their sorted place: no reset, no full re-read, the other cached rows are kept."""
        if changes is None or not changes.coding_ids or changes.tables & {"codes", "attributes", "cases",
                                                                          "case_sources", "sources", "coders"}:
            self.set_query(self.code_ids, self.where)
            return
        changed = changes.coding_ids
        for cid in changed:
            self._cache.pop(cid, None)
        allowed = self.where.source_ids(self.ctx.project) if self.where else None
        fresh = dict((cid, key) for key, cid in self.ctx.project.codings.keyed_for_codes(
            self.code_ids, allowed, self.ctx.visible_coders, only=sorted(changed)))
        last = self.columnCount() - 1
        for r in reversed([r for r, i in enumerate(self.ids) if i in changed]):
            if fresh.get(self.ids[r]) == self.keys[r]:  # still here, same place: repaint it
                fresh.pop(self.ids[r])
                self.dataChanged.emit(self.index(r, 0), self.index(r, last))
                continue
            self.beginRemoveRows(QModelIndex(), r, r)
            del self.ids[r], self.keys[r]
            self.endRemoveRows()
        for cid, key in sorted(fresh.items(), key=lambda kv: kv[1]):
            r = bisect.bisect_left(self.keys, key)
            self.beginInsertRows(QModelIndex(), r, r)
            self.keys.insert(r, key)
            self.ids.insert(r, cid)
            self.endInsertRows()

    def segment(self, row: int):
        if not 0 <= row < len(self.ids):
            return None
        cid = self.ids[row]
        seg = self._cache.get(cid)
        if seg is None:
            page_start = (row // PAGE) * PAGE
            page = [i for i in self.ids[page_start:page_start + PAGE] if i not in self._cache]
            self._cache.update(segment_rows(self.ctx.project, page))
            seg = self._cache.get(cid)
        return seg

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(BASE_COLUMNS) + len(self.attributes)

    def headerData(self, section, orientation, role=DISPLAY):
        if role != DISPLAY:
            return None
        if orientation == HORIZONTAL:
            cols = BASE_COLUMNS + tuple(self.attributes)
            return cols[section] if 0 <= section < len(cols) else None
        return section + 1

    def data(self, index: QModelIndex, role=DISPLAY):
        if not index.isValid():
            return None
        seg = self.segment(index.row())
        if seg is None:
            return None
        col = index.column()
        if role == DISPLAY or role == EDIT:
            if col == 0:
                return seg.case or ""
            if col == 1:
                return seg.source
            if col == 2:
                return seg.display_path
            if col == 3:
                return " ".join(seg.text.split()) if role == DISPLAY else seg.text
            if col == 4:
                return seg.coder
            if col == MEMO_COL:
                return seg.memo
            name = self.attributes[col - len(BASE_COLUMNS)]
            return seg.attributes.get(name, "")
        if role == TOOLTIP:
            if col == 3:
                return seg.text
            if col == 2:
                return seg.display_path
        if role == USER:
            return seg.coding_id
        return None

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.NoItemFlags
        return MEMO_FLAGS if index.column() == MEMO_COL else ROW_FLAGS

    def setData(self, index: QModelIndex, value, role=Qt.EditRole) -> bool:
        if not index.isValid() or index.column() != MEMO_COL or role != Qt.EditRole:
            return False
        seg = self.segment(index.row())
        if seg is None or str(value) == seg.memo:
            return False
        try:
            self.ctx.run(SetCodingMemo(seg.coding_id, str(value)))
        except QualCoderError:
            return False
        self._cache.pop(seg.coding_id, None)
        self.dataChanged.emit(index, index)
        return True


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
        self.table = QTableView(self)
        self.table.setObjectName("segmentTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        self.table.setWordWrap(False)
        self.table.setItemDelegateForColumn(2, _ElideLeft(self.table))
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
        self.model.modelReset.connect(self._count_changed)

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
        self.table.setColumnWidth(3, 420)

    def _count_changed(self) -> None:
        n = self.model.rowCount()
        self.count.setText(f"{n} segment{'s' if n != 1 else ''}")

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

    def export(self, path: str, confirmed: bool = False) -> str:
        from ..core.formats.segments_export import write_segments
        from .save_target import choose_target

        target = choose_target(self, path, self.ctx.project, confirmed=confirmed, title="Export coded segments")
        if target is None:
            return ""
        try:
            out = write_segments(self.all_segments(), self.model.attributes, target, self.ctx.project.name)
        except (QualCoderError, OSError) as exc:
            self.errorRaised.emit(f"Export failed: {exc}")
            return ""
        self.errorRaised.emit(f"Exported {len(self.all_segments())} segments to {out}")
        return str(out)

    def selected_segments(self) -> list:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.segment(r) for r in rows]

    def split_selected(self, name: str | None = None) -> bool:
        """Move the selected segments of one code to a new sub-code (split a code)."""
        from PySide6.QtWidgets import QInputDialog

        from ..core.services.codes import SplitCode

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

    def _context_menu(self, pos) -> None:
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self)
        menu.addAction("Split selected into a new sub-code…", self.split_selected)
        menu.addAction("Export…", self.export_dialog)
        menu.exec(self.table.viewport().mapToGlobal(pos))
