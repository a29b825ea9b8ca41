"""A thin Qt item model over the core's code tree (adapter, no SQL)."""

from __future__ import annotations

import json

from PySide6.QtCore import QAbstractItemModel, QMimeData, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap

from ..core.errors import QualCoderError
from ..core.model import Code
from ..core.services.coding.codes import MoveCode, UpdateCode
from ..core.services.coding.coding import ApplyCode
from .code_counts import CodeCounts
from .context import Context

CODE_MIME = "application/x-qualcoder-lite-code"
SELECTION_MIME = "application/x-qualcoder-lite-selection"
COLUMNS = ("Code", "Codings", "Sources")

# Plain ints: with PySide6 6.12 every ``Qt.DisplayRole``-style lookup costs ~4 us, and the
# tree calls data() about a thousand times each time it re-measures its columns.
_R = Qt.ItemDataRole
DISPLAY, EDIT, DECORATION, TOOLTIP, ALIGNMENT, USER = (
    int(r) for r in (_R.DisplayRole, _R.EditRole, _R.DecorationRole, _R.ToolTipRole, _R.TextAlignmentRole,
                     _R.UserRole))
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
#: what the filter box matches (``code_panel.CodeFilter``): the name as the tree shows it. Not
#: the display role, so that a count changing (display, edit and tooltip roles) is not a
#: possible change of the filter's match: with recursive filtering Qt re-checks and repaints
#: every ancestor of a row whose filter role may have changed.
FILTER = USER + 1
COUNT_ROLES = [DISPLAY, EDIT, TOOLTIP]  # what a count changes in its cell
_F = Qt.ItemFlag
ITEM_FLAGS = _F.ItemIsEnabled | _F.ItemIsSelectable | _F.ItemIsDragEnabled | _F.ItemIsDropEnabled
NAME_FLAGS = ITEM_FLAGS | _F.ItemIsEditable


def selection_mime(source_id: int, start: int, end: int, text: str, session: str = "") -> QMimeData:
    """What the transcript view drags: the passage (code points), its text, and the window's
    session (a drop from another open project is refused)."""
    mime = QMimeData()
    mime.setData(SELECTION_MIME, json.dumps({"source": source_id, "start": start, "end": end,
                                             "session": session}).encode())
    mime.setText(text)
    return mime


_icons: dict[str, QIcon] = {}


def swatch(color: str) -> QIcon:
    icon = _icons.get(color)
    if icon is None:
        pm = QPixmap(12, 12)
        pm.fill(QColor(color))
        icon = _icons[color] = QIcon(pm)
    return icon


class CodeTreeModel(QAbstractItemModel):
    errorRaised = Signal(str)

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._codes: dict[int, Code] = {}
        self._children: dict[int | None, list[int]] = {None: []}
        self._counts: dict[int, tuple[int, int, int]] = {}
        self._totals: dict[int, tuple[int, int, int]] = {}  # with sub-codes, when aggregate
        self.aggregate = False
        self._pinned: list[int] = []
        self._kept_counts = CodeCounts(ctx.project)
        self.reload()

    def set_aggregate(self, on: bool) -> None:
        """Show each code's counts with its sub-codes (a passage at two sub-codes once)."""
        if bool(on) == self.aggregate:
            return
        self.aggregate = bool(on)
        self._totals = self._read_totals()
        for cid in self._codes:
            self.dataChanged.emit(self.index_of(cid, 0), self.index_of(cid, len(COLUMNS) - 1))
        self.headerDataChanged.emit(Qt.Horizontal, 1, len(COLUMNS) - 1)

    def _read_totals(self) -> dict[int, tuple[int, int, int]]:
        if not self.aggregate:
            return {}
        from ..core.services.queries.aggregates import aggregate_counts

        return aggregate_counts(self.ctx.project)

    def shown_counts(self, code_id: int) -> tuple[int, int, int]:
        """(codings, sources, cases) as the tree shows them (own or aggregate)."""
        return (self._totals if self.aggregate else self._counts).get(code_id, (0, 0, 0))

    # -- data from the core --------------------------------------------------
    def reload(self, code_ids=None, source_ids=None) -> bool:
        """Re-read the tree; ``code_ids``: only these codes' counts can have changed, and
        ``source_ids``: only in these sources (nothing else changed: no case, no source).
        Returns True when the model was reset (False: updated in place)."""
        if code_ids is not None and self._codes and all(i in self._codes for i in code_ids):
            self._update_counts(code_ids, source_ids)
            return False
        self._kept_counts.clear()
        codes = self.ctx.project.codes.all()
        by_id = {c.id: c for c in codes}
        children: dict[int | None, list[int]] = {None: []}
        for c in codes:  # parents come before children, siblings in order
            children.setdefault(c.id, [])
            children.setdefault(c.parent_id, []).append(c.id)
        if code_ids is not None and by_id.keys() == self._codes.keys():
            counts = {i: n for i, n in self._counts.items() if i not in code_ids}
            counts.update(self.ctx.project.codes.counts(code_ids))
        else:
            counts = self.ctx.project.codes.counts()
        totals = self._read_totals()
        stored = self.ctx.project.settings.get("pinned_codes", []) or []
        pinned = [i if i in by_id else None for i in stored][:9]
        if children == self._children and by_id.keys() == self._codes.keys():
            # Same tree (e.g. a coding was added): update the rows that changed in place. A
            # reset would drop the selection and expansion, and re-selecting would reload the
            # retrieval table.
            changed = [i for i in by_id if by_id[i] != self._codes[i] or counts.get(i) != self._counts.get(i)
                       or totals.get(i) != self._totals.get(i) or (i in pinned) != (i in self._pinned)]
            if pinned != self._pinned:
                changed += [i for i in set(pinned) | set(self._pinned) if i is not None and i not in changed]
            self._codes, self._counts, self._totals, self._pinned = by_id, counts, totals, pinned
            for i in changed:
                self.dataChanged.emit(self.index_of(i, 0), self.index_of(i, len(COLUMNS) - 1))
            return False
        self.beginResetModel()
        self._codes, self._children, self._counts, self._pinned = by_id, children, counts, pinned
        self._totals = totals
        self.endResetModel()
        return True

    def _update_counts(self, code_ids, source_ids=None) -> None:
        """Only codings changed (the tree, the pins are as they were): re-read the counts of
        these codes (and the roll-ups when they are shown) and repaint the rows that differ."""
        counts = {i: n for i, n in self._counts.items() if i not in code_ids}
        counts.update(self._kept_counts.counts(code_ids, source_ids))
        totals = self._read_totals()
        changed = [i for i in self._codes
                   if counts.get(i) != self._counts.get(i) or totals.get(i) != self._totals.get(i)]
        self._counts, self._totals = counts, totals
        for i in changed:  # cell by cell: a view repaints the whole tree for a range of cells
            for col in range(1, len(COLUMNS)):
                cell = self.index_of(i, col)
                self.dataChanged.emit(cell, cell, COUNT_ROLES)

    def code(self, index: QModelIndex) -> Code | None:
        if not index.isValid():
            return None
        return self._codes.get(index.internalId())

    def index_of(self, code_id: int, column: int = 0) -> QModelIndex:
        code = self._codes.get(code_id)
        if code is None:
            return QModelIndex()
        siblings = self._children[code.parent_id]
        return self.createIndex(siblings.index(code_id), column, code_id)

    def pinned(self) -> list[int | None]:
        """Codes pinned to keys 1-9 (index 0 is key 1; None is a free key)."""
        return list(self._pinned)

    # -- structure -----------------------------------------------------------
    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if column < 0 or column >= len(COLUMNS) or row < 0:
            return QModelIndex()
        pid = parent.internalId() if parent.isValid() else None
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        kids = self._children.get(pid, [])
        if row >= len(kids):
            return QModelIndex()
        return self.createIndex(row, column, kids[row])

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        code = self._codes.get(index.internalId())
        if code is None or code.parent_id is None:
            return QModelIndex()
        return self.index_of(code.parent_id, 0)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        pid = parent.internalId() if parent.isValid() else None
        return len(self._children.get(pid, []))

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole and 0 <= section < len(COLUMNS):
            return f"Σ {COLUMNS[section]}" if self.aggregate and section > 0 else COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role=DISPLAY):
        code = self.code(index)
        if code is None:
            return None
        col = index.column()
        n = self.shown_counts(code.id)
        if role == DISPLAY or role == EDIT or role == FILTER:
            if col == 0:
                if role != EDIT and code.id in self._pinned:
                    return f"{code.name}  [{self._pinned.index(code.id) + 1}]"
                return code.name
            if role == FILTER:
                return None
            return n[0] if col == 1 else n[1]
        if role == DECORATION and col == 0:
            return swatch(code.color)
        if role == TOOLTIP:
            tip = code.display_path
            if code.description:
                tip += f"\n{code.description}"
            own = self._counts.get(code.id, (0, 0, 0))
            tip += f"\n{own[0]} codings in {own[1]} sources, {own[2]} cases"
            if self.aggregate:
                tip += f"\nwith sub-codes: {n[0]} passages in {n[1]} sources, {n[2]} cases"
            return tip
        if role == ALIGNMENT and col > 0:
            return RIGHT
        if role == USER:
            return code.id
        return None

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemIsDropEnabled
        return NAME_FLAGS if index.column() == 0 else ITEM_FLAGS

    def setData(self, index: QModelIndex, value, role=Qt.EditRole) -> bool:
        code = self.code(index)
        if code is None or role != Qt.EditRole or index.column() != 0:
            return False
        name = str(value).strip()
        if not name or name == code.name:
            return False
        try:
            self.ctx.run(UpdateCode(code.id, name=name))
        except QualCoderError as exc:  # shown to the user; nothing was changed
            self.errorRaised.emit(str(exc))
            return False
        return True

    # -- drag and drop ---------------------------------------------------------
    def supportedDropActions(self):
        return Qt.MoveAction | Qt.CopyAction

    def supportedDragActions(self):
        return Qt.MoveAction

    def mimeTypes(self) -> list[str]:
        return [CODE_MIME, SELECTION_MIME]

    def mimeData(self, indexes) -> QMimeData:
        ids = sorted({i.internalId() for i in indexes if i.isValid()})
        mime = QMimeData()
        mime.setData(CODE_MIME, json.dumps({"session": self.ctx.session, "ids": ids}).encode())
        mime.setText("\n".join(self._codes[i].display_path for i in ids))  # for a person
        return mime

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        return data.hasFormat(CODE_MIME) or (data.hasFormat(SELECTION_MIME) and parent.isValid())

    def dropMimeData(self, data: QMimeData, action, row: int, column: int, parent: QModelIndex) -> bool:
        target = self.code(parent)
        foreign = "that came from another project window: import or merge it instead"
        try:
            if data.hasFormat(SELECTION_MIME):
                if target is None:
                    return False
                sel = json.loads(bytes(data.data(SELECTION_MIME)).decode())
                if sel.get("session") != self.ctx.session:
                    self.errorRaised.emit(f"Cannot code a passage {foreign}.")
                    return False
                self.ctx.run(ApplyCode(int(sel["source"]), target.id, int(sel["start"]), int(sel["end"])))
                return True
            if data.hasFormat(CODE_MIME):
                payload = json.loads(bytes(data.data(CODE_MIME)).decode())
                if not isinstance(payload, dict) or payload.get("session") != self.ctx.session:
                    self.errorRaised.emit(f"Cannot move codes {foreign}.")
                    return False
                ids = payload["ids"]
                new_parent = target.id if target is not None else None
                from ..core.commands import Macro

                moves = [MoveCode(int(i), new_parent) for i in ids if int(i) != new_parent]
                if not moves:
                    return False
                self.ctx.run(moves[0] if len(moves) == 1 else Macro(f"Move {len(moves)} codes", moves))
                return True
        except QualCoderError as exc:  # refused drop: shown; nothing was changed
            self.errorRaised.emit(str(exc))
        except (ValueError, KeyError, TypeError):  # not our data after all (hand-made or damaged)
            self.errorRaised.emit("That drop did not carry a passage or codes this project knows.")
        return False

