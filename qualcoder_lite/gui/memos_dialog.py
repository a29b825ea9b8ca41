"""Tools ▸ Journal and memos…: the project journal and memos on the project, sources,
cases and codes, written beside the work (every save is one undoable step)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QDialog, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton,
    QSplitter, QVBoxLayout, QWidget,
)

from ..core.errors import QualCoderError
from ..core.services.coding.memos import AddMemo, DeleteMemo, EditMemo
from .context import Context

KIND_LABELS = {"journal": "Journal", "project": "Project", "source": "Source", "case": "Case", "code": "Code"}


class MemosDialog(QDialog):
    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.setObjectName("memosDialog")
        self.setWindowTitle("Journal and memos")
        self.ctx = ctx
        self.list = QListWidget(self)
        self.list.setObjectName("memoList")
        self.list.currentItemChanged.connect(self._show)
        self.kind = QComboBox(self)
        self.kind.setObjectName("memoKind")
        for k, label in KIND_LABELS.items():
            self.kind.addItem(label, k)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.target = QComboBox(self)
        self.target.setObjectName("memoTarget")
        new = QPushButton("New", self)
        new.setObjectName("memoNew")
        new.clicked.connect(self.new_memo)
        self.title = QLineEdit(self)
        self.title.setObjectName("memoTitle")
        self.title.setPlaceholderText("Title (e.g. the date)")
        self.body = QPlainTextEdit(self)
        self.body.setObjectName("memoBody")
        save = QPushButton("Save", self)
        save.setObjectName("memoSave")
        save.clicked.connect(self.save)
        delete = QPushButton("Delete", self)
        delete.clicked.connect(self.delete)
        self.status = QLabel(self)
        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.kind)
        row.addWidget(self.target, 1)
        row.addWidget(new)
        ll.addLayout(row)
        ll.addWidget(self.list, 1)
        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.title)
        rl.addWidget(self.body, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(delete)
        buttons.addWidget(save)
        rl.addLayout(buttons)
        split = QSplitter(Qt.Horizontal, self)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([300, 500])
        lay = QVBoxLayout(self)
        lay.addWidget(split)
        self.resize(860, 520)
        self._current: int | None = None
        self._kind_changed(0)
        ctx.changed.connect(lambda ch: self.reload() if "memos" in ch.tables else None)

    def _targets(self, kind: str) -> list[tuple[int, str]]:
        p = self.ctx.project
        if kind == "source":
            return [(s.id, s.name) for s in p.sources.all()]
        if kind == "case":
            return [(c.id, c.name) for c in p.cases.all()]
        if kind == "code":
            return [(c.id, c.display_path) for c in p.codes.all()]
        return []

    def _kind_changed(self, _i: int) -> None:
        kind = self.kind.currentData()
        self.target.clear()
        for tid, name in self._targets(kind):
            self.target.addItem(name, tid)
        self.target.setEnabled(self.target.count() > 0)
        self.reload()

    def reload(self) -> None:
        if self._current is not None and not any(m.id == self._current for m in self.ctx.project.memos.list()):
            self._current = None  # undone or deleted: the editor now writes a new memo
        kind = self.kind.currentData()
        names = dict(self._targets(kind))
        self.list.blockSignals(True)
        self.list.clear()
        for m in self.ctx.project.memos.list(kind):
            where = f"{names.get(m.target_id, '?')} · " if m.target_id is not None else ""
            item = QListWidgetItem(f"{where}{m.title or m.created[:10]}  ({m.coder or '—'})")
            item.setData(Qt.UserRole, m.id)
            self.list.addItem(item)
            if m.id == self._current:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def _show(self, item, _prev=None) -> None:
        if item is None:
            self._current = None
            return
        mid = item.data(Qt.UserRole)
        memo = next(m for m in self.ctx.project.memos.list() if m.id == mid)
        self._current = mid
        self.title.setText(memo.title)
        self.body.setPlainText(memo.body)

    def new_memo(self) -> None:
        self._current = None
        self.list.clearSelection()
        self.title.clear()
        self.body.clear()
        self.body.setFocus()

    def save(self) -> bool:
        kind = self.kind.currentData()
        try:
            if self._current is None:
                target = self.target.currentData() if kind in ("source", "case", "code") else None
                cmd = AddMemo(kind, self.body.toPlainText(), title=self.title.text().strip(), target_id=target)
                self.ctx.run(cmd)
                self._current = cmd.result
            else:
                self.ctx.run(EditMemo(self._current, body=self.body.toPlainText(), title=self.title.text().strip()))
        except QualCoderError as exc:
            self.status.setText(str(exc))
            return False
        self.status.setText("Saved")
        self.reload()
        return True

    def delete(self) -> None:
        if self._current is None:
            return
        try:
            self.ctx.run(DeleteMemo(self._current))
        except QualCoderError as exc:
            self.status.setText(str(exc))
            return
        self.new_memo()
        self.reload()


def open_memos(window) -> MemosDialog | None:
    if window.ctx is None:
        return None
    dlg = MemosDialog(window.ctx, window)
    window._memos_dialog = dlg
    dlg.show()
    return dlg
