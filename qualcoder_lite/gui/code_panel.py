"""The code panel: filter box, the code tree (object name ``codeTree``) and its actions."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QColorDialog, QHBoxLayout, QHeaderView, QInputDialog, QLineEdit, QMenu,
    QMessageBox, QToolButton, QTreeView, QVBoxLayout, QWidget,
)

from ..core import codepath
from ..core.errors import QualCoderError
from ..core.services.coding.codes import AddCode, DeleteCode, MergeCodes, UpdateCode, codings_under
from .code_model import FILTER, CodeTreeModel
from .context import Context


class CodeFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setFilterCaseSensitivity(Qt.CaseInsensitive)
        self.setFilterKeyColumn(0)
        self.setFilterRole(FILTER)


class CodePanel(QWidget):
    applyRequested = Signal(list)  # code ids to apply to the current selection
    errorRaised = Signal(str)

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.click_to_code = True  # a click on a code codes the selected text
        self.has_selection = lambda: False  # set by the main window
        self.model = CodeTreeModel(ctx, self)
        self.model.errorRaised.connect(self.errorRaised)
        self.proxy = CodeFilter(self)
        self.proxy.setSourceModel(self.model)

        self.filter = QLineEdit(self)
        self.filter.setObjectName("codeFilter")
        self.filter.setPlaceholderText("Filter codes…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_changed)
        self._build_tree()
        self._build_top_bar()
        self._build_actions()
        self._expanded: set[int] = set()
        self.tree.expandAll()
        self._fit_count_columns()

    def _build_tree(self) -> None:
        self.tree = QTreeView(self)
        self.tree.setObjectName("codeTree")
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.tree.setDragDropMode(QAbstractItemView.DragDrop)
        self.tree.setDefaultDropAction(Qt.MoveAction)
        self.tree.setDropIndicatorShown(True)
        self.tree.setEditTriggers(QAbstractItemView.EditKeyPressed | QAbstractItemView.SelectedClicked)
        self.tree.setContextMenuPolicy(Qt.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.clicked.connect(self._clicked)
        self.tree.doubleClicked.connect(self._double_clicked)
        self.tree.activated.connect(self._activated)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        # The count columns are fitted when rows appear or a count gains a digit, not on
        # every change: ResizeToContents re-measured all rows (~1,000 data() calls) each
        # time a coding was added.
        header.setSectionResizeMode(1, QHeaderView.Interactive)
        header.setSectionResizeMode(2, QHeaderView.Interactive)
        self.model.modelReset.connect(self._fit_count_columns)
        self._fit_pending = False
        self.tree.expanded.connect(self._schedule_fit)  # expandAll() expands every node: fit once
        self._count_digits = 0
        self.tree.selectionModel().selectionChanged.connect(self._selection_changed)

    def _build_top_bar(self) -> None:
        """The filter box, New code and the aggregate toggle above the tree."""
        add = QToolButton(self)
        add.setText("New code")
        add.setObjectName("newCodeButton")
        add.clicked.connect(lambda: self.new_code(parent_id=None))
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.filter, 1)
        top.addWidget(add)
        self.aggregateToggle = QToolButton(self)
        self.aggregateToggle.setObjectName("aggregateToggle")
        self.aggregateToggle.setText("Σ")
        self.aggregateToggle.setCheckable(True)
        self.aggregateToggle.setToolTip("Counts with sub-codes (aggregate): a passage coded at two sub-codes "
                                        "counts once for the theme")
        self.aggregateToggle.toggled.connect(self.set_aggregate)
        top.addWidget(self.aggregateToggle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)

    def _build_actions(self) -> None:
        """The tree's own actions (its context menu and keys while it has focus)."""
        # F2 is the tree's own edit key (EditKeyPressed); the action is for the menu
        self.actionRename = QAction("Rename\tF2", self, triggered=self.rename_current)
        self.actionDelete = QAction("Delete…", self, shortcut=QKeySequence.Delete, triggered=self.delete_current)
        self.actionDelete.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        self.tree.addAction(self.actionDelete)
        # Keyboard parity with drag and drop: cut codes, paste them under another code (or
        # Move to…), and Shift+F10 / the Menu key open the context menu at the current code.
        self._cut_ids: list[int] = []
        self.actionCut = QAction("Cut (to move)", self, shortcut=QKeySequence.Cut, triggered=self.cut_selected)
        self.actionPaste = QAction("Paste under this code", self, shortcut=QKeySequence.Paste,
                                   triggered=self.paste_cut)
        self.actionMoveTo = QAction("Move to…", self, shortcut=QKeySequence("Ctrl+Shift+M"), triggered=self.move_dialog)
        self.actionContextMenu = QAction("Context menu", self, triggered=self.context_menu_at_current)
        self.actionContextMenu.setShortcuts([QKeySequence("Shift+F10"), QKeySequence(Qt.Key_Menu)])
        for a in (self.actionCut, self.actionPaste, self.actionMoveTo, self.actionContextMenu):
            a.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            self.tree.addAction(a)

    # -- helpers -------------------------------------------------------------
    def set_aggregate(self, on: bool) -> None:
        """Count columns with sub-codes (NVivo's aggregate) or the code's own codings."""
        if self.aggregateToggle.isChecked() != bool(on):
            self.aggregateToggle.setChecked(bool(on))  # comes back here through toggled
            return
        self.model.set_aggregate(on)
        self._fit_count_columns()

    def _filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        if text:
            self.tree.expandAll()

    def current_code_id(self) -> int | None:
        idx = self.tree.currentIndex()
        if not idx.isValid():
            return None
        code = self.model.code(self.proxy.mapToSource(idx))
        return None if code is None else code.id

    def selected_code_ids(self) -> list[int]:
        ids = []
        for idx in self.tree.selectionModel().selectedRows(0):
            code = self.model.code(self.proxy.mapToSource(idx))
            if code is not None:
                ids.append(code.id)
        return ids

    def select_code(self, code_id: int) -> None:
        idx = self.proxy.mapFromSource(self.model.index_of(code_id))
        if idx.isValid():
            self.tree.setCurrentIndex(idx)
            self.tree.scrollTo(idx)

    def refresh(self, code_ids=None, source_ids=None) -> None:
        """Reload after a change, keeping expansion and the current code; ``code_ids``:
        only the counts of these codes changed (codings added or removed), ``source_ids``:
        and only in these sources."""
        current = self.current_code_id()
        expanded = self._expanded_ids() if code_ids is None else None
        if not self.model.reload(code_ids, source_ids):  # updated in place: expansion and selection kept
            if self._max_digits() != self._count_digits:
                self._fit_count_columns()
            return
        if expanded is None:  # pragma: no cover - only counts changed, yet the tree did
            expanded = set()
        self.tree.expandAll() if not expanded else self._restore_expanded(expanded)
        if current is not None:
            self.select_code(current)

    def _max_digits(self) -> int:
        shown = self.model._totals if self.model.aggregate else self.model._counts
        return max((len(str(n)) for counts in shown.values() for n in counts[:2]), default=1)

    def _schedule_fit(self, *_args) -> None:
        if not self._fit_pending:
            self._fit_pending = True
            QTimer.singleShot(0, self, self._fit_count_columns)

    def _fit_count_columns(self) -> None:
        self._fit_pending = False
        self._count_digits = self._max_digits()
        self.tree.resizeColumnToContents(1)
        self.tree.resizeColumnToContents(2)

    def _expanded_ids(self) -> set[int]:
        out = set()
        for cid in list(self.model._codes):
            idx = self.proxy.mapFromSource(self.model.index_of(cid))
            if idx.isValid() and self.tree.isExpanded(idx):
                out.add(cid)
        return out

    def _restore_expanded(self, ids: set[int]) -> None:
        for cid in self.model._codes:
            idx = self.proxy.mapFromSource(self.model.index_of(cid))
            if idx.isValid():
                # new codes open so they can be seen; known collapsed ones stay shut
                self.tree.setExpanded(idx, cid in ids or cid not in self._known)
        self._known = set(self.model._codes)

    _known: set[int] = set()

    def _selection_changed(self, *_):
        self.ctx.codeSelected.emit(self.selected_code_ids())

    def _clicked(self, idx) -> None:
        if self.click_to_code and self.has_selection():
            code = self.model.code(self.proxy.mapToSource(idx))
            if code is not None:
                self.applyRequested.emit([code.id])

    def _double_clicked(self, idx) -> None:
        if not self.has_selection():
            return
        code = self.model.code(self.proxy.mapToSource(idx))
        if code is not None and not self.click_to_code:
            self.applyRequested.emit([code.id])

    def _activated(self, idx) -> None:
        # Enter on a code applies it (keyboard-only coding)
        if self.has_selection() and self.tree.hasFocus():
            code = self.model.code(self.proxy.mapToSource(idx))
            if code is not None:
                self.applyRequested.emit([code.id])

    def _run(self, cmd) -> bool:
        try:
            self.ctx.run(cmd)
        except QualCoderError as exc:
            self.errorRaised.emit(str(exc))
            return False
        return True

    # -- actions ------------------------------------------------------------
    def new_code(self, parent_id: int | None = None, name: str | None = None) -> int | None:
        if name is None:
            name, ok = QInputDialog.getText(self, "New code", "Name of the new code:")
            if not ok or not name.strip():
                return None
        parent_path = list(self.model._codes[parent_id].path) if parent_id is not None else []
        cmd = AddCode(parent_path + [name.strip()])
        if self._run(cmd):
            self.select_code(cmd.result)
            return cmd.result
        return None

    def rename_current(self) -> None:
        idx = self.tree.currentIndex()
        if idx.isValid():
            self.tree.edit(idx.siblingAtColumn(0))

    def recolor_current(self) -> None:
        cid = self.current_code_id()
        if cid is None:
            return
        color = QColorDialog.getColor(QColor(self.model._codes[cid].color), self, "Code colour")
        if color.isValid():
            self._run(UpdateCode(cid, color=color.name()))

    def describe_current(self) -> None:
        cid = self.current_code_id()
        if cid is None:
            return
        code = self.model._codes[cid]
        text, ok = QInputDialog.getMultiLineText(self, "Description", f"Description of '{code.name}':", code.description)
        if ok:
            self._run(UpdateCode(cid, description=text))

    def memo_current(self) -> None:
        cid = self.current_code_id()
        if cid is None:
            return
        code = self.model._codes[cid]
        text, ok = QInputDialog.getMultiLineText(self, "Code memo", f"Summary / memo of '{code.name}':", code.memo)
        if ok:
            self._run(UpdateCode(cid, memo=text))

    def merge_current(self) -> None:
        cid = self.current_code_id()
        if cid is None:
            return
        others = [c for c in self.model._codes.values() if c.id != cid]
        if not others:
            return
        # no target chosen for the user: Enter alone must not merge into the first code
        labels = ["— choose the code to merge into —"] + [c.display_path for c in others]
        choice, ok = QInputDialog.getItem(self, "Merge code", f"Merge '{self.model._codes[cid].name}' into:",
                                          labels, 0, False)
        if ok and choice in labels[1:]:
            self._run(MergeCodes(cid, others[labels.index(choice) - 1].id))

    def delete_current(self) -> None:
        cid = self.current_code_id()
        if cid is None:
            return
        code = self.model._codes[cid]
        n = codings_under(self.ctx.project, cid)
        if n:
            answer = QMessageBox.question(
                self, "Delete code",
                f"Delete '{code.name}' with its sub-codes and {n} coding{'s' if n != 1 else ''}?\n"
                "You can undo this with Edit ▸ Undo.",
            )
            if answer != QMessageBox.Yes:
                return
        self._run(DeleteCode(cid))

    def pin_current(self, key: int) -> None:
        cid = self.current_code_id()
        if cid is None:
            return
        slots = (self.model.pinned() + [None] * 9)[:9]
        slots = [None if p == cid else p for p in slots]
        slots[key - 1] = cid
        pinned = slots
        self.ctx.project.settings.put("pinned_codes", pinned)
        self.refresh()

    # -- moving codes without a mouse ----------------------------------------------------
    def cut_selected(self) -> None:
        self._cut_ids = self.selected_code_ids() or ([self.current_code_id()] if self.current_code_id() else [])
        if self._cut_ids:
            names = ", ".join(self.model._codes[i].name for i in self._cut_ids)
            self.errorRaised.emit(f"Cut {names}: select the new parent code and paste (Ctrl+V) to move it there.")

    def paste_cut(self) -> None:
        """Move the cut codes under the current code (one undo step)."""
        if not self._cut_ids:
            return
        ids = [i for i in self._cut_ids if i in self.model._codes]
        self._cut_ids = []
        self.move_codes(ids, self.current_code_id())

    def move_codes(self, ids: list[int], parent_id: int | None) -> bool:
        from ..core.commands import Macro
        from ..core.services.coding.codes import MoveCode

        moves = [MoveCode(i, parent_id) for i in ids if i != parent_id]
        if not moves:
            return False
        ok = self._run(moves[0] if len(moves) == 1 else Macro(f"Move {len(moves)} codes", moves))
        if ok:
            self.select_code(ids[0])
        return ok

    def move_dialog(self) -> None:
        """Code ▸ Move to…: choose the new parent (or the top level); nothing preselected."""
        ids = self.selected_code_ids() or ([self.current_code_id()] if self.current_code_id() else [])
        if not ids:
            return
        barred = set(ids)
        for i in ids:
            barred.update(self.ctx.project.codes.descendants(i))
        targets = [c for c in self.model._codes.values() if c.id not in barred]
        labels = ["— choose where to move it —", "(top level)"] + [c.display_path for c in targets]
        what = self.model._codes[ids[0]].name if len(ids) == 1 else f"{len(ids)} codes"
        choice, ok = QInputDialog.getItem(self, "Move code", f"Move '{what}' under:", labels, 0, False)
        if not ok or choice == labels[0] or choice not in labels:
            return
        self.move_codes(ids, None if choice == labels[1] else targets[labels.index(choice) - 2].id)

    def context_menu_at_current(self) -> None:
        idx = self.tree.currentIndex()
        rect = self.tree.visualRect(idx) if idx.isValid() else self.tree.viewport().rect()
        self._context_menu(rect.center() if idx.isValid() else rect.topLeft())

    def build_context_menu(self) -> QMenu:
        cid = self.current_code_id()
        menu = QMenu(self)
        menu.setObjectName("codeTreeMenu")
        menu.addAction("New code…", lambda: self.new_code(None))
        if cid is not None:
            menu.addAction("New sub-code…", lambda: self.new_code(cid))
            menu.addSeparator()
            menu.addAction(self.actionRename)
            menu.addAction("Colour…", self.recolor_current)
            menu.addAction("Description…", self.describe_current)
            menu.addAction("Memo (code summary)…", self.memo_current)
            pin = menu.addMenu("Pin to key")
            for k in range(1, 10):
                pin.addAction(str(k), lambda k=k: self.pin_current(k))
            menu.addAction("Merge into…", self.merge_current)
            menu.addSeparator()
            menu.addAction(self.actionCut)
            menu.addAction(self.actionMoveTo)
        if self._cut_ids:
            menu.addAction(self.actionPaste)
        if cid is not None:
            menu.addSeparator()
            menu.addAction(self.actionDelete)
        return menu

    def _context_menu(self, pos) -> None:
        self.show_menu(self.build_context_menu(), self.tree.viewport().mapToGlobal(pos))

    def show_menu(self, menu: QMenu, global_pos) -> None:
        """Run a menu (tests replace this: a real popup waits for a person)."""
        menu.exec(global_pos)

    def path_of(self, code_id: int) -> str:
        return codepath.join(self.model._codes[code_id].path)
