"""Shared pieces of the Word writers: a clean document (one font, black headings, A4),
page setup, a page-number footer, fast XML for table rows and a safe save.

Rows of big tables are written as WordprocessingML text and parsed once per table: the
per-cell python-docx API costs milliseconds per cell, which is minutes for 5,000 quotes.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, RGBColor, Twips


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
    el = parse_xml(xml)
    body = doc.element.body
    sect = body.find(qn("w:sectPr"))
    if sect is not None:
        sect.addprevious(el)
    else:
        body.append(el)


def save(doc, path) -> Path:
    """Write the document through the one output guard (never onto a project; a temporary
    file beside it, renamed into place, so a failed export never leaves a half-written
    file or clobbers the previous one)."""
    from .. import outfile

    return outfile.write_file(path, lambda tmp: doc.save(str(tmp)))
