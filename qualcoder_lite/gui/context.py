"""The explicit context passed to every view: the open project, its undo stack and the
signals that tell views what changed. No globals, no reaching into the main window."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..core.changes import Changes
from ..core.commands import Command, StaleHistoryError
from ..core.errors import QualCoderError
from ..core.project import Project

_clock = itertools.count(1)


def tick() -> int:
    """A number that grows with every user action it is asked for: orders a project step
    against typing in a text box (see ``undo_keys``)."""
    return next(_clock)


class _UndoAdapter(QUndoCommand):
    """Wraps a core command that has already run; redo/undo replay its row operations.
    ``tick`` says when the step was last done (run or redone)."""

    def __init__(self, ctx: "Context", cmd: Command):
        super().__init__(cmd.name)
        self.ctx = ctx
        self.cmd = cmd
        self._first = True
        self.tick = tick()

    def redo(self) -> None:
        if self._first:  # it ran before being pushed
            self._first = False
            return
        if self._replay(self.ctx.project.redo):
            self.tick = tick()

    def undo(self) -> None:
        if self._replay(self.ctx.project.undo):
            self.ctx.last_undo_tick = tick()

    def _replay(self, step) -> bool:
        """A replay that fails (someone else changed the rows, the file is read-only...)
        changed nothing: the transaction rolled back. Say so, and drop the history, which
        no longer matches the file."""
        from ..core.commands import db_errors

        try:
            changes = step(self.cmd)
        except StaleHistoryError as exc:
            self._broken(f"{exc}. The undo history was cleared: it no longer matches the project.")
            return False
        except (QualCoderError, *db_errors()) as exc:
            self._broken(f"{self.cmd.name}: could not be replayed ({exc}); "
                         "the undo history was cleared, nothing was changed")
            return False
        self.ctx.changed.emit(changes)
        return True

    def _broken(self, message: str) -> None:
        # QUndoStack drops an obsolete command itself once this call returns; the rest of
        # the history goes a moment later (clearing the stack from inside its own undo()
        # would delete the command that is running)
        self.setObsolete(True)
        self.ctx.historyBroken.emit(message)


class Context(QObject):
    changed = Signal(object)  # Changes
    sourceRequested = Signal(int, int, int)  # source id, start, end (code points) to show
    codeSelected = Signal(object)  # list of code ids (retrieval follows the code tree)
    coderChanged = Signal(str)
    historyBroken = Signal(str)
    quoteFormatChanged = Signal()  # the project's quote style / time markers / citation were chosen anew

    def __init__(self, project: Project, parent=None):
        super().__init__(parent)
        self.project = project
        self.undo_stack = QUndoStack(self)
        self.visible_coders: list[str] | None = None  # None: all coders
        self.session = f"{id(self):x}-{project.path}"  # tells drags from this window from others
        self.last_undo_tick = 0  # when a project step was last undone (see ``tick``)
        self.historyBroken.connect(self._drop_history, Qt.QueuedConnection)

    def run(self, cmd: Command) -> Changes:
        """Execute a quick core command (a coding, a rename: well under 100 ms) here as one
        undoable step; errors propagate (nothing changed). Longer work is a ``jobs.Job``,
        whose command comes back through ``adopt``."""
        changes = self.project.execute(cmd)
        self.adopt(cmd, changes)
        return changes

    def adopt(self, cmd: Command, changes: Changes | None = None) -> None:
        """Put a command that already ran (e.g. in a worker) on the undo stack. Its changes
        are those its run found (in the worker: an import's thousands of rows are not gone
        through again here, on the GUI thread)."""
        if not cmd.changed_anything:
            return
        if changes is None:
            changes = cmd.changes if cmd.changes is not None else Changes.from_ops(cmd.ops or [])
        cmd.changes = None  # not kept on the undo stack
        self.undo_stack.push(_UndoAdapter(self, cmd))
        self.changed.emit(changes)

    def _drop_history(self, _message: str) -> None:
        self.undo_stack.clear()

    def top_step_tick(self) -> int:
        """When the step Undo would take back was done (0: nothing to undo)."""
        stack = self.undo_stack
        if not stack.canUndo():
            return 0
        return getattr(stack.command(stack.index() - 1), "tick", 0)

    def set_coder(self, name: str) -> None:
        name = name.strip()
        if name and name != self.project.coder:
            self.project.coder = name
            self.coderChanged.emit(name)
