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
import zlib
from typing import Any, Iterable

from ..changes import Changes, GoneError, PackedRowOp, RowChangedError, RowOp  # noqa: F401  (the records it makes)
from . import source_keys
from .schema import CASCADES, TABLES


# Columns that may change without a command and are derived from other columns of the same
# row: the search word index is rebuilt from ``text`` when its format changes (on open).
# Writing the image's value back with the image's text stays consistent.
_DERIVED = {"sources": frozenset({"word_index"})}
# Columns of a table's row images that are stored in another table, keyed by the row's id
# (schema 7): a ``sources`` image carries its word index, kept in ``source_facts``, whose row
# the schema's triggers make and delete with the source. The recorder writes it after the
# row (a new or changed text clears it), with the CRC-32 of the text it wrote (search's proof
# that the index fits the text), and reads it with the row, so images stay whole rows.
_BESIDE = {"sources": ("word_index", "source_facts", "source_id")}
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
def _insert_sql(table: str, cols: tuple[str, ...], as_text: frozenset[str] = frozenset()) -> str:
    """The INSERT of ``cols``; a column of ``as_text`` is bound as UTF-8 bytes and stored as
    the TEXT they are (SQLite's CAST of a BLOB to TEXT keeps its bytes)."""
    if table not in TABLES:
        raise ValueError(f"not a project table: {table!r}")
    return (
        f"INSERT INTO {_ident(table)} ({', '.join(_ident(c) for c in cols)}) "
        f"VALUES ({', '.join('CAST(? AS TEXT)' if c in as_text else '?' for c in cols)})"
    )


class Recorder:
    """Performs row writes on ``conn`` and records them for undo/redo."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.ops: list[RowOp] = []
        self._shapes: dict[str, tuple[tuple[str, ...], tuple | None]] = {}  # table -> (columns, their types)
        self._columns: dict[str, tuple[str, ...]] = {}  # table -> its columns

    # -- forward operations -------------------------------------------------
    def insert(self, table: str, values: dict[str, Any], utf8: dict[str, bytes] | None = None) -> int:
        """Insert a row; records the whole row as stored (defaults and id included), so
        redo recreates the identical row and undo can check nobody changed it since.
        ``utf8`` gives the UTF-8 bytes of long ``str`` values (column -> bytes): the record
        keeps those bytes (``PackedRowOp``) instead of a second copy of the text. Such a
        value may be given as those very bytes: it is stored as the TEXT they are, never
        decoded here (an import's transcripts)."""
        values, beside = _split(table, values)
        cols = tuple(values)
        as_text = frozenset(c for c in utf8 if values.get(c) is utf8[c]) if utf8 else frozenset()
        cur = self.conn.execute(_insert_sql(table, cols, as_text), [values[c] for c in cols])
        assert cur.lastrowid is not None  # set by every INSERT
        row_id = int(cur.lastrowid)
        self._write_beside(table, row_id, values, beside, utf8)
        if beside:
            values = {**values, **beside}
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
        ``utf8`` ones (a ``str`` bound to a TEXT column is stored as given) and the ``bytes``
        ones (a BLOB is always stored as given: a word index is not read back), and a value
        equal to the one given kept as the given object (one copy of a name, not two)."""
        cur = self.conn.cursor()
        cur.row_factory = None
        kept = frozenset(c for c, v in values.items() if c in utf8 or isinstance(v, bytes))
        sql = _packed_select_sql(table, _columns(self.conn, table, self._columns), kept)
        stored = cur.execute(sql, (row_id,)).fetchone()
        names = tuple(d[0] for d in cur.description)
        vals = list(stored)
        places = []
        for i, col in enumerate(names):
            if col in utf8:
                if not (isinstance(values[col], str) or values[col] is utf8[col]):  # pragma: no cover
                    raise RuntimeError(f"{table}.{col}: the stored value is not the one given")
                vals[i] = utf8[col]
                places.append(i)
            elif col in kept or (col in values and type(values[col]) is type(vals[i]) and values[col] == vals[i]):
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
        beside = _BESIDE.get(table)
        if beside is not None:
            at = cols.index(beside[0]) if beside[0] in cols else None
            kept = tuple(c for c in cols if c != beside[0])
            self.conn.executemany(_insert_sql(table, kept), rows if at is None else [r[:at] + r[at + 1:] for r in rows])
            self._write_beside_many(table, top, [dict(zip(cols, r)) for r in rows])
        else:
            self.conn.executemany(_insert_sql(table, tuple(cols)), rows)
            if self._stored_as_given(table, cols, rows):
                # the rows are stored as given, with the ids after ``top`` in order (checked):
                # their images need not be read back
                n = len(rows)
                if tuple(self.conn.execute(f"SELECT count(*), max(id) FROM {_ident(table)} WHERE id > ?",
                                           (top,)).fetchone()) == (n, top + n):
                    ids = range(top + 1, top + n + 1)
                    self.ops += PackedRowOp.many(table, ("id", *cols), rows, ids)
                    return list(ids)
        cur = self.conn.cursor()
        cur.row_factory = None
        stored = cur.execute(f"{_select_sql(table)} WHERE t.id > ? ORDER BY t.id", (top,)).fetchall()
        if len(stored) != len(rows):  # pragma: no cover - ids are handed out in order within a transaction
            raise RuntimeError(f"{table}: inserted {len(rows)} rows but found {len(stored)}")
        names = tuple(d[0] for d in cur.description)
        self.ops += PackedRowOp.many(table, names, stored)
        at = names.index("id")
        return [row[at] for row in stored]

    def _stored_as_given(self, table: str, cols: tuple[str, ...], rows: list[tuple]) -> bool:
        """Whether SQLite stores ``rows`` exactly as given (so the row images are ``id`` +
        the values): ``cols`` are every column but ``id``, in the table's order; no trigger
        on the table; every value is NULL or of its column's type (int for INTEGER, str for
        TEXT: type affinity then converts nothing)."""
        shape = self._shapes.get(table)
        if shape is None:
            info = self.conn.execute(f"PRAGMA table_info({_ident(table)})").fetchall()
            triggers = self.conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                                         (table,)).fetchone()[0]
            types = {"INTEGER": int, "TEXT": str}
            shape = self._shapes[table] = (
                tuple(r[1] for r in info),
                tuple(types.get(str(r[2]).upper()) for r in info) if not triggers else None)
        names, kinds = shape
        if kinds is None or names != ("id", *cols) or not all(kinds[1:]):
            return False
        return all(set(map(type, column)) <= {kind, type(None)} for kind, column in zip(kinds[1:], zip(*rows)))

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
            f"{_select_sql(table)} WHERE t.id IN (SELECT id FROM {_ident(table)} WHERE {where})", tuple(params)
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
        row = self.conn.execute(f"{_select_sql(table)} WHERE t.id = ?", (row_id,)).fetchone()
        return None if row is None else dict(row)

    def _write_insert(self, table: str, row: dict[str, Any]) -> None:
        row, beside = _split(table, row)
        cols = tuple(row)
        self.conn.execute(_insert_sql(table, cols), [row[c] for c in cols])
        self._write_beside(table, int(row["id"]), row, beside)

    def _write_update(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        values, beside = _split(table, values)
        cols = [c for c in values if c != "id"]
        if cols:
            self.conn.execute(
                f"UPDATE {_ident(table)} SET {', '.join(f'{_ident(c)} = ?' for c in cols)} WHERE id = ?",
                [values[c] for c in cols] + [row_id],
            )
        self._write_beside(table, row_id, values, beside)  # after the row: a changed text has just cleared it

    def _write_beside(self, table: str, row_id: int, values: dict[str, Any], beside: dict[str, Any],
                      utf8: dict[str, bytes] | None = None) -> None:
        """Write the ``beside`` columns of a row just written with ``values``, and the CRC-32
        of its text if ``values`` has one (``utf8``: its UTF-8, when the caller has it)."""
        if table not in _BESIDE:
            return
        col, other, key = _BESIDE[table]
        sets: dict[str, Any] = {}
        raw = (utf8 or {}).get("text")
        if isinstance(values.get("text"), str) or (raw is not None and values.get("text") is raw):
            sets["text_crc"] = zlib.crc32(raw if raw is not None else values["text"].encode("utf-8"))
        if col in beside:
            sets[col] = beside[col]
        if sets:
            self.conn.execute(
                f"UPDATE {_ident(other)} SET {', '.join(f'{_ident(c)} = ?' for c in sets)} WHERE {_ident(key)} = ?",
                [*sets.values(), row_id])
            if col in beside:  # the index's keys, for search to skip this source (schema 8)
                source_keys.write(self.conn, row_id, beside[col])

    def _write_beside_many(self, table: str, top: int, rows: list[dict[str, Any]]) -> None:
        """``_write_beside`` for ``rows`` just inserted with ids above ``top``, in id order."""
        ids = [r[0] for r in self.conn.execute(f"SELECT id FROM {_ident(table)} WHERE id > ? ORDER BY id", (top,))]
        if len(ids) != len(rows):  # pragma: no cover - ids are handed out in order within a transaction
            raise RuntimeError(f"{table}: inserted {len(rows)} rows but found {len(ids)}")
        for row_id, row in zip(ids, rows):
            row, beside = _split(table, row)
            self._write_beside(table, row_id, row, beside)

    @staticmethod
    def _check_table(table: str) -> None:
        if table not in TABLES:
            raise ValueError(f"not a project table: {table!r}")


def insert_unrecorded(conn: sqlite3.Connection, table: str, values: dict[str, Any]) -> int:
    """Insert a row outside any undo history (building a new project), writing the columns
    kept beside it (a source's word index, schema 7) as ``Recorder.insert`` does."""
    row, beside = _split(table, values)
    cur = conn.execute(f"INSERT INTO {_ident(table)} ({', '.join(_ident(c) for c in row)}) "
                       f"VALUES ({', '.join('?' for _ in row)})", tuple(row.values()))
    assert cur.lastrowid is not None  # set by every INSERT
    Recorder(conn)._write_beside(table, int(cur.lastrowid), row, beside)
    return int(cur.lastrowid)


@functools.lru_cache(maxsize=64)
def _select_sql(table: str) -> str:
    """SELECT of whole row images of ``table`` (aliased ``t``; add a WHERE on ``t.id``): the
    row, and the columns kept beside it in another table."""
    beside = _BESIDE.get(table)
    if beside is None:
        return f"SELECT t.* FROM {_ident(table)} t"
    col, other, key = beside
    return (f"SELECT t.*, b.{_ident(col)} AS {_ident(col)} FROM {_ident(table)} t "
            f"LEFT JOIN {_ident(other)} b ON b.{_ident(key)} = t.id")


def _columns(conn: sqlite3.Connection, table: str, known: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The columns of ``table`` (remembered in ``known``: a recorder lives for one command)."""
    cols = known.get(table)
    if cols is None:
        cols = known[table] = tuple(r[1] for r in conn.execute(f"PRAGMA table_info({_ident(table)})"))
    return cols


@functools.lru_cache(maxsize=64)
def _packed_select_sql(table: str, names: tuple[str, ...], kept: frozenset[str]) -> str:
    """``_select_sql`` of one row by id, with NULL for the ``kept`` columns (not read back)."""
    picked = [f"NULL AS {_ident(c)}" if c in kept else f"t.{_ident(c)}" for c in names]
    beside = _BESIDE.get(table)
    if beside is None:
        return f"SELECT {', '.join(picked)} FROM {_ident(table)} t WHERE t.id = ?"
    col, other, key = beside
    picked.append(f"NULL AS {_ident(col)}" if col in kept else f"b.{_ident(col)} AS {_ident(col)}")
    return (f"SELECT {', '.join(picked)} FROM {_ident(table)} t "
            f"LEFT JOIN {_ident(other)} b ON b.{_ident(key)} = t.id WHERE t.id = ?")


def _split(table: str, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the columns of ``table`` itself, the ones kept beside it) of ``values``."""
    beside = _BESIDE.get(table)
    if beside is None or beside[0] not in values:
        return values, {}
    return {k: v for k, v in values.items() if k != beside[0]}, {beside[0]: values[beside[0]]}


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
