"""What a command changed: the records the core's command API hands to its callers.

``Changes`` says which tables and rows a command (or its undo/redo) touched, so a view can
decide what to refresh; ``RowOp`` is one recorded row write (before and after images);
``RowChangedError`` and ``GoneError`` say why a replay or a command could not go on. The
store's ``Recorder`` (``store/recorder.py``) makes them; the GUI and the command line read
them through ``core.commands`` / this module and never import the store.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from itertools import groupby, repeat
from operator import add, attrgetter, itemgetter
from typing import Any, Iterable

from .errors import QualCoderError


class GoneError(QualCoderError):
    """A command refers to a row that no longer exists."""


class RowChangedError(QualCoderError):
    """Undo or redo found a row that is not what the command left (or found before it
    ran): someone else changed it since. Raised before anything is written back; the
    caller's transaction rolls back whatever the replay had already done."""

    def __init__(self, table: str, row_id: int, expected: dict[str, Any] | None,
                 current: dict[str, Any] | None):
        self.table = table
        self.row_id = row_id
        self.expected = expected
        self.current = current
        super().__init__(f"{describe_row(table, current if current is not None else expected)} "
                         f"{_what_happened(expected, current)}")


# What a row is called in a message. Names come from the row as it is in the file now (or
# the image when it is gone); transcript text never goes into a message.
_NOUNS = {
    "settings": "a project setting",
    "coders": "the coder",
    "sources": "the source",
    "speaker_turns": "a speaker turn of a source",
    "cases": "the case",
    "case_sources": "the link between a case and a source",
    "attributes": "the attribute",
    "attribute_values": "an attribute value",
    "codes": "the code",
    "codings": "the passage",
    "memos": "a memo",
    "matrix_cells": "a matrix summary",
    "sets": "the set",
    "set_members": "a set member",
    "speaker_roles": "a speaker role",
    "preferences": "a preference",
    "annotations": "an annotation",
    "links": "a see-also link",
    "summary_links": "a summary link",
}


def describe_row(table: str, row: dict[str, Any] | None) -> str:
    noun = _NOUNS.get(table, f"a row of {table}")
    name = (row or {}).get("name") if table in ("coders", "sources", "cases", "attributes", "codes", "sets") else None
    if isinstance(name, str) and name and noun.startswith("the "):
        short = name if len(name) <= 60 else name[:57] + "..."
        return f"{noun} '{short}'"
    return noun


def _what_happened(expected: dict[str, Any] | None, current: dict[str, Any] | None) -> str:
    if current is None:
        return "was deleted since"
    if expected is None:
        return "was added since (another row now has its place)"
    return "was changed since"


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


class PackedRowOp(RowOp):
    """An insert's ``RowOp`` held compactly (an import records one per source and speaker
    turn): the table, the columns and where long texts are (one tuple shared by a table's
    rows written together) and the values, long texts as UTF-8 (a quarter of a ``str`` with
    an emoji in it). ``after`` is the row as ``RowOp``'s dict, made on each access; otherwise
    it is the same record."""

    __slots__ = ("_meta", "_vals")
    _meta: tuple[str, tuple[str, ...], tuple[int, ...]]  # table, columns, places in ``_vals`` holding a str as UTF-8
    _vals: tuple
    kind = "insert"  # every packed op is an insert

    def __init__(self, table: str, cols: tuple[str, ...], vals: tuple, utf8: tuple[int, ...] = ()):
        _set_meta(self, (table, cols, utf8))
        _set_vals(self, vals)

    @classmethod
    def many(cls, table: str, cols: tuple[str, ...], rows: Iterable[tuple],
             ids: Iterable[int] | None = None) -> list["PackedRowOp"]:
        """One op per row of ``rows`` (values in the order of ``cols``; with ``ids``, the
        first column, ``id``, is not in the rows but taken from ``ids``), sharing one meta
        tuple: an import makes thousands, so no ``__init__`` call each."""
        meta = (table, cols, ())
        values = list(rows) if ids is None else list(map(add, zip(ids), map(tuple, rows)))  # (row_id,) + vals
        out: list[PackedRowOp] = list(map(_new, repeat(cls, len(values))))  # in C: no call of Python code a row
        deque(map(_set_meta, out, repeat(meta)), 0)
        deque(map(_set_vals, out, values), 0)
        return out

    @property
    def table(self) -> str:
        return self._meta[0]

    @property
    def _cols(self) -> tuple[str, ...]:
        return self._meta[1]

    @property
    def before(self) -> None:
        return None

    @property
    def after(self) -> dict[str, Any]:
        _table, cols, utf8 = self._meta
        row = dict(zip(cols, self._vals))
        for i in utf8:
            row[cols[i]] = self._vals[i].decode("utf-8")
        return row

    @property
    def row_id(self) -> int:
        return int(self._vals[self._meta[1].index("id")])

    def __repr__(self) -> str:
        return f"PackedRowOp({self.table!r}, id={self.row_id})"


_new = object.__new__
_META = attrgetter("_meta")
_VALS = attrgetter("_vals")
_set_meta = PackedRowOp._meta.__set__  # type: ignore[attr-defined]  # the slots' own setters: the class is frozen
_set_vals = PackedRowOp._vals.__set__  # type: ignore[attr-defined]


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
        places: dict[tuple[str, tuple[str, ...]], list[tuple[set[int], int]]] = {}
        for kind, run in groupby(ops, type):
            if kind is not PackedRowOp:
                for op in run:
                    ch._add_op(op)
                continue
            # packed ops, their values read in place (an import has thousands); a table's
            # rows written together share one meta
            for meta, same in groupby(run, _META):
                table, cols = meta[0], meta[1]
                ch.tables.add(table)
                got = places.get((table, cols))
                if got is None:
                    got = places[(table, cols)] = ch._places(table, cols)
                values = list(map(_VALS, same))
                for ids, i in got:
                    ids.update(map(itemgetter(i), values))
                    ids.discard(None)  # a NULL in an id column: no id
        return ch

    def _add_op(self, op: RowOp) -> None:
        """``from_ops`` for one ``RowOp`` (not packed)."""
        self.tables.add(op.table)
        for row in (op.before, op.after):
            if not row:
                continue
            if op.table == "sources":
                self.source_ids.add(row["id"])
            elif op.table == "codes":
                self.code_ids.add(row["id"])
            elif op.table == "cases":
                self.case_ids.add(row["id"])
            elif op.table == "codings":
                self.coding_ids.add(row["id"])
            if row.get("source_id") is not None:
                self.source_ids.add(row["source_id"])
            if row.get("code_id") is not None:
                self.code_ids.add(row["code_id"])
            if row.get("case_id") is not None:
                self.case_ids.add(row["case_id"])

    def _places(self, table: str, cols: tuple[str, ...]) -> list[tuple[set[int], int]]:
        """Where ``from_ops`` finds ids in a row of ``table`` with columns ``cols``: the set
        each goes to and its place in the row (what it reads from a ``RowOp``'s dict)."""
        own = {"sources": self.source_ids, "codes": self.code_ids, "cases": self.case_ids,
               "codings": self.coding_ids}.get(table)
        out = [(own, cols.index("id"))] if own is not None else []
        for col, ids in (("source_id", self.source_ids), ("code_id", self.code_ids), ("case_id", self.case_ids)):
            if col in cols:
                out.append((ids, cols.index(col)))
        return out

    def __bool__(self) -> bool:
        return bool(self.tables)
