"""Commands on the code tree: add, edit, move, merge, delete."""

from __future__ import annotations

import re
import uuid

from ... import codepath
from ...commands import Command
from ...errors import DuplicateError, UsageError
from ...limits import MAX_CODE_DEPTH
from ...store.database import now_iso
from ...store.recorder import Recorder

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295",
)


def check_color(color: str) -> str:
    if not _COLOR.match(color or ""):
        raise UsageError(f"colour {color!r} is not of the form #RRGGBB")
    return color.lower()


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise UsageError("a code name cannot be empty")
    if any(ch in name for ch in "\n\r\t"):
        raise UsageError(f"code name {name!r} contains a line break or tab")
    return name


class AddCode(Command):
    """Create the code at ``path``, creating missing parents; the full path must be new."""

    def __init__(self, path: str | list[str], description: str = "", color: str | None = None, memo: str = ""):
        super().__init__()
        self.levels = [check_name(n) for n in (codepath.split(path) if isinstance(path, str) else path)]
        if not self.levels:
            raise UsageError("empty code path")
        if len(self.levels) > MAX_CODE_DEPTH:
            raise UsageError(f"a code path has at most {MAX_CODE_DEPTH} levels")
        self.description = description
        self.color = check_color(color) if color else None
        self.memo = memo
        self.name = f"New code '{self.levels[-1]}'"

    def apply(self, project, rec: Recorder) -> int:
        parent: int | None = None
        for depth, name in enumerate(self.levels):
            row = project.conn.execute(
                "SELECT id FROM codes WHERE ifnull(parent_id, 0) = ifnull(?, 0) AND name = ?", (parent, name)
            ).fetchone()
            last = depth == len(self.levels) - 1
            if row is not None:
                if last:
                    raise DuplicateError(f"code '{codepath.join(self.levels)}' already exists")
                parent = row["id"]
                continue
            count = project.conn.execute("SELECT count(*) FROM codes").fetchone()[0]
            parent = rec.insert(
                "codes",
                {
                    "guid": str(uuid.uuid4()),
                    "parent_id": parent,
                    "name": name,
                    "description": self.description if last else "",
                    "color": (self.color if last and self.color else PALETTE[count % len(PALETTE)]),
                    "memo": self.memo if last else "",
                    "position": project.codes.next_position(parent),
                    "created": now_iso(),
                },
            )
        assert parent is not None
        return parent


class UpdateCode(Command):
    """Rename, recolour, describe or write the memo (summary) of a code."""

    FIELDS = ("name", "description", "color", "memo")

    def __init__(self, code_id: int, **values):
        super().__init__()
        unknown = set(values) - set(self.FIELDS)
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)} of a code")
        if "name" in values:
            values["name"] = check_name(values["name"])
        if "color" in values:
            values["color"] = check_color(values["color"])
        self.code_id = code_id
        self.values = values
        what = {"name": "Rename", "color": "Recolour", "description": "Describe", "memo": "Edit memo of"}
        verb = what[next(iter(values))] if len(values) == 1 else "Edit"
        self.name = f"{verb} code"

    def apply(self, project, rec: Recorder) -> bool:
        code = project.codes.get(self.code_id)
        if "name" in self.values and self.values["name"] != code.name:
            if self.values["name"] in project.codes.children_names(code.parent_id):
                raise DuplicateError(f"a code named '{self.values['name']}' already exists there")
        return rec.update("codes", self.code_id, self.values)


class MoveCode(Command):
    """Move a code (with its sub-codes) under another parent (None = top level)."""

    def __init__(self, code_id: int, new_parent_id: int | None, position: int | None = None):
        super().__init__()
        self.code_id = code_id
        self.new_parent_id = new_parent_id
        self.position = position
        self.name = "Move code"

    def apply(self, project, rec: Recorder) -> bool:
        code = project.codes.get(self.code_id)
        if self.new_parent_id is not None:
            if self.new_parent_id == self.code_id or self.new_parent_id in project.codes.descendants(self.code_id):
                raise UsageError(f"cannot move '{code.name}' into itself or one of its sub-codes")
        if self.new_parent_id != code.parent_id and code.name in project.codes.children_names(self.new_parent_id):
            raise DuplicateError(f"a code named '{code.name}' already exists there")
        if project.codes.depth_after_move(self.code_id, self.new_parent_id) > MAX_CODE_DEPTH:
            raise UsageError(f"cannot move '{code.name}' there: codes would be nested more than {MAX_CODE_DEPTH} "
                             "levels deep")
        position = self.position if self.position is not None else project.codes.next_position(self.new_parent_id)
        if self.position is not None:
            # make room: shift later siblings down by one
            for r in project.conn.execute(
                "SELECT id, position FROM codes WHERE ifnull(parent_id, 0) = ifnull(?, 0) AND position >= ? AND id != ?",
                (self.new_parent_id, position, self.code_id),
            ).fetchall():
                rec.update("codes", r["id"], {"position": r["position"] + 1})
        return rec.update("codes", self.code_id, {"parent_id": self.new_parent_id, "position": position})


def drop_set_members(project, rec: Recorder, kind: str, member_id: int) -> int:
    """Remove a deleted code's / source's / case's memberships in sets of that kind."""
    return rec.delete_where(
        "set_members", "member_id = ? AND set_id IN (SELECT id FROM sets WHERE kind = ?)", (member_id, kind))


def _move_set_members(project, rec: Recorder, from_code: int, to_code: int) -> None:
    for r in project.conn.execute(
        "SELECT m.id, m.set_id FROM set_members m JOIN sets s ON s.id = m.set_id "
        "WHERE s.kind = 'code' AND m.member_id = ?", (from_code,)
    ).fetchall():
        taken = project.conn.execute("SELECT 1 FROM set_members WHERE set_id = ? AND member_id = ?",
                                     (r["set_id"], to_code)).fetchone()
        if taken:
            rec.delete("set_members", r["id"])
        else:
            rec.update("set_members", r["id"], {"member_id": to_code})


def _reassign_codings(project, rec: Recorder, from_code: int, to_code: int) -> tuple[int, int]:
    """Move codings of ``from_code`` to ``to_code``; identical ones are dropped. (moved, dropped)."""
    moved = dropped = 0
    rows = project.conn.execute(
        'SELECT id, source_id, coder_id, start, "end" FROM codings WHERE code_id = ?', (from_code,)
    ).fetchall()
    for r in rows:
        dup = project.codings.find(r["source_id"], to_code, r["coder_id"], r["start"], r["end"])
        if dup is not None:
            rec.delete("codings", r["id"])
            dropped += 1
        else:
            rec.update("codings", r["id"], {"code_id": to_code})
            moved += 1
    return moved, dropped


class MergeCodes(Command):
    """Merge ``source_code`` into ``target_code``: codings move, duplicates dropped, the
    source's sub-codes move under the target, the memo is appended, the source is deleted."""

    def __init__(self, source_code_id: int, target_code_id: int):
        super().__init__()
        if source_code_id == target_code_id:
            raise UsageError("cannot merge a code into itself")
        self.source_id = source_code_id
        self.target_id = target_code_id
        self.name = "Merge codes"

    def apply(self, project, rec: Recorder) -> dict:
        src = project.codes.get(self.source_id)
        dst = project.codes.get(self.target_id)
        if dst.id in project.codes.descendants(src.id):
            raise UsageError(f"cannot merge '{src.name}' into its own sub-code '{dst.name}'")
        self.name = f"Merge '{src.name}' into '{dst.name}'"
        moved, dropped = _reassign_codings(project, rec, src.id, dst.id)
        taken = project.codes.children_names(dst.id)
        for child in project.conn.execute("SELECT id, name FROM codes WHERE parent_id = ?", (src.id,)).fetchall():
            if project.codes.depth_after_move(child["id"], dst.id) > MAX_CODE_DEPTH:
                raise UsageError(f"cannot merge '{src.name}' into '{dst.name}': codes would be nested more than "
                                 f"{MAX_CODE_DEPTH} levels deep")
            if child["name"] in taken:
                inner = MergeCodes(child["id"], project.codes.find(list(dst.path) + [child["name"]]).id)
                inner.apply(project, rec)
            else:
                rec.update("codes", child["id"], {"parent_id": dst.id, "position": project.codes.next_position(dst.id)})
        for cell in project.conn.execute("SELECT * FROM matrix_cells WHERE code_id = ?", (src.id,)).fetchall():
            existing = project.matrix.cell_id(cell["row_kind"], cell["row_id"], dst.id)
            if existing is None:
                rec.update("matrix_cells", cell["id"], {"code_id": dst.id})
            else:
                other = project.conn.execute("SELECT summary FROM matrix_cells WHERE id = ?", (existing,)).fetchone()[0]
                joined = "\n".join(s for s in (other, cell["summary"]) if s)
                rec.update("matrix_cells", existing, {"summary": joined})
                rec.delete("matrix_cells", cell["id"])
        for memo in project.conn.execute("SELECT id FROM memos WHERE kind = 'code' AND target_id = ?", (src.id,)).fetchall():
            rec.update("memos", memo["id"], {"target_id": dst.id})
        if src.memo:
            rec.update("codes", dst.id, {"memo": "\n\n".join(m for m in (dst.memo, src.memo) if m)})
        _move_set_members(project, rec, src.id, dst.id)
        rec.delete("codes", src.id)
        return {"moved": moved, "dropped": dropped}


class DeleteCode(Command):
    """Delete a code, its sub-codes and their codings, matrix cells and memos."""

    def __init__(self, code_id: int):
        super().__init__()
        self.code_id = code_id
        self.name = "Delete code"

    def apply(self, project, rec: Recorder) -> int:
        code = project.codes.get(self.code_id)
        self.name = f"Delete code '{code.name}'"
        ids = project.codes.descendants(code.id)[::-1] + [code.id]  # deepest first
        removed = 0
        for cid in ids:
            removed += rec.delete_where("codings", "code_id = ?", (cid,))
            rec.delete_where("matrix_cells", "code_id = ?", (cid,))
            rec.delete_where("memos", "kind = 'code' AND target_id = ?", (cid,))
            drop_set_members(project, rec, "code", cid)
        # children before parents: descendants() is breadth-first, so reverse order is safe
        for cid in ids:
            rec.delete("codes", cid)
        return removed


def codings_under(project, code_id: int) -> int:
    """How many codings deleting this code would remove (to ask the user first)."""
    ids = [code_id] + project.codes.descendants(code_id)
    marks = ",".join("?" for _ in ids)
    return project.conn.execute(f"SELECT count(*) FROM codings WHERE code_id IN ({marks})", ids).fetchone()[0]


class SplitCode(Command):
    """Split a code: the chosen codings move to a new code (a sub-code by default, or a
    sibling), keeping their coder, boundaries and memos."""

    def __init__(self, code_id: int, coding_ids: list[int], new_name: str, as_sub_code: bool = True):
        super().__init__()
        if not coding_ids:
            raise UsageError("choose the codings that go to the new code")
        self.code_id, self.coding_ids, self.as_sub_code = code_id, list(coding_ids), as_sub_code
        self.new_name = check_name(new_name)
        self.name = f"Split into '{self.new_name}'"

    def apply(self, project, rec: Recorder) -> int:
        code = project.codes.get(self.code_id)
        path = list(code.path) + [self.new_name] if self.as_sub_code else list(code.path[:-1]) + [self.new_name]
        new_id = AddCode(path, color=None).apply(project, rec)
        for cid in self.coding_ids:
            row = project.conn.execute("SELECT code_id FROM codings WHERE id = ?", (cid,)).fetchone()
            if row is None or row[0] != self.code_id:
                raise UsageError(f"coding {cid} is not a coding of '{code.name}'")
            rec.update("codings", cid, {"code_id": new_id})
        return new_id
