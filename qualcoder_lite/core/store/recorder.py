"""Row-level writes that remember how to undo themselves.

Every change a user makes goes through a ``Recorder``: it performs inserts, updates and
deletes by primary key and keeps before/after images of each row. Undo replays the
inverse operations newest first; redo replays the forward operations. Because the images
are exact rows (ids and GUIDs included), redo restores exactly what undo removed.

Names and values are always bound as parameters; table and column names come from the
schema (``_ident`` refuses anything else). The records it hands out (``Changes``,
``RowOp``, ``RowChangedError``) belong to the core's command API: ``core/changes.py``.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from typing import Any, Iterable

from ..changes import Changes, GoneError, PackedRowOp, RowChangedError, RowOp  # noqa: F401  (the records it makes)
from .schema import CASCADES, TABLES


# Columns that may change without a command and are derived from other columns of the same
# row: the search word index is rebuilt from ``text`` when its format changes (on open).
# Writing the image's value back with the image's text stays consistent.
_DERIVED = {"sources": frozenset({"word_index"})}
# Tables written outside the undo history as well (preferences: pinned codes, remembered
# report options). A command's change there is replayed only while the row is still what
# the command left; a newer preference is kept rather than refusing the whole step.
_KEEP_NEWER = frozenset({"preferences"})

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


class Recorder:
    """Performs row writes on ``conn`` and records them for undo/redo."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.ops: list[RowOp] = []

    # -- forward operations -------------------------------------------------
    def insert(self, table: str, values: dict[str, Any], utf8: dict[str, bytes] | None = None) -> int:
        """Insert a row; records the whole row as stored (defaults and id included), so
        redo recreates the identical row and undo can check nobody changed it since.
        ``utf8`` gives the UTF-8 bytes of long ``str`` values (column -> bytes): the record
        keeps those bytes (``PackedRowOp``) instead of a second copy of the text."""
        cols = tuple(values)
        cur = self.conn.execute(_insert_sql(table, cols), [values[c] for c in cols])
        assert cur.lastrowid is not None  # set by every INSERT
        row_id = int(cur.lastrowid)
        if utf8:
            self.ops.append(self._packed_insert(table, row_id, values, utf8))
            return row_id
        row = self._fetch(table, row_id)
        if row is None:  # pragma: no cover - the row was just inserted in this transaction
            row = dict(values, id=row_id)
        self.ops.append(RowOp("insert", table, None, row))
        return row_id

    def _packed_insert(self, table: str, row_id: int, values: dict[str, Any], utf8: dict[str, bytes]) -> PackedRowOp:
        """The record of a row just inserted: every column as stored, read back except the
        ``utf8`` ones (a ``str`` bound to a TEXT column is stored as given), and a value
        equal to the one given kept as the given object (one copy of an index, not two)."""
        cur = self.conn.cursor()
        cur.row_factory = None
        names = tuple(r[1] for r in cur.execute(f"PRAGMA table_info({_ident(table)})"))
        picked = ", ".join("NULL" if c in utf8 else _ident(c) for c in names)  # a long text is not read back
        vals = list(cur.execute(f"SELECT {picked} FROM {_ident(table)} WHERE id = ?", (row_id,)).fetchone())
        places = []
        for i, col in enumerate(names):
            if col in utf8:
                if not isinstance(values[col], str):  # pragma: no cover - TEXT keeps the str given
                    raise RuntimeError(f"{table}.{col}: the stored value is not the one given")
                vals[i] = utf8[col]
                places.append(i)
            elif col in values and type(values[col]) is type(vals[i]) and values[col] == vals[i]:
                vals[i] = values[col]
        return PackedRowOp(table, names, tuple(vals), tuple(places))

    def insert_many(self, table: str, cols: tuple[str, ...], rows: list[tuple]) -> list[int]:
        """Insert ``rows`` (value tuples in the order of ``cols``) with one ``executemany``;
        records each whole row as stored, exactly as ``insert`` does, read back in one query
        (compactly: ``PackedRowOp``). Returns the new ids in the order of ``rows``."""
        if not rows:
            return []
        self._check_table(table)
        top = self.conn.execute(f"SELECT max(id) FROM {_ident(table)}").fetchone()[0] or 0
        self.conn.executemany(_insert_sql(table, tuple(cols)), rows)
        cur = self.conn.cursor()
        cur.row_factory = None
        stored = cur.execute(f"SELECT * FROM {_ident(table)} WHERE id > ? ORDER BY id", (top,)).fetchall()
        if len(stored) != len(rows):  # pragma: no cover - ids are handed out in order within a transaction
            raise RuntimeError(f"{table}: inserted {len(rows)} rows but found {len(stored)}")
        names = tuple(d[0] for d in cur.description)
        self.ops.extend(PackedRowOp(table, names, row) for row in stored)
        at = names.index("id")
        return [row[at] for row in stored]

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
        self._delete_children(table, row_id)
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
            self._delete_children(table, r["id"])
            self.conn.execute(f"DELETE FROM {_ident(table)} WHERE id = ?", (r["id"],))
            self.ops.append(RowOp("delete", table, dict(r), None))
        return len(rows)

    def _delete_children(self, table: str, row_id: int) -> None:
        """Rows the database would delete with this one (ON DELETE CASCADE), deleted
        first and recorded, so that undo brings them back with their parent."""
        for child, column in CASCADES.get(table, ()):
            self.delete_where(child, f"{_ident(column)} = ?", (row_id,))

    # -- replay -------------------------------------------------------------
    # Each step first checks that the row is exactly what the command left there (undo:
    # the ``after`` image, or no row for a delete) or found there (redo: the ``before``
    # image, or no row for an insert). Ops are replayed in order, so a row a command touched
    # twice is checked against the image of that moment. Own later commands were undone
    # first (the history is last in, first out), so any difference is someone else's work:
    # another program, another connection, another window. The check and the write share
    # the caller's transaction (BEGIN IMMEDIATE: nobody can write in between); on a
    # difference ``RowChangedError`` is raised and the caller rolls everything back.
    def replay_undo(self, ops: list[RowOp]) -> None:
        for op in reversed(ops):
            if not self._check(op.table, op.row_id, op.after):
                continue
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
            if not self._check(op.table, op.row_id, op.before):
                continue
            if op.kind == "insert":
                assert op.after is not None
                self._write_insert(op.table, op.after)
            elif op.kind == "update":
                assert op.after is not None
                self._write_update(op.table, op.row_id, op.after)
            else:
                self.conn.execute(f"DELETE FROM {_ident(op.table)} WHERE id = ?", (op.row_id,))

    def _check(self, table: str, row_id: int, expected: dict[str, Any] | None) -> bool:
        """True when the row is as ``expected`` (None: no such row). A difference raises
        ``RowChangedError``, except in tables also written outside the history, where the
        newer row is kept and the step skipped (False)."""
        current = self._fetch(table, row_id)
        if _same_row(table, expected, current):
            return True
        if table in _KEEP_NEWER and expected is not None and current is not None:
            return False
        raise RowChangedError(table, row_id, expected, current)

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


def _same_row(table: str, expected: dict[str, Any] | None, current: dict[str, Any] | None) -> bool:
    if expected is None or current is None:
        return expected is None and current is None
    skip = _DERIVED.get(table, frozenset())
    # the image's own columns (images are whole rows; a column added by a migration
    # cannot appear within one session's history)
    for col, value in expected.items():
        if col in skip:
            continue
        if col not in current or current[col] != value:
            return False
    return True
