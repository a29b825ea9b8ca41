"""The framework matrix: one row per case (or source), one column per chosen code;
each cell holds the analyst's summary and the count of linked quotes (codings of the
column's code and, for a theme column, its sub-codes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Code


@dataclass(frozen=True)
class MatrixRow:
    id: int
    name: str


@dataclass(frozen=True)
class Cell:
    summary: str = ""
    quotes: int = 0


@dataclass
class Matrix:
    row_kind: str
    rows: list[MatrixRow]
    columns: list[Code]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (row id, code id)

    def cell(self, r: int, c: int) -> Cell:
        return self.cells.get((self.rows[r].id, self.columns[c].id), Cell())


def default_columns(project) -> list[Code]:
    """Themes (top-level codes) and their sub-themes: the usual framework columns."""
    return [c for c in project.codes.all() if len(c.path) <= 2]


def build_matrix(project, column_ids: list[int] | None = None, row_kind: str = "case",
                 roll_up: bool = True) -> Matrix:
    codes = {c.id: c for c in project.codes.all()}
    columns = [codes[i] for i in column_ids if i in codes] if column_ids else default_columns(project)
    # every code maps to the columns it counts towards (itself and, rolled up, its ancestors)
    parent = {c.id: c.parent_id for c in codes.values()}
    col_ids = {c.id for c in columns}
    counts_to: dict[int, list[int]] = {}
    for cid in codes:
        targets = []
        node: int | None = cid
        while node is not None:
            if node in col_ids:
                targets.append(node)
            node = parent[node] if roll_up else None
        counts_to[cid] = targets
    if row_kind == "case":
        rows = [MatrixRow(c.id, c.name) for c in project.cases.all()]
        link = project.conn.execute(
            "SELECT cs.case_id, k.code_id, count(*) FROM codings k JOIN case_sources cs ON cs.source_id = k.source_id "
            "GROUP BY cs.case_id, k.code_id"
        ).fetchall()
    else:
        rows = [MatrixRow(s.id, s.name) for s in project.sources.all()]
        link = project.conn.execute(
            "SELECT source_id, code_id, count(*) FROM codings GROUP BY source_id, code_id"
        ).fetchall()
    quotes: dict[tuple[int, int], int] = {}
    for row_id, code_id, n in link:
        for col in counts_to.get(code_id, ()):
            quotes[(row_id, col)] = quotes.get((row_id, col), 0) + n
    summaries = project.matrix.summaries(row_kind)
    cells = {}
    for key in set(quotes) | {k for k in summaries if k[1] in col_ids}:
        cells[key] = Cell(summaries.get(key, ""), quotes.get(key, 0))
    return Matrix(row_kind, rows, columns, cells)
