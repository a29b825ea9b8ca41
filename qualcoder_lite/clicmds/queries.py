"""The analyst's queries (issue 18): ``coverage``, ``cooccurrence``, ``words`` and ``summary``
(set or clear a framework-matrix cell's summary)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..core.errors import QualCoderError, UsageError
from ._common import add_force, emit_json, open_for, output_for, warn


def _out_target(args, kinds):
    from ..core.formats.query_tables import table_kind

    if not args.out:
        return None
    table_kind(args.out, kinds)  # a wrong extension is a usage error before any work
    return output_for(args, Path(args.out))


def _write(target, head, rows, title, what) -> None:
    from ..core.formats.query_tables import write_table

    if not rows:
        raise QualCoderError(f"nothing to export: {what}; {target.path} was not written")
    write_table(head, rows, target, title=title)
    sys.stderr.write(f"wrote {target.path}: {len(rows)} rows\n")


def _coverage_text(c) -> str:
    return "-" if c is None else f"{100 * c:.2f}%"


def cmd_coverage(args) -> int:
    from ..core.services.queries.coverage import coverage
    from ..core.services.sources.filters import parse_where
    from ..core.services.quotes.segments import code_ids_for

    target = _out_target(args, (".csv", ".xlsx"))
    with open_for(args) as project:
        ids = code_ids_for(project, args.codes, args.descendants)
        rows = coverage(project, ids, parse_where(project, args.where))
    if target is not None:
        _write(target, ["code", "source", "references", "characters", "coverage"],
               [[r.code, r.source, r.references, r.characters, r.coverage] for r in rows],
               "Coverage", "no code has codings in these sources")
    if args.json:
        emit_json([r.as_dict() for r in rows])
    elif target is None:
        if not rows:
            warn(["no codings match"])
        width = max([len(r.code) for r in rows] + [4])
        for r in rows:
            refs = f"{r.references} reference{'s' if r.references != 1 else ''}"
            print(f"{r.code:<{width}}  {r.source}  {refs}, {r.characters} characters, "
                  f"{_coverage_text(r.coverage)}")
    return 0


def cmd_cooccurrence(args) -> int:
    from ..core.services.queries.cooccurrence import cooccurrence
    from ..core.services.sources.filters import parse_where
    from ..core.services.quotes.segments import code_ids_for

    target = _out_target(args, (".csv", ".xlsx", ".docx"))
    with open_for(args) as project:
        ids = code_ids_for(project, args.codes, args.descendants)
        pairs = cooccurrence(project, ids, args.unit, parse_where(project, args.where))
    if target is not None:
        _write(target, ["a", "b", "passages", "cases"], [[p.a, p.b, p.passages, len(p.cases)] for p in pairs],
               f"Code co-occurrence ({args.unit})", "no two codes occur together")
    if args.json:
        emit_json([p.as_dict() for p in pairs])
    elif target is None:
        for p in pairs:
            print(f"{p.a}  ×  {p.b}: {p.passages} passages, {len(p.cases)} cases")
    return 0


def cmd_words(args) -> int:
    from ..core.services.sources.filters import parse_where
    from ..core.services.quotes.segments import code_ids_for
    from ..core.services.queries.wordfreq import word_frequency

    if args.top is not None and args.top < 1:
        raise UsageError("--top must be 1 or more")
    extra = list(args.stop_word or ())
    if args.stop_words:
        from ..core.outfile import check_input

        check_input(args.stop_words, args.project, "stop-word list")
        try:
            with open(args.stop_words, encoding="utf-8-sig") as fh:
                extra += [w for line in fh for w in line.split()]
        except (OSError, UnicodeDecodeError) as exc:
            raise QualCoderError(f"{args.stop_words}: cannot read the stop-word list ({exc})") from exc
    with open_for(args) as project:
        ids = code_ids_for(project, args.code, args.descendants) if args.code else None
        rows = word_frequency(project, top=args.top, code_ids=ids, where=parse_where(project, args.where),
                              include_interviewer=args.include_interviewer, extra_stop_words=extra,
                              stemming=args.stem, min_length=args.min_length,
                              stop_words=set() if args.no_stop_words else None)
    if args.json:
        emit_json([r.as_dict() for r in rows])
    else:
        width = max([len(r.word) for r in rows] + [4])
        for r in rows:
            print(f"{r.word:<{width}}  {r.count:>6}  in {r.sources} source{'s' if r.sources != 1 else ''}")
    return 0


def cmd_summary(args) -> int:
    from ..core.services.matrix.summaries import SetCellSummary

    if args.clear == (args.text is not None):
        raise UsageError("summary: give --text TEXT, or --clear")
    with open_for(args) as project:
        case = project.cases.by_name(args.case)
        if case is None:
            raise UsageError(f"unknown case {args.case!r}")
        code = project.codes.resolve(args.code)
        project.execute(SetCellSummary(case.id, code.id, "" if args.clear else args.text))
    print(f"{'cleared' if args.clear else 'set'} the summary of {case.name} × {code.path_str}")
    return 0


def _coverage_parser(add) -> None:
    sp = add("coverage", cmd_coverage,
             "per code and source: references, coded characters (overlaps once) and coverage of the source")
    sp.add_argument("project")
    sp.add_argument("--codes", nargs="+", metavar="PATH", help="only these codes (default: every code)")
    sp.add_argument("--descendants", action="store_true", help="also the sub-codes of --codes (each its own rows)")
    sp.add_argument("--where", action="append", metavar="ATTR=VALUE", help="only sources of these cases (repeatable)")
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--out", metavar="FILE", help="also write FILE.csv or FILE.xlsx")
    add_force(sp)


def _cooccurrence_parser(add) -> None:
    sp = add("cooccurrence", cmd_cooccurrence,
             "code × code: passages coded at both (overlapping, or in one sentence/paragraph/turn) and cases")
    sp.add_argument("project")
    sp.add_argument("--codes", nargs="+", metavar="PATH", help="only these codes (default: every code)")
    sp.add_argument("--descendants", action="store_true", help="also the sub-codes of --codes")
    sp.add_argument("--unit", choices=("overlap", "sentence", "paragraph", "turn"), default="overlap",
                    help="overlap: codings sharing a character (default); else the same unit")
    sp.add_argument("--where", action="append", metavar="ATTR=VALUE", help="only sources of these cases (repeatable)")
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--out", metavar="FILE", help="also write FILE.xlsx, FILE.csv or FILE.docx")
    add_force(sp)


def _words_parser(add) -> None:
    sp = add("words", cmd_words, "most frequent words (case-folded, English stop words left out)")
    sp.add_argument("project")
    sp.add_argument("--top", type=int, default=100, metavar="N", help="how many words (default: 100)")
    sp.add_argument("--code", nargs="+", metavar="PATH", help="only the passages coded at these codes")
    sp.add_argument("--descendants", action="store_true", help="also the sub-codes of --code")
    sp.add_argument("--where", action="append", metavar="ATTR=VALUE", help="only sources of these cases (repeatable)")
    sp.add_argument("--include-interviewer", action="store_true", help="count interviewer turns too")
    sp.add_argument("--stem", action="store_true", help="group inflections (referral/referrals, wait/waited/waiting)")
    sp.add_argument("--stop-word", action="append", metavar="WORD", help="another word to leave out (repeatable)")
    sp.add_argument("--stop-words", metavar="FILE", help="a text file of words to leave out (space or line separated)")
    sp.add_argument("--no-stop-words", action="store_true", help="keep the English stop words")
    sp.add_argument("--min-length", type=int, default=3, metavar="N", help="shortest word counted (default: 3)")
    sp.add_argument("--json", action="store_true")


def _summary_parser(add) -> None:
    sp = add("summary", cmd_summary, "set (or --clear) a framework-matrix cell's summary: one undoable step",
             writes=True)
    sp.add_argument("project")
    sp.add_argument("--case", required=True, metavar="CASE")
    sp.add_argument("--code", required=True, metavar="PATH")
    sp.add_argument("--text", metavar="TEXT", help="the summary")
    sp.add_argument("--clear", action="store_true", help="remove the summary")


PARSERS = {"coverage": _coverage_parser, "cooccurrence": _cooccurrence_parser, "words": _words_parser,
           "summary": _summary_parser}
