"""A quote table as simple HTML (the report dialog's live preview; Qt's rich text engine
renders this subset). Same rows and cells as the Word writer, via ``quotes.table_rows``;
the quote cell from the renderer's runs (transcriber notes in italics). With ``links``
each quote is a link ``quote:<coding id>`` (the preview opens the quote editor there)."""

from __future__ import annotations

from html import escape

from .quotes import Quote, QuoteReport, QuoteTable, table_rows


QUOTE_LINK = "quote:"


def quote_html(quote: Quote, link: bool = False) -> str:
    runs = quote.rendered.runs() if quote.rendered is not None else [(quote.quoted, False)]
    body = "".join(f"<i>{escape(t)}</i>" if italic else escape(t) for t, italic in runs)
    if link:
        return (f'<a href="{QUOTE_LINK}{quote.coding_id}" style="color: #000000; text-decoration: none;" '
                f'title="Click to edit this quote">{body}</a>')
    return body


def table_html(report: QuoteReport, table: QuoteTable, max_rows: int | None = 200, links: bool = False) -> str:
    opts = report.options
    cols = report.columns
    font = escape(opts.font)
    rule = "1px solid #000" if opts.table_style != "plain" else "none"
    grid = opts.table_style == "grid"
    cell_border = "border: 1px solid #000;" if grid else ""
    out = [
        f'<div style="font-family: \'{font}\'; font-size: {opts.font_size:g}pt;">',
        f'<p style="margin-bottom: 4px;"><b>{escape(table.label)}</b> {escape(table.title)}</p>',
        '<table width="100%" cellspacing="0" cellpadding="4" style="border-collapse: collapse; '
        'border-top: 2px solid #000; border-bottom: 2px solid #000;">',
        "<thead><tr>",
    ]
    for c in cols:
        style = f"border-bottom: {rule}; {cell_border}"
        if grid:
            style += " background-color: #d9d9d9;"
        width = ' width="55%"' if c.key == "quote" else ""
        out.append(f'<th align="left" valign="bottom"{width} style="{style}">{escape(c.header)}</th>')
    out.append("</tr></thead><tbody>")
    shown = 0
    for kind, row in table_rows(table, cols):
        if max_rows is not None and shown >= max_rows:
            out.append(f'<tr><td colspan="{len(cols)}"><i>… {len(table.quotes) - shown} more rows</i></td></tr>')
            break
        if kind == "group":
            out.append(f'<tr><td colspan="{len(cols)}" style="background-color: #f2f2f2; {cell_border}">'
                       f"<b><i>{escape(str(row))}</i></b></td></tr>")
            continue
        q, cells, new_run = row
        top = "border-top: 1px solid #a6a6a6;" if new_run and shown and not grid else ""
        out.append("<tr>" + "".join(
            f'<td valign="top" style="{top}{cell_border}">'
            f'{quote_html(q, links) if c.key == "quote" else escape(v)}</td>' for c, v in zip(cols, cells)) + "</tr>")
        shown += 1
    out.append("</tbody></table>")
    n, p = len(table.quotes), len(table.participants)
    out.append(f'<p style="font-size: {max(opts.font_size - 1, 6):g}pt;">{n} quote{"s" if n != 1 else ""} '
               f'from {p} participant{"s" if p != 1 else ""}.</p></div>')
    return "".join(out)
