"""Shared pieces of the Word writers: a clean document (one font, black headings, A4),
page setup, a page-number footer, fast XML for table rows and a safe save.

Rows of big tables are written as WordprocessingML text and parsed once per table: the
per-cell python-docx API costs milliseconds per cell, which is minutes for 5,000 quotes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, RGBColor, Twips

if TYPE_CHECKING:
    from ..outfile import Output


TWIPS_PER_CM = 567
PAGE = {"A4": (11906, 16838), "Letter": (12240, 15840)}  # twips, portrait
MARGIN = 1134  # 2 cm
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# Characters XML 1.0 cannot carry (form feeds and other C0 controls in odd transcripts).
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(s: str) -> str:
    return escape(_BAD_XML.sub("", s), {'"': "&quot;"})


def clean_text(s: str) -> str:
    return _BAD_XML.sub("", s)


def new_document(font: str, size: float, page_size: str = "A4"):
    """A python-docx document with every style in ``font``, black headings and A4 pages."""
    doc = docx.Document()
    styles_el = doc.styles.element
    # One font everywhere: replace theme fonts in the defaults and every style.
    for rfonts in styles_el.iter(qn("w:rFonts")):
        for attr in list(rfonts.attrib):
            del rfonts.attrib[attr]
        for a in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            rfonts.set(qn(a), font)
    defaults = styles_el.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None and rpr.find(qn("w:rFonts")) is None:
            rpr.insert(0, parse_xml(f'<w:rFonts {nsdecls("w")} w:ascii="{xml_text(font)}" '
                                    f'w:hAnsi="{xml_text(font)}" w:cs="{xml_text(font)}" '
                                    f'w:eastAsia="{xml_text(font)}"/>'))
    normal = doc.styles["Normal"]
    normal.font.name = font
    normal.font.size = Pt(size + 1)
    normal.paragraph_format.space_after = Pt(6)
    for name, pts, bold in (("Title", 20, True), ("Heading 1", 14, True), ("Heading 2", 12, True),
                            ("Subtitle", 12, False), ("Caption", size + 1, False)):
        st = doc.styles[name]
        st.font.name = font
        st.font.size = Pt(pts)
        st.font.bold = bold
        st.font.italic = False
        st.font.color.rgb = RGBColor(0, 0, 0)
        pf = st.paragraph_format
        pf.space_before = Pt(0 if name in ("Title", "Caption") else 12)
        pf.space_after = Pt(6)
        _drop_borders(st.element)
    doc.styles["Caption"].paragraph_format.keep_with_next = True
    doc.styles["Caption"].paragraph_format.space_before = Pt(18)
    for st in (doc.styles["Title"],):
        st.paragraph_format.space_after = Pt(12)
    setup_section(doc.sections[0], page_size, landscape=False)
    return doc


def _drop_borders(style_el) -> None:
    ppr = style_el.find(qn("w:pPr"))
    if ppr is not None:
        for b in ppr.findall(qn("w:pBdr")):
            ppr.remove(b)


def setup_section(section, page_size: str, landscape: bool) -> None:
    w, h = PAGE.get(page_size, PAGE["A4"])
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Twips(h), Twips(w)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Twips(w), Twips(h)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Twips(MARGIN))
    section.header_distance = Twips(567)
    section.footer_distance = Twips(567)


def text_width(page_size: str, landscape: bool) -> int:
    """Usable width in twips."""
    w, h = PAGE.get(page_size, PAGE["A4"])
    return (h if landscape else w) - 2 * MARGIN


def new_section(doc, page_size: str, landscape: bool):
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    setup_section(section, page_size, landscape)
    return section


def page_number_footer(section, prefix: str = "", size: float = 9) -> None:
    """``prefix`` followed by the page number (a PAGE field), centred."""
    p = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
    p.alignment = 1  # centre
    sz = int(size * 2)
    prefix_run = (f'<w:r><w:rPr><w:sz w:val="{sz}"/></w:rPr><w:t xml:space="preserve">{xml_text(prefix)}</w:t></w:r>'
                  if prefix else "")
    xml = (
        f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/></w:pPr>{prefix_run}'
        f'<w:r><w:rPr><w:sz w:val="{sz}"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:rPr><w:sz w:val="{sz}"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        f'<w:r><w:rPr><w:sz w:val="{sz}"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r>'
        f'<w:r><w:rPr><w:sz w:val="{sz}"/></w:rPr><w:t>1</w:t></w:r>'
        f'<w:r><w:rPr><w:sz w:val="{sz}"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    new_p = parse_xml(xml)
    p._p.addprevious(new_p)
    p._p.getparent().remove(p._p)


def add_paragraph_style(doc, name: str, font: str, size: float, space_after: float = 0,
                        line: float | None = None):
    """A paragraph style based on Normal (table text, notes); returns its style id."""
    from docx.enum.style import WD_STYLE_TYPE

    st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    st.base_style = doc.styles["Normal"]
    st.font.name = font
    st.font.size = Pt(size)
    pf = st.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(space_after)
    if line is not None:
        pf.line_spacing = line
    st.quick_style = False
    return st.style_id


def append_xml(doc, xml: str) -> None:
    """Parse a body-level element (a ``w:tbl`` or ``w:p`` with ``nsdecls``) and append it
    before the final section properties."""
    append_element(doc, parse_xml(xml))


def append_element(doc, el) -> None:
    """Append ``el`` to the body, before the final section properties."""
    body = doc.element.body
    sect = body.find(qn("w:sectPr"))
    if sect is not None:
        sect.addprevious(el)
    else:
        body.append(el)


def save(doc, path: str | Path | Output) -> Path:
    """Write the document through the one output guard (never onto a project; a temporary
    file beside it, renamed into place, so a failed export never leaves a half-written
    file or clobbers the previous one)."""
    from .. import outfile

    return outfile.write_file(path, lambda tmp: doc.save(str(tmp)))


# ----------------------------------------------------------------------------- table layout
# Advance widths of a sans-serif face (Helvetica/Arial metrics, 1000 units per em): text is
# measured the same way on every machine, with or without the fonts installed, and a little
# generously so Word's and LibreOffice's own fonts fit in the room given.
_NARROW = set("iljI.,;:'!|`") 
_SEMI = set("frt()[]{}- /\"")
_WIDE = set("mwMW@%")


def _char_units(ch: str) -> int:
    if ch in _NARROW:
        return 278
    if ch in _SEMI:
        return 333
    if ch in _WIDE:
        return 889
    if ch.isupper() or ch in "_&#~":
        return 667
    if ch.isdigit():
        return 556
    if ord(ch) > 0x2E80:  # CJK and other full-width scripts
        return 1000
    return 556


_UNITS: dict[str, int] = {}  # _char_units of each character met so far


def measure(text: str, size: float, bold: bool = False) -> int:
    """The width of ``text`` on one line at ``size`` points, in twips."""
    try:
        units = sum(map(_UNITS.__getitem__, text))
    except KeyError:
        _UNITS.update((ch, _char_units(ch)) for ch in set(text) if ch not in _UNITS)
        units = sum(map(_UNITS.__getitem__, text))
    if bold:
        units = int(units * 1.07)
    return int(units * size * 20 / 1000 * 1.15) + 1  # room for wider faces (DejaVu Sans)


def longest_word(text: str, size: float, bold: bool = False) -> int:
    if len(text) <= 200:  # a citation is measured in every table it is in: short texts are kept
        return _short_longest_word(text, size, bold)
    return max((measure(w, size, bold) for w in text.split()), default=0)


@functools.lru_cache(maxsize=8192)
def _short_longest_word(text: str, size: float, bold: bool) -> int:
    return max((measure(w, size, bold) for w in text.split()), default=0)


CELL_PAD = 2 * 85 + 40  # left and right cell margins and a little air, in twips


def fit_widths(columns: list[list[str]], total: int, size: float, flexible: list[bool] | None = None,
               bold_first: bool = True, max_line: int | None = None,
               bold_columns: frozenset[int] = frozenset()) -> list[int]:
    """Column widths (twips) from content: each column at least as wide as its longest word
    (so no word is ever broken inside, while the table fits), as wide as its longest line
    where there is room, and ``flexible`` columns (long text: quotes, summaries) sharing
    what is left. ``columns[i][0]`` is the header (measured bold)."""
    n = len(columns)
    flexible = flexible or [False] * n
    max_line = max_line or total // 2
    mins, maxs = [], []
    for i, texts in enumerate(columns):
        lo = hi = 0
        seen: set[str] = set()  # past the header a text measures the same each time (a citation per quote)
        for j, t in enumerate(texts):
            if j:
                if t in seen:
                    continue
                seen.add(t)
            bold = (bold_first and j == 0) or i in bold_columns
            for line in (t or "").split("\n"):
                lo = max(lo, longest_word(line, size, bold))
                hi = max(hi, measure(line, size, bold))
        mins.append(lo + CELL_PAD)
        maxs.append(min(max(hi, lo), max_line) + CELL_PAD)
    for i in range(n):
        if flexible[i]:
            maxs[i] = max(maxs[i], mins[i])
    smin, smax = sum(mins), sum(maxs)
    if smin >= total:  # words longer than the page: shrink in proportion (nothing else fits)
        widths = [m * total / smin for m in mins]
    elif not any(flexible):
        if smax <= total:
            widths = [m * total / smax for m in maxs]
        else:
            k = (total - smin) / (smax - smin)
            widths = [lo + (hi - lo) * k for lo, hi in zip(mins, maxs)]
    else:
        fixed: list[float] = [maxs[i] if not flexible[i] else mins[i] for i in range(n)]
        if sum(fixed) > total:  # the fixed columns shrink towards their longest word
            over = [maxs[i] - mins[i] if not flexible[i] else 0 for i in range(n)]
            k = max(0.0, 1 - (sum(fixed) - total) / max(1, sum(over)))
            fixed = [mins[i] + over[i] * k if not flexible[i] else mins[i] for i in range(n)]
        rest = total - sum(fixed)
        want = [max(1, maxs[i] - mins[i]) if flexible[i] else 0 for i in range(n)]
        widths = [fixed[i] + (rest * want[i] / sum(want) if flexible[i] else 0) for i in range(n)]
    out = [int(w) for w in widths]
    out[-1] += total - sum(out)
    return out


def seq_field(seq: str, number: int, restart: int | None = None, rpr: str = "") -> str:
    """A Word SEQ field (a complex field) whose cached result is ``number``: readers that do
    not update fields see the number as text; Word renumbers it and cross-references work."""
    instr = f" SEQ {seq} \\* ARABIC" + (f" \\r {restart}" if restart is not None else "") + " "
    r = f"<w:r>{rpr}" if rpr else "<w:r>"
    return (f'{r}<w:fldChar w:fldCharType="begin"/></w:r>'
            f'{r}<w:instrText xml:space="preserve">{xml_text(instr)}</w:instrText></w:r>'
            f'{r}<w:fldChar w:fldCharType="separate"/></w:r>'
            f'{r}<w:t>{number}</w:t></w:r>'
            f'{r}<w:fldChar w:fldCharType="end"/></w:r>')


def caption_xml(label: str, number: int, title: str, seq: str = "Table", restart: int | None = None,
                space_before: int | None = None, page_break: bool = False) -> str:
    """A caption paragraph "<label><number> <title>" (style Caption, kept with the table):
    ``label`` is the text before the number ("Table S2.", "Table "), the number a SEQ field."""
    bold = "<w:rPr><w:b/></w:rPr>"
    spacing = f'<w:spacing w:before="{space_before}"/>' if space_before is not None else ""
    brk = "<w:pageBreakBefore/>" if page_break else ""
    body = (f'<w:r>{bold}<w:t xml:space="preserve">{xml_text(label)}</w:t></w:r>'
            + seq_field(seq, number, restart, bold)
            + (f'<w:r><w:t xml:space="preserve"> {xml_text(title)}</w:t></w:r>' if title else ""))
    return (f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="Caption"/><w:keepNext/><w:keepLines/>{brk}{spacing}</w:pPr>'
            f"{body}</w:p>")


def keep_rows_with_next(tbl_xml: str) -> str:
    """Mark every paragraph of a table row string as keep-with-next (header, group and
    caption rows stay with the first row after them)."""
    # keepNext goes right after the paragraph style (the schema's order)
    out = re.sub(r"(<w:pPr>(?:<w:pStyle [^>]*/>)?)(?!<w:keepNext/>)", r"\1<w:keepNext/>", tbl_xml)
    return out.replace("<w:pPr/>", "<w:pPr><w:keepNext/></w:pPr>")


def note_xml(text: str, style_id: str | None = None) -> str:
    """A short paragraph under a table (an abbreviations footnote, counts)."""
    style = f'<w:pStyle w:val="{style_id}"/>' if style_id else '<w:spacing w:before="60" w:after="120"/>'
    size = "" if style_id else '<w:rPr><w:sz w:val="18"/></w:rPr>'
    return (f'<w:p {nsdecls("w")}><w:pPr>{style}</w:pPr>'
            f'<w:r>{size}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r></w:p>')


def estimate_height(cells: list[tuple[str, int]], size: float) -> int:
    """A row's height (twips) from its cells' text and widths: the tallest cell, each
    paragraph wrapped at the cell's width."""
    import math

    line = int(size * 20 * 1.25)
    tallest = 0
    for text, width in cells:
        room = max(200, width - CELL_PAD)
        lines = sum(max(1, math.ceil(measure(p, size) / room)) for p in (text or "").split("\n"))
        tallest = max(tallest, lines * line + 120)
    return tallest


def page_body_height(page_size: str, landscape: bool) -> int:
    w, h = PAGE.get(page_size, PAGE["A4"])
    return (w if landscape else h) - 2 * MARGIN


def tc_xml(width: int, body: str, shade: str | None = None, span: int = 1, extra: str = "") -> str:
    pr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        pr += f'<w:gridSpan w:val="{span}"/>'
    pr += extra
    if shade:
        pr += f'<w:shd w:val="clear" w:color="auto" w:fill="{shade}"/>'
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{body or '<w:p><w:pPr/></w:p>'}</w:tc>"


def tr_xml(cells: str, header: bool = False, cant_split: bool = True, keep_next: bool = False) -> str:
    """A table row: ``header`` rows repeat at the top of every page the table runs onto;
    ``cant_split`` keeps the row on one page; ``keep_next`` keeps it with the row after."""
    pr = ("<w:cantSplit/>" if cant_split else "") + ("<w:tblHeader/>" if header else "")
    row = f"<w:tr><w:trPr>{pr}</w:trPr>{cells}</w:tr>"
    return keep_rows_with_next(row) if keep_next or header else row


GRID_BORDERS = ('<w:tblBorders><w:top w:val="single" w:sz="4" w:color="808080"/>'
                '<w:left w:val="single" w:sz="4" w:color="808080"/>'
                '<w:bottom w:val="single" w:sz="4" w:color="808080"/><w:right w:val="single" w:sz="4" w:color="808080"/>'
                '<w:insideH w:val="single" w:sz="4" w:color="BFBFBF"/><w:insideV w:val="single" w:sz="4" w:color="BFBFBF"/>'
                "</w:tblBorders>")


def tbl_xml(widths: list[int], rows: list[str], borders: str = GRID_BORDERS) -> str:
    total = sum(widths)
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return (f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/>{borders}'
            '<w:tblLayout w:type="fixed"/>'
            '<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
            '<w:bottom w:w="40" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
            '<w:tblLook w:val="0020" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
            'w:noHBand="1" w:noVBand="1"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>")


def spacer_xml() -> str:
    """A tiny empty paragraph between two tables (Word would join adjacent tables)."""
    return (f'<w:p {nsdecls("w")}><w:pPr><w:spacing w:before="0" w:after="0" w:line="120" w:lineRule="exact"/>'
            '<w:rPr><w:sz w:val="8"/></w:rPr></w:pPr></w:p>')


def title_page(doc, title: str, authors: str = "", facts: Sequence[tuple[str, str]] = ()) -> None:
    """The study's title (the setting, else the project name), its authors and a few facts."""
    doc.add_paragraph(clean_text(title), style="Title")
    if authors.strip():
        doc.add_paragraph(clean_text(authors.strip()), style="Subtitle")
    if facts:
        p = doc.add_paragraph()
        for i, (k, v) in enumerate(facts):
            p.add_run(("\n" if i else "") + f"{k}: ").bold = True
            p.add_run(clean_text(v))
