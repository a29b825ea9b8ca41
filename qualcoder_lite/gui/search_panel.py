"""Search across all sources (FTS) and code the hits in one undoable step."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout,
    QWidget,
)

from ..core.errors import QualCoderError
from ..core.services.search import search
from .context import Context


class SearchPanel(QWidget):
    codeHitsRequested = Signal(list)  # [(source_id, start, end)]
    errorRaised = Signal(str)

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.hits = []
        self.query = QLineEdit(self)
        self.query.setObjectName("searchQuery")
        self.query.setPlaceholderText('Search all sources: words, "phrases", prefix*, AND / OR / NOT')
        self.results = QListWidget(self)
        self.results.setObjectName("searchResults")
        self.results.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.results.itemActivated.connect(self._jump)
        self.status = QLabel(self)
        self.code_all = QPushButton("Code all hits", self)
        self.code_all.setObjectName("codeAllHits")
        self.code_selected = QPushButton("Code selected hits", self)
        self.code_selected.setObjectName("codeSelectedHits")
        self.code_all.clicked.connect(lambda: self._code(all_hits=True))
        self.code_selected.clicked.connect(lambda: self._code(all_hits=False))
        self.query.returnPressed.connect(self.run)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.code_selected)
        buttons.addWidget(self.code_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.query)
        layout.addWidget(self.results, 1)
        layout.addLayout(buttons)

    def run(self) -> None:
        text = self.query.text().strip()
        self.results.clear()
        self.hits = []
        if not text:
            self.status.setText("")
            return
        try:
            self.hits = search(self.ctx.project, text)
        except QualCoderError as exc:
            self.status.setText(str(exc))
            return
        for i, h in enumerate(self.hits):
            item = QListWidgetItem(f"{h.source}  ·  {h.snippet}")
            item.setData(Qt.UserRole, i)
            item.setToolTip(f"{h.source} ({h.case or 'no case'}), characters {h.start}–{h.end}")
            self.results.addItem(item)
        n = len(self.hits)
        self.status.setText(f"{n} hit{'s' if n != 1 else ''} in {len({h.source_id for h in self.hits})} sources")

    def _jump(self, item: QListWidgetItem) -> None:
        h = self.hits[item.data(Qt.UserRole)]
        self.ctx.sourceRequested.emit(h.source_id, h.start, h.end)

    def _code(self, all_hits: bool) -> None:
        if all_hits:
            chosen = self.hits
        else:
            chosen = [self.hits[i.data(Qt.UserRole)] for i in self.results.selectedItems()]
        if chosen:
            self.codeHitsRequested.emit([(h.source_id, h.start, h.end) for h in chosen])
