"""Search across all sources (word index) and code the hits in one undoable step.

The results are a ``QListView`` over ``SearchResultsModel``, a thin list model over the
core's hits: a row's text (and the hit's snippet) is made only when the view paints that row,
so thousands of hits cost no more than the few on screen.

The first page of hits is shown at once (``search_by_source`` reads the first sources by name
until it has ``FIRST_PAGE`` hits); the rest are appended in short steps on the event loop, and
the status line gives the total when the last source is read. Coding all hits, or a new
search, reads what is left first.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QLineEdit, QListView, QPushButton, QVBoxLayout, QWidget

from ..core.errors import QualCoderError
from ..core.services.search.search import Hit, search_by_source
from .context import Context

FIRST_PAGE = 200  # hits shown before the first repaint
STEP_SECONDS = 0.02  # the event loop turns at least this often while the rest is read


class SearchResultsModel(QAbstractListModel):
    """One row per hit: "source  ·  snippet", with a tooltip naming case and offsets.
    ``Qt.UserRole`` gives the row's index into ``hits``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._hits: list[Hit] = []

    @property
    def hits(self) -> list[Hit]:
        return self._hits

    def set_hits(self, hits: list[Hit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def append_hits(self, hits: list[Hit]) -> None:
        if hits:
            n = len(self._hits)
            self.beginInsertRows(QModelIndex(), n, n + len(hits) - 1)
            self._hits.extend(hits)
            self.endInsertRows()

    def hit(self, row: int) -> Hit:
        return self._hits[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self._hits):
            return None
        h = self._hits[index.row()]
        if role == Qt.DisplayRole:
            return f"{h.source}  ·  {h.snippet}"
        if role == Qt.ToolTipRole:
            return f"{h.source} ({h.case or 'no case'}), characters {h.start}–{h.end}"
        if role == Qt.UserRole:
            return index.row()
        return None


class SearchPanel(QWidget):
    codeHitsRequested = Signal(list)  # [(source_id, start, end)]
    errorRaised = Signal(str)

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.query = QLineEdit(self)
        self.query.setObjectName("searchQuery")
        self.query.setPlaceholderText('Search all sources: words, "phrases", prefix*, AND / OR / NOT')
        self.model = SearchResultsModel(self)
        self.results = QListView(self)
        self.results.setObjectName("searchResults")
        self.results.setModel(self.model)
        self.results.setUniformItemSizes(True)  # no size hint (so no snippet) per row off screen
        self.results.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.results.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.results.activated.connect(self._jump)
        self.status = QLabel(self)
        self.code_all = QPushButton("Code all hits", self)
        self.code_all.setObjectName("codeAllHits")
        self.code_selected = QPushButton("Code selected hits", self)
        self.code_selected.setObjectName("codeSelectedHits")
        self.code_all.clicked.connect(lambda: self._code(all_hits=True))
        self.code_selected.clicked.connect(lambda: self._code(all_hits=False))
        self.query.returnPressed.connect(self.run)
        self._pending = None  # (project, the rest of the last search's hits) while being read
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.code_selected)
        buttons.addWidget(self.code_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.query)
        layout.addWidget(self.results, 1)
        layout.addLayout(buttons)

    @property
    def hits(self) -> list[Hit]:
        return self.model.hits

    def run(self) -> None:
        text = self.query.text().strip()
        self._pending = None
        self.model.set_hits([])
        self.status.setText("")
        if text:
            self._pending = (self.ctx.project, search_by_source(self.ctx.project, text))
            self._step(lambda got: len(got) >= FIRST_PAGE)

    @property
    def searching(self) -> bool:
        """Whether hits of the last search are still to be read."""
        return self._pending is not None

    def finish(self) -> None:
        """Read the rest of the hits now (before coding all of them)."""
        self._step(lambda _got: False)

    def _more(self) -> None:
        if self._pending is None:
            return
        if self._pending[0] is not self.ctx.project:  # another project since: drop it
            self._pending = None
            return
        deadline = time.perf_counter() + STEP_SECONDS
        self._step(lambda _got: time.perf_counter() >= deadline)

    def _step(self, enough) -> None:
        """Read the pending search's hits source by source until ``enough(hits read)``, show
        them, and go on later, or give the total (or the query's error) at the end."""
        if self._pending is None:
            return
        got: list[Hit] = []
        collecting = gc.isenabled()
        gc.disable()  # hits hold no cycles (see ``search``)
        try:
            for in_source in self._pending[1]:
                got.extend(in_source)
                if enough(got):
                    break
            else:
                self._pending = None
        except QualCoderError as exc:
            self._pending = None
            self.model.set_hits([])
            self.status.setText(str(exc))
            return
        finally:
            if collecting:
                gc.enable()
        self.model.append_hits(got)
        hits = self.model.hits
        if self._pending is not None:
            self.status.setText(f"{len(hits)}+ hits, searching…")
            QTimer.singleShot(0, self, self._more)
            return
        n = len(hits)
        self.status.setText(f"{n} hit{'s' if n != 1 else ''} in {len({h.source_id for h in hits})} sources")

    def selected_rows(self) -> list[int]:
        return sorted(i.row() for i in self.results.selectionModel().selectedRows())

    def _jump(self, index: QModelIndex) -> None:
        if index.isValid():
            h = self.model.hit(index.row())
            self.ctx.sourceRequested.emit(h.source_id, h.start, h.end)

    def _code(self, all_hits: bool) -> None:
        if all_hits:
            self.finish()
        hits = self.model.hits
        chosen = hits if all_hits else [hits[r] for r in self.selected_rows()]
        if chosen:
            self.codeHitsRequested.emit([(h.source_id, h.start, h.end) for h in chosen])
