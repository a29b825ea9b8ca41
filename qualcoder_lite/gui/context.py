"""The explicit context passed to every view: the open project, its undo stack and the
signals that tell views what changed. No globals, no reaching into the main window."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..core.commands import Command
from ..core.errors import QualCoderError
from ..core.project import Project
from ..core.store.recorder import Changes


class _UndoAdapter(QUndoCommand):
    """Wraps a core command that has already run; redo/undo replay its row operations."""

    def __init__(self, ctx: "Context", cmd: Command):
        super().__init__(cmd.name)
        self.ctx = ctx
        self.cmd = cmd
        self._first = True

    def redo(self) -> None:
        if self._first:  # it ran before being pushed
            self._first = False
            return
        self._replay(self.ctx.project.redo)

    def undo(self) -> None:
        self._replay(self.ctx.project.undo)

    def _replay(self, step) -> None:
        """A replay that fails (the file changed under us, read-only...) changed nothing:
        the transaction rolled back. Say so, and drop the history, which no longer matches."""
        from ..core.store.database import db_errors

        try:
            self.ctx.changed.emit(step(self.cmd))
        except (QualCoderError, *db_errors()) as exc:
            self.setObsolete(True)
            self.ctx.historyBroken.emit(f"{self.cmd.name}: could not be replayed ({exc}); "
                                        "the undo history was cleared, nothing was changed")


class Context(QObject):
    changed = Signal(object)  # Changes
    sourceRequested = Signal(int, int, int)  # source id, start, end (code points) to show
    codeSelected = Signal(object)  # list of code ids (retrieval follows the code tree)
    coderChanged = Signal(str)
    historyBroken = Signal(str)

    def __init__(self, project: Project, parent=None):
        super().__init__(parent)
        self.project = project
        self.undo_stack = QUndoStack(self)
        self.visible_coders: list[str] | None = None  # None: all coders
        self.session = f"{id(self):x}-{project.path}"  # tells drags from this window from others
        self.historyBroken.connect(lambda _msg: self.undo_stack.clear())

    def run(self, cmd: Command) -> Changes:
        """Execute a core command as one undoable step; errors propagate (nothing changed)."""
        changes = self.project.execute(cmd)
        self.adopt(cmd, changes)
        return changes

    def adopt(self, cmd: Command, changes: Changes | None = None) -> None:
        """Put a command that already ran (e.g. in a worker) on the undo stack."""
        if not cmd.changed_anything:
            return
        self.undo_stack.push(_UndoAdapter(self, cmd))
        self.changed.emit(changes if changes is not None else Changes.from_ops(cmd.ops or []))

    def set_coder(self, name: str) -> None:
        name = name.strip()
        if name and name != self.project.coder:
            self.project.coder = name
            self.coderChanged.emit(name)
