"""Quotes for reports: which coded passages go in a supplementary quote table, how each
reads and how it is cited.

One table per selected code (a theme with its sub-codes when asked). A quote is the coded
text with white space collapsed, trimmed to whole words, interviewer turns left out (``…``
marks where one was cut), or the analyst's edited form (``codings.quote_edit``) when there
is one. Typographic punctuation is applied (curly apostrophes, inner quotes as ‘…’) because
the table wraps each quote in “…”.

Citations come from a template such as ``({case})`` or ``({case}, {health_board})``: any
case or source attribute, plus ``case``, ``source``, ``speaker``, ``coder`` and ``code``. A
missing value is left out with its separator, so ``({case}, {wave})`` gives ``(PCS_02)``,
never ``(PCS_02, )``. An unknown field is a UsageError naming it.

Everything here is pure Python over the project's repositories: the Word writer
(``formats/docx_report.py``), the HTML preview and the command line share it.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import itertools
import re
import string
from dataclasses import asdict, dataclass, field, fields
from typing import Callable, Iterator

from ..errors import UsageError
from ..model import Segment, Turn
from .attributes import parse_value
from .filters import parse_where
from .segments import segments

Progress = Callable[[int, int, str], bool]  # (done, total, label) -> keep going?

ORDERS = ("case", "position")  # plus "attribute:NAME"
TABLE_STYLES = ("journal", "grid", "plain")
PAGE_SIZES = ("A4", "Letter")
CITE_FIELDS = ("case", "source", "speaker", "coder", "code")
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
        if not self.order.startswith("attribute:") and self.order not in ORDERS:
            raise UsageError(f"unknown order {self.order!r} (case, position or attribute:NAME)")


def default_method_note(opts: ReportOptions, example: str | None = None) -> str:
    """A short, editable account of how the quotes were chosen and printed."""
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
    parts.append("Quotes are the coded text with line breaks and repeated spaces removed and shortened to "
                 "whole words; an ellipsis (…) marks words left out and [square brackets] words added by "
                 "the analyst for clarity.")
    if not opts.include_interviewer:
        parts.append("Interviewer turns are left out.")
    if opts.merge_overlaps:
        parts.append("Where coders coded overlapping passages, the passage is shown once.")
    if example:
        parts.append(f"Each quote is cited by participant, for example {example}.")
    return " ".join(parts)


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
    text: str  # as printed, without the surrounding “ ”
    original: str  # the coded text (white space collapsed)
    edited: bool  # the analyst's edited form is printed
    shortened: bool  # edited, or an interviewer turn was cut out (…)
    coder: str
    memo: str
    speaker: str | None
    attributes: dict[str, str]
    citation: str

    @property
    def quoted(self) -> str:
        return f"“{self.text}”"


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
        return default_method_note(o, example)

    def summary(self) -> str:
        n, q, p = len(self.tables), self.quote_count, len(self.participants)
        return (f"{n} table{'s' if n != 1 else ''}, {q} quote{'s' if q != 1 else ''} "
                f"from {p} participant{'s' if p != 1 else ''}")


# ----------------------------------------------------------------------------- text helpers
_DIGITS = re.compile(r"(\d+)")


def natural_key(s: str | None) -> tuple:
    """P2 before P10; case-insensitive."""
    if s is None:
        return ((1, ""),)
    return tuple((0, int(p)) if p.isdigit() else (1, p.casefold()) for p in _DIGITS.split(s) if p != "")


def collapse(text: str) -> str:
    return " ".join(text.split())


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch in "'’"


_LEAD_JUNK = " \t\n,;:.)]}–—-"
_TRAIL_JUNK = " \t\n,;:([{–—-"


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow ``start:end`` so it neither begins nor ends inside a word, and drop leading
    and trailing stray punctuation (``, and then`` → ``and then``). Returns the span unchanged
    when nothing would be left."""
    s, e = start, end
    if s > 0 and s < e and _is_word(text[s - 1]) and _is_word(text[s]):
        while s < e and not text[s].isspace():
            s += 1
    if e < len(text) and s < e and _is_word(text[e]) and _is_word(text[e - 1]):
        while e > s and not text[e - 1].isspace():
            e -= 1
    while s < e and text[s] in _LEAD_JUNK:
        s += 1
    while e > s and text[e - 1] in _TRAIL_JUNK:
        e -= 1
    if s >= e:
        return start, end
    return s, e


_OPENING_SINGLE = re.compile(r"(?:^|(?<=[\s(\[{—–/-]))'(?=\S)")
_OPENING_DOUBLE = re.compile(r'(?:^|(?<=[\s(\[{—–/-]))"')
_SPACED_DASH = re.compile(r" --? ")


def typographic(text: str) -> str:
    """Curly apostrophes; inner double quotes become single (the quote is wrapped in “ ”);
    ``...`` becomes ``…`` and a spaced hyphen an en dash."""
    s = _OPENING_SINGLE.sub("‘", text)
    s = _OPENING_DOUBLE.sub("‘", s)
    s = s.replace("'", "’").replace('"', "’").replace("“", "‘").replace("”", "’")
    s = s.replace("...", "…")
    return _SPACED_DASH.sub(" – ", s)


# ----------------------------------------------------------------------------- citations
class CitationTemplate:
    """A citation template: literal text and ``{field}`` names, parsed once."""

    def __init__(self, template: str, known: list[str], what: str = "citation template"):
        self.template = template
        self.tokens: list[tuple[str, str | None]] = []  # (literal before, field or None)
        try:
            parsed = list(string.Formatter().parse(template))
        except ValueError as exc:
            raise UsageError(f"{what} {template!r}: {exc} (write a literal brace as '{{{{' or '}}}}')") from None
        for literal, name, spec, conv in parsed:
            if name is not None:
                name = name.strip()
                if not name:
                    raise UsageError(f"{what} {template!r} has an empty {{}}; name a field such as {{case}}")
                if spec or conv:
                    raise UsageError(f"{what} {template!r}: write fields plainly, as {{{name}}}")
                if name not in known:
                    builtins = [k for k in known if k in CITE_FIELDS]
                    attrs = [k for k in known if k not in CITE_FIELDS]
                    raise UsageError(
                        f"unknown attribute {name!r} in {what} {template!r} "
                        f"(fields: {', '.join(builtins)}; attributes: {', '.join(attrs) or 'none defined'})"
                    )
            self.tokens.append((literal, name))

    @property
    def fields(self) -> list[str]:
        return [n for _, n in self.tokens if n]

    def render(self, values: dict[str, str | None]) -> str:
        """Fill the fields; a missing field is dropped with the separator before it (or,
        for the first field, the one after it). All fields missing gives ''."""
        # tokens: lit0 f1 lit1 f2 lit2 ... ; a trailing literal has field None
        lits = [lit for lit, _ in self.tokens]
        names = [n for _, n in self.tokens]
        if not any(names):
            return self.template.replace("{{", "{").replace("}}", "}")
        # build: opening literal, then (separator, value) pairs, then the closing literal
        field_idx = [i for i, n in enumerate(names) if n]
        opening = lits[field_idx[0]]
        closing = "".join(lits[field_idx[-1] + 1:]) if field_idx[-1] + 1 < len(lits) else ""
        present: list[tuple[str, str]] = []  # (separator before, value)
        for k, i in enumerate(field_idx):
            value = values.get(names[i])
            value = value.strip() if isinstance(value, str) else value
            sep = lits[i] if k > 0 else ""
            if value:
                present.append((sep, value))
        if not present:
            return ""
        out = [opening, present[0][1]]
        for sep, value in present[1:]:
            out.append(sep or " ")
            out.append(value)
        out.append(closing)
        return "".join(out)


# ----------------------------------------------------------------------------- building
def _attribute_names(project) -> tuple[dict[str, str], dict[str, str]]:
    """({case attribute: type}, {source attribute: type})."""
    case_attrs = {a.name: a.type for a in project.attributes.all("case")}
    src_attrs = {a.name: a.type for a in project.attributes.all("source")}
    return case_attrs, src_attrs


def cite_fields(project) -> list[str]:
    case_attrs, src_attrs = _attribute_names(project)
    out = list(CITE_FIELDS)
    for name in list(case_attrs) + list(src_attrs):
        if name not in out:
            out.append(name)
    return out


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


def _participant_pieces(text: str, start: int, end: int, turns: list[Turn], interviewers: set[str],
                        label_starts: list[int] | None = None):
    """Spans of ``start:end`` said by participants: speaker labels cut out, interviewer turns
    cut out. Returns [(s, e, elided_before)] and the first participant speaker.
    ``label_starts`` (the turns' label starts, ascending) saves rebuilding it per quote."""
    if label_starts is None:
        label_starts = [t.label_start for t in turns]
    first = max(0, bisect.bisect_right(label_starts, start) - 1)
    removed: list[tuple[int, int, bool]] = []  # (s, e, is_interviewer_turn)
    for t in itertools.islice(turns, first, None):
        if max(t.end, t.start) <= start:
            continue
        if t.label_start >= end:
            break
        if t.label_start < t.start:
            removed.append((t.label_start, t.start, False))
        if t.speaker in interviewers:
            removed.append((t.start, t.end, True))
    pieces: list[tuple[int, int, bool]] = []
    pos, elided = start, False
    for rs, re_, interviewer in sorted(removed):
        rs, re_ = max(rs, start), min(re_, end)
        if re_ <= rs:
            continue
        if rs > pos and text[pos:rs].strip():
            pieces.append((pos, rs, elided))
            elided = False
        if interviewer and text[rs:re_].strip():
            elided = True
        pos = max(pos, re_)
    if pos < end and text[pos:end].strip():
        pieces.append((pos, end, elided))
    speaker = None
    for s, _e, _ in pieces:
        i = bisect.bisect_right(label_starts, s) - 1
        if i >= 0 and turns[i].start <= s < max(turns[i].end, turns[i].start + 1):
            speaker = turns[i].speaker
        if speaker:
            break
    return pieces, speaker


@dataclass(frozen=True)
class QuoteText:
    text: str  # as printed, without the surrounding “ ”
    speaker: str | None
    edited: bool
    shortened: bool


def quote_text(text: str, start: int, end: int, turns: list[Turn] | None = None,
               interviewers: set[str] | None = None, edited: str | None = None,
               smart: bool = True, label_starts: list[int] | None = None) -> QuoteText | None:
    """The printed quote for ``text[start:end]``; None when nothing a participant said is
    left (e.g. a coding inside an interviewer turn)."""
    pieces, speaker = _participant_pieces(text, start, end, turns or [], interviewers or set(), label_starts)
    if not pieces:
        return None
    is_edited = edited is not None and bool(collapse(edited))
    elided = any(e for _s, _e, e in pieces[1:])
    if is_edited:
        out = collapse(edited)
    else:
        parts: list[str] = []
        for s, e, cut_before in pieces:
            s, e = whole_words(text, s, e)
            chunk = collapse(text[s:e])
            if not chunk:
                continue
            if parts:
                parts.append(" … " if cut_before else " ")
            parts.append(chunk)
        out = "".join(parts)
    if not out:
        return None
    return QuoteText(typographic(out) if smart else out, speaker, is_edited, is_edited or elided)


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
    edits = {r[0]: r[1] for r in project.conn.execute(
        "SELECT id, quote_edit FROM codings WHERE quote_edit IS NOT NULL")}
    case_values = project.attributes.case_values()
    source_values = project.attributes.source_values()
    case_ids = {c.name: c.id for c in project.cases.all()}
    interviewers = set() if opts.include_interviewer else {
        s for s, r in project.sources.speaker_roles().items() if r == "interviewer"}
    texts: dict[int, str] = {}
    turns: dict[int, list[Turn]] = {}
    label_starts: dict[int, list[int]] = {}

    order_key = _order_key(opts.order, attr_types)
    report = QuoteReport(project.name, _dt.date.today(), opts, columns, [])
    number = opts.start
    for n, code in enumerate(targets):
        if progress is not None and not progress(n, len(targets), f"Selecting quotes for {code.name}"):
            raise InterruptedError("report cancelled")
        if max_tables is not None:
            fetch([i for i in members[code.id] if i not in by_code])
        quotes: list[Quote] = []
        for cid in members[code.id]:
            sub = by_id[cid].path[len(code.path):]
            spans, dropped = _spans(by_code.get(cid, []), edits, opts.merge_overlaps)
            report.merged += dropped
            for seg, start, end, coders in spans:
                if seg.source_id not in texts:
                    texts[seg.source_id] = project.sources.text(seg.source_id)
                    turns[seg.source_id] = project.sources.turns(seg.source_id)
                    label_starts[seg.source_id] = [t.label_start for t in turns[seg.source_id]]
                text = texts[seg.source_id]
                edit = edits.get(seg.coding_id) if (start, end) == (seg.start, seg.end) else None
                made = quote_text(text, start, end, turns[seg.source_id], interviewers, edit,
                                  label_starts=label_starts[seg.source_id])
                if made is None:
                    continue
                case = seg.case
                if len(seg.cases) > 1:
                    case = made.speaker if made.speaker in seg.cases else ", ".join(seg.cases)
                attrs = dict(source_values.get(seg.source_id, {}))
                attrs.update(case_values.get(case_ids.get(case or "", -1), {}))
                values = dict(attrs)
                coder = ", ".join(coders)
                values.update({"case": case or seg.source, "source": seg.source, "speaker": made.speaker,
                               "coder": coder, "code": by_id[cid].name})
                quotes.append(Quote(
                    coding_id=seg.coding_id, source=seg.source, source_id=seg.source_id, case=case,
                    code_id=cid, code_path=by_id[cid].path,
                    subtheme=PATH_SEPARATOR.join(sub) if sub else code.name,
                    start=start, end=end, text=made.text, original=collapse(text[start:end]),
                    edited=made.edited, shortened=made.shortened,
                    coder=coder, memo=seg.memo, speaker=made.speaker, attributes=attrs,
                    citation=cite.render(values),
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


def _spans(segs: list[Segment], edits: dict[int, str], merge: bool):
    """(segment, start, end, coders) for each quote of one code. With ``merge``, codings of
    the same source that overlap (two coders on one passage) become one quote spanning them
    all, so a table never prints the same words twice; an analyst-edited quote is kept as
    edited and the codings it overlaps are left out. Returns the spans and how many codings
    were merged away."""
    if not merge:
        return [(s, s.start, s.end, [s.coder]) for s in segs], 0
    out = []
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
            edited = [s for s in cl if collapse(edits.get(s.coding_id) or "")]
            if edited:
                out.extend((s, s.start, s.end, [s.coder]) for s in edited)
                dropped += len(cl) - len(edited)
                continue
            coders = sorted({s.coder for s in cl})
            out.append((cl[0], cl[0].start, max(s.end for s in cl), coders))
            dropped += len(cl) - 1
    return out, dropped


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
