"""Quote tables for reports: which coded passages go in a supplementary quote table, how
they are laid out and how the method note describes them.

One table per selected code (a theme with its sub-codes when asked). How each quote reads
is not decided here: the one renderer (``quote_render``, through ``quoting.Quoter``) cuts
interviewer turns (``[…]``), leaves out time markers, keeps transcriber notes as notes,
uses the analyst's edited form where there is one and applies the quote style (``apa``,
``bjgp``, ``verbatim``). Citations come from a template (``citations.CitationTemplate``):
any case or source attribute, plus ``case``, ``source``, ``speaker``, ``coder`` and
``code``; a missing field goes with its own words and separator. An unknown field is a
UsageError naming it.

Everything here is pure Python over the project's repositories: the Word writer
(``report_docx.py``), the HTML preview and the command line share it. This module
holds the options and result types and how a row reads; ``report_build.build_report``
selects the quotes and lays out the tables.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Callable, Iterator

from ...errors import UsageError
from ...model import natural_key
from .citations import CITE_FIELDS, CitationTemplate  # noqa: F401  (re-exported)
from .quote_render import STYLES as QUOTE_STYLES, RenderedQuote, collapse, whole_words  # noqa: F401
from .quoting import QuoteFormat, Quoter, cite_fields, merge_passages  # noqa: F401

Progress = Callable[[int, int, str], bool]  # (done, total, label) -> keep going?

ORDERS = ("case", "position")  # plus "attribute:NAME"
TABLE_STYLES = ("journal", "grid", "plain")
PAGE_SIZES = ("A4", "Letter")
# Built-in columns: key -> default header.
BUILTIN_COLUMNS = {
    "subtheme": "Sub-theme",
    "quote": "Quote",
    "participant": "Participant",
    "case": "Case",
    "source": "Source",
    "code": "Code",
    "coder": "Coder",
    "memo": "Memo",
}
DEFAULT_COLUMNS = ("subtheme", "quote", "participant")
PATH_SEPARATOR = " › "


# ----------------------------------------------------------------------------- options
@dataclass
class ReportOptions:
    """Everything the user chooses for a quote report (saved per project as a dict)."""

    codes: list[str] = field(default_factory=list)  # code paths; empty: every theme with its sub-codes
    descendants: bool = False
    where: list[str] = field(default_factory=list)  # ATTR=VALUE, as --where
    coders: list[str] = field(default_factory=list)  # empty: every coder
    order: str = "case"  # case | position | attribute:NAME
    group_by: str | None = None
    group_label: str = "{attribute}: {value}"
    cite: str = "({case})"
    columns: list[str] = field(default_factory=lambda: list(DEFAULT_COLUMNS))  # "key" or "key=Header"
    include_interviewer: bool = False
    merge_overlaps: bool = True
    quote_style: str = "apa"  # apa | bjgp | verbatim (quote_render.STYLES)
    keep_times: bool = False  # keep the transcript's time markers in quotes
    prefix: str = "S2."
    start: int = 1
    table_title: str = "{path}"
    landscape: bool = False
    title: str = "Supplementary material: illustrative quotes"
    method_note: str | None = None  # None: the default note; "": no note
    font: str = "Arial"
    font_size: float = 10.0
    table_style: str = "journal"
    page_size: str = "A4"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> "ReportOptions":
        """Options from saved settings; unknown keys and values of the wrong type are ignored."""
        opts = cls()
        if not isinstance(data, dict):
            return opts
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            current = getattr(opts, f.name)
            if isinstance(current, list):
                if isinstance(value, list) and all(isinstance(v, str) for v in value):
                    setattr(opts, f.name, list(value))
            elif isinstance(current, bool):
                if isinstance(value, bool):
                    setattr(opts, f.name, value)
            elif isinstance(current, (int, float)) and not isinstance(current, bool):
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    setattr(opts, f.name, type(current)(value))
            elif value is None or isinstance(value, str):
                setattr(opts, f.name, value)
        return opts

    def quote_format(self) -> QuoteFormat:
        return QuoteFormat(self.quote_style, self.keep_times, self.include_interviewer, self.cite,
                           self.merge_overlaps)

    def check(self) -> None:
        """Checks that need no project (UsageError naming the bad value)."""
        if self.table_style not in TABLE_STYLES:
            raise UsageError(f"unknown table style {self.table_style!r} (choose from {', '.join(TABLE_STYLES)})")
        if self.page_size not in PAGE_SIZES:
            raise UsageError(f"unknown page size {self.page_size!r} (choose from {', '.join(PAGE_SIZES)})")
        if not 6 <= self.font_size <= 24:
            raise UsageError(f"font size {self.font_size:g} is out of range (6 to 24 points)")
        if not self.font.strip():
            raise UsageError("the font name is empty")
        if self.start < 0:
            raise UsageError(f"--start {self.start}: table numbers start at 0 or more")
        if self.quote_style not in QUOTE_STYLES:
            raise UsageError(f"unknown quote style {self.quote_style!r} (choose from {', '.join(QUOTE_STYLES)})")
        if not self.order.startswith("attribute:") and self.order not in ORDERS:
            raise UsageError(f"unknown order {self.order!r} (case, position or attribute:NAME)")


_INNER = {"apa": "single", "bjgp": "double"}
_OUTER = {"apa": "double", "bjgp": "single"}


def default_method_note(opts: ReportOptions, example: str | None = None, conventions: set[str] | frozenset = frozenset(),
                        examples: dict[str, str] | None = None) -> str:
    """A short, editable account of how the quotes were chosen and printed, stating only
    the conventions that occur in the document (``QuoteReport.conventions``: omission,
    interviewer_cut, insertion, note, time, times_left_out, speaker_dots, inner_quotes,
    interviewers, merged). ``examples`` may give a note and a time marker to show."""
    examples = examples or {}
    if opts.codes and not opts.descendants:
        scope = "Each table lists the passages coded under one code."
    else:
        scope = "Each table lists the passages coded under one theme and its sub-themes."
    parts = [scope]
    if opts.where:
        parts.append(f"Only participants with {' and '.join(w.replace('=', ' = ', 1) for w in opts.where)} "
                     "are included.")
    if opts.coders:
        parts.append(f"Coding by {', '.join(opts.coders)}.")
    if opts.quote_style == "verbatim":
        parts.append("Quotes are printed as transcribed, with line breaks and repeated spaces removed, and "
                     "shortened to whole words.")
    else:
        text = (f"Quotes are the coded text with line breaks and repeated spaces removed, shortened to whole "
                f"words and set in {_OUTER[opts.quote_style]} quotation marks")
        if "inner_quotes" in conventions:
            text += f"; speech reported within a quote is in {_INNER[opts.quote_style]} quotation marks"
        parts.append(text + ".")
    if "speaker_dots" in conventions:
        parts.append("Dots (...) are the speaker’s own pauses, as transcribed.")
    if "omission" in conventions:
        parts.append("[…] marks words left out" + (", including interviewer turns" if "interviewer_cut" in conventions
                                                    else "") + ".")
    if "insertion" in conventions:
        parts.append("Words in [square brackets] were added by the analyst for clarity.")
    if "note" in conventions:
        parts.append("The transcriber’s notes are in italics" +
                     (f", for example {examples['note']}" if examples.get("note") else "") + ".")
    if "times_left_out" in conventions:
        parts.append("Time markers of the recording are left out.")
    if "time" in conventions:
        parts.append("Time markers of the recording are kept" +
                     (f", for example {examples['time']}" if examples.get("time") else "") + ".")
    if "interviewers" in conventions and "interviewer_cut" not in conventions:  # else said with […]
        parts.append("Interviewer turns are left out.")
    if "merged" in conventions:
        parts.append("Where coders coded overlapping passages, the passage is shown once.")
    if example:
        parts.append(f"Each quote is cited by participant, for example {example}.")
    return " ".join(parts)


def conventions_note(conventions: set[str] | frozenset) -> str:
    """The marks a table's quotes use, for the note under it ('' when none occurs)."""
    parts = []
    if "omission" in conventions:
        parts.append("[…] words left out")
    if "insertion" in conventions:
        parts.append("[ ] words added by the analyst")
    if "note" in conventions:
        parts.append("italics: the transcriber’s notes")
    text = "; ".join(parts)
    return (text[:1].upper() + text[1:] + ".") if parts else ""


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Quote:
    coding_id: int
    source: str
    source_id: int
    case: str | None
    code_id: int
    code_path: tuple[str, ...]
    subtheme: str  # the code's path below the table's code ("" for the table's own code)
    start: int
    end: int
    text: str  # as printed, without the outer quotation marks
    original: str  # the coded text (white space collapsed)
    edited: bool  # the analyst's edited form is printed
    shortened: bool  # edited, or an interviewer turn was cut out ([…])
    coder: str
    memo: str
    speaker: str | None
    attributes: dict[str, str]
    citation: str
    rendered: RenderedQuote | None = None  # the renderer's pieces (notes, insertions …)
    coding_ids: tuple[int, ...] = ()  # every coding shown by this quote (merged overlaps)

    @property
    def quoted(self) -> str:
        return self.rendered.quoted if self.rendered is not None else f"“{self.text}”"

    @property
    def conventions(self) -> frozenset[str]:
        return self.rendered.conventions if self.rendered is not None else frozenset()


@dataclass
class QuoteGroup:
    label: str | None  # None when rows are not grouped
    value: str | None
    quotes: list[Quote]


@dataclass
class QuoteTable:
    number: str  # "S2.1"
    title: str
    code_id: int
    code_path: tuple[str, ...]
    description: str
    groups: list[QuoteGroup]

    @property
    def label(self) -> str:
        return f"Table {self.number}"

    @property
    def caption(self) -> str:
        return f"{self.label} {self.title}".rstrip()

    @property
    def quotes(self) -> list[Quote]:
        return [q for g in self.groups for q in g.quotes]

    @property
    def participants(self) -> list[str]:
        return sorted({q.case or q.source for q in self.quotes}, key=natural_key)

    @property
    def has_edits(self) -> bool:
        return any(q.shortened for q in self.quotes)

    @property
    def conventions(self) -> frozenset[str]:
        return frozenset().union(*(q.conventions for q in self.quotes))


@dataclass
class Column:
    key: str
    header: str
    attribute: str | None = None


@dataclass
class QuoteReport:
    project: str
    date: _dt.date
    options: ReportOptions
    columns: list[Column]
    tables: list[QuoteTable]
    empty_codes: list[str] = field(default_factory=list)  # selected codes with no quotes
    merged: int = 0  # quotes left out because another selected quote contains them
    interviewers_left_out: bool = False  # the project marks interviewers and their turns are cut
    study_title: str = ""  # the study's title and authors (project setting), "" when not set
    authors: str = ""

    @property
    def quote_count(self) -> int:
        return sum(len(t.quotes) for t in self.tables)

    @property
    def participants(self) -> list[str]:
        return sorted({p for t in self.tables for p in t.participants}, key=natural_key)

    @property
    def method_note(self) -> str:
        o = self.options
        if o.method_note is not None:
            return o.method_note
        example = next((q.citation for t in self.tables for q in t.quotes if q.citation), None)
        return default_method_note(o, example, self.conventions, self.examples())

    @property
    def conventions(self) -> frozenset[str]:
        """The conventions that occur in this report (see ``default_method_note``)."""
        out = set().union(*(t.conventions for t in self.tables))
        if self.merged:
            out.add("merged")
        if self.interviewers_left_out:
            out.add("interviewers")
        return frozenset(out)

    def examples(self) -> dict[str, str]:
        """The first transcriber's note and kept time marker in the report."""
        out: dict[str, str] = {}
        for t in self.tables:
            for q in t.quotes:
                for p in (q.rendered.pieces if q.rendered is not None else ()):
                    if p.kind in ("note", "time") and p.kind not in out:
                        out[p.kind] = p.text
        return out

    def summary(self) -> str:
        n, q, p = len(self.tables), self.quote_count, len(self.participants)
        return (f"{n} table{'s' if n != 1 else ''}, {q} quote{'s' if q != 1 else ''} "
                f"from {p} participant{'s' if p != 1 else ''}")


# ----------------------------------------------------------------------------- text helpers
# ----------------------------------------------------------------------------- building
def cell_text(quote: Quote, column: Column) -> str:
    """What a quote's row shows in a column (the quote column includes its “ ”)."""
    k = column.key
    if k == "quote":
        return quote.quoted
    if k == "participant":
        return quote.citation
    if k == "subtheme":
        return quote.subtheme
    if k == "case":
        return quote.case or ""
    if k == "source":
        return quote.source
    if k == "code":
        return PATH_SEPARATOR.join(quote.code_path)
    if k == "coder":
        return quote.coder
    if k == "memo":
        return quote.memo
    if column.attribute is not None:
        return quote.attributes.get(column.attribute, "")
    return ""


def table_rows(table: QuoteTable, columns: list[Column]) -> Iterator[tuple[str, Any]]:  # the row's shape is the kind's
    """Rows as a writer lays them out: ``("group", label)`` sub-heading rows and
    ``("quote", (quote, cells, new_subtheme))``. A sub-theme is printed only on the first row
    of its run (like a merged cell); ``new_subtheme`` marks where a run starts."""
    show_sub = any(c.key == "subtheme" for c in columns)
    for group in table.groups:
        if group.label is not None:
            yield "group", group.label
        prev = None
        for q in group.quotes:
            cells = [cell_text(q, c) for c in columns]
            new_run = q.subtheme != prev
            if show_sub and not new_run:
                cells = ["" if c.key == "subtheme" else v for c, v in zip(columns, cells)]
            prev = q.subtheme
            yield "quote", (q, cells, new_run)
