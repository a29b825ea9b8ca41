"""The retrieval table (coded segments with case, source, code, coder, memo and case
attributes) as .xlsx, .docx or .csv.

The Quote column is each coding's quote as the one renderer prints it (``quotes``:
coding id -> ``quoting.CitedQuote``, from ``Quoter.coding_quote``, the same as the table
shows): interviewer turns cut, time markers left out, the analyst's edited form, the
project's quote style. In .docx the transcriber's notes are in italics. The caller renders
the quotes (``services.quotes``); this module only lays them out."""

from __future__ import annotations

import csv
from pathlib import Path

from .. import outfile
from ..errors import QualCoderError, UsageError
from .cells import csv_row, xlsx_clean, xlsx_set

BASE = ("Case", "Source", "Code", "Start", "End", "Quote", "Coder", "Memo")


def _rows(segments, attributes: list[str], rendered: list) -> list[list]:
    out = []
    for s, q in zip(segments, rendered):
        out.append([s.case or "", s.source, s.display_path, s.start, s.end, q.text, s.coder, s.memo]
                   + [s.attributes.get(a, "") for a in attributes])
    return out


def write_segments(segments, attributes: list[str], target: "str | Path | outfile.Output",
                   project_name: str, quotes: dict) -> Path:
    """``quotes``: coding id -> the rendered quote of each segment (``CitedQuote``)."""
    path = Path(outfile.as_output(target).path)
    if not segments:
        raise QualCoderError(f"nothing to export: no coded segments; {path} was not written")
    head = list(BASE) + list(attributes)
    rendered = [quotes[s.coding_id].quote for s in segments]
    rows = _rows(segments, attributes, rendered)
    kind = path.suffix.lower()
    if kind == ".csv":
        return _write_csv(head, rows, target)
    if kind == ".xlsx":
        return _write_xlsx(head, rows, target)
    if kind == ".docx":
        return _write_docx(rows, rendered, target, project_name)
    raise UsageError(f"{path.name}: choose a .xlsx, .docx or .csv file name")


def _write_csv(head: list[str], rows: list[list], target) -> Path:
    def write(tmp):
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(csv_row(head))
            w.writerows(csv_row(r) for r in rows)
    return outfile.write_file(target, write)


def _write_xlsx(head: list[str], rows: list[list], target) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Segments"
    for j, h in enumerate(head, start=1):
        xlsx_set(ws.cell(row=1, column=j), xlsx_clean(h))
    for c in ws[1]:
        c.font = Font(bold=True)
    for i, r in enumerate(rows, start=2):
        for j, v in enumerate(r, start=1):
            xlsx_set(ws.cell(row=i, column=j), xlsx_clean(v))
    ws.freeze_panes = "A2"
    ws.column_dimensions["F"].width = 80
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=6):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return outfile.write_file(target, wb.save)


def _write_docx(rows: list[list], rendered: list, target, project_name: str) -> Path:
    from docx.shared import Pt

    from .docx_common import new_document
    from .docx_common import save as save_docx

    doc = new_document("Calibri", 9)
    doc.add_paragraph(f"Coded segments — {project_name}", style="Title")
    cols = ["Case", "Source", "Code", "Quote", "Coder"]
    table = doc.add_table(rows=1, cols=len(cols))
    table.style = "Table Grid"
    for i, h in enumerate(cols):
        table.rows[0].cells[i].text = h
        for run in table.rows[0].cells[i].paragraphs[0].runs:
            run.font.bold = True
    for r, q in zip(rows, rendered):
        cells = table.add_row().cells
        for i, v in enumerate([r[0], r[1], r[2], None, r[6]]):
            if v is None:  # the quote: the transcriber's notes in italics
                para = cells[i].paragraphs[0]
                for text, italic in q.runs():
                    para.add_run(text).italic = italic or None
            else:
                cells[i].text = str(v)
            for run in cells[i].paragraphs[0].runs:
                run.font.size = Pt(9)
    return save_docx(doc, target)
