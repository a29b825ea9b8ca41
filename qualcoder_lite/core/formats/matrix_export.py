"""Framework-matrix exports: Word (landscape table), Excel and CSV.

Each cell carries the analyst's summary; with quotes, the linked quotes follow the summary,
each as the one renderer prints it (``services.quoting``: merged overlaps, interviewer
turns cut, the project's quote style) with its citation. Cells with quotes but no summary
read "to chart" in every format, so nothing uncharted slips into a paper unnoticed.
"""

from __future__ import annotations

import csv
import datetime as _dt
from pathlib import Path

from .. import outfile
from ..services.matrix import Matrix
from .cells import csv_row, xlsx_clean, xlsx_set

TO_CHART = "[to chart]"


def _cell_text(matrix: Matrix, r: int, c: int) -> str:
    cell = matrix.cell(r, c)
    if cell.summary:
        return cell.summary
    return TO_CHART if cell.quotes else ""


def _headers(matrix: Matrix) -> list[str]:
    first = "Case" if matrix.row_kind == "case" else "Source"
    head = [first]
    if matrix.group_by:
        head.append(matrix.group_by)
    return head + [c.display_path for c in matrix.columns]


def write_csv(matrix: Matrix, path: "str | Path | outfile.Output", quotes: dict | None = None) -> Path:
    """One row per case; one column per code (summary), plus a quotes column per code when
    ``quotes`` ((row id, code id) -> [CitedQuote], see ``matrix_quotes``) is given. UTF-8
    with BOM for Excel."""

    def write(tmp):
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            head = _headers(matrix)
            if quotes is not None:
                head = head[: len(head) - len(matrix.columns)]
                for c in matrix.columns:
                    head += [c.display_path, f"{c.display_path} (quotes)"]
            w.writerow(csv_row(head))
            for r, row in enumerate(matrix.rows):
                line = [row.name] + ([row.group or ""] if matrix.group_by else [])
                for c, col in enumerate(matrix.columns):
                    line.append(_cell_text(matrix, r, c))
                    if quotes is not None:
                        line.append("\n".join(q.line for q in quotes.get((row.id, col.id), [])))
                w.writerow(csv_row(line))

    return outfile.write_file(path, write)


def write_xlsx(matrix: Matrix, path: "str | Path | outfile.Output", quotes: dict | None = None, title: str = "Framework matrix",
               warnings: list[str] | None = None) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "Matrix"
    head = _headers(matrix)
    for i, h in enumerate(head, start=1):
        xlsx_set(ws.cell(row=1, column=i), xlsx_clean(h))
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    chart = PatternFill("solid", fgColor="FFF4D6")
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = wrap
    offset = 2 if matrix.group_by else 1
    for r, row in enumerate(matrix.rows):
        values = [row.name] + ([row.group or ""] if matrix.group_by else [])
        for c, col in enumerate(matrix.columns):
            text = _cell_text(matrix, r, c)
            if quotes is not None and quotes.get((row.id, col.id)):
                text = (text + "\n\n" if text else "") + "\n".join(q.line for q in quotes[(row.id, col.id)])
            values.append(_fit_excel(xlsx_clean(text), f"{row.name} × {col.display_path}", warnings))
        for i, v in enumerate(values, start=1):
            xlsx_set(ws.cell(row=r + 2, column=i), xlsx_clean(v))
        for c in range(len(matrix.columns)):
            xl = ws.cell(row=r + 2, column=offset + c + 1)
            xl.alignment = wrap
            if matrix.cell(r, c).to_chart:
                xl.fill = chart
        ws.cell(row=r + 2, column=1).font = bold
    ws.freeze_panes = ws.cell(row=2, column=offset + 1)
    ws.column_dimensions["A"].width = 14
    from openpyxl.utils import get_column_letter

    for i in range(offset + 1, offset + len(matrix.columns) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 40
    return outfile.write_file(path, wb.save)


def write_docx(matrix: Matrix, path: str | Path, project_name: str, quotes: dict | None = None,
               font: str = "Calibri", size: float = 9, page_size: str = "A4") -> Path:
    """A landscape Word table: header row repeating on every page, case names in the first
    column, group heading rows when grouped, quotes (optionally) under each summary."""
    from docx.oxml.ns import nsdecls

    from .docx_common import append_xml, new_document, page_number_footer, save, setup_section, text_width, xml_text

    doc = new_document(font, size, page_size)
    setup_section(doc.sections[0], page_size, landscape=True)
    page_number_footer(doc.sections[0], "Page ")
    doc.add_paragraph(f"Framework matrix — {project_name}", style="Title")
    rows_label = "cases" if matrix.row_kind == "case" else "sources"
    note = (f"{len(matrix.rows)} {rows_label} × {len(matrix.columns)} columns. "
            f"Exported {_dt.date.today().isoformat()}. "
            + ("Theme columns include their sub-codes. " if matrix.roll_up else "")
            + f"“{TO_CHART}” marks cells with quotes but no summary yet.")
    doc.add_paragraph(note)
    width = text_width(page_size, True)
    first_w = max(1400, width // (len(matrix.columns) + 3))
    col_w = (width - first_w) // max(1, len(matrix.columns))
    sz = int(size * 2)

    def quote_para(q) -> str:  # the transcriber's notes in italics, as in the quote report
        return para("".join(run(t, italic=i, color="404040") for t, i in q.runs()))

    def run(text: str, bold=False, italic=False, color=None) -> str:
        props = f'<w:sz w:val="{sz}"/>' + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
        if color:
            props += f'<w:color w:val="{color}"/>'
        return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'

    def para(runs: str) -> str:
        return f'<w:p><w:pPr><w:spacing w:before="0" w:after="60"/></w:pPr>{runs}</w:p>'

    def tc(w: int, body: str, shade: str | None = None, span: int = 1) -> str:
        pr = f'<w:tcW w:w="{w}" w:type="dxa"/>'
        if span > 1:
            pr += f'<w:gridSpan w:val="{span}"/>'
        if shade:
            pr += f'<w:shd w:val="clear" w:color="auto" w:fill="{shade}"/>'
        return f"<w:tc><w:tcPr>{pr}</w:tcPr>{body or para('')}</w:tc>"

    grid = f'<w:gridCol w:w="{first_w}"/>' + "".join(f'<w:gridCol w:w="{col_w}"/>' for _ in matrix.columns)
    head = "".join(tc(col_w, para(run(c.display_path, bold=True)), "E7E6E6") for c in matrix.columns)
    rows_xml = [
        f'<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>'
        f'{tc(first_w, para(run("Case" if matrix.row_kind == "case" else "Source", bold=True)), "E7E6E6")}{head}</w:tr>'
    ]
    group = None
    for r, row in enumerate(matrix.rows):
        if matrix.group_by and row.group != group:
            group = row.group
            label = f"{matrix.group_by}: {group}"
            rows_xml.append(f'<w:tr><w:trPr><w:cantSplit/></w:trPr>'
                            f'{tc(width, para(run(label, bold=True)), "F2F2F2", span=len(matrix.columns) + 1)}</w:tr>')
        cells = [tc(first_w, para(run(row.name, bold=True)))]
        for c, col in enumerate(matrix.columns):
            cell = matrix.cell(r, c)
            body = ""
            if cell.summary:
                body += "".join(para(run(line)) for line in cell.summary.splitlines() if line.strip())
            elif cell.quotes:
                body += para(run(TO_CHART, italic=True, color="9C6500"))
            for q in (quotes or {}).get((row.id, col.id), []):
                body += quote_para(q)
            cells.append(tc(col_w, body, "FFF4D6" if cell.to_chart else None))
        rows_xml.append(f"<w:tr>{''.join(cells)}</w:tr>")
    tbl = (
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{width}" w:type="dxa"/>'
        '<w:tblBorders><w:top w:val="single" w:sz="4" w:color="808080"/><w:left w:val="single" w:sz="4" w:color="808080"/>'
        '<w:bottom w:val="single" w:sz="4" w:color="808080"/><w:right w:val="single" w:sz="4" w:color="808080"/>'
        '<w:insideH w:val="single" w:sz="4" w:color="BFBFBF"/><w:insideV w:val="single" w:sz="4" w:color="BFBFBF"/>'
        '</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows_xml)}</w:tbl>"
    )
    append_xml(doc, tbl)
    return save(doc, path)


def matrix_quotes(project, matrix: Matrix, quoter=None) -> dict[tuple[int, int], list]:
    """The quotes of each cell with quotes, (row id, code id) -> [CitedQuote], rendered by
    the one renderer in the project's quote format (the same as the matrix view shows)."""
    from ..services.quoting import Quoter

    quoter = quoter or Quoter(project)
    out: dict[tuple[int, int], list] = {}
    for row in matrix.rows:
        for col in matrix.columns:
            key = (row.id, col.id)
            if key not in matrix.cells or not matrix.cells[key].quotes:
                continue
            out[key] = quoter.cell_quotes(matrix.row_kind, row.id, col.id, matrix.roll_up)
    return out


EXCEL_CELL_LIMIT = 32_767


def _fit_excel(text: str, where: str, warnings: list[str] | None) -> str:
    if len(text) <= EXCEL_CELL_LIMIT:
        return text
    cut = EXCEL_CELL_LIMIT - 80
    cut = text.rfind(" ", 0, cut) if text.rfind(" ", 0, cut) > 0 else cut
    if warnings is not None:
        warnings.append(f"{where}: longer than Excel's {EXCEL_CELL_LIMIT:,} characters per cell; "
                        "cut and marked — the Word export has it whole")
    return text[:cut] + f" … [{len(text) - cut:,} more characters: see the Word export]"
