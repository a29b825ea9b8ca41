"""Tools ▸ Queries ▸ Word frequency (``wordFrequencyView``): the most frequent words in a
scope, as a table and a bar chart; a word opens a search for it."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QSpinBox, QSplitter,
    QTableView, QVBoxLayout, QWidget,
)

from ..core.services.queries.wordfreq import word_frequency
from .query_rows import ALIGN, DISPLAY, RIGHT, TOOLTIP, RowsModel


class WordModel(RowsModel):
    HEAD = ("Word", "Count", "Sources")

    def data(self, index, role=DISPLAY):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        if role == DISPLAY:
            return (r.word, r.count, r.sources)[index.column()]
        if role == ALIGN and index.column() > 0:
            return RIGHT
        if role == TOOLTIP:
            return f"'{r.word}': {r.count} times in {r.sources} source{'s' if r.sources != 1 else ''}; " \
                   "Enter opens its hits in Search"
        return None


class BarChart(QWidget):
    """Horizontal bars for the most frequent words, drawn with QPainter (QtCharts is not in
    PySide6-Essentials)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("wordFrequencyChart")
        self.rows: list = []
        self.limit = 20
        self.setMinimumWidth(260)

    def set_rows(self, rows) -> None:
        self.rows = list(rows)[: self.limit]
        self.update()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        pal = self.palette()
        p.fillRect(self.rect(), pal.color(QPalette.Base))
        if not self.rows:
            p.setPen(pal.color(QPalette.PlaceholderText))
            p.drawText(self.rect(), Qt.AlignCenter, "No words")
            p.end()
            return
        fm = p.fontMetrics()
        label_w = min(max(fm.horizontalAdvance(r.word) for r in self.rows) + 12, self.width() // 3)
        num_w = fm.horizontalAdvance(str(self.rows[0].count)) + 10
        margin = 8
        row_h = max(fm.height() + 4, (self.height() - 2 * margin) / len(self.rows))
        row_h = min(row_h, 2.2 * fm.height())
        top = max(self.rows[0].count, 1)
        bar_space = max(self.width() - label_w - num_w - 2 * margin, 10)
        bar = QColor("#4e79a7")
        for i, r in enumerate(self.rows):
            y = margin + i * row_h
            p.setPen(pal.color(QPalette.Text))
            p.drawText(QRectF(margin, y, label_w - 6, row_h), Qt.AlignRight | Qt.AlignVCenter,
                       fm.elidedText(r.word, Qt.ElideRight, label_w - 6))
            w = bar_space * r.count / top
            p.fillRect(QRectF(margin + label_w, y + row_h * 0.15, w, row_h * 0.7), bar)
            p.drawText(QRectF(margin + label_w + w + 4, y, num_w, row_h), Qt.AlignLeft | Qt.AlignVCenter,
                       str(r.count))
        p.end()


class WordFrequencyView(QWidget):
    searchRequested = Signal(str)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.setObjectName("wordFrequencyView")
        self.ctx = ctx
        self.scope = QComboBox(self)
        self.scope.setObjectName("wordScope")
        self.top = QSpinBox(self)
        self.top.setObjectName("wordTop")
        self.top.setRange(1, 10000)
        self.top.setValue(100)
        self.interviewer = QCheckBox("Include interviewer turns", self)
        self.interviewer.setObjectName("wordIncludeInterviewer")
        self.stem = QCheckBox("Group word forms", self)
        self.stem.setObjectName("wordStem")
        self.stop = QLineEdit(self)
        self.stop.setObjectName("wordStopWords")
        self.stop.setPlaceholderText("More stop words, separated by spaces")
        self.model = WordModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("wordTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.activated.connect(self._open)
        self.table.doubleClicked.connect(self._open)
        self.chart = BarChart(self)
        for w in (self.scope,):
            w.currentIndexChanged.connect(lambda _i: self.reload())
        self.top.valueChanged.connect(lambda _v: self.reload())
        self.interviewer.toggled.connect(lambda _b: self.reload())
        self.stem.toggled.connect(lambda _b: self.reload())
        self.stop.editingFinished.connect(self.reload)
        row1 = QHBoxLayout()
        row1.addWidget(QLabel("Words in:", self))
        row1.addWidget(self.scope, 1)
        row1.addWidget(QLabel("Top:", self))
        row1.addWidget(self.top)
        row2 = QHBoxLayout()
        row2.addWidget(self.interviewer)
        row2.addWidget(self.stem)
        row2.addWidget(self.stop, 1)
        split = QSplitter(Qt.Horizontal, self)
        split.addWidget(self.table)
        split.addWidget(self.chart)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(split, 1)
        self.reload_scopes()

    def reload_scopes(self) -> None:
        """All sources; each code's passages; each group of cases (attribute = value)."""
        current = self.scope.currentData()
        self.scope.blockSignals(True)
        self.scope.clear()
        self.scope.addItem("All sources", None)
        for c in self.ctx.project.codes.all():
            self.scope.addItem(f"Code: {c.display_path}", f"code:{c.id}")
        values = self.ctx.project.attributes.case_values()
        for attr in self.ctx.project.attributes.all("case"):
            for v in sorted({vals[attr.name] for vals in values.values() if vals.get(attr.name)}):
                self.scope.addItem(f"Cases with {attr.name} = {v}", f"where:{attr.name}={v}")
        i = self.scope.findData(current)
        self.scope.setCurrentIndex(max(i, 0))
        self.scope.blockSignals(False)
        self.reload()

    def set_scope(self, data: str | None) -> None:
        """None: all sources; ``code:ID``; ``where:ATTR=VALUE``."""
        i = 0 if data is None else self.scope.findData(data)
        if i >= 0:
            self.scope.setCurrentIndex(i)

    def reload(self) -> None:
        from ..core.services.sources.filters import parse_where

        kind, _, value = (self.scope.currentData() or "").partition(":")
        code_ids = [int(value)] if kind == "code" else None
        where = parse_where(self.ctx.project, [value]) if kind == "where" else None
        rows = word_frequency(self.ctx.project, top=self.top.value(), code_ids=code_ids, where=where,
                              include_interviewer=self.interviewer.isChecked(), stemming=self.stem.isChecked(),
                              extra_stop_words=self.stop.text().split())
        self.model.set_rows(rows)
        self.chart.set_rows(rows)

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.searchRequested.emit(self.model.rows[index.row()].word)
