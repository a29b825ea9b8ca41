"""Editing in the framework matrix: the multi-line cell summary editor and the dialog
that chooses the codes shown as columns."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QStyledItemDelegate, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
)


class SummaryDelegate(QStyledItemDelegate):
    """A multi-line editor for summaries; Enter commits, Shift+Enter adds a line."""

    def createEditor(self, parent, option, index):
        editor = _SummaryEditor(parent)
        editor.commit.connect(lambda: (self.commitData.emit(editor), self.closeEditor.emit(editor)))
        return editor

    def setEditorData(self, editor, index):
        editor.setPlainText(index.data(Qt.EditRole) or "")
        editor.moveCursor(editor.textCursor().MoveOperation.End)

    def setModelData(self, editor, model, index):
        model.setData(index, editor.toPlainText(), Qt.EditRole)


class _SummaryEditor(QPlainTextEdit):
    commit = Signal()

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and not (event.modifiers() & Qt.ShiftModifier):
            self.commit.emit()
            return
        super().keyPressEvent(event)


class ColumnDialog(QDialog):
    """Choose the codes that become columns (a checkable code tree)."""

    def __init__(self, codes, chosen: set[int], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Matrix columns")
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Code"])
        items = {}
        for c in codes:
            parent_item = items.get(c.parent_id, self.tree.invisibleRootItem())
            it = QTreeWidgetItem(parent_item, [c.name])
            it.setData(0, Qt.UserRole, c.id)
            it.setCheckState(0, Qt.Checked if c.id in chosen else Qt.Unchecked)
            items[c.id] = it
        self.tree.expandAll()
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Tick the codes to show as columns (in tree order):", self))
        lay.addWidget(self.tree)
        lay.addWidget(buttons)
        self.resize(420, 520)

    def chosen(self) -> list[int]:
        out = []

        def walk(item):
            for i in range(item.childCount()):
                ch = item.child(i)
                if ch.checkState(0) == Qt.Checked:
                    out.append(ch.data(0, Qt.UserRole))
                walk(ch)

        walk(self.tree.invisibleRootItem())
        return out
