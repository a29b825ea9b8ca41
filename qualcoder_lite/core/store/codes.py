"""The code tree (themes > sub-themes > codes, any depth)."""

from __future__ import annotations

import sqlite3

from .. import codepath
from ..errors import ProjectError
from ..limits import MAX_CODE_DEPTH
from ..errors import UsageError
from ..model import Code


class CodeRepo:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def all(self) -> list[Code]:
        """Every code, parents before children, siblings by position then name.

        Walks the tree with a stack, not recursion, and refuses a tree deeper than
        ``MAX_CODE_DEPTH`` (a file made or damaged elsewhere) with a message naming the file."""
        rows = self.conn.execute(
            "SELECT id, guid, parent_id, name, description, color, memo, position FROM codes"
        ).fetchall()
        by_parent: dict[int | None, list[sqlite3.Row]] = {}
        for r in rows:
            by_parent.setdefault(r["parent_id"], []).append(r)
        out: list[Code] = []

        def kids(parent: int | None) -> list[sqlite3.Row]:
            # reversed: the stack pops the first sibling first
            return sorted(by_parent.get(parent, ()), key=lambda r: (r["position"], r["name"].casefold(), r["id"]),
                          reverse=True)

        stack: list[tuple[sqlite3.Row, tuple[str, ...]]] = [(r, ()) for r in kids(None)]
        while stack:
            r, prefix = stack.pop()
            path = prefix + (r["name"],)
            if len(path) > MAX_CODE_DEPTH:
                raise ProjectError(self._file(), f"its code tree is nested more than {MAX_CODE_DEPTH} levels deep "
                                                 "(the limit); the file is damaged or was made by another program")
            out.append(
                Code(
                    id=r["id"], guid=r["guid"], parent_id=r["parent_id"], name=r["name"],
                    path=path, description=r["description"], color=r["color"],
                    memo=r["memo"], position=r["position"],
                )
            )
            stack.extend((k, path) for k in kids(r["id"]))
        return out

    def _file(self) -> str | None:
        row = self.conn.execute("PRAGMA database_list").fetchone()
        return (row[2] or None) if row is not None else None

    def depth_after_move(self, code_id: int, new_parent_id: int | None) -> int:
        """Levels the deepest code under ``code_id`` (itself included) would have below
        the top once the code is under ``new_parent_id``."""
        above = 0
        parent = new_parent_id
        while parent is not None and above <= MAX_CODE_DEPTH:
            above += 1
            row = self.conn.execute("SELECT parent_id FROM codes WHERE id = ?", (parent,)).fetchone()
            parent = row[0] if row is not None else None
        height = self.conn.execute(
            "WITH RECURSIVE d(id, h) AS (SELECT id, 1 FROM codes WHERE id = ? "
            "UNION ALL SELECT c.id, d.h + 1 FROM codes c JOIN d ON c.parent_id = d.id WHERE d.h <= ?) "
            "SELECT max(h) FROM d", (code_id, MAX_CODE_DEPTH)).fetchone()[0] or 1
        return above + height

    def name(self, code_id: int) -> str:
        """One code's name (``get`` walks the whole tree for its path)."""
        row = self.conn.execute("SELECT name FROM codes WHERE id = ?", (code_id,)).fetchone()
        if row is None:
            raise KeyError(f"no code with id {code_id}")
        return row[0]

    def get(self, code_id: int) -> Code:
        for c in self.all():
            if c.id == code_id:
                return c
        raise KeyError(f"no code with id {code_id}")

    def find(self, path: str | list[str] | tuple[str, ...]) -> Code | None:
        levels = tuple(codepath.split(path)) if isinstance(path, str) else tuple(path)
        parent: int | None = None
        row = None
        for name in levels:
            row = self.conn.execute(
                "SELECT id FROM codes WHERE ifnull(parent_id, 0) = ifnull(?, 0) AND name = ?",
                (parent, name),
            ).fetchone()
            if row is None:
                return None
            parent = row["id"]
        return None if parent is None else self.get(parent)

    def resolve(self, path: str) -> Code:
        """The code at ``path`` or a UsageError naming it (exit 2 on the command line)."""
        code = self.find(path)
        if code is None:
            raise UsageError(f"unknown code {path!r}")
        return code

    def descendants(self, code_id: int) -> list[int]:
        """Ids of the code's descendants (not itself)."""
        rows = self.conn.execute(
            "WITH RECURSIVE d(id) AS (SELECT id FROM codes WHERE parent_id = ? "
            "UNION ALL SELECT c.id FROM codes c JOIN d ON c.parent_id = d.id) SELECT id FROM d",
            (code_id,),
        ).fetchall()
        return [r[0] for r in rows]

    def children_names(self, parent_id: int | None) -> set[str]:
        return {
            r[0]
            for r in self.conn.execute(
                "SELECT name FROM codes WHERE ifnull(parent_id, 0) = ifnull(?, 0)", (parent_id,)
            )
        }

    def next_position(self, parent_id: int | None) -> int:
        r = self.conn.execute(
            "SELECT max(position) FROM codes WHERE ifnull(parent_id, 0) = ifnull(?, 0)", (parent_id,)
        ).fetchone()
        return 0 if r[0] is None else int(r[0]) + 1

    def counts(self, code_ids=None) -> dict[int, tuple[int, int, int]]:
        """code id -> (codings, sources, cases) for the code itself (no roll-up); only for
        ``code_ids`` when given (codes without codings are left out)."""
        out: dict[int, tuple[int, int, int]] = {}
        where, params = "", []
        if code_ids is not None:
            params = sorted(code_ids)
            where = f" WHERE k.code_id IN ({','.join('?' for _ in params)})"
        rows = self.conn.execute(
            f"SELECT k.code_id, count(*), count(DISTINCT k.source_id) FROM codings k{where} GROUP BY k.code_id",
            params,
        ).fetchall()
        # the cases through each code's distinct sources (read from the codings_code index):
        # joining every coding to case_sources cost ~30 ms for a code with 50,000 codings
        cases = {
            r[0]: r[1]
            for r in self.conn.execute(
                f"SELECT k.code_id, count(DISTINCT cs.case_id) FROM (SELECT DISTINCT k.code_id, k.source_id "
                f"FROM codings k{where}) k JOIN case_sources cs ON cs.source_id = k.source_id GROUP BY k.code_id",
                params,
            )
        }
        for r in rows:
            out[r[0]] = (r[1], r[2], cases.get(r[0], 0))
        return out

    def per_source(self, code_id: int, source_ids=None) -> dict[int, int]:
        """source id -> how many codings ``code_id`` has there; only ``source_ids`` when given
        (sources without any are left out)."""
        where, params = "", [code_id]
        if source_ids is not None:
            ids = sorted(source_ids)
            where = f" AND source_id IN ({','.join('?' for _ in ids)})"
            params += ids
        rows = self.conn.execute(
            f"SELECT source_id, count(*) FROM codings WHERE code_id = ?{where} GROUP BY source_id", params)
        return {r[0]: r[1] for r in rows}

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM codes").fetchone()[0]
