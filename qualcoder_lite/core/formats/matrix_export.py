"""Framework-matrix exports: Word (landscape table), Excel and CSV.

Each cell carries the analyst's summary; with quotes, the linked quotes follow the summary,
each as the one renderer prints it (``services.quoting``: merged overlaps, interviewer
turns cut, the project's quote style) with its citation; the caller renders them
(``services.matrix.cell_quotes.matrix_quotes``) and passes them in. Cells with quotes but
no summary read "to chart" in every format, so nothing uncharted slips into a paper
unnoticed.
"""

from __future__ import annotations

import csv
import datetime as _dt
from pathlib import Path

from .. import outfile
from ..model import Matrix, theme_overview
from .cells import csv_row, xlsx_clean, xlsx_set
from .summary_notes import summary_xml

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
    return head + list(matrix.attributes) + [matrix.header(c) for c in range(len(matrix.columns))]


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
                for c in range(len(matrix.columns)):
                    head += [matrix.header(c), f"{matrix.header(c)} (quotes)"]
            w.writerow(csv_row(head))
            for r, row in enumerate(matrix.rows):
                line = _row_head(matrix, row)
                for c, col in enumerate(matrix.columns):
                    line.append(_cell_text(matrix, r, c))
                    if quotes is not None:
                        line.append("\n".join(q.line for q in quotes.get((row.id, col.id), [])))
                w.writerow(csv_row(line))

    return outfile.write_file(path, write)


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join("_" if ch in '[]:*?/\\' else ch for ch in title).strip("' ") or "Theme"
    name = base[:31]
    n = 2
    while name.casefold() in used:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.casefold())
    return name


def write_xlsx(matrix: "Matrix | list[Matrix]", path: "str | Path | outfile.Output", quotes: dict | None = None,
               title: str = "Framework matrix", warnings: list[str] | None = None) -> Path:
    """One sheet per chart (a list: one per theme, after an overview sheet of cases ×
    themes with the number of coded passages); a single matrix is one sheet. Every sheet
    landscape, its header row printed on every page, the header and case columns frozen."""
    from openpyxl import Workbook

    charts = matrix if isinstance(matrix, list) else [matrix]
    wb = Workbook()
    used: set[str] = set()
    if isinstance(matrix, list):
        _overview_sheet(wb.active, charts, used)
    else:
        wb.remove(wb.active)
    for m in charts:
        ws = wb.create_sheet(_sheet_name(m.title or "Matrix", used))
        _chart_sheet(ws, m, quotes, warnings)
    return outfile.write_file(path, wb.save)


def _print_setup(ws, frozen_cols: int) -> None:
    from openpyxl.utils import get_column_letter

    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_title_cols = f"A:{get_column_letter(frozen_cols)}"
    ws.freeze_panes = ws.cell(row=2, column=frozen_cols + 1)


def _overview_sheet(ws, charts: list[Matrix], used: set[str]) -> None:
    from openpyxl.styles import Alignment, Font

    ws.title = _sheet_name("Overview", used)
    rows, themes, counts = theme_overview(charts)
    group_by = charts[0].group_by if charts else None
    head = ["Case" if charts[0].row_kind == "case" else "Source"] + ([group_by] if group_by else []) + themes
    for i, h in enumerate(head, start=1):
        cell = ws.cell(row=1, column=i)
        xlsx_set(cell, xlsx_clean(h))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, start=2):
        values = [row.name] + ([row.group or ""] if group_by else [])
        for i, v in enumerate(values, start=1):
            xlsx_set(ws.cell(row=r, column=i), xlsx_clean(v))
        ws.cell(row=r, column=1).font = Font(bold=True)
        for t in range(len(themes)):
            ws.cell(row=r, column=len(values) + t + 1, value=counts.get((row.id, t), 0))
    from openpyxl.utils import get_column_letter

    for i in range(1, len(head) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 14 if i <= (2 if group_by else 1) else 18
    _print_setup(ws, 2 if group_by else 1)


def _chart_sheet(ws, matrix: Matrix, quotes: dict | None, warnings: list[str] | None) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    head = _headers(matrix)
    for i, h in enumerate(head, start=1):
        xlsx_set(ws.cell(row=1, column=i), xlsx_clean(h))
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    chart = PatternFill("solid", fgColor="FFF4D6")
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = wrap
    offset = len(head) - len(matrix.columns)
    for r, row in enumerate(matrix.rows):
        values = _row_head(matrix, row)
        for c, col in enumerate(matrix.columns):
            text = _cell_text(matrix, r, c)
            if quotes is not None and quotes.get((row.id, col.id)):
                text = (text + "\n\n" if text else "") + "\n".join(q.line for q in quotes[(row.id, col.id)])
            values.append(_fit_excel(xlsx_clean(text), f"{row.name} × {matrix.header(c)}", warnings))
        for i, v in enumerate(values, start=1):
            xl = ws.cell(row=r + 2, column=i)
            xlsx_set(xl, xlsx_clean(v))
            xl.alignment = wrap
        for c in range(len(matrix.columns)):
            if matrix.cell(r, c).to_chart:
                ws.cell(row=r + 2, column=offset + c + 1).fill = chart
        ws.cell(row=r + 2, column=1).font = bold
    for i in range(1, offset + 1):
        ws.column_dimensions[get_column_letter(i)].width = 14
    for i in range(offset + 1, offset + len(matrix.columns) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 40
    _print_setup(ws, 1)


def _row_head(matrix: Matrix, row) -> list[str]:
    return ([row.name] + ([row.group or ""] if matrix.group_by else [])
            + [row.attributes.get(a) or "" for a in matrix.attributes])


def _columns_note(charts: list[Matrix]) -> str:
    """What the columns count, in words (a "(general)" column counts its theme alone)."""
    if not charts[0].roll_up:
        return ""
    if any(m.own_only for m in charts):
        return ("Each column includes its sub-codes, except a “(general)” column: what was coded or "
                "summarised on the theme itself. ")
    return "Theme columns include their sub-codes. "


def write_docx(matrix: "Matrix | list[Matrix]", path: "str | Path | outfile.Output", project_name: str,
               quotes: dict | None = None, font: str = "Calibri", size: float = 9, page_size: str = "A4",
               authors: str = "", footnote: str = "", notes: dict | None = None) -> Path:
    """Landscape Word charts, one per matrix given (one per theme for a list): a captioned
    table each (a SEQ field numbers it), the case in the first column, then the chosen
    attributes, then the chart's columns, widths from their content. Grouped rows are one
    block per group whose header rows — the column headings and the group's name — repeat
    on every page the block runs onto; header rows stay with the first row; rows do not
    split across pages unless taller than a page. ``notes`` ((row id, code id) -> linked
    phrases, see ``services.anchors.export_notes.summary_notes``) numbers linked phrases and
    lists the passages they rest on under each table."""
    from . import docx_common as dc
    from .summary_notes import notes_xml

    charts = matrix if isinstance(matrix, list) else [matrix]
    doc = dc.new_document(font, size, page_size)
    dc.setup_section(doc.sections[0], page_size, landscape=True)
    dc.page_number_footer(doc.sections[0], "Page ")
    first = charts[0]
    rows_label = "cases" if first.row_kind == "case" else "sources"
    what = (f"{len(charts)} framework charts, one per theme" if len(charts) > 1 else "Framework matrix")
    dc.title_page(doc, project_name, authors, [
        ("Contents", f"{what}; {len(first.rows)} {rows_label if len(first.rows) != 1 else rows_label[:-1]}"),
        ("Exported", _dt.date.today().isoformat()),
    ])
    doc.add_paragraph(_columns_note(charts) + f"“{TO_CHART}” marks cells with quotes but no summary yet.")
    page = (dc.text_width(page_size, True), dc.page_body_height(page_size, True), size)
    for n, m in enumerate(charts, start=1):
        numbered: list = []  # the chart's linked phrases, in the order their numbers run
        _docx_chart(doc, n, m, quotes or {}, page, rows_label, (notes or {}, numbered))
        for note in notes_xml(numbered):
            dc.append_xml(doc, note)
        if footnote:
            dc.append_xml(doc, dc.note_xml(footnote))
    return dc.save(doc, path)


class _Xml:
    """Runs and paragraphs of a chart's cells at one font size."""

    def __init__(self, size: float):
        self.sz = int(size * 2)

    def run(self, text: str, bold=False, italic=False, color=None) -> str:
        from .docx_common import xml_text

        props = f'<w:sz w:val="{self.sz}"/>' + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
        if color:
            props += f'<w:color w:val="{color}"/>'
        return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'

    @staticmethod
    def para(runs: str) -> str:
        return f'<w:p><w:pPr><w:spacing w:before="0" w:after="60"/></w:pPr>{runs}</w:p>'

    def quote_para(self, q) -> str:  # the transcriber's notes in italics, as in the quote report
        return self.para("".join(self.run(t, italic=i, color="404040") for t, i in q.runs()))


def _chart_texts(m: Matrix, quotes: dict) -> tuple[list[str], list[list[str]]]:
    """The chart's header texts and each row's cell texts (to measure the columns)."""
    first_head = "Case" if m.row_kind == "case" else "Source"
    head_texts = [first_head] + [_pretty(a) for a in m.attributes] + [m.header(c) for c in range(len(m.columns))]
    body_texts: list[list[str]] = []
    for r, row in enumerate(m.rows):
        line = [row.name] + [row.attributes.get(a) or "" for a in m.attributes]
        for c, col in enumerate(m.columns):
            cell = m.cell(r, c)
            t = cell.summary or (TO_CHART if cell.quotes else "")
            qs = quotes.get((row.id, col.id), [])
            line.append("\n".join([t] + [q.line for q in qs]) if qs else t)
        body_texts.append(line)
    return head_texts, body_texts


def _docx_chart(doc, n: int, m: Matrix, quotes: dict, page: tuple[int, int, float], rows_label: str,
                linked: tuple[dict, list]) -> None:
    """Chart ``n``: its caption, then one table per block of rows (a group, or all);
    ``linked`` is (the summaries' linked phrases by cell, the list numbering them)."""
    from . import docx_common as dc

    width, height, size = page
    x = _Xml(size)
    head_texts, body_texts = _chart_texts(m, quotes)
    ncols = len(head_texts)
    fixed = 1 + len(m.attributes)
    widths = dc.fit_widths([[head_texts[i]] + [b[i] for b in body_texts] for i in range(ncols)], width, size,
                           flexible=[i >= fixed for i in range(ncols)], max_line=width // 5,
                           bold_columns=frozenset({0}))
    title = m.title or "Framework matrix"
    label = f"Framework chart: {title}" if m.title else title
    dc.append_xml(doc, dc.caption_xml("Table ", n, label, restart=1 if n == 1 else None, page_break=n > 1))
    header = dc.tr_xml("".join(dc.tc_xml(w, x.para(x.run(h, bold=True)), "E7E6E6")
                               for h, w in zip(head_texts, widths)), header=True)
    blocks: list[tuple[str | None, list[int]]] = []
    for r, row in enumerate(m.rows):
        if not blocks or (m.group_by and row.group != blocks[-1][0]):
            blocks.append((row.group if m.group_by else None, []))
        blocks[-1][1].append(r)
    for b, (group, idx) in enumerate(blocks):
        rows_xml = [header]
        if m.group_by:
            label_g = f"{m.group_by}: {group} ({len(idx)} {rows_label if len(idx) != 1 else rows_label[:-1]})"
            rows_xml.append(dc.tr_xml(dc.tc_xml(width, x.para(x.run(label_g, bold=True)), "F2F2F2", span=ncols),
                                      header=True))
        for r in idx:
            tall = dc.estimate_height(list(zip(body_texts[r], widths)), size) > height * 0.8
            rows_xml.append(dc.tr_xml(_row_cells(x, m, r, quotes, widths, fixed, linked), cant_split=not tall))
        if b:
            dc.append_xml(doc, dc.spacer_xml())
        dc.append_xml(doc, dc.tbl_xml(widths, rows_xml))


def _row_cells(x: _Xml, m: Matrix, r: int, quotes: dict, widths: list[int], fixed: int,
               linked: tuple[dict, list]) -> str:
    """A chart row's cells: the case in bold, its attributes, then each column's summary
    (or "to chart") and quotes."""
    from . import docx_common as dc

    row = m.rows[r]
    cells = [dc.tc_xml(widths[0], x.para(x.run(row.name, bold=True)))]
    for a, w in zip(m.attributes, widths[1:fixed]):
        cells.append(dc.tc_xml(w, x.para(x.run(row.attributes.get(a) or ""))))
    for c, col in enumerate(m.columns):
        cell = m.cell(r, c)
        body = ""
        if cell.summary:
            body += summary_xml(cell.summary, linked[0].get((row.id, col.id)), linked[1], x.run, x.para, x.sz)
        elif cell.quotes:
            body += x.para(x.run(TO_CHART, italic=True, color="9C6500"))
        for q in quotes.get((row.id, col.id), []):
            body += x.quote_para(q)
        cells.append(dc.tc_xml(widths[fixed + c], body, "FFF4D6" if cell.to_chart else None))
    return "".join(cells)


def _pretty(name: str) -> str:
    s = name.replace("_", " ").strip()
    return s[:1].upper() + s[1:]


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
