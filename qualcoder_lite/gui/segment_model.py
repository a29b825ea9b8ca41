"""The retrieval table's model (``SegmentModel``): the rows of a query as coding ids and sort
keys, a page of segments read when a row of it is shown; the quote edited in place is undoable.
The panel around it is ``segment_table.RetrievalPanel``."""

from __future__ import annotations

import bisect

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal

from ..core.errors import QualCoderError
from ..core.services.coding.coding import SetCodingMemo
from ..core.services.quotes.quoting import Quoter
from ..core.services.sources.filters import Where
from ..core.services.quotes.segments import case_by_source_name, segment_rows
from .context import Context
from .segment_keys import PAGE, KeysBehind, SegmentKeys

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
