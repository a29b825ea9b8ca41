"""The retrieval table (coded segments with case, source, code, coder, memo and case
attributes) as .xlsx, .docx or .csv."""

from __future__ import annotations

import csv
from pathlib import Path

from .. import outfile
from ..errors import QualCoderError, UsageError
from .cells import csv_row, xlsx_clean, xlsx_set

BASE = ("Case", "Source", "Code", "Start", "End", "Quote", "Coder", "Memo")


def _rows(segments, attributes: list[str]) -> list[list]:
    out = []
    for s in segments:
        out.append([s.case or "", s.source, s.display_path, s.start, s.end, " ".join(s.text.split()), s.coder, s.memo]
                   + [s.attributes.get(a, "") for a in attributes])
    return out


def write_segments(segments, attributes: list[str], target: "str | Path | outfile.Output",
                   project_name: str = "") -> Path:
    from .docx_common import save as save_docx

    path = Path(outfile.as_output(target).path)
    if not segments:
        raise QualCoderError(f"nothing to export: no coded segments; {path} was not written")
    head = list(BASE) + list(attributes)
    rows = _rows(segments, attributes)
    kind = path.suffix.lower()
    if kind == ".csv":
        def write(tmp):
            with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(csv_row(head))
                w.writerows(csv_row(r) for r in rows)
        return outfile.write_file(target, write)
    if kind == ".xlsx":
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
    if kind == ".docx":
        from docx.shared import Pt

        from .docx_common import new_document

        doc = new_document("Calibri", 9)
        doc.add_paragraph(f"Coded segments — {project_name}", style="Title")
        cols = ["Case", "Source", "Code", "Quote", "Coder"]
        table = doc.add_table(rows=1, cols=len(cols))
        table.style = "Table Grid"
        for i, h in enumerate(cols):
            table.rows[0].cells[i].text = h
            for run in table.rows[0].cells[i].paragraphs[0].runs:
                run.font.bold = True
        for r in rows:
            cells = table.add_row().cells
            for i, v in enumerate([r[0], r[1], r[2], f"“{r[5]}”", r[6]]):
                cells[i].text = str(v)
                for run in cells[i].paragraphs[0].runs:
                    run.font.size = Pt(9)
        return save_docx(doc, target)
    raise UsageError(f"{path.name}: choose a .xlsx, .docx or .csv file name")
