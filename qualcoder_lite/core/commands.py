"""Undoable commands: every user change is one of these, run in one transaction.

A command's ``apply`` does the work through a ``Recorder``; the recorded row operations
make undo and redo exact. The GUI wraps commands in ``QUndoCommand``; the command line
just executes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .changes import Changes, RowChangedError, RowOp
from .errors import QualCoderError
from .store.database import db_errors  # part of this API: what a replay may raise
from .store.recorder import Recorder

if TYPE_CHECKING:
    from .project import Project


class Command:
    """Base class. Subclasses set ``name`` and implement ``apply``."""

    name = "Change"
    changes: Changes | None = None  # what its first run changed (``run``), until a GUI adopts it

    def __init__(self) -> None:
        self.ops: list[RowOp] | None = None
        self.result: Any = None

    def apply(self, project: "Project", rec: Recorder) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def done(self) -> bool:
        return self.ops is not None

    @property
    def changed_anything(self) -> bool:
        return bool(self.ops)


class Macro(Command):
    """Several commands run as one step (one transaction, one undo)."""

    def __init__(self, name: str, commands: list[Command]):
        super().__init__()
        self.name = name
        self.commands = commands

    def apply(self, project: "Project", rec: Recorder) -> Any:
        results = []
        for cmd in self.commands:
            results.append(cmd.apply(project, rec))
        return results


def run(project: "Project", cmd: Command) -> Changes:
    """Execute ``cmd`` for the first time, in one transaction."""
    if cmd.done:
        raise RuntimeError(f"command {cmd.name!r} already executed; use redo")
    rec = Recorder(project.conn)
    with project.transaction():
        cmd.result = cmd.apply(project, rec)
    cmd.ops = rec.ops
    cmd.changes = Changes.from_ops(rec.ops)
    return cmd.changes


class StaleHistoryError(QualCoderError):
    """Undo or redo refused: a row the step would write back was changed since by someone
    else (another program, connection or window). Nothing was changed; the history no
    longer matches the file and should be dropped."""

    def __init__(self, action: str, cmd: Command, reason: str, row: RowChangedError | None = None):
        self.action = action
        self.step = cmd.name
        self.row = row
        super().__init__(f"cannot {action} '{cmd.name}': {reason}; nothing was changed")


def _replay(project: "Project", cmd: Command, action: str) -> Changes:
    assert cmd.ops is not None
    rec = Recorder(project.conn)
    try:
        with project.transaction():
            if action == "undo":
                rec.replay_undo(cmd.ops)
            else:
                rec.replay_redo(cmd.ops)
    except RowChangedError as exc:
        raise StaleHistoryError(action, cmd, f"{exc} (by another program or window)", exc) from exc
    except db_errors() as exc:
        if type(exc).__name__ != "IntegrityError":  # sqlite3's or SQLCipher's
            raise
        # e.g. another program added a coding to a code this undo would delete, or took a
        # name this redo would give back
        raise StaleHistoryError(action, cmd, "the project was changed since (by another program or window) "
                                f"in a way that conflicts with it ({exc})") from exc
    return Changes.from_ops(cmd.ops)


def undo(project: "Project", cmd: Command) -> Changes:
    """Take ``cmd`` back, in one transaction; refuses (``StaleHistoryError``, nothing
    changed) when a row it wrote was changed by someone else since."""
    if cmd.ops is None:
        raise RuntimeError(f"command {cmd.name!r} was never executed")
    return _replay(project, cmd, "undo")


def redo(project: "Project", cmd: Command) -> Changes:
    """Do ``cmd`` again after an undo; refuses like ``undo`` when a row it would write
    was changed since."""
    if cmd.ops is None:
        return run(project, cmd)
    return _replay(project, cmd, "redo")
