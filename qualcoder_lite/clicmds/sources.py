"""Sources and cases: ``import`` (transcripts), ``attributes`` (case attributes from a sheet),
``export-attributes`` and ``cases`` (list them, or set a source's cases)."""

from __future__ import annotations

import argparse
import sys

from ..core.errors import QualCoderError, UsageError
from ._common import Parser, add_force, emit_json, open_for, output_for, parse_types, warn


def cmd_import(args) -> int:
    from ..core.services.sources.importing import CaseRule, import_files

    if sum(bool(x) for x in (args.case, args.case_from, args.no_case)) > 1:
        raise UsageError("use only one of --case, --case-from and --no-case")
    rule = CaseRule(name=args.case, pattern=args.case_from, none=args.no_case)
    with open_for(args) as project:
        report = import_files(project, args.files, rule, kind=args.kind, encoding=args.encoding)
    warn(report.warnings)
    if args.json:
        emit_json(report.as_dict())
    else:
        print(report.summary())
    return 0


def cmd_attributes(args) -> int:
    from ..core.services.sources.attributes import UnmatchedCases, import_attributes

    hint = "--create-cases creates them (without sources)"
    with open_for(args) as project:
        try:
            report = import_attributes(project, args.csv, parse_types(args.type), create_cases=args.create_cases)
        except UnmatchedCases as exc:
            raise QualCoderError(f"{exc}; {hint}") from None
    warn(report.warnings)
    if report.unmatched:
        warn([hint])
    if args.json:
        emit_json(report.as_dict())
    else:
        print(report.summary())
        for line in report.changes:
            print(f"  changed {line}")
    return 0


def cmd_export_attributes(args) -> int:
    from ..core.formats.attributes_export import write_attribute_sheet

    target = output_for(args, args.out)
    with open_for(args) as project:
        out = write_attribute_sheet(project, target, "source" if args.sources else "case")
    print(f"wrote {out}")
    return 0


def cmd_cases(args) -> int:
    from ..core.services.sources.info import cases_table
    from ..core.services.sources.sources import SetSourceCases

    with open_for(args, write=args.action == "set") as project:
        if args.action == "set":
            src = project.sources.by_name(args.source)
            if src is None:
                raise UsageError(f"unknown source {args.source!r}")
            cmd = SetSourceCases(src.id, args.cases)
            project.execute(cmd)
            print(f"{src.name}: cases {', '.join(cmd.result) or '(none)'}")
            return 0
        rows = cases_table(project)
        unlinked = [s.name for s in project.sources.all() if not s.cases]
    if args.json:
        emit_json(rows)
    else:
        for r in rows:
            attrs = ", ".join(f"{k}={v}" for k, v in r["attributes"].items())
            print(f"{r['case']}: {len(r['sources'])} source{'s' if len(r['sources']) != 1 else ''}, "
                  f"{r['codings']:,} coding{'s' if r['codings'] != 1 else ''}" + (f"  [{attrs}]" if attrs else ""))
        if unlinked:
            sys.stderr.write(f"sources without a case: {'; '.join(unlinked)}\n")
    return 0


def _import_parser(add) -> None:
    sp = add("import", cmd_import, "import transcripts (.txt .md .docx .odt .rtf .pdf .srt .vtt)", writes=True)
    sp.add_argument("project")
    sp.add_argument("files", nargs="+", metavar="FILE")
    sp.add_argument("--case", help="link every file to this case (default: the file's stem)")
    sp.add_argument("--case-from", metavar="REGEX", help="case from the file stem, first group (e.g. '^(P\\d+)')")
    sp.add_argument("--no-case", action="store_true", help="do not link the files to a case")
    sp.add_argument("--kind", choices=("transcript", "notes", "other"), default="transcript")
    sp.add_argument("--encoding", help="read text files in this encoding instead of detecting it")
    sp.add_argument("--json", action="store_true", help="print counts as JSON")


def _attributes_parser(add) -> None:
    sp = add("attributes", cmd_attributes, "import case attributes from a CSV or .xlsx (first column: case id)",
             writes=True)
    sp.add_argument("project")
    sp.add_argument("csv", metavar="CSV")
    sp.add_argument("--type", action="append", metavar="ATTR=TYPE", help="force a type: text, number, date, boolean")
    sp.add_argument("--create-cases", action="store_true",
                    help="create a case (without sources) for each id that matches no case; otherwise such rows "
                         "are left out and listed")
    sp.add_argument("--json", action="store_true")


def _export_attributes_parser(add) -> None:
    sp = add("export-attributes", cmd_export_attributes,
             "write the attribute sheet (cases, or sources, × attributes) as .csv or .xlsx")
    sp.add_argument("project")
    sp.add_argument("out", metavar="OUT.csv|OUT.xlsx")
    sp.add_argument("--sources", action="store_true", help="the sources' attributes instead of the cases'")
    add_force(sp)


def _cases_parser(add) -> None:
    sp = add("cases", cmd_cases, "list cases (with sources, codings, attributes) or set a source's cases")
    sp.add_argument("project")
    cases_sub = sp.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)
    lst = cases_sub.add_parser("list", help="every case with its sources, codings and attributes")
    lst.add_argument("--json", action="store_true")
    st = cases_sub.add_parser("set", help="link a source to exactly these cases (new ones are created)")
    st.add_argument("source", metavar="SOURCE")
    st.add_argument("cases", nargs="*", metavar="CASE", help="no case names: the source has no case")
    st.add_argument("--coder", default=argparse.SUPPRESS, help="coder name recorded with your change")


PARSERS = {"import": _import_parser, "attributes": _attributes_parser,
           "export-attributes": _export_attributes_parser, "cases": _cases_parser}
