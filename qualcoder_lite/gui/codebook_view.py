"""The codebook view: every code with description, memo and counts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QHeaderView, QTreeView, QVBoxLayout, QWidget

from .code_model import swatch
from .context import Context


class CodebookView(QWidget):
    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = QStandardItemModel(self)
        self.tree = QTreeView(self)
        self.tree.setObjectName("codebookView")
        self.tree.setModel(self.model)
        self.tree.setWordWrap(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QTreeView.NoEditTriggers)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        self.reload()

    def reload(self) -> None:
        self.model.clear()
        self.model.setHorizontalHeaderLabels(["Code", "Description", "Memo (summary)", "Codings", "Cases"])
        counts = self.ctx.project.codes.counts()
        items: dict[int, QStandardItem] = {}
        for c in self.ctx.project.codes.all():
            n = counts.get(c.id, (0, 0, 0))
            name = QStandardItem(swatch(c.color), c.name)
            row = [name, QStandardItem(c.description), QStandardItem(c.memo), QStandardItem(str(n[0])),
                   QStandardItem(str(n[2]))]
            for it in row[3:]:
                it.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            parent = items.get(c.parent_id) if c.parent_id else self.model.invisibleRootItem()
            parent.appendRow(row)
            items[c.id] = name
        self.tree.expandAll()
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
