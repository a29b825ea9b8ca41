"""Paper-ready pieces on the command line: ``participants`` (Table 1, participant characteristics)."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import QualCoderError, UsageError
from ._common import add_force, emit_json, open_for, output_for


def cmd_participants(args) -> int:
    from ..core.services.sources.filters import parse_where
    from ..core.services.quotes.participants import participant_table, write_table1
    if (args.out is None) == (not args.json):
        raise UsageError("choose --out FILE (.docx, .csv or .xlsx) or --json")
    target = None
    if args.out is not None:
        out = Path(args.out)
        if out.suffix.lower() not in (".docx", ".csv", ".xlsx"):
            raise UsageError(f"--out {out.name}: Table 1 is written as .docx, .csv or .xlsx")
        target = output_for(args, out)
    with open_for(args) as project:
        table = participant_table(project, args.group_by, args.attributes, parse_where(project, args.where))
        if args.json:
            emit_json([r.as_dict() for r in table.rows])
            return 0
        if not table.rows:
            raise QualCoderError(f"nothing to export: no cases match; {out} was not written")
        write_table1(project, table, target, args.caption or "", args.footnote or "")
    groups = len(table.groups()) if table.group_by else 0
    print(f"wrote {out}: {table.total} participants" + (f" in {groups} groups" if groups else ""))
    return 0


def _participants_parser(add) -> None:
    sp = add("participants", cmd_participants,
             "Table 1, participant characteristics: .docx, .csv or .xlsx (or --json)")
    sp.add_argument("project")
    sp.add_argument("--out", metavar="FILE", help="FILE.docx, FILE.csv or FILE.xlsx")
    add_force(sp)
    sp.add_argument("--json", action="store_true", help="print one entry per case and nothing else")
    sp.add_argument("--group-by", metavar="ATTR", help="group rows by a case attribute (heading and count per group)")
    sp.add_argument("--attributes", nargs="+", metavar="ATTR",
                    help="the columns, in this order (default: every case attribute but the group's)")
    sp.add_argument("--where", action="append", metavar="ATTR=VALUE", help="only these cases (repeatable)")
    sp.add_argument("--caption", help="the caption after 'Table 1' (default: Characteristics of participants)")
    sp.add_argument("--footnote", metavar="TEXT", help="a line under the table (abbreviations)")


PARSERS = {"participants": _participants_parser}
