"""Word reports on the command line: ``report`` (supplementary quote tables),
``codebook`` (.docx or .csv) and ``export-source`` (a coded transcript with Word comments).

An empty selection writes no file and exits 1 saying why; an unknown code, attribute,
coder or source exits 2 naming it.
"""

from __future__ import annotations

from ._common import add_force, emit_json, open_for, output_for, warn


REPORT_HELP = "write supplementary quote tables to Word (.docx), one table per theme or code"
CODEBOOK_HELP = "export the codebook (code tree, descriptions, summaries, counts) as .docx or .csv"
EXPORT_SOURCE_HELP = "export one source as .docx with its coded passages as Word comments naming the codes"

REPORT_EPILOG = """\
examples:
  qualcoder-lite report study.qlite --out S2.docx
  qualcoder-lite report study.qlite --out S2.docx --codes "Referral pathways" --descendants \\
      --cite "({case}, {board_type})" --group-by wave --group-label "{value} interviews"
  qualcoder-lite report study.qlite --out S3.docx --prefix S3. --where role=GP --order attribute:wave

Without --codes there is one table per theme (top-level code) with its sub-codes. A citation
template names any case or source attribute, or case, source, speaker, coder, code; a missing
value is left out with its own words and separator: "({case}, {years} years)" gives "(P3)"
when P3 has no years (a field's own words run to the next separator, such as a comma).
Quote styles: apa (default: “double” outer quotes, ‘single’ inner, en dash), bjgp
(‘single’ outer, “double” inner, spaced em dash), verbatim (every character as
transcribed). The quote style, --keep-times, --include-interviewer, merging and --cite
default to the project's choice (made in the desktop app's report dialog; it is also how
the matrix and retrieval exports print quotes), else to the defaults named here. In every style […] marks words left out,
including interviewer turns; time markers are left out unless --keep-times.
Columns: subtheme, quote, participant (the citation), case, source, code, coder, memo or an
attribute name; "key=Header" renames a column.
"""


def _report_options(args, project):
    from ..core.services.quotes.quotes import ReportOptions
    from ..core.services.quotes.quoting import QuoteFormat

    opts = ReportOptions.from_dict(project.settings.get("report_options")) if args.saved else ReportOptions()
    given = {
        "codes": args.codes, "where": args.where, "coders": args.coded_by, "order": args.order,
        "group_by": args.group_by, "group_label": args.group_label, "cite": args.cite,
        "prefix": args.prefix, "start": args.start, "table_title": args.table_title, "title": args.title,
        "method_note": args.method_note, "font": args.font, "font_size": args.font_size,
        "table_style": args.style, "page_size": args.page_size, "quote_style": args.quote_style,
    }
    for key, value in given.items():
        if value is not None:
            setattr(opts, key, value)
    if args.columns is not None:
        opts.columns = [c.strip() for c in args.columns.split(",") if c.strip()]
    for flag in ("descendants", "landscape", "include_interviewer"):
        if getattr(args, flag):
            setattr(opts, flag, True)
    if args.no_merge:
        opts.merge_overlaps = False
    if args.keep_times is not None:
        opts.keep_times = args.keep_times
    if not args.saved:
        # the quote format (style, time markers, interviewer turns, merging, citation) is the
        # project's, as the matrix and retrieval exports print it, until an option says otherwise
        fmt = QuoteFormat.of_project(project)
        opts.quote_style = args.quote_style or fmt.style
        opts.keep_times = fmt.keep_times if args.keep_times is None else args.keep_times
        opts.include_interviewer = args.include_interviewer or fmt.include_interviewer
        opts.merge_overlaps = fmt.merge_overlaps and not args.no_merge
        opts.cite = args.cite if args.cite is not None else fmt.cite
    return opts


def cmd_report(args) -> int:
    from ..core.services.quotes.exports import check_suffix, write_report

    check_suffix(args.out, (".docx",), "a quote report")
    args.out = output_for(args, args.out)
    with open_for(args) as project:
        opts = _report_options(args, project)
        result = write_report(project, opts, args.out)
    warn(result.warnings)
    if args.json:
        emit_json({"path": str(result.path), "summary": result.summary, "warnings": result.warnings})
    else:
        print(result.summary)
    return 0


def cmd_codebook(args) -> int:
    from ..core.services.quotes.exports import check_suffix, export_codebook

    check_suffix(args.out, (".docx", ".csv"), "a codebook")
    args.out = output_for(args, args.out)
    with open_for(args) as project:
        result = export_codebook(project, args.out, font=args.font, font_size=args.font_size)
    if args.json:
        emit_json({"path": str(result.path), "summary": result.summary})
    else:
        print(result.summary)
    return 0


def cmd_export_source(args) -> int:
    from ..core.services.quotes.exports import check_suffix, export_source

    check_suffix(args.out, (".docx",), "a coded transcript")
    args.out = output_for(args, args.out)
    with open_for(args) as project:
        result = export_source(project, args.source, args.out, coders=args.coded_by,
                               font=args.font, font_size=args.font_size)
    warn(result.warnings)
    if args.json:
        emit_json({"path": str(result.path), "summary": result.summary, "warnings": result.warnings})
    else:
        print(result.summary)
    return 0


def _report_parser(add) -> None:
    import argparse

    sp = add("report", cmd_report, REPORT_HELP)
    sp.formatter_class = argparse.RawDescriptionHelpFormatter
    sp.epilog = REPORT_EPILOG
    sp.add_argument("project")
    sp.add_argument("--out", required=True, metavar="FILE.docx", help="the Word file to write")
    add_force(sp)
    sp.add_argument("--codes", nargs="+", action="extend", metavar="PATH",
                    help="one table per code path (default: every theme with its sub-codes)")
    sp.add_argument("--descendants", action="store_true", help="include the sub-codes of each --codes path")
    sp.add_argument("--where", action="append", metavar="ATTR=VALUE",
                    help="only participants with this attribute value (repeatable: same attribute = OR)")
    sp.add_argument("--coded-by", action="append", metavar="CODER", help="only this coder's codings (repeatable)")
    sp.add_argument("--cite", metavar="TEMPLATE",
                    help="citation template (default: the project's, else '({case})')")
    sp.add_argument("--order", metavar="ORDER", help="rows by case (default), position or attribute:NAME")
    sp.add_argument("--group-by", metavar="ATTR", help="sub-heading rows per value of this attribute")
    sp.add_argument("--group-label", metavar="TEMPLATE",
                    help="sub-heading text, fields {attribute} and {value} (default: '{attribute}: {value}')")
    sp.add_argument("--columns", metavar="LIST",
                    help="comma-separated columns (default: subtheme,quote,participant)")
    sp.add_argument("--prefix", metavar="TEXT", help="table number prefix (default: S2.)")
    sp.add_argument("--start", type=int, metavar="N", help="number of the first table (default: 1)")
    sp.add_argument("--table-title", metavar="TEMPLATE",
                    help="table caption after the number, fields {code}, {path}, {description} (default: '{path}')")
    sp.add_argument("--title", help="title on the first page")
    sp.add_argument("--method-note", metavar="TEXT", help="the method note on the first page ('' for none)")
    sp.add_argument("--landscape", action="store_true", help="print the tables on landscape pages")
    sp.add_argument("--include-interviewer", action="store_true", help="keep interviewer turns in quotes")
    sp.add_argument("--no-merge", action="store_true",
                    help="list overlapping codings of one passage separately (default: shown once)")
    sp.add_argument("--quote-style", choices=("apa", "bjgp", "verbatim"),
                    help="how quotes are printed (default: the project's choice, else apa)")
    sp.add_argument("--keep-times", action=argparse.BooleanOptionalAction, default=None,
                    help="keep the transcript's time markers in quotes (default: left out)")
    sp.add_argument("--style", choices=("journal", "grid", "plain"), help="table rules (default: journal)")
    sp.add_argument("--font", help="font name (default: Arial)")
    sp.add_argument("--font-size", type=float, metavar="PT", help="table font size in points (default: 10)")
    sp.add_argument("--page-size", choices=("A4", "Letter"), help="paper size (default: A4)")
    sp.add_argument("--saved", action="store_true",
                    help="start from the options last used in the desktop app's report dialog")
    sp.add_argument("--json", action="store_true", help="print the result as JSON")


def _codebook_parser(add) -> None:
    sp = add("codebook", cmd_codebook, CODEBOOK_HELP)
    sp.add_argument("project")
    sp.add_argument("--out", required=True, metavar="FILE.docx|FILE.csv", help="the file to write; its extension decides the format")
    add_force(sp)
    sp.add_argument("--font", default="Arial", help="font name for .docx (default: Arial)")
    sp.add_argument("--font-size", type=float, default=10, metavar="PT", help="font size for .docx (default: 10)")
    sp.add_argument("--json", action="store_true", help="print the result as JSON")


def _export_source_parser(add) -> None:
    sp = add("export-source", cmd_export_source, EXPORT_SOURCE_HELP)
    sp.add_argument("project")
    sp.add_argument("source", metavar="SOURCE", help="the source's name, as in the source list")
    sp.add_argument("--out", required=True, metavar="FILE.docx", help="the Word file to write")
    add_force(sp)
    sp.add_argument("--coded-by", action="append", metavar="CODER", help="only this coder's codings (repeatable)")
    sp.add_argument("--font", default="Arial", help="font name (default: Arial)")
    sp.add_argument("--font-size", type=float, default=10, metavar="PT", help="font size (default: 10)")
    sp.add_argument("--json", action="store_true", help="print the result as JSON")


PARSERS = {"report": _report_parser, "codebook": _codebook_parser,
           "export-source": _export_source_parser}
