"""Supplementary quote tables as a Word document.

Layout, as journals print them: a title page (title, project, date, a method note, the list
of tables), then one table per theme captioned "Table S2.1 <theme>", a three-line
("booktabs") table by default — rules above and below the header and under the last row,
a hairline where a new sub-theme starts — with the header row repeated on every page,
rows that do not split across pages and a short note under each table.

Rows are written as WordprocessingML text and parsed once per table (see docx_common):
5,000 quotes take well under a second.
"""

from __future__ import annotations

from pathlib import Path

from docx.oxml.ns import nsdecls

from ..services.quotes import Column, Progress, Quote, QuoteReport, QuoteTable, conventions_note, table_rows
from . import docx_common as dc

# Border sets per table style: (table borders, header bottom, run separator, group shading)
_RULE = '<w:{side} w:val="single" w:sz="{sz}" w:space="0" w:color="{color}"/>'
_NONE = '<w:{side} w:val="nil"/>'


def _borders(style: str) -> str:
    sides = ("top", "left", "bottom", "right", "insideH", "insideV")
    if style == "grid":
        inner = "".join(_RULE.format(side=s, sz=4, color="000000") for s in sides)
    elif style == "plain":
        inner = "".join(_NONE.format(side=s) for s in sides)
    else:  # journal: heavy rules top and bottom only
        inner = "".join(
            _RULE.format(side=s, sz=12, color="000000") if s in ("top", "bottom") else _NONE.format(side=s)
            for s in sides
        )
    return f"<w:tblBorders>{inner}</w:tblBorders>"


def column_widths(columns: list[Column], tables: list[QuoteTable], total: int, font_size: float) -> list[int]:
    """Twips per column: narrow columns as wide as their content needs (within limits), the
    quote (and memo) columns share the rest."""
    char = font_size * 20 * 0.52  # an average character, in twips
    pad = 2 * 85 + 30
    flexible = [c.key in ("quote", "memo") for c in columns]
    caps = {"subtheme": 24, "participant": 26, "code": 28, "source": 20}
    need: list[float] = []
    for i, col in enumerate(columns):
        if flexible[i]:
            need.append(0)
            continue
        longest_word = max((len(w) for w in col.header.split()), default=4)
        longest = len(col.header)
        for t in tables:
            for kind, row in table_rows(t, columns):
                if kind != "quote":
                    continue
                value = row[1][i]
                longest = max(longest, len(value))
                if value:
                    longest_word = max(longest_word, max(len(w) for w in value.split()))
        chars = max(longest_word, min(longest, caps.get(col.key, 22)))
        need.append(chars * char + pad)
    fixed = sum(need)
    n_flex = sum(flexible)
    if n_flex:
        floor = total * (0.56 if n_flex == 1 else 0.66)
        if total - fixed < floor and fixed > 0:
            scale = (total - floor) / fixed
            need = [w * scale for w in need]
            fixed = sum(need)
        rest = total - fixed
        shares = [0.62 if c.key == "quote" else 0.38 for c in columns] if n_flex > 1 else [1.0] * len(columns)
        widths = [rest * shares[i] if flexible[i] else need[i] for i in range(len(columns))]
    else:
        scale = total / fixed if fixed else 1
        widths = [w * scale for w in need]
    out = [int(w) for w in widths]
    out[-1] += total - sum(out)
    return out


def _run(text: str, bold: bool = False, italic: bool = False) -> str:
    if not text:
        return ""
    rpr = ""
    if bold or italic:
        rpr = "<w:rPr>" + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") + "</w:rPr>"
    parts = text.split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{dc.xml_text(p)}</w:t>' for p in parts)
    return f"<w:r>{rpr}{body}</w:r>"


def _para(style_id: str, text: str, bold: bool = False, italic: bool = False, ns: bool = False) -> str:
    open_p = f"<w:p {nsdecls('w')}>" if ns else "<w:p>"
    return f'{open_p}<w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>{_run(text, bold, italic)}</w:p>'


def _runs_para(style_id: str, runs: list[tuple[str, bool]]) -> str:
    """A paragraph of runs ``[(text, italic)]`` (a quote: the transcriber's notes in italics)."""
    body = "".join(_run(text, italic=italic) for text, italic in runs)
    return f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>{body}</w:p>'


def quote_runs(quote: Quote) -> list[tuple[str, bool]]:
    """A quote cell's runs, from the one renderer's pieces."""
    if quote.rendered is None:
        return [(quote.quoted, False)]
    return quote.rendered.runs()


def table_xml(table: QuoteTable, columns: list[Column], widths: list[int], style: str, text_style: str) -> str:
    total = sum(widths)
    ncol = len(columns)
    out: list[str] = [
        f"<w:tbl {nsdecls('w')}><w:tblPr>",
        '<w:tblStyle w:val="TableGrid"/>' if style == "grid" else "",
        f'<w:tblW w:w="{total}" w:type="dxa"/>',
        _borders(style),
        '<w:tblLayout w:type="fixed"/>',
        '<w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
        '<w:bottom w:w="57" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>',
        '<w:tblLook w:val="0020" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="1" w:noVBand="1"/>',
        "</w:tblPr><w:tblGrid>",
        "".join(f'<w:gridCol w:w="{w}"/>' for w in widths),
        "</w:tblGrid>",
    ]
    head_border = ('<w:tcBorders><w:bottom w:val="single" w:sz="6" w:space="0" w:color="000000"/></w:tcBorders>'
                   if style != "grid" else "")
    head_shade = '<w:shd w:val="clear" w:color="auto" w:fill="D9D9D9"/>' if style == "grid" else ""
    out.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
    for col, w in zip(columns, widths):
        out.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{head_border}{head_shade}'
                   f'<w:vAlign w:val="bottom"/></w:tcPr>{_para(text_style, col.header, bold=True)}</w:tc>')
    out.append("</w:tr>")
    run_rule = ('<w:tcBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/></w:tcBorders>'
                if style in ("journal", "plain") else "")
    first_after_heading = True
    for kind, row in table_rows(table, columns):
        if kind == "group":
            rule = ('<w:tcBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tcBorders>'
                    if style in ("journal", "plain") and not first_after_heading else "")
            out.append(
                f'<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w="{total}" w:type="dxa"/>'
                f'<w:gridSpan w:val="{ncol}"/>{rule}<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/></w:tcPr>'
                f"{_para(text_style, str(row), bold=True, italic=True)}</w:tc></w:tr>"
            )
            first_after_heading = True
            continue
        quote, cells, new_run = row  # type: ignore[misc]
        border = run_rule if new_run and not first_after_heading else ""
        first_after_heading = False
        out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        for col, w, value in zip(columns, widths, cells):
            merge = ""
            if style == "grid" and col.key == "subtheme":  # with all borders drawn, merge the run's cells
                merge = '<w:vMerge w:val="restart"/>' if new_run else "<w:vMerge/>"
            body = _runs_para(text_style, quote_runs(quote)) if col.key == "quote" else _para(text_style, value)
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{merge}{border}</w:tcPr>'
                       f"{body}</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _note(table: QuoteTable) -> str:
    n = len(table.quotes)
    p = len(table.participants)
    text = f"{n} quote{'s' if n != 1 else ''} from {p} participant{'s' if p != 1 else ''}."
    marks = conventions_note(table.conventions)
    return f"{text} {marks}" if marks else text


def write_quote_report(report: QuoteReport, path: str | Path, progress: Progress | None = None) -> Path:
    """Write the report as .docx (atomically). ``progress(done, total, label)`` returning
    False cancels (InterruptedError; no file is written)."""
    opts = report.options
    doc = dc.new_document(opts.font, opts.font_size, opts.page_size)
    text_style = dc.add_paragraph_style(doc, "Quote Table Text", opts.font, opts.font_size, line=1.0)
    note_style = dc.add_paragraph_style(doc, "Table Note", opts.font, max(opts.font_size - 1, 6), space_after=6)
    doc.styles["Table Note"].paragraph_format.space_before = dc.Pt(3)
    total_steps = len(report.tables) + 1

    # -- title page --------------------------------------------------------------------
    doc.add_paragraph(dc.clean_text(opts.title), style="Title")
    facts = doc.add_paragraph()
    facts.add_run("Project: ").bold = True
    facts.add_run(dc.clean_text(report.project))
    facts.add_run("\nDate: ").bold = True
    facts.add_run(f"{report.date.day} {report.date:%B %Y}")
    facts.add_run("\nContents: ").bold = True
    facts.add_run(report.summary())
    note = report.method_note.strip()
    if note:
        doc.add_paragraph("Method note", style="Heading 2")
        for block in note.split("\n\n"):
            if block.strip():
                doc.add_paragraph(dc.clean_text(" ".join(block.split())))
    doc.add_paragraph("Tables", style="Heading 2")
    for t in report.tables:
        p = doc.add_paragraph()
        p.paragraph_format.space_after = dc.Pt(2)
        p.add_run(t.label).bold = True
        p.add_run(f"  {dc.clean_text(t.title)} ({len(t.quotes)} quotes)")
    dc.page_number_footer(doc.sections[0])

    # -- the tables ------------------------------------------------------------------
    dc.new_section(doc, opts.page_size, opts.landscape)
    width = dc.text_width(opts.page_size, opts.landscape)
    widths = column_widths(report.columns, report.tables, width, opts.font_size)
    for i, t in enumerate(report.tables):
        if progress is not None and not progress(i, total_steps, f"Writing {t.label}"):
            raise InterruptedError("report cancelled")
        cap = doc.add_paragraph(style="Caption")
        if i == 0:
            cap.paragraph_format.space_before = dc.Pt(0)
        cap.add_run(t.label).bold = True
        cap.add_run(" " + dc.clean_text(t.title))
        dc.append_xml(doc, table_xml(t, report.columns, widths, opts.table_style, text_style))
        dc.append_xml(doc, _para(note_style, _note(t), ns=True))
    if progress is not None and not progress(len(report.tables), total_steps, "Saving"):
        raise InterruptedError("report cancelled")
    out = dc.save(doc, path)
    if progress is not None:
        progress(total_steps, total_steps, "Done")
    return out
