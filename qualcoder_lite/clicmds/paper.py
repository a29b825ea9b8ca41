"""Paper-ready pieces on the command line: ``project`` (the study's title and authors),
``participants`` (Table 1) and ``demo`` (write the demo project where the user says)."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import QualCoderError, UsageError


def cmd_project(args) -> int:
    from ..cli import emit_json, open_for
    from ..core.services.sources.study import SetStudy, study

    change = args.title is not None or args.authors is not None
    with open_for(args, write=change) as project:
        if change:
            project.execute(SetStudy(args.title, args.authors))
        s = study(project)
        name = project.name
    if args.json:
        emit_json({"title": s.title or None, "authors": s.authors or None, "name": name})
    else:
        print(f"title: {s.title or '(not set: documents use ' + repr(name) + ')'}")
        print(f"authors: {s.authors or '(not set)'}")
    return 0


def cmd_participants(args) -> int:
    from ..cli import emit_json, open_for, output_for
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


def cmd_demo(args) -> int:
    from ..cli import output_for
    from ..core import outfile
    from ..core.services.sources.demo import build_demo

    out = Path(args.out)
    if not out.suffix:
        out = out.with_suffix(".qlite")
    target = output_for(args, out)
    if out.exists():  # a project is never replaced, not even with --force
        raise QualCoderError(f"{out} already exists; choose another name (a project is never replaced)")

    def build(tmp):
        tmp.unlink()  # the guard's empty temporary file: the project is created in its place
        build_demo(tmp).close()  # closing checkpoints the WAL into the one file

    outfile.write_file(target, build)
    print(f"created {out} (the demo project: fictional interviews, see its journal)")
    return 0


def register(add) -> None:
    from ..cli import add_force

    sp = add("project", cmd_project, "show or set the study's title and authors (printed on every title page)")
    sp.add_argument("project")
    sp.add_argument("--title", help="the study's title ('' clears it: documents then use the file name)")
    sp.add_argument("--authors", help="the authors, as they should be printed")
    sp.add_argument("--json", action="store_true")

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

    sp = add("demo", cmd_demo, "write the demo project (fictional interviews, coded) to a new file")
    sp.add_argument("out", metavar="OUT.qlite")
    add_force(sp)  # accepted for symmetry; a project is never replaced
