"""The codebook as a Word document: one table, themes in bold, sub-codes indented, with
descriptions, summaries and counts (with sub-codes) — the codebook appendix of a paper."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import TYPE_CHECKING

from docx.oxml.ns import nsdecls

from ..model import CodebookRow
from . import docx_common as dc

if TYPE_CHECKING:
    from ..outfile import Output

NOTE = ("Codings: coded passages, including those of sub-codes. Cases: participants with at least "
        "one coded passage under the code or its sub-codes.")


def _cell(width: int, style_id: str, text: str, bold: bool = False, indent: int = 0, right: bool = False,
          border: str = "") -> str:
    ppr = f'<w:pStyle w:val="{style_id}"/>'
    if indent:
        ppr += f'<w:ind w:left="{indent}"/>'
    if right:
        ppr += '<w:jc w:val="right"/>'
    paras = []
    for block in (text.split("\n\n") if text else [""]):
        runs = ""
        if block:
            rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
            lines = block.split("\n")
            runs = f"<w:r>{rpr}" + "<w:br/>".join(
                f'<w:t xml:space="preserve">{dc.xml_text(s)}</w:t>' for s in lines) + "</w:r>"
        paras.append(f"<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>")
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{border}</w:tcPr>'
            + "".join(paras) + "</w:tc>")


def codebook_table_xml(rows: list[CodebookRow], width: int, style_id: str, with_summary: bool,
                       font_size: float = 10) -> str:
    headers: tuple[str, ...]
    if with_summary:
        headers = ("Code", "Description", "Summary", "Codings", "Cases")
    else:
        headers = ("Code", "Description", "Codings", "Cases")
    # widths from the measured text: a code name's words never break; description and
    # summary share the rest (the indent of a sub-code is added to its name)
    names = [" " * (2 * (r.level - 1)) + r.name for r in rows]
    texts = [[headers[0]] + names, [headers[1]] + [r.description for r in rows]]
    if with_summary:
        texts.append([headers[2]] + [r.summary for r in rows])
    texts += [[headers[-2]] + [str(r.codings_total) for r in rows], [headers[-1]] + [str(r.cases_total) for r in rows]]
    flexible = [False, True] + ([True] if with_summary else []) + [False, False]
    widths = dc.fit_widths(texts, width, font_size, flexible=flexible, max_line=int(width * 0.3))
    borders = ('<w:tblBorders><w:top w:val="single" w:sz="12" w:space="0" w:color="000000"/>'
               '<w:left w:val="nil"/><w:bottom w:val="single" w:sz="12" w:space="0" w:color="000000"/>'
               '<w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>')
    out = [
        f"<w:tbl {nsdecls('w')}><w:tblPr>", f'<w:tblW w:w="{width}" w:type="dxa"/>', borders,
        '<w:tblLayout w:type="fixed"/>',
        '<w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
        '<w:bottom w:w="57" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>',
        '<w:tblLook w:val="0020" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>',
        "".join(f'<w:gridCol w:w="{w}"/>' for w in widths), "</w:tblGrid>",
    ]
    out.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
    head_border = '<w:tcBorders><w:bottom w:val="single" w:sz="6" w:space="0" w:color="000000"/></w:tcBorders>'
    for i, (h, w) in enumerate(zip(headers, widths)):
        out.append(_cell(w, style_id, h, bold=True, right=i >= len(headers) - 2, border=head_border))
    out.append("</w:tr>")
    out[-len(headers) - 2:] = [dc.keep_rows_with_next("".join(out[-len(headers) - 2:]))]
    theme_rule = '<w:tcBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/></w:tcBorders>'
    for n, r in enumerate(rows):
        border = theme_rule if r.level == 1 and n > 0 else ""
        cells = [_cell(widths[0], style_id, r.name, bold=r.level == 1, indent=(r.level - 1) * 227, border=border),
                 _cell(widths[1], style_id, r.description, border=border)]
        if with_summary:
            cells.append(_cell(widths[2], style_id, r.summary, border=border))
        cells.append(_cell(widths[-2], style_id, str(r.codings_total), right=True, border=border))
        cells.append(_cell(widths[-1], style_id, str(r.cases_total), right=True, border=border))
        out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>" + "".join(cells) + "</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def write_codebook_docx(rows: list[CodebookRow], path: str | Path | Output, project: str, font: str = "Arial",
                        font_size: float = 10, page_size: str = "A4", landscape: bool | None = None,
                        date: _dt.date | None = None, authors: str = "") -> Path:
    date = date or _dt.date.today()
    with_summary = any(r.summary for r in rows)
    if landscape is None:
        landscape = with_summary
    doc = dc.new_document(font, font_size, page_size)
    dc.setup_section(doc.sections[0], page_size, landscape)
    style_id = dc.add_paragraph_style(doc, "Codebook Text", font, font_size, line=1.0)
    note_id = dc.add_paragraph_style(doc, "Table Note", font, max(font_size - 1, 6), space_after=6)
    doc.styles["Table Note"].paragraph_format.space_before = dc.Pt(3)
    doc.add_paragraph("Codebook", style="Title")
    facts = doc.add_paragraph()
    facts.add_run("Project: ").bold = True  # the study's title (the setting), else the file name
    facts.add_run(dc.clean_text(project))
    if authors.strip():
        facts.add_run("\nAuthors: ").bold = True
        facts.add_run(dc.clean_text(authors.strip()))
    facts.add_run("\nDate: ").bold = True
    facts.add_run(f"{date.day} {date:%B %Y}")
    themes = sum(1 for r in rows if r.level == 1)
    facts.add_run("\nContents: ").bold = True
    facts.add_run(f"{len(rows)} codes in {themes} theme{'s' if themes != 1 else ''}")
    dc.append_xml(doc, codebook_table_xml(rows, dc.text_width(page_size, landscape), style_id, with_summary,
                                                 font_size))
    dc.append_xml(doc, f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="{note_id}"/></w:pPr>'
                       f'<w:r><w:t xml:space="preserve">{dc.xml_text(NOTE)}</w:t></w:r></w:p>')
    dc.page_number_footer(doc.sections[0])
    return dc.save(doc, path)
