"""The coder comparison's table: one row per code of a ``Comparison`` (lowest kappa first,
undefined last, the overall row at the end), with the colours and labels the view shares."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QFont

from ..core import codepath
from ..core.services.team.agreement import AgreementRow, Comparison

BOTH_COLOR = "#9fd8a4"
A_COLOR = "#f7b267"
B_COLOR = "#8cc4f0"
UNIT_LABELS = {"character": "Characters (as NVivo)", "sentence": "Sentences", "paragraph": "Paragraphs",
               "turn": "Speaker turns"}
UNDEFINED = "—"
# Plain ints: each ``Qt.DisplayRole``-style lookup and comparison costs microseconds, and the
# columns fitted to their contents ask every cell for every role (~7,000 calls per comparison).
_R = Qt.ItemDataRole
DISPLAY, ALIGNMENT, FONT, TOOLTIP, USER = (int(r) for r in (_R.DisplayRole, _R.TextAlignmentRole, _R.FontRole,
                                                             _R.ToolTipRole, _R.UserRole))
_ANSWERED = frozenset((DISPLAY, ALIGNMENT, FONT, TOOLTIP, USER))  # the roles ``data`` has values for
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
UNDEFINED_TIP = "Undefined: neither coder varied (nothing coded, or everything coded by both)."


def _fmt(v: float | None, digits: int) -> str:
    """'—' for an undefined value; never '-0.000' for a value that rounds to zero."""
    return UNDEFINED if v is None else f"{round(v, digits) + 0.0:.{digits}f}"


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")



# --------------------------------------------------------------------------- table model
class AgreementModel(QAbstractTableModel):
    """Rows of a ``Comparison``: codes lowest kappa first (undefined last), the overall row at the end."""

    COLUMNS = ("Code", "Kappa", "Agreement %", "A only", "B only", "Both", "Units", "Alpha")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[AgreementRow] = []
        self.coders: tuple[str, str] = ("A", "B")
        # row -> its cells' texts: columns fitted to their contents ask for every cell several times
        self._texts: dict[int, tuple[str, ...]] = {}

    def set_comparison(self, comparison: Comparison | None) -> None:
        self.beginResetModel()
        self._texts = {}
        if comparison is None:
            self.rows = []
        else:
            self.coders = (comparison.coders[0], comparison.coders[1])
            self.rows = comparison.by_kappa() + ([comparison.overall] if comparison.rows else [])
        self.endResetModel()
        # (a reset makes the header read its labels again; headerDataChanged would also force the
        # columns fitted to their contents to be measured now, in the same event-loop turn)

    def row(self, r: int) -> AgreementRow | None:
        return self.rows[r] if 0 <= r < len(self.rows) else None

    def row_of(self, code_id: int | None) -> int:
        for i, r in enumerate(self.rows):
            if r.code_id == code_id:
                return i
        return -1

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation != Qt.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        if role == Qt.DisplayRole:
            if section == 3:
                return f"{self.coders[0]} only"
            if section == 4:
                return f"{self.coders[1]} only"
            return self.COLUMNS[section]
        if role == Qt.ToolTipRole:
            return {
                1: "Cohen's kappa: (po − pe) / (1 − pe); pe from each coder's share of coded units",
                2: "Units on which the coders agree (both coded, or neither) × 100 / units",
                6: "Units compared (for each code)",
                7: "Krippendorff's alpha (nominal: coded / not coded)",
            }.get(section)
        return None

    def data(self, index, role=DISPLAY):
        if role not in _ANSWERED:  # most of what a view asks for (fitting the columns: ~15,000 calls)
            return None
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == DISPLAY:
            values = self._texts.get(index.row())
            if values is None:
                values = self._texts[index.row()] = (
                    "Overall (all codes listed)" if r.overall else codepath.display(r.code_path), _fmt(r.kappa, 3),
                    _fmt(r.agreement, 2), f"{r.a_only:,}", f"{r.b_only:,}", f"{r.both:,}", f"{r.units:,}",
                    _fmt(r.alpha, 3))
            return values[col]
        if role == ALIGNMENT:
            return LEFT if col == 0 else RIGHT
        if role == FONT and r.overall:
            f = QFont()
            f.setBold(True)
            return f
        if role == TOOLTIP:
            if col in (1, 2, 7) and (r.kappa, r.agreement, r.alpha)[(1, 2, 7).index(col)] is None:
                return UNDEFINED_TIP
            return "Overall (all codes listed)" if r.overall else codepath.display(r.code_path)
        if role == USER:
            return r.code_id
        return None
