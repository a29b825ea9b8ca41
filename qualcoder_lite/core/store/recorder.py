"""Row-level writes that remember how to undo themselves.

Every change a user makes goes through a ``Recorder``: it performs inserts, updates and
deletes by primary key and keeps before/after images of each row. Undo replays the
inverse operations newest first; redo replays the forward operations. Because the images
are exact rows (ids and GUIDs included), redo restores exactly what undo removed.

Names and values are always bound as parameters; table and column names come from the
schema (``_ident`` refuses anything else).
"""

from __future__ import annotations

import functools
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..errors import QualCoderError
from .schema import TABLES


class GoneError(QualCoderError):
    """A command refers to a row that no longer exists."""

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not a column or table name: {name!r}")
    return f'"{name}"'


@functools.lru_cache(maxsize=256)
def _insert_sql(table: str, cols: tuple[str, ...]) -> str:
    if table not in TABLES:
        raise ValueError(f"not a project table: {table!r}")
    return (
        f"INSERT INTO {_ident(table)} ({', '.join(_ident(c) for c in cols)}) "
        f"VALUES ({', '.join('?' for _ in cols)})"
    )


@dataclass(frozen=True)
class RowOp:
    kind: str  # 'insert' | 'update' | 'delete'
    table: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def row_id(self) -> int:
        row = self.after if self.after is not None else self.before
        assert row is not None
        return int(row["id"])


@dataclass
class Changes:
    """What a command changed, so views can decide what to refresh."""

    tables: set[str] = field(default_factory=set)
    source_ids: set[int] = field(default_factory=set)
    code_ids: set[int] = field(default_factory=set)
    case_ids: set[int] = field(default_factory=set)
    coding_ids: set[int] = field(default_factory=set)  # codings inserted, updated or deleted

    @classmethod
    def from_ops(cls, ops: Iterable[RowOp]) -> "Changes":
        ch = cls()
        for op in ops:
            ch.tables.add(op.table)
            for row in (op.before, op.after):
                if not row:
                    continue
                if op.table == "sources":
                    ch.source_ids.add(row["id"])
                elif op.table == "codes":
                    ch.code_ids.add(row["id"])
                elif op.table == "cases":
                    ch.case_ids.add(row["id"])
                elif op.table == "codings":
                    ch.coding_ids.add(row["id"])
                if row.get("source_id") is not None:
                    ch.source_ids.add(row["source_id"])
                if row.get("code_id") is not None:
                    ch.code_ids.add(row["code_id"])
                if row.get("case_id") is not None:
                    ch.case_ids.add(row["case_id"])
        return ch

    def __bool__(self) -> bool:
        return bool(self.tables)


class Recorder:
    """Performs row writes on ``conn`` and records them for undo/redo."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.ops: list[RowOp] = []

    # -- forward operations -------------------------------------------------
    def insert(self, table: str, values: dict[str, Any]) -> int:
        """Insert a row; records the given values plus the new id (column defaults are
        constants, so replaying those values recreates the identical row)."""
        cols = tuple(values)
        cur = self.conn.execute(_insert_sql(table, cols), [values[c] for c in cols])
        row_id = int(cur.lastrowid)
        row = dict(values)
        row["id"] = row_id
        self.ops.append(RowOp("insert", table, None, row))
        return row_id

    def update(self, table: str, row_id: int, values: dict[str, Any]) -> bool:
        """Update columns of one row; returns False when nothing changed."""
        self._check_table(table)
        before = self._fetch(table, row_id)
        if before is None:
            raise GoneError(f"that {table[:-1].replace('_', ' ')} no longer exists (undone or deleted meanwhile)")
        changed = {k: v for k, v in values.items() if before.get(k) != v}
        if not changed:
            return False
        self._write_update(table, row_id, changed)
        after = dict(before)
        after.update(changed)
        self.ops.append(RowOp("update", table, before, after))
        return True

    def delete(self, table: str, row_id: int) -> dict[str, Any]:
        self._check_table(table)
        before = self._fetch(table, row_id)
        if before is None:
            raise GoneError(f"that {table[:-1].replace('_', ' ')} no longer exists (undone or deleted meanwhile)")
        self.conn.execute(f"DELETE FROM {_ident(table)} WHERE id = ?", (row_id,))
        self.ops.append(RowOp("delete", table, before, None))
        return before

    def delete_where(self, table: str, where: str, params: Iterable[Any] = ()) -> int:
        """Delete every row matching ``where`` (SQL with ``?`` parameters), recorded."""
        self._check_table(table)
        rows = self.conn.execute(
            f"SELECT * FROM {_ident(table)} WHERE {where}", tuple(params)
        ).fetchall()
        for r in rows:
            self.conn.execute(f"DELETE FROM {_ident(table)} WHERE id = ?", (r["id"],))
            self.ops.append(RowOp("delete", table, dict(r), None))
        return len(rows)

    # -- replay -------------------------------------------------------------
    def replay_undo(self, ops: list[RowOp]) -> None:
        for op in reversed(ops):
            if op.kind == "insert":
                self.conn.execute(f"DELETE FROM {_ident(op.table)} WHERE id = ?", (op.row_id,))
            elif op.kind == "update":
                assert op.before is not None
                self._write_update(op.table, op.row_id, op.before)
            else:
                assert op.before is not None
                self._write_insert(op.table, op.before)

    def replay_redo(self, ops: list[RowOp]) -> None:
        for op in ops:
            if op.kind == "insert":
                assert op.after is not None
                self._write_insert(op.table, op.after)
            elif op.kind == "update":
                assert op.after is not None
                self._write_update(op.table, op.row_id, op.after)
            else:
                self.conn.execute(f"DELETE FROM {_ident(op.table)} WHERE id = ?", (op.row_id,))

    # -- helpers ------------------------------------------------------------
    def _fetch(self, table: str, row_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(f"SELECT * FROM {_ident(table)} WHERE id = ?", (row_id,)).fetchone()
        return None if row is None else dict(row)

    def _write_insert(self, table: str, row: dict[str, Any]) -> None:
        cols = tuple(row)
        self.conn.execute(_insert_sql(table, cols), [row[c] for c in cols])

    def _write_update(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        cols = [c for c in values if c != "id"]
        if not cols:
            return
        self.conn.execute(
            f"UPDATE {_ident(table)} SET {', '.join(f'{_ident(c)} = ?' for c in cols)} WHERE id = ?",
            [values[c] for c in cols] + [row_id],
        )

    @staticmethod
    def _check_table(table: str) -> None:
        if table not in TABLES:
            raise ValueError(f"not a project table: {table!r}")
