"""Building a quote report: check the options, select the coded passages of each chosen code,
render them through the one quote renderer and lay them out in tables and groups (no file
is written; the Word writer, the HTML preview and the command line share the result)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from ... import codepath
from ...errors import UsageError
from ...model import Segment
from ..sources.attributes import parse_value
from ..sources.filters import Where, parse_where
from .citations import CitationTemplate
from .quoting import Quoter, cite_fields, merge_passages
from .quotes import (BUILTIN_COLUMNS, PATH_SEPARATOR, Column, Progress, Quote, QuoteGroup, QuoteReport, QuoteTable,
                     ReportOptions, natural_key)
from .segments import segments


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
        head: tuple  # (missing last, a number or date, a text's natural key)
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
    checked = _check_options(project, opts)
    targets, members, by_id = _targets(project, opts)
    wanted = sorted({i for ids in members.values() for i in ids})

    allowed = checked.where.source_ids(project) if checked.where else None
    by_code: dict[int, list[Segment]] = {}

    def fetch(code_ids: list[int]) -> None:
        for seg in segments(project, code_ids, None, coders=opts.coders or None, source_ids=allowed):
            by_code.setdefault(seg.code_id, []).append(seg)

    if max_tables is None:  # one query for everything; the preview fetches table by table
        fetch(wanted)
    quoter = Quoter(project, opts.quote_format(), checked.cite)
    order_key = _order_key(opts.order, checked.attr_types)
    report = QuoteReport(project.name, _dt.date.today(), opts, checked.columns, [],
                         interviewers_left_out=bool(quoter.interviewers))
    number = opts.start
    for n, code in enumerate(targets):
        if progress is not None and not progress(n, len(targets), f"Selecting quotes for {code.name}"):
            raise InterruptedError("report cancelled")
        if max_tables is not None:
            fetch([i for i in members[code.id] if i not in by_code])
        quotes = _code_quotes(code, members[code.id], by_id, by_code, quoter, opts, report)
        if not quotes:
            report.empty_codes.append(code.path_str)
            continue
        show_sub = any(c.key == "subtheme" for c in checked.columns)
        sub_rank = {cid: i for i, cid in enumerate(members[code.id])}

        def row_key(q: Quote, _rank=sub_rank, _show=show_sub):
            return ((_rank[q.code_id] if _show else 0),) + tuple(order_key(q))

        groups = _group(quotes, opts, checked.group_type, row_key)
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


@dataclass
class _Checked:
    """What checking the options found out (every unknown name is a UsageError first)."""

    attr_types: dict[str, str]
    columns: list[Column]
    cite: CitationTemplate
    group_type: str | None
    where: Where | None


def _check_options(project, opts: ReportOptions) -> _Checked:
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
    return _Checked(attr_types, columns, cite, group_type, where)


def _targets(project, opts: ReportOptions) -> tuple[list, dict[int, list[int]], dict]:
    """(the codes that get a table, code id -> the code ids its table draws on in tree
    order, code id -> code)."""
    all_codes = project.codes.all()
    tree_pos = {c.id: i for i, c in enumerate(all_codes)}
    by_id = {c.id: c for c in all_codes}
    if opts.codes:
        targets, seen = [], set()
        by_path = {c.path: c for c in all_codes}  # (sibling names are unique)
        for p in opts.codes:
            code = by_path.get(tuple(codepath.split(p))) or project.codes.resolve(p)  # (the error names p)
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
    return targets, members, by_id


def _code_quotes(code, member_ids: list[int], by_id: dict, by_code: dict[int, list[Segment]], quoter: Quoter,
                 opts: ReportOptions, report: QuoteReport) -> list[Quote]:
    """The quotes of one table: every passage of the code and its members, rendered."""
    quotes: list[Quote] = []
    for cid in member_ids:
        member = by_id[cid]
        sub = member.path[len(code.path):]
        subtheme = PATH_SEPARATOR.join(sub) if sub else code.name
        passages, dropped = merge_passages(by_code.get(cid, []), quoter.edits, opts.merge_overlaps)
        report.merged += dropped
        for passage in passages:
            made = quoter.passage_quote(passage, member.name)
            if made is None:
                continue
            seg, r = passage.segment, made.quote
            quotes.append(Quote(
                coding_id=seg.coding_id, source=seg.source, source_id=seg.source_id, case=made.case,
                code_id=cid, code_path=member.path, subtheme=subtheme,
                start=passage.start, end=passage.end, text=r.text, original=r.original,
                edited=r.edited, shortened=r.shortened,
                coder=", ".join(passage.coders), memo=seg.memo, speaker=r.speaker, attributes=made.attributes,
                citation=made.citation, rendered=r, coding_ids=passage.coding_ids,
            ))
    return quotes


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
