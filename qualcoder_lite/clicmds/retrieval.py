"""Finding passages: ``segments`` (coded passages, each as its quote) and ``search`` (full text)."""

from __future__ import annotations

import sys

from ..core.errors import UsageError
from ..core.wording import counted
from ._common import emit_json, open_for, warn


def cmd_segments(args) -> int:
    from ..core.services.sources.filters import parse_where
    from ..core.services.quotes.segments import code_ids_for, segment_dict, segments

    with open_for(args) as project:
        ids = code_ids_for(project, args.code, args.descendants)
        where = parse_where(project, args.where)
        known = {c.name for c in project.coders.all()}
        for c in args.coded_by or ():
            if c not in known:
                raise UsageError(f"unknown coder {c!r} (coders: {', '.join(sorted(known)) or 'none'})")
        warn(_unused_where_values(project, args.where))
        if args.code and not args.descendants and ids and not project.codings.ids_for_codes(ids):
            subs = [d for i in ids for d in project.codes.descendants(i)]
            if subs and project.codings.ids_for_codes(subs):
                warn(["the code has no codings of its own, its sub-codes do: add --descendants"])
        segs = segments(project, ids, where, coders=args.coded_by)
        if args.json:  # "text" is exactly the coded text
            emit_json([segment_dict(s) for s in segs])
        else:  # each coding's quote, as the retrieval table and the exports print it
            from ..core.services.quotes.quoting import Quoter

            quoter = Quoter(project)
            for s in segs:
                quote = quoter.coding_quote(s).text
                print(f"{s.source} ({s.case or '-'}) {s.start}-{s.end} [{s.code}] {s.coder}: {quote}")
            sys.stderr.write(f"{len(segs)} segment{'s' if len(segs) != 1 else ''}\n")
    return 0


def _unused_where_values(project, exprs) -> list[str]:
    """Warnings for --where values no case has (a typo or a different spelling)."""
    out = []
    values = project.attributes.case_values()
    for expr in exprs or ():
        name, _, value = expr.partition("=")
        name, value = name.strip(), value.strip()
        present = sorted({v[name] for v in values.values() if name in v})
        attr = project.attributes.by_name(name, "case")
        if attr is None or not present:
            continue
        from ..core.services.sources.attributes import parse_value

        wanted = parse_value(value, attr.type)
        if all(parse_value(v, attr.type) != wanted for v in present):
            shown = ", ".join(present[:12]) + (" …" if len(present) > 12 else "")
            out.append(f"no case has {name}={value} (values: {shown})")
    return out


def cmd_search(args) -> int:
    from ..core.services.search.search import search

    with open_for(args) as project:
        hits = found = search(project, args.query)
    total = len(hits)
    if args.limit is not None:
        hits = hits[: max(0, args.limit)]
    if args.json:
        emit_json([h.as_dict() for h in hits])
    else:
        for h in hits:
            print(f"{h.source} ({h.case or '-'}) {h.start}-{h.end}: {h.snippet}")
    in_sources = counted(len(found.by_source), "source")  # every source with a hit, not only those shown
    shown = f"{len(hits):,} of {counted(total, 'hit')}" if len(hits) < total else counted(total, "hit")
    sys.stderr.write(f"{shown} in {in_sources}\n")
    return 0


def _segments_parser(add) -> None:
    sp = add("segments", cmd_segments,
             "list coded segments (each as its quote; --json gives the exact coded text)")
    sp.add_argument("project")
    sp.add_argument("--code", action="append", metavar="PATH", help="only this code (repeatable)")
    sp.add_argument("--descendants", action="store_true", help="include sub-codes of --code")
    sp.add_argument("--where", action="append", metavar="ATTR=VALUE", help="filter by attribute (repeatable)")
    sp.add_argument("--coded-by", action="append", metavar="CODER", help="only this coder's codings (repeatable)")
    sp.add_argument("--json", action="store_true")


def _search_parser(add) -> None:
    sp = add("search", cmd_search, 'full-text search: words, "phrases", prefix*, AND/OR/NOT')
    sp.add_argument("project")
    sp.add_argument("query")
    sp.add_argument("--limit", type=int)
    sp.add_argument("--json", action="store_true")


PARSERS = {"segments": _segments_parser, "search": _search_parser}
