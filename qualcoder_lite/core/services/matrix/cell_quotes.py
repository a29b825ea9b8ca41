"""The quotes of a framework matrix's cells, rendered for the matrix exports."""

from __future__ import annotations

from ...model import Matrix
from ..quotes.quoting import Quoter


def matrix_quotes(project, matrix: Matrix, quoter=None) -> dict[tuple[int, int], list]:
    """The quotes of each cell with quotes, (row id, code id) -> [CitedQuote], rendered by
    the one renderer in the project's quote format (the same as the matrix view shows)."""
    quoter = quoter or Quoter(project)
    out: dict[tuple[int, int], list] = {}
    for row in matrix.rows:
        for col in matrix.columns:
            key = (row.id, col.id)
            if key not in matrix.cells or not matrix.cells[key].quotes:
                continue
            out[key] = quoter.cell_quotes(matrix.row_kind, row.id, col.id,
                                          matrix.roll_up and col.id not in matrix.own_only)
    return out
