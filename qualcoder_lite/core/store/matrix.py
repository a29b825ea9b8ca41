"""Framework-matrix cells: the analyst's summary for (row, code)."""

from __future__ import annotations

import sqlite3


class MatrixRepo:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def summaries(self, row_kind: str = "case") -> dict[tuple[int, int], str]:
        """(row id, code id) -> summary."""
        return {
            (r[0], r[1]): r[2]
            for r in self.conn.execute(
                "SELECT row_id, code_id, summary FROM matrix_cells WHERE row_kind = ?", (row_kind,)
            )
        }

    def cell_id(self, row_kind: str, row_id: int, code_id: int) -> int | None:
        r = self.conn.execute(
            "SELECT id FROM matrix_cells WHERE row_kind = ? AND row_id = ? AND code_id = ?",
            (row_kind, row_id, code_id),
        ).fetchone()
        return None if r is None else int(r[0])
