"""Retrieval: a lazy table of coded segments (object name ``segmentTable``).

The model holds only coding ids; rows are fetched a page at a time when the view asks
for them, so a code with thousands of segments opens at once. The Quote column is each
coding's quote from the one renderer (``core.services.quoting``), as the report and the
exports print it; the tooltip shows the coded text. The quote is edited in place (F2 on
the quote cell) or with "Edit quote…" in the context menu; both are undoable.
"""

from __future__ import annotations

import bisect

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QStyledItemDelegate, QVBoxLayout,
    QWidget,
)

from ..core.errors import QualCoderError
from ..core.services.coding.coding import SetCodingMemo
from ..core.services.quotes.quoting import Quoter
from ..core.services.sources.filters import Where, parse_where
from ..core.services.quotes.segments import case_by_source_name, segment_rows
from .context import Context
from .row_numbers import RowNumbers
from .segment_keys import PAGE, KeysBehind, SegmentKeys
from .segment_view import SegmentTableView

#: keys read before the table is shown (a small project's all; a large one's first screen)
FIRST_KEYS = 1000
BASE_COLUMNS = ("Case", "Source", "Code", "Quote", "Coder", "Memo")
QUOTE_COL = 3
MEMO_COL = 5
# Plain ints: with PySide6 6.12 every ``Qt.DisplayRole``-style lookup costs ~4 us, and a
# table calls data() for every role of every visible cell on each repaint.
_R = Qt.ItemDataRole
DISPLAY, EDIT, TOOLTIP, USER = (int(r) for r in (_R.DisplayRole, _R.EditRole, _R.ToolTipRole, _R.UserRole))
_ROLES = frozenset((DISPLAY, EDIT, TOOLTIP, USER))  # the roles data() answers
HORIZONTAL = Qt.Orientation.Horizontal
_F = Qt.ItemFlag
ROW_FLAGS = _F.ItemIsEnabled | _F.ItemIsSelectable
MEMO_FLAGS = ROW_FLAGS | _F.ItemIsEditable


class SegmentModel(KeysBehind, QAbstractTableModel):
    """The rows of a query as coding ids and sort keys (``SegmentKeys``: every row counted at
    once, the keys read a few sources at a time behind the first screen, all of them before
    anything looks them up); a page of segments is read when a row of it is shown."""

    #: after an in-place refresh: the ids of the sources whose rows may have changed
    rowsRefreshed = Signal(object)
    #: every key is read (``coverage`` is complete)
    keysRead = Signal()

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._rows = SegmentKeys(ctx.project.codings, [], None, None)
        self._n = 0  # rows shown
        #: per source shown: (rows, coded characters, source characters), for the rows read
        self.coverage: dict[int, tuple[int, int, int]] = {}
        self._step = QTimer(self)
        self._step.setSingleShot(True)
        self._step.timeout.connect(self._read_step)
        self._key_of: dict[int, tuple] | None = None
        self._cache: dict[int, object] = {}
        self._quotes: dict[int, object] = {}  # coding id -> CitedQuote
        self._quoter: Quoter | None = None
        self._case_of: dict[str, str] | None = None  # source name -> its case (the first by name)
        self.attributes: list[str] = []
        self.code_ids: list[int] = []
        self.where: Where | None = None

    def set_query(self, code_ids: list[int], where: Where | None = None) -> None:
        self.beginResetModel()
        self.code_ids = list(code_ids)
        self.where = where
        self.attributes = [a.name for a in self.ctx.project.attributes.all("case")]
        allowed = where.source_ids(self.ctx.project) if where else None
        self._rows = SegmentKeys(self.ctx.project.codings, self.code_ids, allowed, self.ctx.visible_coders)
        self._n = self._rows.total
        self.coverage = {}
        self._step.stop()
        self._read(FIRST_KEYS)
        self._key_of: dict[int, tuple] | None = None  # built when first needed (``_keys_by_id``)
        self._cache = {}
        self._quotes = {}
        self._quoter = None
        self._case_of = None
        self.endResetModel()
        if not self._rows.done:
            self._step.start(0)

    def refresh(self, changes=None) -> None:
        """Re-read the rows. When ``changes`` names the codings that changed (and no code,
        source, case or attribute did), just those rows are removed and re-inserted in
        their sorted place: no reset, no full re-read, the other cached rows are kept."""
        if changes is None or not changes.coding_ids or changes.tables & {"codes", "attributes", "cases",
                                                                          "case_sources", "sources", "coders"}:
            self.set_query(self.code_ids, self.where)
            return
        changed = changes.coding_ids
        self._quoter = None  # an edited quote: read the edits again
        for cid in changed:
            self._cache.pop(cid, None)
            self._quotes.pop(cid, None)
        allowed = self.where.source_ids(self.ctx.project) if self.where else None
        fresh = dict((cid, key) for key, cid in self.ctx.project.codings.keyed_for_codes(
            self.code_ids, allowed, self.ctx.visible_coders, only=sorted(changed)))
        frontier = self._rows.frontier  # with keys still to read: rows of sources from here are counted only
        if frontier is not None:
            fresh = {cid: key for cid, key in fresh.items() if key[0] < frontier}
        ids, keys = self._rows.ids, self._rows.keys  # the rows read (all, once done)
        last = self.columnCount() - 1
        key_of = self._keys_by_id()
        for r in sorted((r for r in map(self._row_of, changed) if r is not None), reverse=True):
            if fresh.get(ids[r]) == keys[r]:  # still here, same place: repaint it
                fresh.pop(ids[r])
                self.dataChanged.emit(self.index(r, 0), self.index(r, last))
                continue
            self.beginRemoveRows(QModelIndex(), r, r)
            key_of.pop(ids[r], None)
            del ids[r], keys[r]
            self._n -= 1
            self.endRemoveRows()
        for cid, key in sorted(fresh.items(), key=lambda kv: kv[1]):
            r = bisect.bisect_left(keys, key)
            self.beginInsertRows(QModelIndex(), r, r)
            keys.insert(r, key)
            ids.insert(r, cid)
            key_of[cid] = key
            self._n += 1
            self.endInsertRows()
        if frontier is not None:
            self._recount(changes)
        self.rowsRefreshed.emit(set(changes.source_ids))

    def _keys_by_id(self) -> dict[int, tuple]:
        """coding id -> its sort key, built on the first in-place refresh after a query
        (finding a changed row by scanning 50,000 ids cost ~8 ms per coding applied)."""
        if self._key_of is None:
            self._key_of = dict(zip(self._rows.ids, self._rows.keys))
        return self._key_of

    def _row_of(self, coding_id: int) -> int | None:
        """The row of a coding among the rows read (None: not among them)."""
        key = self._keys_by_id().get(coding_id)
        if key is None:
            return None
        ids, keys = self._rows.ids, self._rows.keys
        r = bisect.bisect_left(keys, key)
        while r < len(ids) and keys[r] == key:  # equal keys: find the id among them
            if ids[r] == coding_id:
                return r
            r += 1
        return None  # pragma: no cover - the index and the lists always agree

    def segment(self, row: int):
        if not 0 <= row < self._n:
            return None
        page_start = (row // PAGE) * PAGE
        if not self._read_to(min(page_start + PAGE, self._n) - 1):
            return None
        ids = self._rows.ids
        cid = ids[row]
        seg = self._cache.get(cid)
        if seg is None:
            page = [i for i in ids[page_start:page_start + PAGE] if i not in self._cache]
            self._cache.update(segment_rows(self.ctx.project, page))
            seg = self._cache.get(cid)
        return seg

    def case_of_row(self, row: int) -> str:
        """The Case cell's text without fetching the row's page: sizing the Case column to
        its contents reads ~1,000 rows, and fetching their segments (text, path, attributes)
        took more time than the rest of showing a 50,000-segment code."""
        rows = self._rows
        seg = self._cache.get(rows.ids[row]) if row < len(rows.ids) else None
        if seg is not None:
            return seg.case or ""
        if self._case_of is None:
            self._case_of = case_by_source_name(self.ctx.project)
        name = rows.keys[row][0] if row < len(rows.keys) else rows.source_name(row)
        return self._case_of.get(name, "")

    def quote(self, row: int):
        """The row's quote (``CitedQuote``) as the renderer prints it."""
        seg = self.segment(row)
        if seg is None:
            return None
        q = self._quotes.get(seg.coding_id)
        if q is None:
            q = self._quotes[seg.coding_id] = self.quoter().coding_quote(seg)
        return q

    def quoter(self) -> Quoter:
        if self._quoter is None:
            self._quoter = Quoter(self.ctx.project)
        return self._quoter

    def forget_quotes(self) -> None:
        """The project's quote format changed: render every quote again."""
        self._quotes, self._quoter = {}, None
        if self._n:
            self.dataChanged.emit(self.index(0, QUOTE_COL), self.index(self._n - 1, QUOTE_COL))

    def edit_text(self, row: int) -> str:
        """What the quote editor starts from: the stored edit, else the passage with the
        structural rules applied and no style."""
        seg = self.segment(row)
        q = self.quote(row)
        if q.quote.edited:
            return q.passage.edited
        return self.quoter().edit_template(seg.source_id, seg.start, seg.end)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._n

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
        if role not in _ROLES or not index.isValid():  # a repaint asks ~8 roles per cell
            return None
        col = index.column()
        if col == 0 and (role == DISPLAY or role == EDIT) and 0 <= index.row() < self._n:
            return self.case_of_row(index.row())
        seg = self.segment(index.row())
        if seg is None:
            return None
        if role == DISPLAY or role == EDIT:
            if col == 1:
                return seg.source
            if col == 2:
                return seg.display_path
            if col == QUOTE_COL:
                return self.quote(index.row()).text if role == DISPLAY else self.edit_text(index.row())
            if col == 4:
                return seg.coder
            if col == MEMO_COL:
                return seg.memo
            name = self.attributes[col - len(BASE_COLUMNS)]
            return seg.attributes.get(name, "")
        if role == TOOLTIP:
            if col == QUOTE_COL:
                q = self.quote(index.row())
                prefix = "Edited quote (F2 or right-click to change). Coded text:\n" if q.quote.edited else ""
                return prefix + seg.text
            if col == 2:
                return seg.display_path
        if role == USER:
            return seg.coding_id
        return None

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.NoItemFlags
        return MEMO_FLAGS if index.column() in (MEMO_COL, QUOTE_COL) else ROW_FLAGS

    def setData(self, index: QModelIndex, value, role=Qt.EditRole) -> bool:
        if index.isValid() and index.column() == QUOTE_COL and role == Qt.EditRole:
            return self.set_quote(index.row(), str(value))
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

    def set_quote(self, row: int, text: str | None) -> bool:
        """Store the analyst's edited quote of a row (undoable); the unchanged or an empty
        text removes the edit."""
        from .quote_edit_dialog import edit_quote

        seg = self.segment(row)
        if seg is None:
            return False
        return edit_quote(None, self.ctx, seg.coding_id, text=text or "")


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
        self.table.setColumnWidth(QUOTE_COL, 420)

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
