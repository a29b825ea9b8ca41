"""Table 1 (participant characteristics) as Word, CSV or Excel.

Word: a captioned table (a SEQ field numbers it), widths from the content, group heading
rows with their counts kept with the next row (and repeated, with the column headings, on a
page the group runs onto), a total row and an optional footnote (abbreviations).
"""

from __future__ import annotations

import csv
from pathlib import Path

from .. import outfile
from ..model import ParticipantTable
from .cells import csv_row, xlsx_clean, xlsx_set


def pretty(name: str) -> str:
    s = name.replace("_", " ").strip()
    return s[:1].upper() + s[1:]


def _head(t: ParticipantTable) -> list[str]:
    return ["Participant"] + [pretty(a) for a in t.columns]


def _group_label(t: ParticipantTable, value: str | None, n: int) -> str:
    return f"{pretty(t.group_by or '')}: {value} (n = {n})"


def write_csv(t: ParticipantTable, path) -> Path:
    def write(tmp):
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(csv_row(_head(t)[:1] + ([pretty(t.group_by)] if t.group_by else []) + _head(t)[1:]))
            for r in t.rows:
                w.writerow(csv_row([r.case] + ([r.group or ""] if t.group_by else [])
                                   + [r.attributes.get(a, "") for a in t.columns]))

    return outfile.write_file(path, write)


def write_xlsx(t: ParticipantTable, path, caption: str) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Table 1"
    xlsx_set(ws.cell(row=1, column=1), xlsx_clean(caption))
    ws.cell(row=1, column=1).font = Font(bold=True)
    for i, h in enumerate(_head(t), start=1):
        xlsx_set(ws.cell(row=2, column=i), xlsx_clean(h))
        ws.cell(row=2, column=i).font = Font(bold=True)
    r = 3
    for value, rows in t.groups():
        if t.group_by:
            xlsx_set(ws.cell(row=r, column=1), xlsx_clean(_group_label(t, value, len(rows))))
            ws.cell(row=r, column=1).font = Font(bold=True, italic=True)
            r += 1
        for p in rows:
            for i, v in enumerate([p.case] + [p.attributes.get(a, "") for a in t.columns], start=1):
                xlsx_set(ws.cell(row=r, column=i), xlsx_clean(v))
            r += 1
    xlsx_set(ws.cell(row=r, column=1), f"Total (n = {t.total})")
    ws.cell(row=r, column=1).font = Font(bold=True)
    ws.freeze_panes = "B3"
    ws.print_title_rows = "2:2"
    return outfile.write_file(path, wb.save)


def write_docx(t: ParticipantTable, path, title: str, authors: str = "", caption: str = "",
               footnote: str = "", font: str = "Arial", size: float = 10, page_size: str = "A4") -> Path:
    from . import docx_common as dc

    doc = dc.new_document(font, size, page_size)
    dc.page_number_footer(doc.sections[0])
    dc.title_page(doc, title, authors)
    width = dc.text_width(page_size, False)
    head = _head(t)
    texts = [[head[0]] + [r.case for r in t.rows] + [f"Total (n = {t.total})"]]
    texts += [[head[i + 1]] + [r.attributes.get(a, "") for r in t.rows] for i, a in enumerate(t.columns)]
    widths = dc.fit_widths(texts, width, size)
    # a table as wide as its content needs (at most the page), not stretched across it
    natural = [max(dc.measure(x, size, bold=j == 0) for j, x in enumerate(col)) + dc.CELL_PAD for col in texts]
    if sum(natural) < width:
        widths = natural
    sz = int(size * 2)

    def para(text: str, bold=False, italic=False, keep=False) -> str:
        props = f'<w:sz w:val="{sz}"/>' + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
        return (f'<w:p><w:pPr>{"<w:keepNext/>" if keep else ""}<w:spacing w:before="0" w:after="0"/></w:pPr>'
                f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{dc.xml_text(text)}</w:t></w:r></w:p>')

    rule = '<w:tcBorders><w:bottom w:val="single" w:sz="6" w:space="0" w:color="000000"/></w:tcBorders>'
    header = dc.tr_xml("".join(dc.tc_xml(w, para(h, bold=True), extra=rule) for h, w in zip(head, widths)),
                       header=True)
    borders = ('<w:tblBorders><w:top w:val="single" w:sz="12" w:space="0" w:color="000000"/><w:left w:val="nil"/>'
               '<w:bottom w:val="single" w:sz="12" w:space="0" w:color="000000"/><w:right w:val="nil"/>'
               '<w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>')
    dc.append_xml(doc, dc.caption_xml("Table ", 1, caption or "Characteristics of participants", restart=1))
    # one table: a participants' table is short, so a group heading row kept with its
    # first row is enough (a block per group would repeat the column headings each time)
    total = sum(widths)
    rows_xml = [header]
    for value, rows in t.groups():
        if t.group_by:
            rows_xml.append(dc.tr_xml(dc.tc_xml(total, para(_group_label(t, value, len(rows)), bold=True, italic=True),
                                                span=len(widths)), keep_next=True))
        for p in rows:
            cells = [p.case] + [p.attributes.get(a, "") for a in t.columns]
            rows_xml.append(dc.tr_xml("".join(dc.tc_xml(w, para(v)) for v, w in zip(cells, widths))))
    rows_xml[-1] = dc.keep_rows_with_next(rows_xml[-1])  # the last row stays with the total
    rows_xml.append(dc.tr_xml(dc.tc_xml(total, para(f"Total (n = {t.total})", bold=True), span=len(widths),
                                        extra='<w:tcBorders><w:top w:val="single" w:sz="4" w:space="0" '
                                              'w:color="000000"/></w:tcBorders>')))
    dc.append_xml(doc, dc.tbl_xml(widths, rows_xml, borders))
    if footnote:
        dc.append_xml(doc, dc.note_xml(footnote))
    return dc.save(doc, path)
