"""Errors the core raises; each carries a one-line message fit for a user."""

from __future__ import annotations

from pathlib import Path


class QualCoderError(Exception):
    """Base class: the message is shown to the user as is (no traceback)."""


class UsageError(QualCoderError):
    """The user asked for something that does not exist or is malformed (exit 2)."""


class InputError(QualCoderError):
    """A file could not be read or is refused; names the file and the reason."""

    def __init__(self, path: str | Path | None, reason: str):
        self.path = None if path is None else str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}" if self.path else reason)


class ProjectError(QualCoderError):
    """The project file cannot be opened or used (not SQLite, newer version, locked...)."""

    def __init__(self, path: str | Path | None, reason: str):
        self.path = None if path is None else str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}" if self.path else reason)


class ProjectIOError(ProjectError):
    """The project file could not be read or written because of the medium, not its
    contents: a full disk, a read-only folder or medium, missing permissions, a failing
    device. The file itself may be perfectly healthy: never offer to restore a backup."""


class DamagedProjectError(ProjectError):
    """The file's contents are damaged (SQLite found corruption): a backup may be restored."""


class DuplicateError(QualCoderError):
    """Something with this identity already exists (a code path, a source's text...)."""
