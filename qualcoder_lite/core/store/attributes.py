"""Typed attributes of cases (and sources) and their values."""

from __future__ import annotations

import sqlite3

from ..model import Attribute


class AttributeRepo:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def all(self, applies_to: str | None = None) -> list[Attribute]:
        sql = "SELECT id, name, type, applies_to FROM attributes"
        params: tuple = ()
        if applies_to:
            sql += " WHERE applies_to = ?"
            params = (applies_to,)
        sql += " ORDER BY applies_to, position, name"
        return [Attribute(r[0], r[1], r[2], r[3]) for r in self.conn.execute(sql, params)]

    def by_name(self, name: str, applies_to: str | None = None) -> Attribute | None:
        for a in self.all(applies_to):
            if a.name == name:
                return a
        return None

    def case_values(self, case_ids=None) -> dict[int, dict[str, str]]:
        """case id -> {attribute name: stored value}, of every case or of ``case_ids``."""
        out: dict[int, dict[str, str]] = {}
        sql = ("SELECT v.case_id, a.name, v.value FROM attribute_values v JOIN attributes a ON a.id = v.attribute_id "
               "WHERE v.case_id IS NOT NULL")
        chunks: list[list[int]] = [[]]
        if case_ids is not None:
            ids = sorted(set(case_ids))
            chunks = [ids[i:i + 500] for i in range(0, len(ids), 500)]
        for chunk in chunks:
            where = f" AND v.case_id IN ({','.join('?' * len(chunk))})" if case_ids is not None else ""
            for r in self.conn.execute(sql + where, chunk):
                out.setdefault(r[0], {})[r[1]] = r[2]
        return out

    def source_values(self) -> dict[int, dict[str, str]]:
        out: dict[int, dict[str, str]] = {}
        for r in self.conn.execute(
            "SELECT v.source_id, a.name, v.value FROM attribute_values v JOIN attributes a ON a.id = v.attribute_id "
            "WHERE v.source_id IS NOT NULL"
        ):
            out.setdefault(r[0], {})[r[1]] = r[2]
        return out

    def value_id(self, attribute_id: int, case_id: int | None = None, source_id: int | None = None) -> tuple[int, str] | None:
        if case_id is not None:
            r = self.conn.execute(
                "SELECT id, value FROM attribute_values WHERE attribute_id = ? AND case_id = ?", (attribute_id, case_id)
            ).fetchone()
        else:
            r = self.conn.execute(
                "SELECT id, value FROM attribute_values WHERE attribute_id = ? AND source_id = ?", (attribute_id, source_id)
            ).fetchone()
        return None if r is None else (int(r[0]), r[1])

    def next_position(self) -> int:
        r = self.conn.execute("SELECT max(position) FROM attributes").fetchone()
        return 0 if r[0] is None else int(r[0]) + 1
