"""Ctrl+K: type to filter codes, Enter codes the selection (or creates the typed code)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from .code_model import swatch

NEW = -1


class QuickCodeDialog(QDialog):
    def __init__(self, codes, parent=None):
        super().__init__(parent)
        self.setObjectName("quickCode")
        self.setWindowTitle("Code selection")
        self.codes = list(codes)
        self.chosen_id: int | None = None
        self.new_name: str | None = None
        self.edit = QLineEdit(self)
        self.edit.setObjectName("quickCodeFilter")
        self.edit.setPlaceholderText("Type to find a code; Enter to apply")
        self.list = QListWidget(self)
        self.list.setObjectName("quickCodeList")
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addWidget(self.list)
        self.edit.textChanged.connect(self._refill)
        self.edit.returnPressed.connect(self._accept_current)
        self.list.itemActivated.connect(lambda _i: self._accept_current())
        self.resize(420, 360)
        self._refill("")

    def _refill(self, text: str) -> None:
        self.list.clear()
        needle = text.strip().casefold()
        exact = False
        for c in self.codes:
            label = c.display_path
            if needle and needle not in label.casefold():
                continue
            exact = exact or c.name.casefold() == needle
            item = QListWidgetItem(swatch(c.color), label)
            item.setData(Qt.UserRole, c.id)
            self.list.addItem(item)
        if needle and not exact:
            item = QListWidgetItem(f"＋ New code “{text.strip()}”")
            item.setData(Qt.UserRole, NEW)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key_Down, Qt.Key_Up) and self.edit.hasFocus():
            row = self.list.currentRow() + (1 if event.key() == Qt.Key_Down else -1)
            self.list.setCurrentRow(max(0, min(self.list.count() - 1, row)))
            return
        super().keyPressEvent(event)

    def _accept_current(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        cid = item.data(Qt.UserRole)
        if cid == NEW:
            self.new_name = self.edit.text().strip()
        else:
            self.chosen_id = int(cid)
        self.accept()
