"""Memos: the project journal and notes on the project, sources, cases and codes."""

from __future__ import annotations

import uuid

from ...commands import Command
from ...errors import UsageError
from ...store.database import now_iso
from ...store.recorder import Recorder

KINDS = ("journal", "project", "source", "case", "code")


class AddMemo(Command):
    def __init__(self, kind: str, body: str, title: str = "", target_id: int | None = None,
                 coder: str | None = None, created: str | None = None):
        super().__init__()
        if kind not in KINDS:
            raise UsageError(f"unknown memo kind {kind!r} ({', '.join(KINDS)})")
        if kind in ("source", "case", "code") and target_id is None:
            raise UsageError(f"a {kind} memo needs the {kind} it belongs to")
        self.kind, self.body, self.title, self.target_id, self.coder = kind, body, title, target_id, coder
        self.created = created
        self.name = "Add journal entry" if kind == "journal" else f"Add {kind} memo"

    def apply(self, project, rec: Recorder) -> int:
        coder_id = project.coders.ensure(rec, self.coder or project.coder)
        stamp = self.created or now_iso()
        return rec.insert("memos", {"guid": str(uuid.uuid4()), "kind": self.kind, "target_id": self.target_id,
                                    "title": self.title, "body": self.body, "coder_id": coder_id,
                                    "created": stamp, "modified": stamp})


class EditMemo(Command):
    def __init__(self, memo_id: int, body: str | None = None, title: str | None = None):
        super().__init__()
        self.memo_id = memo_id
        self.values = {k: v for k, v in (("body", body), ("title", title)) if v is not None}
        self.name = "Edit memo"

    def apply(self, project, rec: Recorder) -> bool:
        row = project.conn.execute("SELECT body, title FROM memos WHERE id = ?", (self.memo_id,)).fetchone()
        if row is None:
            from ...store.recorder import GoneError

            raise GoneError("that memo no longer exists (undone or deleted meanwhile)")
        changed = {k: v for k, v in self.values.items() if row[k] != v}
        if not changed:
            return False
        return rec.update("memos", self.memo_id, dict(changed, modified=now_iso()))


class DeleteMemo(Command):
    def __init__(self, memo_id: int):
        super().__init__()
        self.memo_id = memo_id
        self.name = "Delete memo"

    def apply(self, project, rec: Recorder) -> bool:
        rec.delete("memos", self.memo_id)
        return True
