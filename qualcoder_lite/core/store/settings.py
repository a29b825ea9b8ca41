"""Per-project settings (key/value)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .recorder import Recorder


class SettingsRepo:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def get(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None or row["value"] is None:
            return default
        return json.loads(row["value"])

    def set(self, rec: Recorder, key: str, value: Any) -> None:
        encoded = json.dumps(value, ensure_ascii=False, sort_keys=True)
        row = self.conn.execute("SELECT id FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None:
            rec.insert("settings", {"key": key, "value": encoded})
        else:
            rec.update("settings", row["id"], {"value": encoded})

    def put(self, key: str, value: Any) -> None:
        """Write a preference outside the undo history (view choices, pinned codes)."""
        from .database import transaction

        with transaction(self.conn):
            self.set(Recorder(self.conn), key, value)
