"""Team coding on the command line: ``coders``, ``agreement`` and ``merge``.

    qualcoder-lite coders PROJECT [--json]
    qualcoder-lite agreement PROJECT --coders A B [C ...] [--unit character|sentence|paragraph|turn]
                   [--codes PATH ...] [--descendants] [--source NAME ...] [--by-source] [--json]
                   [--out FILE.docx|FILE.csv]
    qualcoder-lite merge PROJECT OTHER.qlite|OTHER.qdpx [--json]
"""

from __future__ import annotations

import sys

from ..core.errors import UsageError
from ._common import add_force, emit_json, open_for, output_for, resolve_project


def _fmt(v: float | None, digits: int) -> str:
    """'—' for an undefined value; never '-0.000' for a value that rounds to zero."""
    return "—" if v is None else f"{round(v, digits) + 0.0:.{digits}f}"


def cmd_coders(args) -> int:
    from ..core.services.team.agreement import coder_table

    with open_for(args) as project:
        rows = coder_table(project)
    if args.json:
        emit_json(rows)
        return 0
    for r in rows:
        s = "" if r["sources"] == 1 else "s"
        print(f"{r['coder']}: {r['codings']:,} coding{'s' if r['codings'] != 1 else ''} in {r['sources']} source{s} ({r['color'] or 'no colour'})")
    if not rows:
        sys.stderr.write("no coders yet\n")
    return 0


def _source_ids(project, names: list[str] | None) -> set[int] | None:
    if not names:
        return None
    ids = set()
    for name in names:
        src = project.sources.by_name(name)
        if src is None:
            raise UsageError(f"unknown source {name!r}")
        ids.add(src.id)
    return ids


def cmd_agreement(args) -> int:
    from ..core.formats.agreement_export import FORMATS, UNIT_WORDS, export
    from ..core.services.team.agreement import compare
    from ..core.services.quotes.segments import code_ids_for

    if args.out and not args.out.lower().endswith(FORMATS):
        raise UsageError(f"{args.out}: choose a .csv or .docx file for the agreement table")
    target = output_for(args, args.out) if args.out else None
    with open_for(args) as project:
        code_ids = code_ids_for(project, args.codes, args.descendants)
        result = compare(project, args.coders, unit=args.unit, code_ids=code_ids,
                         source_ids=_source_ids(project, args.source))
    if args.out:
        path = export(result, target)
        sys.stderr.write(f"wrote {path} ({len(result.rows)} code{'s' if len(result.rows) != 1 else ''})\n")
    if args.json:
        emit_json(result.as_json(by_source=args.by_source))
        return 0
    if args.out:
        return 0
    a, b = result.coders[0], result.coders[1]
    extra = f"; alpha across {', '.join(result.coders)}" if len(result.coders) > 2 else ""
    print(f"{a} (A) vs {b} (B), unit: {UNIT_WORDS[result.unit]}, {result.sources} sources{extra}; lowest kappa first")
    print(f"{'kappa':>7} {'agree%':>7} {'A only':>9} {'B only':>9} {'both':>9} {'units':>10} {'alpha':>7}  code")
    per_source: dict[int, list] = {}
    for r in result.by_source:
        per_source.setdefault(r.code_id, []).append(r)

    def line(r, label: str) -> str:
        return (f"{_fmt(r.kappa, 3):>7} {_fmt(r.agreement, 2):>7} {r.a_only:>9,} {r.b_only:>9,} {r.both:>9,} "
                f"{r.units:>10,} {_fmt(r.alpha, 3):>7}  {label}")

    for r in result.by_kappa():
        print(line(r, r.code))
        if args.by_source:
            for s in sorted(per_source.get(r.code_id, ()), key=lambda x: x.source or ""):
                print(line(s, f"    in {s.source}"))
    print(line(result.overall, "OVERALL (pooled over the codes above)"))
    if not result.rows:
        sys.stderr.write(f"neither {a} nor {b} applied any of the codes compared\n")
    return 0


def cmd_merge(args) -> int:
    from ..core.outfile import check_input
    from ..core.services.team.merge import merge_copy

    check_input(args.other, resolve_project(args.project), "colleague's copy to merge")
    with open_for(args) as project:
        cmd = merge_copy(project, args.other)
    report = cmd.result
    if args.json:
        emit_json(report.as_dict())
    else:
        print("\n".join(report.lines()))
    return 0


def _coders_parser(add) -> None:
    sp = add("coders", cmd_coders, "list coders with their coding counts")
    sp.add_argument("project")
    sp.add_argument("--json", action="store_true")


def _agreement_parser(add) -> None:
    from ..core.services.team.agreement import UNITS

    sp = add("agreement", cmd_agreement,
             "compare coders per code: Cohen's kappa, % agreement, A-only/B-only (alpha across 2+ coders)")
    sp.add_argument("project")
    sp.add_argument("--coders", nargs="+", required=True, metavar="CODER",
                    help="two coders (A B); more add Krippendorff's alpha across all of them")
    sp.add_argument("--unit", choices=UNITS, default="character",
                    help="what counts as one unit (default: character, as NVivo)")
    sp.add_argument("--codes", nargs="+", metavar="PATH", help="only these codes (default: every code either coder used)")
    sp.add_argument("--descendants", action="store_true", help="also list the sub-codes of --codes")
    sp.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable)")
    sp.add_argument("--by-source", action="store_true", help="also one row per code and source")
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--out", metavar="FILE.docx|FILE.csv", help="also write the table to a Word or CSV file")
    add_force(sp)


def _merge_parser(add) -> None:
    sp = add("merge", cmd_merge, "merge a colleague's copy (.qlite or .qdpx) into the project as one undoable step",
             writes=True)
    sp.add_argument("project")
    sp.add_argument("other", metavar="OTHER", help="the other copy: .qlite (or .qdpx)")
    sp.add_argument("--json", action="store_true")


PARSERS = {"coders": _coders_parser, "agreement": _agreement_parser, "merge": _merge_parser}
