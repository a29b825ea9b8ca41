"""Ctrl+Z and Ctrl+Shift+Z in a text box: the box's typing or the project's last step,
whichever came last.

Edit ▸ Undo is a window shortcut, so it already works wherever the focus is a view (the
transcript, the code tree, the source list, the retrieval table, the matrix grid). An
editable text box (the code filter, the search box, a matrix summary being edited, the memo
editor) takes Ctrl+Z for its own typing, and used to take it even when the last thing the
user did was a bulk coding: the project step stayed, silently. Here the box keeps Ctrl+Z
only while its own typing is newer than the project's last step (or the project has nothing
to undo); otherwise Ctrl+Z goes to Edit ▸ Undo, which says in the status bar what it undid.
Redo follows the same order: the box redoes only what the box undid last.

Only boxes of the main window and its non-modal windows (the memo editor) take part; a
modal dialog's boxes keep their own keys.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

from .context import tick

_EDIT_TICK = "_qclEditTick"  # when the box's text was last typed into
_UNDO_TICK = "_qclUndoTick"  # when the box last undid something
_WATCHED = "_qclUndoKeys"


def _editable(w: QWidget | None) -> bool:
    if isinstance(w, QLineEdit):
        return not w.isReadOnly()
    if isinstance(w, (QPlainTextEdit, QTextEdit)):
        return not w.isReadOnly()
    return False


def _can_undo(box) -> bool:
    return box.isUndoAvailable() if isinstance(box, QLineEdit) else box.document().isUndoAvailable()


def _can_redo(box) -> bool:
    return box.isRedoAvailable() if isinstance(box, QLineEdit) else box.document().isRedoAvailable()


class UndoKeys(QObject):
    """Routes Undo/Redo key presses in the text boxes of ``window`` (a ``MainWindow``)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self._own_step = False  # the box is undoing/redoing at our request: not typing
        app = QApplication.instance()
        app.focusChanged.connect(self._focus_changed)

    # -- which boxes ------------------------------------------------------------------
    def _focus_changed(self, _old, new) -> None:
        if _editable(new) and not new.property(_WATCHED) and self._belongs(new):
            self.watch(new)

    def _belongs(self, w: QWidget) -> bool:
        win = w.window()
        while win is not None:
            if win is self.window:
                return True
            parent = win.parentWidget()
            win = parent.window() if parent is not None else None
        return False

    def watch(self, box) -> None:
        box.setProperty(_WATCHED, True)
        box.installEventFilter(self)
        if isinstance(box, QLineEdit):
            box.textEdited.connect(lambda _t, b=box: self._typed(b))
        else:
            box.document().undoCommandAdded.connect(lambda b=box: self._typed(b))

    def _typed(self, box) -> None:
        if not self._own_step:
            box.setProperty(_EDIT_TICK, tick())

    # -- the keys -----------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:
        if event.type() != QEvent.KeyPress or not _editable(obj):
            return False
        if event.matches(QKeySequence.Undo):
            return self._route(obj, undo=True)
        if event.matches(QKeySequence.Redo):
            return self._route(obj, undo=False)
        return False

    def _route(self, box, undo: bool) -> bool:
        ctx = self.window.ctx
        if ctx is None or QApplication.activeModalWidget() is not None:
            return False  # the box's own keys
        stack = ctx.undo_stack
        if undo:
            mine = _can_undo(box)
            project = stack.canUndo() and (not mine or (box.property(_EDIT_TICK) or 0) < ctx.top_step_tick())
        else:
            mine = _can_redo(box)
            project = stack.canRedo() and (not mine or (box.property(_UNDO_TICK) or 0) < ctx.last_undo_tick)
        if project:
            (self.window.actionUndo if undo else self.window.actionRedo).trigger()
            return True
        if not mine:
            return False
        self._own_step = True
        try:
            box.undo() if undo else box.redo()
        finally:
            self._own_step = False
        if undo:
            box.setProperty(_UNDO_TICK, tick())
        return True
