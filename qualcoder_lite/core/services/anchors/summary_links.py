"""Summary links: a phrase of a framework-matrix cell summary linked to the passage it rests
on (NVivo framework matrices have these). The phrase is stored as text and found again in the
summary (its first occurrence), so editing the rest of the summary keeps the link; a phrase no
longer in the summary is listed but marks nothing."""

from __future__ import annotations

from dataclasses import dataclass

from ...commands import Command
from ...errors import UsageError
from ...store.database import now_iso
from ...store.recorder import Recorder
from .spans import check_span


@dataclass(frozen=True)
class SummaryLink:
    id: int
    cell_id: int
    row_kind: str
    row_id: int
    code_id: int
    phrase: str
    source_id: int
    source: str
    start: int
    end: int
    author: str | None
    created: str

    def as_dict(self) -> dict:
        return {"row_kind": self.row_kind, "row_id": self.row_id, "code_id": self.code_id, "phrase": self.phrase,
                "source": self.source, "start": self.start, "end": self.end, "author": self.author,
                "created": self.created}


class AddSummaryLink(Command):
    """Link ``phrase`` (words of the cell's summary) to ``text[start:end]`` of a source."""

    def __init__(self, row_kind: str, row_id: int, code_id: int, phrase: str, source_id: int, start: int,
                 end: int, coder: str | None = None):
        super().__init__()
        if not phrase.strip():
            raise UsageError("choose the words of the summary to link")
        self.cell = (row_kind, row_id, code_id)
        self.phrase = phrase
        self.span = (source_id, start, end)
        self.coder = coder
        self.name = "Link summary to passage"

    def apply(self, project, rec: Recorder) -> int:
        cell_id = project.matrix.cell_id(*self.cell)
        summary = None if cell_id is None else project.conn.execute(
            "SELECT summary FROM matrix_cells WHERE id = ?", (cell_id,)).fetchone()[0]
        if summary is None or self.phrase not in summary:
            raise UsageError(f"{self.phrase!r} is not in the cell's summary")
        check_span(project, *self.span)
        old = project.conn.execute("SELECT id FROM summary_links WHERE cell_id = ? AND phrase = ?",
                                   (cell_id, self.phrase)).fetchone()
        if old is not None:  # one passage per phrase: the new link replaces the old one
            rec.delete("summary_links", old[0])
        coder_id = project.coders.ensure(rec, self.coder or project.coder)
        sid, start, end = self.span
        return rec.insert("summary_links", {"cell_id": cell_id, "phrase": self.phrase, "source_id": sid,
                                            "start": start, "end": end, "coder_id": coder_id,
                                            "created": now_iso()})


class DeleteSummaryLink(Command):
    def __init__(self, link_id: int):
        super().__init__()
        self.link_id = link_id
        self.name = "Remove summary link"

    def apply(self, project, rec: Recorder) -> bool:
        rec.delete("summary_links", self.link_id)
        return True


_SELECT = ('SELECT l.id, l.cell_id, m.row_kind, m.row_id, m.code_id, l.phrase, l.source_id, s.name AS source, '
           'l.start, l."end", c.name AS author, l.created FROM summary_links l '
           'JOIN matrix_cells m ON m.id = l.cell_id JOIN sources s ON s.id = l.source_id '
           'LEFT JOIN coders c ON c.id = l.coder_id')


def summary_links(project, row_kind: str | None = None) -> list[SummaryLink]:
    where, params = ("WHERE m.row_kind = ?", (row_kind,)) if row_kind else ("", ())
    rows = project.conn.execute(f"{_SELECT} {where} ORDER BY m.row_kind, m.row_id, m.code_id, l.id", params)
    return [SummaryLink(r["id"], r["cell_id"], r["row_kind"], r["row_id"], r["code_id"], r["phrase"],
                        r["source_id"], r["source"], r["start"], r["end"], r["author"], r["created"]) for r in rows]


def by_cell(project, row_kind: str) -> dict[tuple[int, int], list[SummaryLink]]:
    """(row id, code id) -> the cell's summary links."""
    out: dict[tuple[int, int], list[SummaryLink]] = {}
    for link in summary_links(project, row_kind):
        out.setdefault((link.row_id, link.code_id), []).append(link)
    return out


def phrase_spans(summary: str, links: list) -> list[tuple[int, int, object]]:
    """Where each link's phrase is in ``summary``: (start, end, link), in text order; the first
    occurrence not overlapping an earlier phrase; phrases not found are left out."""
    taken: list[tuple[int, int, object]] = []
    for link in sorted(links, key=lambda x: -len(x.phrase)):  # longer phrases claim their words first
        at = summary.find(link.phrase)
        while at >= 0 and any(at < e and s < at + len(link.phrase) for s, e, _ in taken):
            at = summary.find(link.phrase, at + 1)
        if at >= 0:
            taken.append((at, at + len(link.phrase), link))
    return sorted(taken, key=lambda t: t[0])
