"""Anchored things in Word exports: annotations as comments of a coded transcript, and the
numbered notes a framework-matrix summary's linked phrases get (the passage quoted with its
citation)."""

from __future__ import annotations

from dataclasses import dataclass

from .annotations import annotations as source_annotations  # (`annotations` is the __future__ name here)
from .summary_links import by_cell, phrase_spans

ANNOTATION_AUTHOR = "Annotation"


def annotation_comments(project, source_id: int, coders: list[str] | None = None) -> list:
    """The source's annotations as ``MarkedPassage`` comments by "Annotation" (only those of
    ``coders`` when given), each ending with who wrote it."""
    from ...formats.docx_transcript import MarkedPassage

    out = []
    for a in source_annotations(project, source_id):
        if coders and a.author not in coders:
            continue
        note = a.text + (f"\n— {a.author}" if a.author else "")
        out.append(MarkedPassage(a.start, a.end, (), a.author or "", note=note, author=ANNOTATION_AUTHOR))
    return out


@dataclass(frozen=True)
class LinkedPhrase:
    """A phrase of a cell summary and the note that says what it rests on."""

    start: int  # in the summary
    end: int
    phrase: str
    note: str  # the passage as a quote, with its citation, e.g. “We had no time.” (P1)


def summary_notes(project, matrix, quoter=None) -> dict[tuple[int, int], list[LinkedPhrase]]:
    """(row id, code id) -> the linked phrases of that cell's summary, in summary order."""
    from ..quotes.quoting import Quoter

    links = by_cell(project, matrix.row_kind)
    if not links:
        return {}
    quoter = quoter or Quoter(project)
    names = {c.id: c for c in matrix.columns}
    out: dict[tuple[int, int], list[LinkedPhrase]] = {}
    for key, cell_links in links.items():
        cell = matrix.cells.get(key)
        if cell is None or not cell.summary or key[1] not in names:
            continue
        spans = phrase_spans(cell.summary, cell_links)
        out[key] = [LinkedPhrase(s, e, cell.summary[s:e], passage_note(project, quoter, link, names[key[1]]))
                    for s, e, link in spans]
    return out


def passage_note(project, quoter, link, code) -> str:
    """A linked passage as the quote renderer prints it, with its citation."""
    from ...model import Segment

    src = project.sources.get(link.source_id)
    text = project.sources.text(link.source_id)
    cases = tuple(src.cases) if src is not None else ()
    seg = Segment(0, link.source, link.source_id, cases[0] if len(cases) == 1 else None, cases, code.name,
                  tuple(code.path), code.id, link.start, link.end,
                  text[link.start:link.end], link.author or "")
    return quoter.coding_quote(seg).line
