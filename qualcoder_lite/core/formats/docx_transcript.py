"""A coded transcript as a Word document: the source's text with line numbers (the same
numbers as the transcript view: one per line of the stored text), speaker labels in bold,
and one Word comment per coded passage naming its codes, its coder as the comment's author.
Annotations are comments too, by the author "Annotation" (the note, then who wrote it).

This is what reviewers and co-analysts open in Word: the comments pane lists the codes
beside the passages they mark.
"""

from __future__ import annotations

import bisect
import datetime as _dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from docx.shared import Pt, RGBColor, Twips

from ..model import Turn
from . import docx_common as dc

if TYPE_CHECKING:
    from ..outfile import Output

Progress = Callable[[int, int, str], bool]
NUMBER_INDENT = 680  # twips of the line-number gutter (1.2 cm)


@dataclass(frozen=True)
class MarkedPassage:
    """One comment: a passage, the codes applied to it and by whom."""

    start: int
    end: int
    codes: tuple[str, ...]
    coder: str
    memos: tuple[str, ...] = ()
    note: str = ""  # an annotation's text (its comment names no codes)
    author: str = ""  # the comment's author when it is not the coder: "Annotation" for annotations

    @property
    def comment_text(self) -> str:
        lines = list(self.codes) + ([self.note] if self.note else [])
        lines += [f"Memo: {m}" for m in self.memos if m.strip()]
        return "\n".join(dc.clean_text(s) for s in lines)


def initials(name: str) -> str:
    parts = [p for p in name.replace("_", " ").replace(".", " ").split() if p]
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0][:2].upper()
    return "".join(p[0] for p in parts[:3]).upper()


def write_coded_transcript(path: str | Path | Output, title: str, facts: list[tuple[str, str]], text: str,
                           turns: list[Turn], passages: list[MarkedPassage], font: str = "Arial",
                           font_size: float = 10, page_size: str = "A4", progress: Progress | None = None,
                           date: _dt.date | None = None) -> tuple[Path, int]:
    """Write the document; returns (path, comments written). Passages that cover only white
    space get no comment."""
    date = date or _dt.date.today()
    doc = dc.new_document(font, font_size, page_size)
    _line_style(doc, font, font_size)
    _title_block(doc, title, facts, date)
    cuts_sorted, in_label = _cut_points(text, turns, passages)
    runs, run_starts, run_ends = _write_lines(doc, text, cuts_sorted, in_label, font_size, progress)
    total = text.count("\n") + 1
    written = 0
    for n, ps in enumerate(sorted(passages, key=lambda x: (x.start, -x.end))):
        if progress is not None and n % 50 == 0 and not progress(total, total + 1, "Adding comments"):
            raise InterruptedError("export cancelled")
        first = bisect.bisect_left(run_starts, ps.start)
        last = bisect.bisect_right(run_ends, ps.end) - 1
        if first >= len(runs) or last < first or run_starts[first] >= ps.end:
            continue
        who = ps.author or ps.coder
        doc.add_comment(runs[first:last + 1], text=ps.comment_text, author=dc.clean_text(who),
                        initials=initials(who))
        written += 1
    dc.page_number_footer(doc.sections[0], prefix=f"{dc.clean_text(title)} · page ")
    out = dc.save(doc, path)
    if progress is not None:
        progress(total + 1, total + 1, "Done")
    return out, written


def _line_style(doc, font: str, font_size: float) -> None:
    normal = doc.styles["Normal"]
    normal.font.size = Pt(font_size + 1)
    body_id = dc.add_paragraph_style(doc, "Transcript Line", font, font_size + 1, space_after=0, line=1.15)
    st = doc.styles["Transcript Line"]
    st.paragraph_format.left_indent = Twips(NUMBER_INDENT)
    st.paragraph_format.first_line_indent = Twips(-NUMBER_INDENT)
    st.paragraph_format.tab_stops.add_tab_stop(Twips(NUMBER_INDENT))
    del body_id


def _title_block(doc, title: str, facts: list[tuple[str, str]], date: _dt.date) -> None:
    doc.add_paragraph(dc.clean_text(title), style="Title")
    p = doc.add_paragraph()
    for i, (label, value) in enumerate(facts):
        p.add_run(("\n" if i else "") + f"{label}: ").bold = True
        p.add_run(dc.clean_text(value))
    p.add_run("\nExported: ").bold = True
    p.add_run(f"{date.day} {date:%B %Y}. Line numbers are those of the QualCoder Lite transcript view; "
              "each comment names the codes of the passage it marks.")


def _cut_points(text: str, turns: list[Turn], passages: list[MarkedPassage]):
    """Cut points (every passage start/end and every speaker label), sorted, and a test
    whether a position lies in a speaker label."""
    labels = [(t.label_start, t.label_end) for t in turns if t.label_end > t.label_start]
    cuts = {0, len(text)}
    for ps in passages:
        cuts.add(max(0, min(ps.start, len(text))))
        cuts.add(max(0, min(ps.end, len(text))))
    for a, b in labels:
        cuts.update((a, b))
    label_starts = [a for a, _ in labels]

    def in_label(pos: int) -> bool:
        i = bisect.bisect_right(label_starts, pos) - 1
        return i >= 0 and labels[i][0] <= pos < labels[i][1]

    return sorted(cuts), in_label


def _write_lines(doc, text: str, cuts_sorted: list[int], in_label, font_size: float,
                 progress: Progress | None) -> tuple[list, list[int], list[int]]:
    """One numbered paragraph per line, cut into runs at the cut points (speaker labels
    bold); returns the runs with their start and end offsets."""
    run_starts: list[int] = []
    run_ends: list[int] = []
    runs = []
    grey = RGBColor(0x80, 0x80, 0x80)
    lines = text.split("\n")
    pos = 0
    total = len(lines)
    for lineno, line in enumerate(lines, start=1):
        if progress is not None and lineno % 200 == 0 and not progress(lineno, total + 1, "Writing lines"):
            raise InterruptedError("export cancelled")
        ls, le = pos, pos + len(line)
        pos = le + 1
        para = doc.add_paragraph(style="Transcript Line")
        if not line.strip():
            continue
        num = para.add_run(f"{lineno}\t")
        num.font.size = Pt(max(font_size - 2, 6))
        num.font.color.rgb = grey
        i = bisect.bisect_right(cuts_sorted, ls)
        a = ls
        bounds = cuts_sorted[i:bisect.bisect_left(cuts_sorted, le) + 1]
        for b in bounds + [le]:
            b = min(b, le)
            if b <= a:
                continue
            r = para.add_run(dc.clean_text(text[a:b]))
            if in_label(a):
                r.bold = True
            runs.append(r)
            run_starts.append(a)
            run_ends.append(b)
            a = b
    return runs, run_starts, run_ends
