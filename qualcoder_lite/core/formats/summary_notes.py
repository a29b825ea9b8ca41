"""Linked phrases of framework-matrix summaries in the Word matrix: the phrase is followed by
a superscript number, and the numbered notes under the table quote the passage each phrase
rests on with its citation (python-docx writes no footnotes part, so the notes sit under the
table, as table notes do in journals)."""

from __future__ import annotations

from typing import Callable

from . import docx_common as dc


def superscript(text: str, sz: int) -> str:
    return (f'<w:r><w:rPr><w:sz w:val="{sz}"/><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:t xml:space="preserve">{dc.xml_text(text)}</w:t></w:r>')


def summary_xml(summary: str, linked: list | None, numbered: list, run: Callable[[str], str],
                para: Callable[[str], str], sz: int) -> str:
    """The summary's non-blank lines as paragraphs; each linked phrase (``LinkedPhrase``,
    offsets into ``summary``) gets the next number of ``numbered``, to which it is appended."""
    out = ""
    pos = 0
    phrases = sorted(linked or [], key=lambda x: x.start)
    for raw in summary.splitlines(keepends=True):
        start, line = pos, raw.rstrip("\r\n")
        pos += len(raw)
        if not line.strip():
            continue
        end = start + len(line)
        runs, at = "", start
        for lp in phrases:
            if not (start < lp.end <= end):
                continue  # the number goes where the phrase ends
            runs += run(summary[at:lp.end]) if lp.end > at else ""
            numbered.append(lp)
            runs += superscript(str(len(numbered)), sz)
            at = lp.end
        runs += run(summary[at:end]) if end > at else ""
        out += para(runs)
    return out


def notes_xml(numbered: list, size_half_points: int = 18) -> list[str]:
    """The numbered notes under a table, one paragraph each: the number, the phrase, the
    passage it rests on."""
    if not numbered:
        return []
    out = [dc.note_xml("Linked phrases: the passage each numbered phrase rests on.")]
    for n, lp in enumerate(numbered, start=1):
        out.append('<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:pPr>'
                 '<w:spacing w:before="0" w:after="40"/></w:pPr>'
                 + superscript(str(n), size_half_points)
                 + f'<w:r><w:rPr><w:sz w:val="{size_half_points}"/></w:rPr><w:t xml:space="preserve">'
                 f' “{dc.xml_text(lp.phrase)}”: {dc.xml_text(lp.note)}</w:t></w:r></w:p>')
    return out
