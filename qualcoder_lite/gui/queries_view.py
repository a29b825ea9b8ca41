"""The analyst's queries (Tools ▸ Queries): a code's coverage summary (``coverageView``), code
co-occurrence (``cooccurrenceView``) and word frequency with a bar chart (``wordFrequencyView``).

Thin adapters over ``core.services.coverage``, ``cooccurrence`` and ``wordfreq``: the numbers
are the command line's (``coverage``, ``cooccurrence``, ``words``); code paths shown as names.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QListWidget,
    QListWidgetItem, QSplitter, QTableView, QTabWidget, QVBoxLayout, QWidget,
)

from ..core.services.queries.cooccurrence import UNITS, cooccurrence
from ..core.services.queries.coverage import coverage
from .query_rows import ALIGN, BACKGROUND, DISPLAY, RIGHT, TOOLTIP, USER, RowsModel
from .word_frequency_view import WordFrequencyView


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.2f}%"


# -- coverage ------------------------------------------------------------------------------
class CoverageModel(RowsModel):
    HEAD = ("Source", "References", "Coded characters", "Coverage")

    def data(self, index, role=DISPLAY):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r, col = self.rows[index.row()], index.column()
        if role == DISPLAY:
            return (r.source, r.references, r.characters, _pct(r.coverage))[col]
        if role == ALIGN and col > 0:
            return RIGHT
        if role == TOOLTIP:
            return f"{r.characters:,} of {r.source_characters:,} characters coded (overlaps counted once)"
        if role == USER:
            return r.source_id
        return None


class CoverageView(QWidget):
    """A code's summary: the sources it is in, with references and coverage (NVivo's node summary)."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.setObjectName("coverageView")
        self.ctx = ctx
        self.code_id: int | None = None
        self.choice = QComboBox(self)
        self.choice.setObjectName("coverageCode")
        self.choice.currentIndexChanged.connect(self._chosen)
        self.header = QLabel(self)
        self.header.setObjectName("coverageHeader")
        self.model = CoverageModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("coverageTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        for col in (1, 2, 3):
            self.table.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeToContents)
        self.table.verticalHeader().hide()
        self.table.activated.connect(self._open)
        self.table.doubleClicked.connect(self._open)
        top = QHBoxLayout()
        top.addWidget(QLabel("Code:", self))
        top.addWidget(self.choice, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.header)
        layout.addWidget(self.table, 1)
        self.reload_codes()

    def reload_codes(self) -> None:
        current = self.code_id
        self.choice.blockSignals(True)
        self.choice.clear()
        for c in self.ctx.project.codes.all():
            self.choice.addItem(c.display_path, c.id)
        self.choice.blockSignals(False)
        i = self.choice.findData(current) if current is not None else -1
        self.choice.setCurrentIndex(max(i, 0) if self.choice.count() else -1)
        self._chosen()

    def set_code(self, code_id: int) -> None:
        i = self.choice.findData(code_id)
        if i >= 0:
            self.choice.setCurrentIndex(i)
            self._chosen()

    def _chosen(self, *_args) -> None:
        self.code_id = self.choice.currentData()
        self.reload()

    def reload(self) -> None:
        if self.code_id is None:
            self.model.set_rows([])
            self.header.setText("No codes yet.")
            return
        rows = coverage(self.ctx.project, [self.code_id], coders=self.ctx.visible_coders)
        self.model.set_rows(rows)
        refs = sum(r.references for r in rows)
        cases = {c for (c,) in self.ctx.project.conn.execute(
            "SELECT DISTINCT cs.case_id FROM codings k JOIN case_sources cs ON cs.source_id = k.source_id "
            "WHERE k.code_id = ?", (self.code_id,))} if rows else set()
        name = self.choice.currentText()
        self.header.setText(f"<b>{_esc(name)}</b>: {refs} reference{'s' if refs != 1 else ''} in {len(rows)} "
                            f"source{'s' if len(rows) != 1 else ''}, {len(cases)} case{'s' if len(cases) != 1 else ''}"
                            " · coverage = coded characters (overlaps once) / the source's characters")

    def _open(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        sid = self.model.rows[index.row()].source_id
        row = self.ctx.project.conn.execute(
            'SELECT start, "end" FROM codings WHERE code_id = ? AND source_id = ? ORDER BY start LIMIT 1',
            (self.code_id, sid)).fetchone()
        if row is not None:
            self.ctx.sourceRequested.emit(sid, row[0], row[1])


# -- co-occurrence ----------------------------------------------------------------------------
class CooccurrenceModel(QAbstractTableModel):
    """Codes × codes; a cell is the number of passages coded at both (tooltip: cases)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.codes: list[tuple[int, str, str]] = []  # (id, escaped path, display path)
        self.pairs: dict[tuple[int, int], object] = {}
        self.top = 0

    def set_result(self, codes, pairs) -> None:
        self.beginResetModel()
        self.codes = list(codes)
        self.pairs = {}
        for p in pairs:
            self.pairs[(p.a_id, p.b_id)] = self.pairs[(p.b_id, p.a_id)] = p
        self.top = max((p.passages for p in pairs), default=0)
        self.endResetModel()

    def pair(self, index: QModelIndex):
        if not index.isValid():
            return None
        return self.pairs.get((self.codes[index.row()][0], self.codes[index.column()][0]))

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.codes)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.codes)

    def headerData(self, section, orientation, role=DISPLAY):
        """Rows: 'n  name'; columns: the number n (names would not fit), the name as a tooltip."""
        if not 0 <= section < len(self.codes):
            return None
        if role == TOOLTIP:
            return self.codes[section][2]
        if role == DISPLAY:
            return f"{section + 1}  {self.codes[section][2]}" if orientation == Qt.Vertical else str(section + 1)
        return None

    def data(self, index, role=DISPLAY):
        if not index.isValid() or not (0 <= index.row() < len(self.codes) and 0 <= index.column() < len(self.codes)):
            return None
        p = self.pair(index)
        if role == DISPLAY:
            if index.row() == index.column():
                return "–"
            return p.passages if p is not None else ""
        if role == ALIGN:
            return int(Qt.AlignCenter)
        if role == TOOLTIP and p is not None:
            return (f"{self.codes[index.row()][2]} × {self.codes[index.column()][2]}: {p.passages} passage"
                    f"{'s' if p.passages != 1 else ''} in {len(p.cases)} case{'s' if len(p.cases) != 1 else ''}")
        if role == BACKGROUND and p is not None and self.top:
            shade = int(40 + 160 * p.passages / self.top)
            return QColor(78, 121, 167, shade)
        return None


class CooccurrenceView(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.setObjectName("cooccurrenceView")
        self.ctx = ctx
        self.unit = QComboBox(self)
        self.unit.setObjectName("cooccurrenceUnit")
        for u in UNITS:
            self.unit.addItem({"overlap": "Overlapping codings"}.get(u, f"Same {u}"), u)
        self.unit.currentIndexChanged.connect(lambda _i: self.reload())
        self.model = CooccurrenceModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("cooccurrenceTable")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setDefaultSectionSize(56)
        self.table.activated.connect(self.open_cell)
        self.table.clicked.connect(self.open_cell)
        self.passages = QListWidget(self)
        self.passages.setObjectName("cooccurrencePassages")
        self.passages.itemActivated.connect(self._open_passage)
        self.passages.itemDoubleClicked.connect(self._open_passage)
        self.caption = QLabel("Choose a cell to see its passages.", self)
        self.caption.setObjectName("cooccurrenceCaption")
        self.caption.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Co-occur when:", self))
        top.addWidget(self.unit)
        top.addStretch(1)
        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.caption)
        rl.addWidget(self.passages, 1)
        split = QSplitter(Qt.Horizontal, self)
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.reload()

    def reload(self) -> None:
        project = self.ctx.project
        pairs = cooccurrence(project, unit=self.unit.currentData(), coders=self.ctx.visible_coders)
        coded = {i for p in pairs for i in (p.a_id, p.b_id)}
        codes = [(c.id, c.path_str, c.display_path) for c in project.codes.all() if c.id in coded]
        self.model.set_result(codes, pairs)
        self.passages.clear()
        self.caption.setText("Choose a cell to see its passages." if pairs else "No two codes occur together.")

    def open_cell(self, index: QModelIndex) -> None:
        p = self.model.pair(index)
        self.passages.clear()
        if p is None or index.row() == index.column():
            return
        a, b = self.model.codes[index.row()][2], self.model.codes[index.column()][2]
        self.caption.setText(f"{a} × {b}: {p.passages} passage{'s' if p.passages != 1 else ''}, "
                             f"{len(p.cases)} case{'s' if len(p.cases) != 1 else ''}")
        names = {s.id: s.name for s in self.ctx.project.sources.all()}
        texts: dict[int, str] = {}
        for sid, s, e in p.spans:
            if sid not in texts:
                texts[sid] = self.ctx.project.sources.text(sid)
            snippet = " ".join(texts[sid][s:e].split())
            item = QListWidgetItem(f"{names.get(sid, '?')}: {snippet[:160]}")
            item.setData(USER, (sid, s, e))
            self.passages.addItem(item)

    def _open_passage(self, item: QListWidgetItem) -> None:
        sid, s, e = item.data(USER)
        self.ctx.sourceRequested.emit(sid, s, e)


# -- the window and its menu entries ---------------------------------------------------------
class QueriesWindow(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent, Qt.Window)
        self.setObjectName("queriesWindow")
        self.setWindowTitle(f"Queries — {ctx.project.name}")
        self.ctx = ctx
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("queryTabs")
        self.coverage = CoverageView(ctx, self)
        self.cooccurrence = CooccurrenceView(ctx, self)
        self.words = WordFrequencyView(ctx, self)
        self.tabs.addTab(self.coverage, "Code summary (coverage)")
        self.tabs.addTab(self.cooccurrence, "Co-occurrence")
        self.tabs.addTab(self.words, "Word frequency")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.resize(1000, 640)
        ctx.changed.connect(self.on_changed)
        ctx.codeSelected.connect(self._code_selected)

    def on_changed(self, changes) -> None:
        t = changes.tables
        if t & {"codes"}:
            self.coverage.reload_codes()
        elif t & {"codings", "sources", "case_sources", "cases"}:
            self.coverage.reload()
        if t & {"codes", "codings", "sources", "case_sources", "cases"}:
            self.cooccurrence.reload()
        if t & {"codes", "attributes", "attribute_values", "cases", "case_sources"}:
            self.words.reload_scopes()
        elif t & {"codings", "sources", "speaker_roles"}:
            self.words.reload()

    def _code_selected(self, code_ids: list) -> None:
        if len(code_ids) == 1:
            self.coverage.set_code(code_ids[0])


class QueryTools:
    def __init__(self, window):
        self.window = window
        self.view: QueriesWindow | None = None
        # Tools ▸ Queries is declared in actions.py

    def open(self, tab: int = 0) -> QueriesWindow | None:
        ctx = self.window.ctx
        if ctx is None:
            return None
        if self.view is None or self.view.ctx is not ctx:
            self._forget()
            self.view = QueriesWindow(ctx, self.window)
            self.view.words.searchRequested.connect(self.search_word)
            ctx.destroyed.connect(self._forget)
            code = self.window.workbench.codes.current_code_id() if self.window.workbench else None
            if code is not None:
                self.view.coverage.set_code(code)
        self.view.tabs.setCurrentIndex(tab)
        self.view.show()
        self.view.raise_()
        self.view.activateWindow()
        return self.view

    def _forget(self, *_args) -> None:
        if self.view is not None:
            self.view.close()
            self.view.deleteLater()
            self.view = None

    def search_word(self, word: str) -> None:
        """A word's row opens its hits in the Search tab (the project's own search)."""
        wb = self.window.workbench
        if wb is None:
            return
        self.window.show_view("coding")
        wb.tabs.setCurrentWidget(wb.search)
        wb.search.query.setText(word)
        wb.search.run()
        self.window.raise_()
        self.window.activateWindow()


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
