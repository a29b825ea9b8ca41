"""Coded passages of a project as quotes: the glue between the store and the one renderer
(``quote_render``), shared by the report, the matrix (view and exports), the retrieval
table (view and exports) and the command line.

* ``QuoteFormat`` — the project's quote choices (style, time markers, interviewer turns,
  citation template, merging), remembered with the report dialog's options, so a quote
  reads the same in every screen and file.
* ``merge_passages`` — codings of one source that overlap (two coders on one passage, a
  code and its sub-code) become one passage, so the same words are never quoted twice; an
  analyst-edited quote stands for the passages it overlaps.
* ``Quoter`` — renders passages (``passage_quote``) and single codings (``coding_quote``,
  one per retrieval row) with their citation, reading each source's text and turns once.

The raw coded text stays ``text[start:end]`` (``Segment.text``); nothing here changes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...errors import UsageError
from ...model import Segment, Turn
from .citations import CITE_FIELDS, CitationTemplate
from .quote_render import DEFAULT_STYLE, STYLES, RenderedQuote, collapse, edit_template, render_passage

SETTINGS_KEY = "report_options"  # the report dialog's remembered choices hold the quote format too
DEFAULT_CITE = "({case})"


@dataclass
class QuoteFormat:
    style: str = DEFAULT_STYLE
    keep_times: bool = False
    include_interviewer: bool = False
    cite: str = DEFAULT_CITE
    merge_overlaps: bool = True

    @classmethod
    def of_project(cls, project) -> "QuoteFormat":
        """The format last chosen for this project (defaults until one was chosen)."""
        saved = project.settings.get(SETTINGS_KEY)
        fmt = cls()
        if not isinstance(saved, dict):
            return fmt
        if saved.get("quote_style") in STYLES:
            fmt.style = saved["quote_style"]
        for key in ("keep_times", "include_interviewer"):
            if isinstance(saved.get(key), bool):
                setattr(fmt, key, saved[key])
        if isinstance(saved.get("merge_overlaps"), bool):
            fmt.merge_overlaps = saved["merge_overlaps"]
        if isinstance(saved.get("cite"), str) and saved["cite"].strip():
            fmt.cite = saved["cite"]
        return fmt


def cite_fields(project) -> list[str]:
    """Fields a citation template may name: the built-in ones, then every attribute."""
    out = list(CITE_FIELDS)
    for a in list(project.attributes.all("case")) + list(project.attributes.all("source")):
        if a.name not in out:
            out.append(a.name)
    return out


# ----------------------------------------------------------------------------- passages
@dataclass(frozen=True)
class Passage:
    segment: Segment  # the passage's first coding (source, case, code)
    start: int
    end: int
    coders: tuple[str, ...]
    coding_ids: tuple[int, ...]
    edited: str | None = None  # the analyst's edited form (only for a single coding's own span)

    @property
    def coding_id(self) -> int:
        return self.segment.coding_id


def merge_passages(segs: list[Segment], edits: dict[int, str], merge: bool = True) -> tuple[list[Passage], int]:
    """Passages for a list of codings, in source order. With ``merge``, codings of the same
    source that overlap become one passage spanning them all; an analyst-edited coding is
    kept as edited and the codings it overlaps are left out. Returns the passages and how
    many codings were merged away."""

    def edit_of(s: Segment) -> str | None:
        e = edits.get(s.coding_id)
        return e if e and collapse(e) else None

    if not merge:
        return [Passage(s, s.start, s.end, (s.coder,), (s.coding_id,), edit_of(s)) for s in segs], 0
    out: list[Passage] = []
    dropped = 0
    by_source: dict[int, list[Segment]] = {}
    for s in segs:
        by_source.setdefault(s.source_id, []).append(s)
    for group in by_source.values():
        group.sort(key=lambda s: (s.start, -s.end, s.coding_id))
        clusters: list[list[Segment]] = []
        end = -1
        for s in group:
            if clusters and s.start < end:
                clusters[-1].append(s)
                end = max(end, s.end)
            else:
                clusters.append([s])
                end = s.end
        for cl in clusters:
            if len(cl) == 1 and not edits:  # (most passages: one coding, nothing edited)
                s = cl[0]
                out.append(Passage(s, s.start, s.end, (s.coder,), (s.coding_id,)))
                continue
            edited = [s for s in cl if edit_of(s)]
            if edited:
                out.extend(Passage(s, s.start, s.end, (s.coder,), (s.coding_id,), edit_of(s)) for s in edited)
                dropped += len(cl) - len(edited)
                continue
            coders = tuple(sorted({s.coder for s in cl}))
            out.append(Passage(cl[0], cl[0].start, max(s.end for s in cl), coders,
                               tuple(s.coding_id for s in cl)))
            dropped += len(cl) - 1
    out.sort(key=lambda p: (p.segment.source, p.start, p.end))
    return out, dropped


# ----------------------------------------------------------------------------- quotes
@dataclass(frozen=True)
class CitedQuote:
    passage: Passage
    quote: RenderedQuote
    citation: str
    case: str | None
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.quote.text

    @property
    def line(self) -> str:
        """The quote in its marks, then the citation: ``“…” (P3)``."""
        return self.quote.quoted + (f" {self.citation}" if self.citation else "")

    def runs(self) -> list[tuple[str, bool]]:
        """``line`` as ``[(text, italic)]`` (transcriber notes in italics)."""
        runs = self.quote.runs()
        if self.citation:
            if runs and not runs[-1][1]:
                runs[-1] = (runs[-1][0] + f" {self.citation}", False)
            else:
                runs.append((f" {self.citation}", False))
        return runs


_FEW_CASES = 64  # (source, case) pairs whose attributes ``Quoter`` reads one by one before all at once


class Quoter:
    """Renders a project's coded passages as quotes in one format (see the module
    docstring). Cheap to make; keeps each source's text and turns once read."""

    def __init__(self, project, fmt: QuoteFormat | None = None, cite: CitationTemplate | None = None):
        self.project = project
        self.fmt = fmt or QuoteFormat.of_project(project)
        if cite is None:
            known = cite_fields(project)
            try:
                cite = CitationTemplate(self.fmt.cite, known)
            except UsageError:  # a saved template naming an attribute since deleted
                cite = CitationTemplate(DEFAULT_CITE, known)
        self.cite = cite
        self._edits: dict[int, str] | None = None  # every edited quote, read when first needed
        self.interviewers: set[str] = set() if self.fmt.include_interviewer else {
            s for s, r in project.sources.speaker_roles().items() if r == "interviewer"}
        self._sources: dict[int, tuple[str, list[Turn], list[int]]] = {}
        self._case_values: dict[int, dict[str, str]] | None = None
        self._source_values: dict[int, dict[str, str]] | None = None
        self._case_ids: dict[str, int] | None = None
        self._attrs: dict[tuple[int, str | None], dict[str, str]] = {}  # (source id, case) -> attributes

    @property
    def edits(self) -> dict[int, str]:
        """coding id -> its edited quote, for every coding with one (read once: a scan of
        every coding, which a few quotes, ``coding_quote``, do without)."""
        if self._edits is None:
            self._edits = {r[0]: r[1] for r in self.project.conn.execute(
                "SELECT id, quote_edit FROM codings WHERE quote_edit IS NOT NULL")}
        return self._edits

    def _edit_of(self, coding_id: int) -> str | None:
        if self._edits is not None:
            return self._edits.get(coding_id)
        row = self.project.conn.execute("SELECT quote_edit FROM codings WHERE id = ?", (coding_id,)).fetchone()
        return None if row is None else row[0]

    # -- pieces ----------------------------------------------------------------------
    def source(self, source_id: int) -> tuple[str, list[Turn], list[int]]:
        got = self._sources.get(source_id)
        if got is None:
            turns = self.project.sources.turns(source_id)
            got = (self.project.sources.text(source_id), turns, [t.label_start for t in turns])
            self._sources[source_id] = got
        return got

    def render(self, source_id: int, start: int, end: int, edited: str | None = None,
               interviewers: set[str] | None = None) -> RenderedQuote | None:
        text, turns, starts = self.source(source_id)
        return render_passage(text, start, end, turns, self.interviewers if interviewers is None else interviewers,
                              edited, self.fmt.style, self.fmt.keep_times, starts)

    def edit_template(self, source_id: int, start: int, end: int) -> str:
        """The text an analyst edits a quote from (see ``quote_render.edit_template``)."""
        text, turns, starts = self.source(source_id)
        return edit_template(text, start, end, turns, self.interviewers, self.fmt.keep_times, starts)

    def passages(self, segs: list[Segment]) -> tuple[list[Passage], int]:
        return merge_passages(segs, self.edits, self.fmt.merge_overlaps)

    # -- citations -------------------------------------------------------------------
    def _load_attributes(self) -> tuple[dict[int, dict[str, str]], dict[int, dict[str, str]], dict[str, int]]:
        """(case values, source values, case ids by name), read once."""
        if self._case_values is None or self._source_values is None or self._case_ids is None:
            self._case_values = self.project.attributes.case_values()
            self._source_values = self.project.attributes.source_values()
            self._case_ids = {r[0]: r[1] for r in self.project.conn.execute("SELECT name, id FROM cases")}
        return self._case_values, self._source_values, self._case_ids

    def _values_of(self, source_id: int, case: str | None) -> dict[str, str]:
        """A source's attributes, then its case's: the first few (source, case) pairs asked
        (a screen of retrieval rows) read just their case's values, later ones all at once."""
        if self._case_values is None and len(self._attrs) < _FEW_CASES:
            if self._source_values is None or self._case_ids is None:
                self._source_values = self.project.attributes.source_values()
                self._case_ids = {r[0]: r[1] for r in self.project.conn.execute("SELECT name, id FROM cases")}
            case_id = self._case_ids.get(case or "", -1)
            case_values = self.project.attributes.case_values([case_id]) if case_id != -1 else {}
            source_values = self._source_values
        else:
            case_values, source_values, case_ids = self._load_attributes()
            case_id = case_ids.get(case or "", -1)
        return {**source_values.get(source_id, {}), **case_values.get(case_id, {})}

    def cite_values(self, seg: Segment, speaker: str | None, coders: tuple[str, ...],
                    code_name: str | None = None) -> tuple[str | None, dict[str, str], dict[str, str | None]]:
        """(the quote's case, its case and source attributes, the citation's field values).
        A focus group's quote is the speaker's case when the speaker is one of its cases."""
        case = seg.case
        if len(seg.cases) > 1:
            case = speaker if speaker in seg.cases else ", ".join(seg.cases)
        key = (seg.source_id, case)
        both = self._attrs.get(key)
        if both is None:  # the source's attributes, then its case's (the same for its every quote)
            both = self._attrs[key] = self._values_of(seg.source_id, case)
        attrs = dict(both)  # each quote's own
        values: dict[str, str | None] = dict(both)
        values.update({"case": case or seg.source, "source": seg.source, "speaker": speaker,
                       "coder": ", ".join(coders), "code": code_name or seg.code_path[-1]})
        return case, attrs, values

    # -- quotes ----------------------------------------------------------------------
    def passage_quote(self, passage: Passage, code_name: str | None = None) -> CitedQuote | None:
        """A passage as a quote with its citation; None when no participant's words are in it."""
        seg = passage.segment
        made = self.render(seg.source_id, passage.start, passage.end, passage.edited)
        if made is None:
            return None
        case, attrs, values = self.cite_values(seg, made.speaker, passage.coders, code_name)
        return CitedQuote(passage, made, self.cite.render(values), case, attrs)

    def coding_quote(self, seg: Segment) -> CitedQuote:
        """One coding as a quote (a retrieval row): its own span and its own edit. A coding
        inside an interviewer turn is still shown, with the interviewer's words."""
        edit = self._edit_of(seg.coding_id)
        passage = Passage(seg, seg.start, seg.end, (seg.coder,), (seg.coding_id,),
                          edit if edit and collapse(edit) else None)
        made = self.render(seg.source_id, seg.start, seg.end, passage.edited)
        if made is None:
            made = self.render(seg.source_id, seg.start, seg.end, passage.edited, interviewers=set())
        if made is None:  # only time markers were coded: show them
            text, turns, starts = self.source(seg.source_id)
            made = render_passage(text, seg.start, seg.end, turns, set(), passage.edited, self.fmt.style, True, starts)
        if made is None:
            made = RenderedQuote((), self.fmt.style, original=collapse(seg.text))
        case, attrs, values = self.cite_values(seg, made.speaker, passage.coders)
        return CitedQuote(passage, made, self.cite.render(values), case, attrs)

    def quotes_for(self, segs: list[Segment]) -> list[CitedQuote]:
        """The passages of ``segs`` (merged as the format says) as quotes, in source order."""
        passages, _ = self.passages(segs)
        return [q for q in (self.passage_quote(p) for p in passages) if q is not None]

    def cell_quotes(self, row_kind: str, row_id: int, code_id: int, roll_up: bool = True) -> list[CitedQuote]:
        """The quotes of one framework-matrix cell."""
        from ..matrix.matrix import cell_segments

        return self.quotes_for(cell_segments(self.project, row_kind, row_id, code_id, roll_up))
