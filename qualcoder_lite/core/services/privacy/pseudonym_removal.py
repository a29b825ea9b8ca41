"""Removing the key for good: secure delete, VACUUM, write-ahead log
truncated and automatic backups purged. Irreversible, so not an undoable command."""

from __future__ import annotations

import glob
import importlib
import importlib.util
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import ProjectError, QualCoderError
from ...store.backups import no_backups
from ...store.database import now_iso
from .pseudonym_apply import occurrences
from .pseudonym_key import KEY_SETTING, REMOVED_SETTING, KeyEntry, key_removed, load_key

# ----------------------------------------------------------------------------- removing the key
@dataclass
class RemoveKeyReport:
    names: int
    secure_delete: bool
    vacuumed: bool
    wal_truncated: bool
    backups_purged: int | None  # None: this version has no backups module
    still_present: dict[str, int] = field(default_factory=dict)
    other_copies: list[str] = field(default_factory=list)  # e.g. NAME.before-restore.qlite beside the project

    def as_dict(self) -> dict:
        return {"names": self.names, "secure_delete": self.secure_delete, "vacuumed": self.vacuumed,
                "wal_truncated": self.wal_truncated, "backups_purged": self.backups_purged,
                "still_present": self.still_present, "other_copies": self.other_copies, "irreversible": True}

    def lines(self) -> list[str]:
        out = [f"removed the pseudonym key ({self.names} name{'' if self.names == 1 else 's'}); "
               "this cannot be undone"]
        done = ["secure delete on", "file compacted (VACUUM)"]
        if self.wal_truncated:
            done.append("write-ahead log emptied")
        out.append("; ".join(done))
        if not self.wal_truncated:
            out.append("the write-ahead log is emptied when the project is closed (another reader has it open)")
        if self.backups_purged is None:
            out.append("automatic backups: not available in this version, none to delete")
        else:
            out.append(f"deleted {self.backups_purged} automatic backup{'' if self.backups_purged == 1 else 's'} "
                       "(they held the real names)")
        if self.still_present:
            names = ", ".join(f"{k!r} ({v})" for k, v in sorted(self.still_present.items()))
            out.append(f"warning: these names were still in the project and stay there: {names}")
        for path in self.other_copies:
            out.append(f"warning: an older copy of the project is still beside it and may hold real names: {path}")
        return out


IRREVERSIBLE_WARNING = (
    "Removing the pseudonym key is irreversible: the table of real names is deleted from this "
    "project, the file is compacted with secure delete so the names cannot be recovered from it, "
    "every automatic backup of the project is deleted, and the pseudonymisation can no longer be "
    "undone. Export the key first if it must be kept (separately, e.g. by the PI)."
)


def _purge_backups(project) -> int | None:
    """``store.backups.purge_backups(project)`` when that module provides it (it is the
    backups feature's; older builds have none), else None."""
    name = "qualcoder_lite.core.store.backups"
    if importlib.util.find_spec(name) is None:
        return None
    purge = getattr(importlib.import_module(name), "purge_backups", None)
    if purge is None:
        return None
    return int(purge(project))


class RemoveKey:
    """Delete the key table for good. Not an undoable command: it sets ``PRAGMA
    secure_delete=ON``, deletes the key, runs ``VACUUM`` (no free page keeps old text, nor
    the old word indexes and keys of texts pseudonymised since), truncates the write-ahead log; the automatic backups (``store.backups.purge_backups``, when present)
    are purged first, before the key is touched. Refuses while key names still occur in the project unless ``force``."""

    def __init__(self, force: bool = False):
        self.force = force

    def run(self, project) -> RemoveKeyReport:
        if getattr(project, "read_only", False):
            raise ProjectError(project.path, "is open read-only; the pseudonym key was not removed")
        entries = load_key(project)
        if not entries:
            removed = key_removed(project)
            if removed and self.force:  # finish a removal whose compaction failed
                return self._clean(project, [], {})
            if removed:
                raise QualCoderError(f"the pseudonym key was already removed ({removed.get('removed', '?')})")
            raise QualCoderError("this project has no pseudonym key to remove")
        still = occurrences(project, entries)
        if still and not self.force:
            top = ", ".join(f"{k!r} ({v})" for k, v in sorted(still.items(), key=lambda kv: -kv[1])[:3])
            raise QualCoderError(
                f"{sum(still.values())} occurrence(s) of key names are still in the project ({top}); "
                "apply the key first (Apply, or 'pseudonymise PROJECT apply'), or force the removal")
        return self._clean(project, entries, still)

    @staticmethod
    def _clean(project, entries: list[KeyEntry], still: dict[str, int]) -> RemoveKeyReport:
        # no backup (it would hold the real names) is taken while the key goes: one being
        # taken in another thread is abandoned first, none starts or is kept meanwhile
        with no_backups(project.path):
            return RemoveKey._remove(project, entries, still)

    @staticmethod
    def _remove(project, entries: list[KeyEntry], still: dict[str, int]) -> RemoveKeyReport:
        conn = project.conn
        if conn.in_transaction:
            raise QualCoderError("cannot remove the key inside another change")
        # the backups hold the real names: they go first, so that a removal killed at any
        # point never leaves the key gone and the names still in a backup
        purged = _purge_backups(project)
        conn.execute("PRAGMA secure_delete = ON")
        secure = bool(conn.execute("PRAGMA secure_delete").fetchone()[0])
        with project.transaction():
            if entries:
                conn.execute("DELETE FROM settings WHERE key = ?", (KEY_SETTING,))
                marker = json.dumps({"removed": now_iso(), "entries": len(entries)}, sort_keys=True)
                conn.execute("INSERT INTO settings(key, value) VALUES (?, ?) "
                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (REMOVED_SETTING, marker))
        try:
            conn.execute("VACUUM")
        except sqlite3.OperationalError as exc:
            raise QualCoderError(
                f"the key was deleted, but the file could not be compacted ({exc}); close every other program "
                "using the project, then run 'pseudonymise PROJECT remove-key --yes --force' to finish") from None
        truncated = project.path is None  # an in-memory project has no write-ahead log
        if project.path is not None:
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            truncated = busy is not None and busy[0] == 0
        copies = []
        if project.path is not None:  # File ▸ Restore backup keeps the replaced file as NAME.before-restore.*
            p = Path(project.path)
            copies = sorted(str(c) for c in p.parent.glob(f"{glob.escape(p.stem)}.before-restore*"))
        return RemoveKeyReport(len(entries), secure, True, truncated, purged, still, copies)


def remove_key(project, force: bool = False) -> RemoveKeyReport:
    return RemoveKey(force).run(project)

