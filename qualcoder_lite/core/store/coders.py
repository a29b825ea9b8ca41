"""Coders: who made each coding."""

from __future__ import annotations

import sqlite3
import uuid

from ..model import CODER_COLORS, Coder
from .database import now_iso
from .recorder import Recorder

class CoderRepo:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def all(self) -> list[Coder]:
        rows = self.conn.execute("SELECT id, name, color FROM coders ORDER BY name").fetchall()
        return [Coder(r["id"], r["name"], r["color"]) for r in rows]

    def id_of(self, name: str) -> int | None:
        row = self.conn.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
        return None if row is None else int(row["id"])

    def ensure(self, rec: Recorder, name: str) -> int:
        """The coder's id, creating the coder (recorded for undo) when new."""
        name = name.strip()
        if not name:
            raise ValueError("coder name is empty")
        found = self.id_of(name)
        if found is not None:
            return found
        count = self.conn.execute("SELECT count(*) FROM coders").fetchone()[0]
        return rec.insert(
            "coders",
            {
                "guid": str(uuid.uuid4()),
                "name": name,
                "color": CODER_COLORS[count % len(CODER_COLORS)],
                "created": now_iso(),
            },
        )
