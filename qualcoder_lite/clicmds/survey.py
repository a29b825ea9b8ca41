"""Survey import on the command line.

    qualcoder-lite import-survey PROJECT FILE.csv|xlsx --id COLUMN --text COLUMN [COLUMN ...]
        [--attributes COLUMN ...] [--by-question] [--dataset NAME] [--type ATTR=TYPE ...]
        [--encoding E] [--drop-deleted] [--json]

One case per row (the id column), typed case attributes, each non-empty answer a source
("<id> – <column>"), or with --by-question one source per text column. Importing the same
file again updates the sources it made (same GUIDs, codings kept and moved with the text).
"""

from __future__ import annotations


def cmd_import_survey(args) -> int:
    from ._common import emit_json, open_for, parse_types, resolve_project, warn
    from ..core.outfile import check_input
    from ..core.services.sources.survey import SurveySpec, import_survey

    check_input(args.file, resolve_project(args.project), "survey table")
    spec = SurveySpec(args.id, list(args.text), list(args.attributes or ()), by_question=args.by_question,
                      dataset=args.dataset, types=parse_types(args.type))
    with open_for(args, write=True) as project:
        report = import_survey(project, args.file, spec, encoding=args.encoding, drop_deleted=args.drop_deleted)
    warn(report.warnings)
    if args.json:
        emit_json(report.as_dict())
        return 0
    print(report.summary())
    if report.attributes:
        print(f"  attributes: {report.attributes}")
    for change in report.changes:
        print(f"  {change.line()}")
    return 0


def register(add) -> None:
    sp = add("import-survey", cmd_import_survey,
             "import open-ended survey answers from a CSV or .xlsx (one case per row; answers become sources)",
             writes=True)
    sp.add_argument("project")
    sp.add_argument("file", metavar="FILE", help="the survey table (.csv or .xlsx; first row: column names)")
    sp.add_argument("--id", required=True, metavar="COLUMN", help="the respondent id column (one case per row)")
    sp.add_argument("--text", required=True, nargs="+", metavar="COLUMN", help="the open-ended answer columns")
    sp.add_argument("--attributes", nargs="+", metavar="COLUMN", help="columns to import as case attributes")
    sp.add_argument("--by-question", action="store_true",
                    help="one source per text column, one paragraph per respondent (default: one per answer)")
    sp.add_argument("--dataset", metavar="NAME", help="the survey's name (default: the file's stem); importing "
                                                      "again under the same name updates its sources")
    sp.add_argument("--type", action="append", metavar="ATTR=TYPE",
                    help="attribute type instead of the inferred one (text, number, date, boolean)")
    sp.add_argument("--encoding", help="read a CSV in this encoding instead of detecting it")
    sp.add_argument("--drop-deleted", action="store_true",
                    help="on re-import, remove codings whose answer text was deleted entirely (default: refuse)")
    sp.add_argument("--json", action="store_true", help="print counts as JSON")


# the command registry on main (clicmds PARSERS: command name -> parser(add))
PARSERS = {"import-survey": register}
