"""Cases (participants) and their links to sources."""

from __future__ import annotations

import sqlite3
import uuid

from ..model import Case
from ..wording import one_line
from .database import now_iso
from .recorder import Recorder


class CaseRepo:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def all(self) -> list[Case]:
        srcs: dict[int, list[str]] = {}
        for r in self.conn.execute(
            "SELECT cs.case_id, s.name FROM case_sources cs JOIN sources s ON s.id = cs.source_id ORDER BY s.name"
        ):
            srcs.setdefault(r[0], []).append(r[1])
        rows = self.conn.execute("SELECT id, guid, name, memo FROM cases ORDER BY name").fetchall()
        return [Case(r["id"], r["guid"], r["name"], r["memo"], tuple(srcs.get(r["id"], ()))) for r in rows]

    def id_of(self, name: str) -> int | None:
        """The id of the case named ``name`` (as ``ensure`` would name it: ``one_line``)."""
        r = self.conn.execute("SELECT id FROM cases WHERE name = ?", (one_line(name),)).fetchone()
        return None if r is None else int(r["id"])

    def by_name(self, name: str) -> Case | None:
        for c in self.all():
            if c.name == name:
                return c
        return None

    def ensure(self, rec: Recorder, name: str) -> tuple[int, bool]:
        """(case id, created?) for ``name``, creating the case when new (named on one line:
        a line break or tab from a spreadsheet cell or a typed name becomes a space)."""
        name = one_line(name)
        found = self.id_of(name)
        if found is not None:
            return found, False
        return (
            rec.insert("cases", {"guid": str(uuid.uuid4()), "name": name, "created": now_iso()}),
            True,
        )

    def link(self, rec: Recorder, case_id: int, source_id: int) -> bool:
        r = self.conn.execute(
            "SELECT id FROM case_sources WHERE case_id = ? AND source_id = ?", (case_id, source_id)
        ).fetchone()
        if r is not None:
            return False
        rec.insert("case_sources", {"case_id": case_id, "source_id": source_id})
        return True

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM cases").fetchone()[0]
