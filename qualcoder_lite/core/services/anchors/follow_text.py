"""Everything anchored to offsets in a source's text, and how it follows an edit of it.

``ANCHORS`` lists each table that holds ``(source, start, end)``-style positions. When a
source's text is replaced (``edit_text.ReplaceSourceText``, the survey re-import), every
row of every listed table moves with ``TextDiff``. A feature that adds a table of anchored
rows adds one ``Anchor`` line here (and its columns to ``store.schema.ANCHORED_SPANS``,
which pseudonymisation's shift uses); a table with two anchors (a link from one passage to
another) gets one line per anchor. A test checks the two lists name the same anchors.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Callable, overload

from ...errors import QualCoderError
from ...store.recorder import Recorder
from ..sources.textdiff import TextDiff

_PARK = 1 << 40  # moved rows are parked out of range first when they would collide for a moment


def _coding_label(project, row: sqlite3.Row) -> str:
    code = project.codes.get(row["code_id"])
    coder = project.conn.execute("SELECT name FROM coders WHERE id = ?", (row["coder_id"],)).fetchone()
    path = code.display_path if code is not None else f"code {row['code_id']}"
    return f"{path} ({coder[0] if coder else '?'})"


@dataclass(frozen=True)
class Anchor:
    """Rows of ``table`` whose ``source_col`` is the edited source hold positions ``cols``
    in text order (start, end[, start, end ...]; a NULL position is left alone).

    ``user_work``: the analyst's own work (codings, annotations): a row whose text changed
    is listed, and one whose text was deleted entirely is never removed without being asked
    for (``drop_deleted``). Other rows (speaker turns) follow silently; emptied ones go.
    ``unique``: columns that, with the positions, must stay unique (codings: code, coder);
    rows that become identical are merged into the first one (memos joined)."""

    table: str
    source_col: str
    cols: tuple[str, ...]
    what: str
    user_work: bool = True
    unique: tuple[str, ...] = ()
    label: Callable | None = None


ANCHORS: list[Anchor] = [
    Anchor("codings", "source_id", ("start", "end"), "coding", unique=("code_id", "coder_id"), label=_coding_label),
    Anchor("speaker_turns", "source_id", ("label_start", "label_end", "start", "end"), "speaker turn",
           user_work=False),
    Anchor("annotations", "source_id", ("start", "end"), "annotation"),
    Anchor("links", "source_id", ("start", "end"), "see-also link"),
    Anchor("links", "target_source_id", ("target_start", "target_end"), "see-also link target"),  # NULL: whole source
    Anchor("summary_links", "source_id", ("start", "end"), "summary link"),
]


@dataclass
class AnchorChange:
    """One row of the analyst's work whose text the edit changed."""

    table: str
    what: str
    row_id: int
    label: str
    old: tuple[int, int]
    new: tuple[int, int]
    old_text: str
    new_text: str
    status: str  # "changed" | "deleted" (its text is gone) | "removed" (deleted, and removed as asked) | "merged"

    def as_dict(self) -> dict:
        return {"kind": self.what, "id": self.row_id, "label": self.label, "status": self.status,
                "old_start": self.old[0], "old_end": self.old[1], "new_start": self.new[0], "new_end": self.new[1],
                "old_text": self.old_text, "new_text": self.new_text}

    def line(self) -> str:
        def cut(t: str) -> str:
            t = " ".join(t.split())
            return t if len(t) <= 60 else t[:57] + "…"

        head = f"{self.what} {self.label} {self.old[0]}–{self.old[1]}"
        if self.status == "changed":
            return f"{head} -> {self.new[0]}–{self.new[1]}: “{cut(self.old_text)}” -> “{cut(self.new_text)}”"
        if self.status == "merged":
            return f"{head}: now the same passage as another {self.what} of it; merged into that one"
        verb = "removed" if self.status == "removed" else "would lose all of it"
        return f"{head}: its text “{cut(self.old_text)}” was deleted; {verb}"


@dataclass
class ShiftResult:
    moved: dict[str, int] = field(default_factory=dict)  # what -> rows moved
    changes: list[AnchorChange] = field(default_factory=list)


class TextDeletedError(QualCoderError):
    """The edit deletes all the text of some of the analyst's codings (or annotations):
    nothing was changed; ``changes`` lists them."""

    def __init__(self, source: str, changes: list[AnchorChange]):
        self.changes = changes
        n = len(changes)
        shown = "; ".join(c.line() for c in changes[:5]) + (f"; and {n - 5} more" if n > 5 else "")
        super().__init__(f"source '{source}': the new text leaves nothing of {n} coded passage"
                         f"{'' if n == 1 else 's'} ({shown}); nothing was changed. Uncode them first, or "
                         "remove them together with the edit (--drop-deleted; in the app: answer Remove)")


def _positions(diff: TextDiff, row: sqlite3.Row, cols: tuple[str, ...]) -> dict[str, int]:
    """New positions, kept in text order (a collapsed label never passes its turn)."""
    out: dict[str, int] = {}
    floor = 0
    for i, col in enumerate(cols):
        p = row[col]
        if p is None:
            continue
        q = diff.start(p) if i % 2 == 0 else diff.end(p)
        q = max(q, floor)
        out[col] = floor = q
    return out


def _pairs(cols: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(cols[i], cols[i + 1]) for i in range(0, len(cols) - 1, 2)]


class _Shifter:
    def __init__(self, project, rec: Recorder, source_id: int, source_name: str, diff: TextDiff, drop_deleted: bool):
        self.project, self.rec, self.sid, self.source = project, rec, source_id, source_name
        self.diff, self.drop = diff, drop_deleted
        self.result = ShiftResult()

    def run(self) -> ShiftResult:
        plans = [(a, self._plan(a)) for a in ANCHORS]
        deleted = [c for _a, (_m, _g, ch) in plans for c in ch if c.status == "deleted"]
        if deleted and not self.drop:
            raise TextDeletedError(self.source, deleted)
        for anchor, (moves, gone, changes) in plans:
            self._write(anchor, moves, gone)
            for c in changes:
                if c.status == "deleted":
                    c.status = "removed"
            self.result.changes.extend(changes)
            self.result.moved[anchor.what] = len(moves)
        return self.result

    @overload
    def _change(self, anchor: Anchor, row, new: dict[str, int], status: str) -> AnchorChange: ...
    @overload
    def _change(self, anchor: Anchor, row, new: dict[str, int], status: None) -> AnchorChange | None: ...

    def _change(self, anchor: Anchor, row, new: dict[str, int], status: str | None) -> AnchorChange | None:
        """The listing of a row of the analyst's work whose text changed (None: unchanged)."""
        s_col, e_col = anchor.cols[0], anchor.cols[1]
        old, nw = (row[s_col], row[e_col]), (new.get(s_col, row[s_col]), new.get(e_col, row[e_col]))
        old_text, new_text = self.diff.old[old[0]:old[1]], self.diff.new[nw[0]:nw[1]]
        if status is None:
            if old_text == new_text:
                return None
            status = "changed"
        label = anchor.label(self.project, row) if anchor.label else str(row["id"])
        return AnchorChange(anchor.table, anchor.what, row["id"], label, old, nw, old_text, new_text, status)

    def _blanked(self, row, new: dict[str, int], cols: tuple[str, ...]) -> bool:
        """Only white space is left of a passage that had words: its text was deleted."""
        for a, b in _pairs(cols):
            if row[a] is not None and row[b] is not None and self.diff.old[row[a]:row[b]].strip() \
                    and not self.diff.new[new[a]:new[b]].strip():
                return True
        return False

    def _plan(self, anchor: Anchor):
        rows = self.project.conn.execute(
            f'SELECT * FROM "{anchor.table}" WHERE "{anchor.source_col}" = ? ORDER BY id', (self.sid,)).fetchall()
        moves: list[tuple[sqlite3.Row, dict[str, int]]] = []
        gone: list[tuple[sqlite3.Row, sqlite3.Row | None]] = []  # (row, the row it merges into)
        changes: list[AnchorChange] = []
        seen: dict[tuple, sqlite3.Row] = {}
        for row in rows:
            new = _positions(self.diff, row, anchor.cols)
            emptied = any(row[a] is not None and row[b] is not None and row[a] < row[b] and new[a] >= new[b]
                          for a, b in _pairs(anchor.cols))
            if not anchor.user_work:
                first, last = anchor.cols[0], anchor.cols[-1]
                if first in new and last in new and row[first] < row[last] and new[first] >= new[last]:
                    gone.append((row, None))  # nothing of it is left
                elif any(new[c] != row[c] for c in new):
                    moves.append((row, new))
                continue
            if emptied or self._blanked(row, new, anchor.cols):
                gone.append((row, None))
                changes.append(self._change(anchor, row, new, "deleted"))
                continue
            key = tuple(row[c] for c in anchor.unique) + tuple(new[c] for c in anchor.cols if c in new)
            if anchor.unique and key in seen:
                gone.append((row, seen[key]))
                changes.append(self._change(anchor, row, new, "merged"))
                continue
            seen[key] = row
            change = self._change(anchor, row, new, None)
            if change is not None:
                changes.append(change)
            if any(new[c] != row[c] for c in new):
                moves.append((row, new))
        return moves, gone, changes

    def _write(self, anchor: Anchor, moves, gone) -> None:
        memos: dict[int, list[str]] = {}
        for row, into in gone:
            if into is not None and "memo" in row.keys() and row["memo"]:
                memos.setdefault(into["id"], [into["memo"]]).append(row["memo"])
            self.rec.delete(anchor.table, row["id"])
        for into_id, texts in memos.items():
            self.rec.update(anchor.table, into_id, {"memo": "\n\n".join(dict.fromkeys(m for m in texts if m))})
        if anchor.unique and self._would_collide(anchor, moves):
            for row, new in moves:
                self.rec.update(anchor.table, row["id"], {c: row[c] + _PARK for c in new})
        for row, new in moves:
            self.rec.update(anchor.table, row["id"], new)

    @staticmethod
    def _would_collide(anchor: Anchor, moves) -> bool:
        """Whether a row would move onto the current place of one that moves later."""
        def key(row, pos) -> tuple:
            return tuple(row[c] for c in anchor.unique) + tuple(pos.get(c, row[c]) for c in anchor.cols)

        current = {key(row, {}) for row, _new in moves}
        return any(key(row, new) in current for row, new in moves)


def follow_text_edit(project, rec: Recorder, source_id: int, source_name: str, diff: TextDiff,
                  drop_deleted: bool = False) -> ShiftResult:
    """Move every anchored row of ``source_id`` to follow ``diff`` (see ``Anchor``); raises
    ``TextDeletedError`` (before writing anything) when rows of the analyst's work would
    lose all their text and ``drop_deleted`` is off."""
    return _Shifter(project, rec, source_id, source_name, diff, drop_deleted).run()
