"""``matrix`` (framework matrix export) and ``compare`` (groups of cases side by side)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..core.errors import QualCoderError, UsageError
from ..core.wording import counted
from ._common import add_force, emit_json, open_for, output_for


def _columns(project, paths):
    """Column code ids in the order given (unknown path: usage error); None = default."""
    return [project.codes.resolve(p).id for p in paths] if paths else None


def cmd_matrix(args) -> int:
    from ..core.services.sources.filters import parse_where
    from ..core.services.matrix.matrix import build_matrix

    if args.json and not args.out:
        return _matrix_json(args)
    if not args.out:
        raise UsageError("matrix: give --out FILE.docx|.xlsx|.csv, or --json to print the cells")
    out = Path(args.out)
    kind = out.suffix.lower()
    if kind not in (".docx", ".xlsx", ".csv"):
        raise UsageError(f"--out {out.name}: choose a .docx, .xlsx or .csv file name")
    target = output_for(args, out)
    with open_for(args) as project:
        from ..core.services.matrix.matrix import framework_charts

        where = parse_where(project, args.where)
        cols = _columns(project, args.columns)
        charts = None
        if cols is None and kind != ".csv":
            # Framework as the method draws it: one chart per theme
            charts = framework_charts(project, row_kind=args.rows, where=where, group_by=args.group_by,
                                      attributes=args.attributes)
            charts = [m for m in charts if m.columns]
        if cols is None:
            cols = [c.id for c in project.codes.all()]
        matrix = build_matrix(project, cols, row_kind=args.rows, roll_up=args.descendants,
                              where=where, group_by=args.group_by, attributes=args.attributes)
        if not matrix.rows or not matrix.columns:
            what = "no cases match" if not matrix.rows else "no codes to use as columns"
            raise QualCoderError(f"nothing to export: {what}; {out} was not written")
        _write_matrix(args, project, kind, target, matrix, charts)
    line = _wrote_line(out, matrix, charts)
    if args.json:  # stdout stays one JSON value
        from ..core.services.matrix.matrix import matrix_json

        sys.stderr.write(line + "\n")
        emit_json(matrix_json(matrix))
    else:
        print(line)
    return 0


def _write_matrix(args, project, kind, target, matrix, charts) -> None:
    """Write the matrix (or its charts, one per theme) to ``target``, with the linked quotes
    when asked for."""
    from ..core.formats import matrix_export as mx
    from ..core.services.matrix.cell_quotes import matrix_quotes
    from ..core.services.sources.study import study, study_title

    quotes = None
    if args.with_quotes:
        quotes = {}
        for m in charts or [matrix]:
            quotes.update(matrix_quotes(project, m))
    if kind == ".csv":
        mx.write_csv(matrix, target, quotes)
    elif kind == ".xlsx":
        warnings: list[str] = []
        mx.write_xlsx(charts if charts is not None else matrix, target, quotes, warnings=warnings)
        for w in warnings:
            sys.stderr.write(f"warning: {w}\n")
    else:
        from ..core.services.anchors.export_notes import summary_notes

        notes = {k: v for m in charts or [matrix] for k, v in summary_notes(project, m).items()}
        mx.write_docx(charts if charts is not None else matrix, target, study_title(project), quotes,
                      authors=study(project).authors, footnote=args.footnote or "", notes=notes)


def _wrote_line(out, matrix, charts) -> str:
    shown = charts if charts is not None else [matrix]
    cells = [c for m in shown for c in m.cells.values()]
    charted = sum(1 for c in cells if c.summary)
    to_chart = sum(1 for c in cells if c.to_chart)
    layout = (f"{_n(len(shown), 'chart')} (one per theme), {_n(len(matrix.rows), 'row')}" if charts is not None
              else f"{_n(len(matrix.rows), 'row')} × {_n(len(matrix.columns), 'column')}")
    return f"wrote {out}: {layout}, {_n(charted, 'summary', 'summaries')}, {_n(to_chart, 'cell')} to chart"


_n = counted  # ``1 case``, ``2 cases``


def _matrix_json(args) -> int:
    """``matrix --json``: one entry per cell with quotes or a summary (issue 18)."""
    from ..core.services.sources.filters import parse_where
    from ..core.services.matrix.matrix import build_matrix, matrix_json

    with open_for(args) as project:
        matrix = build_matrix(project, _columns(project, args.columns), row_kind=args.rows, roll_up=args.descendants,
                              where=parse_where(project, args.where), group_by=args.group_by)
        emit_json(matrix_json(matrix))
    return 0


def cmd_compare(args) -> int:
    from ..core.services.sources.filters import parse_where
    from ..core.services.matrix.matrix import compare

    with open_for(args) as project:
        cols = _columns(project, args.columns)
        rows = compare(project, args.by, cols, roll_up=args.descendants, where=parse_where(project, args.where))
    if args.json:
        emit_json([r.as_dict() for r in rows])
        return 0
    values = list(dict.fromkeys(r.value for r in rows))
    codes = list(dict.fromkeys(r.code for r in rows))
    by_key = {(r.code, r.value): r for r in rows}
    width = max([len(c) for c in codes] + [4])
    head = f"{'code':<{width}}  " + "  ".join(f"{args.by}={v:<12}" for v in values)
    print(head)
    for c in codes:
        cells = []
        for v in values:
            r = by_key[(c, v)]
            share = "" if r.share is None else f" {round(100 * r.share):>3}%"
            cells.append(f"{r.cases}/{r.cases_total}{share}".ljust(len(args.by) + 13))
        print(f"{c:<{width}}  " + "  ".join(cells))
    sys.stderr.write("cells: cases with quotes / cases with the value (share)\n")
    return 0


def _matrix_parser(add) -> None:
    sp = add("matrix", cmd_matrix, "export the framework matrix (cases × codes, summaries) to .docx, .xlsx or .csv")
    sp.add_argument("project")
    sp.add_argument("--out", metavar="FILE", help="FILE.docx, FILE.xlsx or FILE.csv (optional with --json)")
    add_force(sp)
    sp.add_argument("--columns", nargs="+", metavar="PATH",
                    help="codes to use as columns of one custom chart (default: .docx and .xlsx get one "
                         "framework chart per theme, its sub-codes as columns; .csv one table of every code)")
    sp.add_argument("--descendants", action="store_true", help="with --columns: a column also counts its sub-codes' quotes")
    sp.add_argument("--attributes", nargs="+", metavar="ATTR", default=[],
                    help="case attributes printed as columns beside the case")
    sp.add_argument("--footnote", metavar="TEXT", help="a line under each Word chart (abbreviations)")
    sp.add_argument("--rows", choices=("case", "source"), default="case")
    sp.add_argument("--where", action="append", metavar="ATTR=VALUE", help="only these cases (repeatable)")
    sp.add_argument("--group-by", metavar="ATTR", help="group rows by a case attribute")
    sp.add_argument("--with-quotes", action="store_true", help="put the linked quotes under each summary")
    sp.add_argument("--json", action="store_true",
                    help="print the cells with quotes or a summary as JSON (no file unless --out)")


def _compare_parser(add) -> None:
    sp = add("compare", cmd_compare, "per code: how many cases of each attribute value have quotes there")
    sp.add_argument("project")
    sp.add_argument("--by", required=True, metavar="ATTR", help="case attribute whose values form the groups")
    sp.add_argument("--columns", nargs="+", metavar="PATH", help="codes to compare (default: every code)")
    sp.add_argument("--descendants", action="store_true", help="a code also counts its sub-codes' quotes")
    sp.add_argument("--where", action="append", metavar="ATTR=VALUE", help="only these cases (repeatable)")
    sp.add_argument("--json", action="store_true")


PARSERS = {"matrix": _matrix_parser, "compare": _compare_parser}
