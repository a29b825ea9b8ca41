"""Commands on sources: rename, change kind, reassign to cases, delete (undoable)."""

from __future__ import annotations

from ...commands import Command
from ...errors import DuplicateError, UsageError
from ...store.recorder import Recorder
from ...wording import one_line

KINDS = ("transcript", "notes", "other")


class RenameSource(Command):
    def __init__(self, source_id: int, name: str):
        super().__init__()
        self.source_id = source_id
        self.new_name = one_line(name)
        if not self.new_name:
            raise UsageError("a source name cannot be empty")
        self.name = f"Rename source to '{self.new_name}'"

    def apply(self, project, rec: Recorder) -> bool:
        other = project.sources.by_name(self.new_name)
        if other is not None and other.id != self.source_id:
            raise DuplicateError(f"a source named '{self.new_name}' already exists")
        return rec.update("sources", self.source_id, {"name": self.new_name})


class SetSourceKind(Command):
    def __init__(self, source_id: int, kind: str):
        super().__init__()
        if kind not in KINDS:
            raise UsageError(f"unknown source kind {kind!r} ({', '.join(KINDS)})")
        self.source_id, self.kind = source_id, kind
        self.name = f"Mark source as {kind}"

    def apply(self, project, rec: Recorder) -> bool:
        return rec.update("sources", self.source_id, {"kind": self.kind})


class SetSourceCases(Command):
    """Link a source to exactly these cases (created when new); e.g. reassign P3's notes to P4."""

    def __init__(self, source_id: int, case_names: list[str]):
        super().__init__()
        self.source_id = source_id
        self.case_names = [name for n in case_names if (name := one_line(n))]
        self.name = "Change the source's cases"

    def apply(self, project, rec: Recorder) -> list[str]:
        wanted = set()
        for n in self.case_names:
            cid, _ = project.cases.ensure(rec, n)
            wanted.add(cid)
        current = {r[0]: r[1] for r in project.conn.execute(
            "SELECT case_id, id FROM case_sources WHERE source_id = ?", (self.source_id,))}
        for cid, link_id in current.items():
            if cid not in wanted:
                rec.delete("case_sources", link_id)
        for cid in wanted - set(current):
            rec.insert("case_sources", {"case_id": cid, "source_id": self.source_id})
        return sorted(self.case_names)


class DeleteSource(Command):
    """Delete a source with its codings, speaker turns, case links, attribute values,
    source-row matrix cells and memos. Undo brings all of it back."""

    def __init__(self, source_id: int):
        super().__init__()
        self.source_id = source_id
        self.name = "Delete source"

    def apply(self, project, rec: Recorder) -> int:
        src = project.sources.get(self.source_id)
        if src is None:
            raise UsageError(f"no source with id {self.source_id}")
        self.name = f"Delete source '{src.name}'"
        sid = self.source_id
        removed = rec.delete_where("codings", "source_id = ?", (sid,))
        rec.delete_where("speaker_turns", "source_id = ?", (sid,))
        rec.delete_where("case_sources", "source_id = ?", (sid,))
        rec.delete_where("attribute_values", "source_id = ?", (sid,))
        rec.delete_where("matrix_cells", "row_kind = 'source' AND row_id = ?", (sid,))
        rec.delete_where("memos", "kind = 'source' AND target_id = ?", (sid,))
        rec.delete_where("survey_answers", "source_id = ?", (sid,))
        from ..coding.codes import drop_set_members

        drop_set_members(project, rec, "source", sid)
        rec.delete("sources", sid)
        return removed
