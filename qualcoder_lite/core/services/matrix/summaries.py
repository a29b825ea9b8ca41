"""Framework-matrix cell summaries (row × code), saved as typed and undoable."""

from __future__ import annotations

from ...commands import Command
from ...errors import UsageError
from ...store.database import now_iso
from ...store.recorder import Recorder


class SetCellSummary(Command):
    def __init__(self, row_id: int, code_id: int, summary: str, row_kind: str = "case", coder: str | None = None):
        super().__init__()
        if row_kind not in ("case", "source"):
            raise UsageError(f"unknown matrix row kind {row_kind!r}")
        self.row_kind, self.row_id, self.code_id, self.summary, self.coder = row_kind, row_id, code_id, summary, coder
        self.name = "Edit matrix summary"

    def apply(self, project, rec: Recorder) -> bool:
        coder_id = project.coders.ensure(rec, self.coder or project.coder)
        cell = project.matrix.cell_id(self.row_kind, self.row_id, self.code_id)
        if cell is None:
            if not self.summary:
                return False
            rec.insert("matrix_cells", {"row_kind": self.row_kind, "row_id": self.row_id, "code_id": self.code_id,
                                        "summary": self.summary, "coder_id": coder_id, "modified": now_iso()})
            return True
        if not self.summary:
            rec.delete("matrix_cells", cell)
            return True
        current = project.conn.execute("SELECT summary FROM matrix_cells WHERE id = ?", (cell,)).fetchone()[0]
        if current == self.summary:
            return False
        return rec.update("matrix_cells", cell, {"summary": self.summary, "coder_id": coder_id, "modified": now_iso()})
