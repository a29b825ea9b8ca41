"""Undoable commands: every user change is one of these, run in one transaction.

A command's ``apply`` does the work through a ``Recorder``; the recorded row operations
make undo and redo exact. The GUI wraps commands in ``QUndoCommand``; the command line
just executes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .store.recorder import Changes, Recorder, RowOp

if TYPE_CHECKING:
    from .project import Project


class Command:
    """Base class. Subclasses set ``name`` and implement ``apply``."""

    name = "Change"

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
    return Changes.from_ops(rec.ops)


def undo(project: "Project", cmd: Command) -> Changes:
    if cmd.ops is None:
        raise RuntimeError(f"command {cmd.name!r} was never executed")
    with project.transaction():
        Recorder(project.conn).replay_undo(cmd.ops)
    return Changes.from_ops(cmd.ops)


def redo(project: "Project", cmd: Command) -> Changes:
    if cmd.ops is None:
        return run(project, cmd)
    with project.transaction():
        Recorder(project.conn).replay_redo(cmd.ops)
    return Changes.from_ops(cmd.ops)
