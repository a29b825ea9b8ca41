"""Memos and the project journal."""

from __future__ import annotations

import sqlite3

from ..model import Memo


class MemoRepo:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def list(self, kind: str | None = None, target_id: int | None = None) -> list[Memo]:
        sql = (
            "SELECT m.id, m.kind, m.target_id, m.title, m.body, c.name AS coder, m.created, m.modified "
            "FROM memos m LEFT JOIN coders c ON c.id = m.coder_id"
        )
        where: list[str] = []
        params: list[object] = []
        if kind is not None:
            where.append("m.kind = ?")
            params.append(kind)
        if target_id is not None:
            where.append("m.target_id = ?")
            params.append(target_id)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY m.created, m.id"
        return [Memo(*tuple(r)) for r in self.conn.execute(sql, params)]
