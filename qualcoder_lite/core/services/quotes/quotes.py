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
(``report_docx.py``), the HTML preview and the command line share it.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field, fields
from typing import Callable, Iterator

from ...errors import UsageError
from ...model import Segment, natural_key
from ..sources.attributes import parse_value
from .citations import CITE_FIELDS, CitationTemplate  # noqa: F401  (re-exported)
from ..sources.filters import parse_where
from .quote_render import STYLES as QUOTE_STYLES, RenderedQuote, collapse, whole_words  # noqa: F401
from .quoting import QuoteFormat, Quoter, cite_fields, merge_passages  # noqa: F401
from .segments import segments

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
def _attribute_names(project) -> tuple[dict[str, str], dict[str, str]]:
    """({case attribute: type}, {source attribute: type})."""
    case_attrs = {a.name: a.type for a in project.attributes.all("case")}
    src_attrs = {a.name: a.type for a in project.attributes.all("source")}
    return case_attrs, src_attrs


def resolve_columns(project, specs: list[str]) -> list[Column]:
    """Column specs ``key`` or ``key=Header``: a built-in column or an attribute name
    (``attribute:NAME`` when a name clashes with a built-in one)."""
    if not specs:
        raise UsageError("choose at least one column")
    case_attrs, src_attrs = _attribute_names(project)
    attrs = list(case_attrs) + [a for a in src_attrs if a not in case_attrs]
    out: list[Column] = []
    for spec in specs:
        key, _, header = spec.partition("=")
        key, header = key.strip(), header.strip()
        attribute = None
        if key.startswith("attribute:"):
            attribute = key.split(":", 1)[1].strip()
        elif key not in BUILTIN_COLUMNS:
            attribute = key
        if attribute is not None:
            if attribute not in attrs:
                raise UsageError(
                    f"unknown column {key!r} (columns: {', '.join(BUILTIN_COLUMNS)}; "
                    f"attributes: {', '.join(attrs) or 'none defined'})"
                )
            out.append(Column(f"attribute:{attribute}", header or _pretty(attribute), attribute))
        else:
            out.append(Column(key, header or BUILTIN_COLUMNS[key]))
    keys = [c.key for c in out]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise UsageError(f"column {dupes[0]!r} is listed twice")
    return out


def _pretty(name: str) -> str:
    s = name.replace("_", " ").strip()
    return s[:1].upper() + s[1:]


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


def table_rows(table: QuoteTable, columns: list[Column]) -> Iterator[tuple[str, object]]:
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


def _order_key(order: str, attr_types: dict[str, str]):
    if order == "position":
        return lambda q: (natural_key(q.source), q.start, q.end)
    if order == "case":
        return lambda q: (natural_key(q.case or q.source), natural_key(q.source), q.start, q.end)
    name = order.split(":", 1)[1].strip()
    type_ = attr_types[name]

    def key(q: Quote):
        raw = q.attributes.get(name)
        parsed = parse_value(raw, type_) if raw else None
        if parsed is None:
            head = (1, 0, "")
        elif isinstance(parsed, str):
            head = (0, 0, natural_key(parsed))
        else:
            head = (0, parsed, "")
        return (head, natural_key(q.case or q.source), natural_key(q.source), q.start, q.end)

    return key


def _check_attribute(name: str, case_attrs: dict, src_attrs: dict, what: str) -> str:
    if name in case_attrs:
        return case_attrs[name]
    if name in src_attrs:
        return src_attrs[name]
    known = list(case_attrs) + [a for a in src_attrs if a not in case_attrs]
    raise UsageError(f"unknown attribute {name!r} in {what} (attributes: {', '.join(known) or 'none defined'})")


def build_report(project, opts: ReportOptions, max_tables: int | None = None,
                 progress: Progress | None = None) -> QuoteReport:
    """Select and lay out the quotes (no file is written). ``max_tables`` stops after that
    many non-empty tables (the live preview needs only the first)."""
    opts.check()
    case_attrs, src_attrs = _attribute_names(project)
    attr_types = {**src_attrs, **case_attrs}
    columns = resolve_columns(project, opts.columns)
    cite = CitationTemplate(opts.cite, cite_fields(project))
    if opts.order.startswith("attribute:"):
        _check_attribute(opts.order.split(":", 1)[1].strip(), case_attrs, src_attrs, f"--order {opts.order}")
    group_type = None
    if opts.group_by:
        group_type = _check_attribute(opts.group_by, case_attrs, src_attrs, "--group-by")
        CitationTemplate(opts.group_label, ["attribute", "value"], "group label")
    CitationTemplate(opts.table_title, ["code", "path", "description"], "table title")
    where = parse_where(project, opts.where)
    known_coders = [c.name for c in project.coders.all()]
    for c in opts.coders:
        if c not in known_coders:
            raise UsageError(f"unknown coder {c!r} (coders: {', '.join(known_coders) or 'none'})")

    all_codes = project.codes.all()
    tree_pos = {c.id: i for i, c in enumerate(all_codes)}
    by_id = {c.id: c for c in all_codes}
    if opts.codes:
        targets, seen = [], set()
        for p in opts.codes:
            code = project.codes.resolve(p)
            if code.id not in seen:
                seen.add(code.id)
                targets.append(code)
        with_descendants = opts.descendants
    else:
        targets = [c for c in all_codes if c.parent_id is None]
        with_descendants = True
    members: dict[int, list[int]] = {}
    for code in targets:
        ids = [code.id] + (project.codes.descendants(code.id) if with_descendants else [])
        members[code.id] = sorted(ids, key=lambda i: tree_pos[i])
    wanted = sorted({i for ids in members.values() for i in ids})

    allowed = where.source_ids(project) if where else None
    by_code: dict[int, list[Segment]] = {}

    def fetch(code_ids: list[int]) -> None:
        for seg in segments(project, code_ids, None, coders=opts.coders or None, source_ids=allowed):
            by_code.setdefault(seg.code_id, []).append(seg)

    if max_tables is None:  # one query for everything; the preview fetches table by table
        fetch(wanted)
    quoter = Quoter(project, opts.quote_format(), cite)
    order_key = _order_key(opts.order, attr_types)
    report = QuoteReport(project.name, _dt.date.today(), opts, columns, [],
                         interviewers_left_out=bool(quoter.interviewers))
    number = opts.start
    for n, code in enumerate(targets):
        if progress is not None and not progress(n, len(targets), f"Selecting quotes for {code.name}"):
            raise InterruptedError("report cancelled")
        if max_tables is not None:
            fetch([i for i in members[code.id] if i not in by_code])
        quotes: list[Quote] = []
        for cid in members[code.id]:
            sub = by_id[cid].path[len(code.path):]
            passages, dropped = merge_passages(by_code.get(cid, []), quoter.edits, opts.merge_overlaps)
            report.merged += dropped
            for passage in passages:
                made = quoter.passage_quote(passage, by_id[cid].name)
                if made is None:
                    continue
                seg, r = passage.segment, made.quote
                quotes.append(Quote(
                    coding_id=seg.coding_id, source=seg.source, source_id=seg.source_id, case=made.case,
                    code_id=cid, code_path=by_id[cid].path,
                    subtheme=PATH_SEPARATOR.join(sub) if sub else code.name,
                    start=passage.start, end=passage.end, text=r.text, original=r.original,
                    edited=r.edited, shortened=r.shortened,
                    coder=", ".join(passage.coders), memo=seg.memo, speaker=r.speaker, attributes=made.attributes,
                    citation=made.citation, rendered=r, coding_ids=passage.coding_ids,
                ))
        if not quotes:
            report.empty_codes.append(code.path_str)
            continue
        show_sub = any(c.key == "subtheme" for c in columns)
        sub_rank = {cid: i for i, cid in enumerate(members[code.id])}

        def row_key(q: Quote, _rank=sub_rank, _show=show_sub):
            return ((_rank[q.code_id] if _show else 0),) + tuple(order_key(q))

        groups = _group(quotes, opts, group_type, row_key)
        title = CitationTemplate(opts.table_title, ["code", "path", "description"], "table title").render(
            {"code": code.name, "path": PATH_SEPARATOR.join(code.path), "description": code.description})
        report.tables.append(QuoteTable(
            number=f"{opts.prefix}{number}", title=title, code_id=code.id, code_path=code.path,
            description=code.description, groups=groups,
        ))
        number += 1
        if max_tables is not None and len(report.tables) >= max_tables:
            break
    return report


def _group(quotes: list[Quote], opts: ReportOptions, group_type: str | None, row_key) -> list[QuoteGroup]:
    if not opts.group_by:
        return [QuoteGroup(None, None, sorted(quotes, key=row_key))]
    name = opts.group_by
    buckets: dict[str | None, list[Quote]] = {}
    for q in quotes:
        v = q.attributes.get(name) or None
        buckets.setdefault(v, []).append(q)

    def value_key(v):
        if v is None:
            return (1, 0, ())
        parsed = parse_value(v, group_type or "text")
        if parsed is None or isinstance(parsed, str):
            return (0, 0, natural_key(v))
        return (0, parsed, ())

    label_tpl = CitationTemplate(opts.group_label, ["attribute", "value"], "group label")
    out = []
    for v in sorted(buckets, key=value_key):
        label = label_tpl.render({"attribute": _pretty(name), "value": v if v is not None else "not recorded"})
        out.append(QuoteGroup(label, v, sorted(buckets[v], key=row_key)))
    return out
