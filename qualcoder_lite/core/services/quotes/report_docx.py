"""Supplementary quote tables as a Word document.

Layout, as journals print them: a title page (title, project, date, a method note, the list
of tables), then one table per theme captioned "Table S2.1 <theme>", a three-line
("booktabs") table by default — rules above and below the header and under the last row,
a hairline where a new sub-theme starts — with the header row repeated on every page,
rows that do not split across pages and a short note under each table. The sub-theme is
named on every row of its run (in grey after the first), so a page that continues a run
still says which sub-theme it is in.

Rows are written as WordprocessingML text and parsed once per table (see docx_common):
5,000 quotes take well under a second.

It lives with the quotes (not in ``formats/``) because it prints the quote report's own
model: ``QuoteReport`` with its method note, ``table_rows`` and ``cell_text`` decide what
each row says; ``formats/docx_common`` gives it the Word building blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from docx.oxml.ns import nsdecls

from ...formats import docx_common as dc
from ...formats import docx_stream
from .quotes import Column, Progress, Quote, QuoteReport, QuoteTable, cell_text, conventions_note

if TYPE_CHECKING:
    from ...outfile import Output

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
    """Twips per column, from the measured text (``docx_common.fit_widths``): narrow columns
    as wide as their longest line where there is room and never narrower than their longest
    word (a citation such as "(CQL_02, urban affluent/mixed area)" may wrap between words,
    never inside one); the quote (and memo) columns share the rest."""
    texts: list[list[str]] = [[c.header] for c in columns]
    # the narrow columns' cells as ``table_rows`` gives them (a sub-theme only where its run
    # starts), without making the quote and memo cells
    narrow_cols = [(i, c) for i, c in enumerate(columns) if c.key not in ("quote", "memo")]
    show_sub = any(c.key == "subtheme" for c in columns)
    for t in tables:
        for group in t.groups:
            prev = None
            for q in group.quotes:
                new_run = q.subtheme != prev
                prev = q.subtheme
                for i, c in narrow_cols:
                    texts[i].append("" if show_sub and not new_run and c.key == "subtheme" else cell_text(q, c))
    flexible = [c.key in ("quote", "memo") for c in columns]
    if not any(flexible):
        return dc.fit_widths(texts, total, font_size)
    narrow = dc.fit_widths(texts, total, font_size, flexible=flexible, max_line=int(total * 0.22))
    # the quote column keeps at least about half the line (shares as before: quote 62 %, memo 38 %)
    floor = int(total * (0.56 if sum(flexible) == 1 else 0.66))
    fixed = sum(w for w, f in zip(narrow, flexible) if not f)
    mins = [max((dc.longest_word(t, font_size) for t in set(col)), default=0) + dc.CELL_PAD for col in texts]
    if total - fixed < floor:
        fixed_cols = [i for i, f in enumerate(flexible) if not f]
        room = total - floor
        lo = sum(max(mins[i], 1) for i in fixed_cols)
        for i in fixed_cols:
            narrow[i] = max(mins[i], int(narrow[i] * room / max(1, fixed))) if room > lo else mins[i]
        fixed = sum(narrow[i] for i in fixed_cols)
    rest = total - fixed
    shares = [0.62 if c.key == "quote" else 0.38 for c in columns] if sum(flexible) > 1 else [1.0] * len(columns)
    out = [int(rest * shares[i]) if flexible[i] else narrow[i] for i in range(len(columns))]
    out[-1] += total - sum(out)
    return out


CONTINUED = "808080"  # a sub-theme's name on the rows after the first of its run


def _run(text: str, bold: bool = False, italic: bool = False, color: str = "") -> str:
    if not text:
        return ""
    rpr = ""
    if bold or italic or color:
        rpr = ("<w:rPr>" + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
               + (f'<w:color w:val="{color}"/>' if color else "") + "</w:rPr>")
    # written as lxml writes it (the rows go into the file unparsed: docx_stream.table_bytes)
    body = "<w:br/>".join(map(docx_stream.preserved_text, text.split("\n")))
    return f"<w:r>{rpr}{body}</w:r>"


def _plain_run(text: str) -> str:
    """``_run(text)``: a run without properties (most cells)."""
    if not text:
        return ""
    if "\n" in text:
        return "<w:r>" + "<w:br/>".join(map(docx_stream.preserved_text, text.split("\n"))) + "</w:r>"
    return "<w:r>" + docx_stream.preserved_text(text) + "</w:r>"


def _para(style_id: str, text: str, bold: bool = False, italic: bool = False, ns: bool = False,
          color: str = "") -> str:
    open_p = f"<w:p {nsdecls('w')}>" if ns else "<w:p>"
    return f'{open_p}<w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>{_run(text, bold, italic, color)}</w:p>'


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
    """The table as one string of body elements: one ``w:tbl`` per group block (a tiny
    paragraph between blocks), see ``table_blocks``."""
    return dc.spacer_xml().join(table_blocks(table, columns, widths, style, text_style))


def table_blocks(table: QuoteTable, columns: list[Column], widths: list[int], style: str,
                 text_style: str) -> list[str]:
    """One ``w:tbl`` per group of rows (one in all when ungrouped), see ``block_rows``."""
    pre = _table_start(widths, style)
    return [pre + "".join(rows) + "</w:tbl>" for rows in block_rows(table, columns, widths, style, text_style)]


def block_rows(table: QuoteTable, columns: list[Column], widths: list[int], style: str,
               text_style: str) -> Iterator[list[str]]:
    """The rows (``w:tr`` strings) of each ``w:tbl`` block: one block per group of rows (one
    in all when ungrouped). Each block starts with header rows that repeat on every page it
    runs onto — the column headings and, when grouped, the group's name — so a continuation
    page always shows which group it is in. Header rows are kept with the first row; no row
    splits across pages. (The rows of ``quotes.table_rows``, each written from templates
    made once per table.)"""
    total = sum(widths)
    ncol = len(columns)
    header_xml = _header_row(columns, widths, style, text_style)
    run_rule = ('<w:tcBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/></w:tcBorders>'
                if style in ("journal", "plain") else "")
    p_open = f'<w:p><w:pPr><w:pStyle w:val="{text_style}"/></w:pPr>'
    opens = [f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>' for w in widths]
    plain = [f"{o}</w:tcPr>{p_open}" for o in opens]
    ruled = [f"{o}{run_rule}</w:tcPr>{p_open}" for o in opens]
    cells = [(i, c.key, c) for i, c in enumerate(columns)]
    written: dict[str, str] = {}  # a narrow cell's text -> its run
    grey: dict[str, str] = {}  # a continued sub-theme -> its grey run
    out: list[str] = []
    first_after_heading = True
    for group in table.groups:
        if group.label is not None or not out:
            if out:
                yield out
            out = [header_xml]
        if group.label is not None:
            out.append(dc.keep_rows_with_next(
                f'<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr><w:tc><w:tcPr><w:tcW w:w="{total}" w:type="dxa"/>'
                f'<w:gridSpan w:val="{ncol}"/><w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/></w:tcPr>'
                f"{_para(text_style, str(group.label), bold=True, italic=True)}</w:tc></w:tr>"
            ))
            first_after_heading = True
        prev = None
        for quote in group.quotes:
            new_run = quote.subtheme != prev
            prev = quote.subtheme
            starts = ruled if new_run and not first_after_heading else plain
            first_after_heading = False
            tr = ["<w:tr><w:trPr><w:cantSplit/></w:trPr>"]
            for i, key, col in cells:
                tr.append(starts[i])
                if key == "quote":
                    runs = quote_runs(quote)
                    if len(runs) == 1 and not runs[0][1]:
                        tr.append(_plain_run(runs[0][0]))
                    else:
                        tr.extend([_run(text, italic=italic) for text, italic in runs])
                elif key == "subtheme" and not new_run:
                    # Word decides the page breaks, so every row of a run carries its sub-theme (in
                    # grey after the first): a continuation page always shows which one it is in.
                    # (A merged cell's text would not be repeated on the next page.)
                    run = grey.get(quote.subtheme)
                    if run is None:
                        run = grey[quote.subtheme] = _run(quote.subtheme, color=CONTINUED)
                    tr.append(run)
                else:
                    value = cell_text(quote, col)
                    run = written.get(value)  # (a citation recurs on every quote of its participant)
                    if run is None:
                        run = written[value] = _plain_run(value)
                    tr.append(run)
                tr.append("</w:p></w:tc>")
            tr.append("</w:tr>")
            out.append("".join(tr))
    if out:
        yield out


def _table_start(widths: list[int], style: str) -> str:
    """A block's ``w:tbl`` opening: properties (fixed layout, borders of the style, cell
    margins) and the column grid."""
    return "".join([
        f"<w:tbl {nsdecls('w')}><w:tblPr>",
        '<w:tblStyle w:val="TableGrid"/>' if style == "grid" else "",
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/>',
        _borders(style),
        '<w:tblLayout w:type="fixed"/>',
        '<w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
        '<w:bottom w:w="57" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>',
        '<w:tblLook w:val="0020" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="1" w:noVBand="1"/>',
        "</w:tblPr><w:tblGrid>",
        "".join(f'<w:gridCol w:w="{w}"/>' for w in widths),
        "</w:tblGrid>",
    ])


def _header_row(columns: list[Column], widths: list[int], style: str, text_style: str) -> str:
    """The column headings: a header row repeated on every page, kept with the next row."""
    head_border = ('<w:tcBorders><w:bottom w:val="single" w:sz="6" w:space="0" w:color="000000"/></w:tcBorders>'
                   if style != "grid" else "")
    head_shade = '<w:shd w:val="clear" w:color="auto" w:fill="D9D9D9"/>' if style == "grid" else ""
    header = ["<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"]
    for col, w in zip(columns, widths):
        header.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{head_border}{head_shade}'
                      f'<w:vAlign w:val="bottom"/></w:tcPr>{_para(text_style, col.header, bold=True)}</w:tc>')
    header.append("</w:tr>")
    return dc.keep_rows_with_next("".join(header))


def table_columns(table: QuoteTable, columns: list[Column]) -> list[Column]:
    """The columns this table prints: no Sub-theme column when the table has no sub-themes
    (every quote is coded at the table's own code)."""
    own = table.code_path[-1] if table.code_path else ""
    if any(c.key == "subtheme" for c in columns) and all(q.subtheme in ("", own) for q in table.quotes):
        rest = [c for c in columns if c.key != "subtheme"]
        return rest or columns
    return columns


def _note(table: QuoteTable) -> str:
    n = len(table.quotes)
    p = len(table.participants)
    text = f"{n} quote{'s' if n != 1 else ''} from {p} participant{'s' if p != 1 else ''}."
    marks = conventions_note(table.conventions)
    return f"{text} {marks}" if marks else text


def _title_page(doc, report: QuoteReport) -> None:
    """Title, study facts, the method note and the list of tables."""
    opts = report.options
    doc.add_paragraph(dc.clean_text(opts.title), style="Title")
    facts = doc.add_paragraph()
    # the study's title and authors (File ▸ Project properties), else the project's name
    facts.add_run("Study: " if report.study_title else "Project: ").bold = True
    facts.add_run(dc.clean_text(report.study_title or report.project))
    if report.authors:
        facts.add_run("\nAuthors: ").bold = True
        facts.add_run(dc.clean_text(report.authors))
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
        n = len(t.quotes)
        p.add_run(f"  {dc.clean_text(t.title)} ({n} quote{'s' if n != 1 else ''})")


def write_quote_report(report: QuoteReport, path: str | Path | Output, progress: Progress | None = None) -> Path:
    """Write the report as .docx (atomically). ``progress(done, total, label)`` returning
    False cancels (InterruptedError; no file is written). The tables are written straight
    into the file as they are laid out (``docx_stream``): they are never one document tree."""
    opts = report.options
    doc = dc.new_document(opts.font, opts.font_size, opts.page_size)
    text_style = dc.add_paragraph_style(doc, "Quote Table Text", opts.font, opts.font_size, line=1.0)
    note_style = dc.add_paragraph_style(doc, "Table Note", opts.font, max(opts.font_size - 1, 6), space_after=6)
    doc.styles["Table Note"].paragraph_format.space_before = dc.Pt(3)
    total_steps = len(report.tables) + 1

    _title_page(doc, report)
    dc.page_number_footer(doc.sections[0])
    dc.new_section(doc, opts.page_size, opts.landscape)
    captions = [_caption_bytes(doc, report, i, t) for i, t in enumerate(report.tables)]

    def body() -> Iterator[bytes]:
        width = dc.text_width(opts.page_size, opts.landscape)
        for i, t in enumerate(report.tables):
            if progress is not None and not progress(i, total_steps, f"Writing {t.label}"):
                raise InterruptedError("report cancelled")
            columns = table_columns(t, report.columns)
            widths = column_widths(columns, [t], width, opts.font_size)
            yield captions[i]
            pre = _table_start(widths, opts.table_style)
            for b, rows in enumerate(block_rows(t, columns, widths, opts.table_style, text_style)):
                if b:
                    yield docx_stream.element_bytes(dc.spacer_xml())
                yield from docx_stream.table_bytes(pre, rows, canonical=True)
            yield docx_stream.element_bytes(_para(note_style, _note(t), ns=True))
        if progress is not None and not progress(len(report.tables), total_steps, "Saving"):
            raise InterruptedError("report cancelled")

    out = docx_stream.save_with_body(doc, path, body)
    if progress is not None:
        progress(total_steps, total_steps, "Done")
    return out


def _caption_bytes(doc, report: QuoteReport, i: int, t: QuoteTable) -> bytes:
    """Table ``i``'s caption: a SEQ field numbering it when its number is a number."""
    opts = report.options
    number = t.number[len(opts.prefix):] if t.number.startswith(opts.prefix) else t.number
    if number.isdigit():  # a real caption: Word's SEQ field, its cached result the number
        return docx_stream.element_bytes(dc.caption_xml(
            f"Table {opts.prefix}", int(number), dc.clean_text(t.title),
            restart=int(number) if i == 0 else None, space_before=0 if i == 0 else None))
    cap = doc.add_paragraph(style="Caption")  # python-docx's own paragraph, then taken out
    cap.add_run(t.label).bold = True
    cap.add_run(" " + dc.clean_text(t.title))
    cap._p.getparent().remove(cap._p)
    return docx_stream.detached_bytes(cap._p)
