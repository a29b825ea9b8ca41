"""Codes and coding: ``codes`` (add or list), ``autocode`` (code every match of a pattern)
and ``speakers`` (mark interviewers, left out of autocode and quotes)."""

from __future__ import annotations

import argparse

from ..core.wording import counted
from ._common import Parser, emit_json, open_for


_n = counted  # ``1 case``, ``2 cases``


def cmd_codes(args) -> int:
    from ..core.services.coding.codes import AddCode
    from ..core.services.sources.info import codes_table

    with open_for(args, write=args.action == "add") as project:
        if args.action == "add":
            cmd = AddCode(args.path, description=args.description or "", color=args.color, memo=args.memo or "")
            project.execute(cmd)
            print(f"added code {project.codes.get(cmd.result).path_str}")
            return 0
        rows = codes_table(project)
        if args.json:
            emit_json(rows)
        else:
            for r in rows:
                indent = "  " * (len(r["code_path"]) - 1)
                total = ("" if r["codings_aggregate"] == r["codings"] else
                         f"; with sub-codes {_n(r['codings_aggregate'], 'passage')}, {_n(r['cases_aggregate'], 'case')}")
                print(f"{indent}{r['code_path'][-1]}  ({_n(r['codings'], 'coding')}, {_n(r['cases'], 'case')}{total})")
    return 0


def cmd_autocode(args) -> int:
    from ..core.services.coding.autocode import Autocode

    with open_for(args) as project:
        code = project.codes.resolve(args.code)
        cmd = Autocode(code.id, args.pattern, unit=args.unit, speaker=args.speaker, ignore_case=args.ignore_case,
                       coder=args.coder, include_interviewer=args.include_interviewer)
        project.execute(cmd)
    if args.json:
        emit_json(cmd.result.as_dict())
    else:
        print(cmd.result.summary())
    return 0


def cmd_speakers(args) -> int:
    from ..core.commands import Macro
    from ..core.services.coding.speakers import SetSpeakerRole, speakers

    with open_for(args, write=bool(args.interviewer or args.participant)) as project:
        changes = [SetSpeakerRole(n, "interviewer") for n in args.interviewer or ()]
        changes += [SetSpeakerRole(n, "participant") for n in args.participant or ()]
        if changes:
            project.execute(Macro("Set speaker roles", changes))
        rows = speakers(project)
    if args.json:
        emit_json(rows)
    else:
        for r in rows:
            print(f"{r['speaker']}: {r['role']} ({_n(r['turns'], 'turn')} in {_n(r['sources'], 'source')})")
    return 0


def _codes_parser(add) -> None:
    sp = add("codes", cmd_codes, "add or list codes")
    sp.add_argument("project")
    codes_sub = sp.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)
    a = codes_sub.add_parser("add", help="add a code by path, e.g. 'Theme/Sub-theme/Code'")
    a.add_argument("path", help="levels joined by '/'; write a '/' inside a name as '\\/'")
    a.add_argument("--description")
    a.add_argument("--color", metavar="#RRGGBB")
    a.add_argument("--memo")
    a.add_argument("--coder", default=argparse.SUPPRESS, help="coder name recorded with your changes")
    lst = codes_sub.add_parser("list", help="list the code tree with counts")
    lst.add_argument("--json", action="store_true")


def _autocode_parser(add) -> None:
    sp = add("autocode", cmd_autocode, "code every match of a pattern at the chosen unit", writes=True)
    sp.add_argument("project")
    sp.add_argument("--code", required=True, metavar="PATH")
    sp.add_argument("--pattern", required=True, metavar="REGEX", help="Python regular expression")
    sp.add_argument("--unit", choices=("match", "sentence", "paragraph", "turn"), default="match")
    sp.add_argument("--speaker", metavar="NAME", help="only turns of this speaker")
    sp.add_argument("--ignore-case", action="store_true")
    sp.add_argument("--include-interviewer", action="store_true", help="also code interviewers' turns")
    sp.add_argument("--json", action="store_true")


def _speakers_parser(add) -> None:
    sp = add("speakers", cmd_speakers, "list speakers; mark interviewers (left out of autocode and quotes)", writes=True)
    sp.add_argument("project")
    sp.add_argument("--interviewer", action="append", metavar="NAME")
    sp.add_argument("--participant", action="append", metavar="NAME")
    sp.add_argument("--json", action="store_true")


PARSERS = {"codes": _codes_parser, "autocode": _autocode_parser, "speakers": _speakers_parser}
