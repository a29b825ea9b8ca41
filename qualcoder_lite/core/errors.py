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


class PassphraseNeeded(ProjectError):
    """The file is encrypted (or not a database at all) and no passphrase was given."""


class LockedError(ProjectError):
    """Someone else has the project open for writing."""

    def __init__(self, path, holder: dict):
        self.holder = holder
        if holder.get("user") or holder.get("host"):
            who = holder.get("user") or "someone"
            host = holder.get("host") or "another computer"
            since = holder.get("since", "")
            what = f"is open in QualCoder Lite by {who} on {host} (since {since[:16].replace('T', ' ')})"
        else:  # through a hard link in another folder: the holder's lock file is beside the other name
            what = "is open in QualCoder Lite (possibly under another name of the same file)"
        super().__init__(path, f"{what}; try again when it has been closed")
