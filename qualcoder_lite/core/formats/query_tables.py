"""Query results (coverage, co-occurrence) as a plain table in .csv, .xlsx or .docx, written
through the one output guard; spreadsheet cells are data, never formulas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import outfile
from ..errors import UsageError
from .cells import xlsx_clean, xlsx_set

KINDS = (".csv", ".xlsx", ".docx")


def table_kind(path: "str | Path", kinds: tuple[str, ...] = KINDS) -> str:
    kind = Path(str(path)).suffix.lower()
    if kind not in kinds:
        raise UsageError(f"--out {Path(str(path)).name}: choose a {' or '.join(kinds)} file name")
    return kind


def write_table(head: list[str], rows: list[list[Any]], target: "str | Path | outfile.Output",
                title: str = "Query") -> Path:
    kind = table_kind(outfile.as_output(target).path)
    if kind == ".csv":
        from .tables_csv import write_rows_csv

        return write_rows_csv(head, rows, target)
    if kind == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        ws.title = title[:31]
        for j, h in enumerate(head, start=1):
            xlsx_set(ws.cell(row=1, column=j), xlsx_clean(h))
            ws.cell(row=1, column=j).font = Font(bold=True)
        for i, r in enumerate(rows, start=2):
            for j, v in enumerate(r, start=1):
                xlsx_set(ws.cell(row=i, column=j), xlsx_clean("" if v is None else v))
        ws.freeze_panes = "A2"
        return outfile.write_file(target, wb.save)
    from .docx_common import clean_text, new_document, save

    doc = new_document("Arial", 10)
    doc.add_heading(clean_text(title), level=2)
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for j, h in enumerate(head):
        table.rows[0].cells[j].text = clean_text(h)
    for r in rows:
        cells = table.add_row().cells
        for j, v in enumerate(r):
            cells[j].text = clean_text("" if v is None else str(v))
    return save(doc, target)
