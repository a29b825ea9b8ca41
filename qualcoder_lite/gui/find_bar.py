"""Ctrl+F inside the transcript: a small find bar."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget


class FindBar(QWidget):
    def __init__(self, view, parent=None):
        super().__init__(parent)
        self.view = view
        self.setObjectName("findBar")
        self.edit = QLineEdit(self)
        self.edit.setObjectName("findText")
        self.edit.setPlaceholderText("Find in transcript")
        self.status = QLabel(self)
        prev = QPushButton("Previous", self)
        nxt = QPushButton("Next", self)
        close = QPushButton("Close", self)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.edit, 1)
        lay.addWidget(prev)
        lay.addWidget(nxt)
        lay.addWidget(self.status)
        lay.addWidget(close)
        self.edit.returnPressed.connect(self.find_next)
        nxt.clicked.connect(self.find_next)
        prev.clicked.connect(lambda: self.find_next(backward=True))
        close.clicked.connect(self.hide)
        self.hide()

    def open(self) -> None:
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def find_next(self, backward: bool = False) -> bool:
        text = self.edit.text()
        if not text:
            return False
        flags = QTextDocument.FindBackward if backward else QTextDocument.FindFlag(0)
        found = self.view.find(text, flags)
        if not found:  # wrap around
            cur = self.view.textCursor()
            cur.movePosition(cur.MoveOperation.End if backward else cur.MoveOperation.Start)
            self.view.setTextCursor(cur)
            found = self.view.find(text, flags)
        self.status.setText("" if found else "not found")
        return found

    def keyPressEvent(self, event) -> None:
        from PySide6.QtCore import Qt

        if event.key() == Qt.Key_Escape:
            self.hide()
            self.view.setFocus()
            return
        super().keyPressEvent(event)
