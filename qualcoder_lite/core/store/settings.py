"""Per-project settings (key/value)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .recorder import Recorder


class SettingsRepo:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    read_only = False

    def get(self, key: str, default: Any = None) -> Any:
        """A setting, or a preference of that name (preferences are looked up first)."""
        for table in ("preferences", "settings"):
            row = self.conn.execute(f"SELECT value FROM {table} WHERE key = ?", (key,)).fetchone()
            if row is not None:
                return default if row["value"] is None else json.loads(row["value"])
        return default

    def set(self, rec: Recorder, key: str, value: Any) -> None:
        encoded = json.dumps(value, ensure_ascii=False, sort_keys=True)
        row = self.conn.execute("SELECT id FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None:
            rec.insert("settings", {"key": key, "value": encoded})
        else:
            rec.update("settings", row["id"], {"value": encoded})

    def put(self, key: str, value: Any) -> None:
        """Write a preference outside the undo history (view choices, pinned codes) into the
        preferences table, which undoable commands never insert into."""
        from ..errors import ProjectError
        from .database import transaction

        if self.read_only:
            raise ProjectError(None, "the project is open read-only; the preference was not saved")
        encoded = json.dumps(value, ensure_ascii=False, sort_keys=True)
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO preferences(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, encoded),
            )
