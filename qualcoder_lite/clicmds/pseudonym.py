"""Pseudonymisation on the command line.

    qualcoder-lite pseudonymise PROJECT suggest [--json] [--limit N] [--out DRAFT.csv]
    qualcoder-lite pseudonymise PROJECT apply KEY.csv [--coder NAME] [--json]
    qualcoder-lite pseudonymise PROJECT export-key OUT.csv
    qualcoder-lite pseudonymise PROJECT remove-key --yes [--force] [--json]

``apply`` reads a CSV of ``real,pseudonym`` rows (a header row is optional), adds them to the
project's key and replaces every name everywhere in one step (undoable in the app until the
key is removed). ``remove-key`` is irreversible and runs only with ``--yes``.
"""

from __future__ import annotations

import argparse
import sys

from ..core.errors import InputError, UsageError
from ._common import add_force, emit_json, open_for, output_for, resolve_project


def cmd_pseudonymise(args) -> int:
    return {"suggest": _suggest, "apply": _apply, "export-key": _export_key, "remove-key": _remove_key}[args.action](args)


def _suggest(args) -> int:
    from ..core.services.privacy.pseudonymise import suggest

    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be 1 or more")
    target = output_for(args, args.out) if args.out else None
    with open_for(args, write=False) as project:
        rows = suggest(project, limit=args.limit)
    if args.out:
        from ..core.services.privacy.pseudonymise import write_key_csv

        write_key_csv([(s.real, s.pseudonym) for s in rows], target)
        sys.stderr.write(f"wrote {args.out} ({len(rows)} names): check it, delete what is not a name, then run "
                         f"'pseudonymise {args.project} apply {args.out}'\n")
    if args.json:
        emit_json([s.as_dict() for s in rows])
        return 0
    if not args.out:
        for s in rows:
            print(f"{s.count:>6}  {s.kind:<12}  {s.real}  ->  {s.pseudonym}")
    if not rows:
        sys.stderr.write("no candidate names found\n")
    elif not args.out:
        sys.stderr.write(f"{len(rows)} candidates; save the ones to replace as CSV (real,pseudonym) and run "
                         f"'pseudonymise {args.project} apply KEY.csv'\n")
    return 0


def _apply(args) -> int:
    from ..core.outfile import check_input
    from ..core.services.privacy.pseudonymise import KeyTableError, Pseudonymise, read_key_csv

    check_input(args.key, resolve_project(args.project), "key CSV")
    rows = read_key_csv(args.key)
    with open_for(args, write=True) as project:
        cmd = Pseudonymise(rows)
        try:
            project.execute(cmd)
        except KeyTableError as exc:
            raise InputError(args.key, str(exc)) from None
    result = cmd.result
    if args.json:
        emit_json(result.as_dict())
    else:
        print(result.summary())
    missing = result.unused
    if missing:
        shown = ", ".join(repr(m) for m in missing[:5]) + (" …" if len(missing) > 5 else "")
        sys.stderr.write(f"warning: not found in any source text: {shown}\n")
    return 0


def _export_key(args) -> int:
    from ..core.services.privacy.pseudonymise import export_key

    target = output_for(args, args.out)
    with open_for(args, write=False) as project:
        n = export_key(project, target)
    print(f"wrote {args.out} ({n} name{'' if n == 1 else 's'}); keep it apart from the project")
    return 0


def _remove_key(args) -> int:
    from ..core.services.privacy.pseudonymise import IRREVERSIBLE_WARNING, RemoveKey

    if not args.yes:
        raise UsageError(f"{IRREVERSIBLE_WARNING} Run again with --yes to remove it.")
    with open_for(args, write=True) as project:
        report = RemoveKey(force=args.force).run(project)
    if args.json:
        emit_json(report.as_dict())
    else:
        for line in report.lines():
            print(line)
    return 0


def _pseudonymise_parser(add) -> None:
    sp = add("pseudonymise", cmd_pseudonymise,
             "replace real names by pseudonyms everywhere (suggest, apply a key CSV, export or remove the key)")
    sp.add_argument("project")
    sub = sp.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(sp))

    a = sub.add_parser("suggest", help="list candidate names (speakers, Dr X, organisations, capitalised names)")
    a.add_argument("--json", action="store_true")
    a.add_argument("--limit", type=int, metavar="N", help="only the N most frequent")
    a.add_argument("--out", metavar="DRAFT.csv", help="also write them as a key CSV (real,pseudonym) to edit")
    add_force(a)

    a = sub.add_parser("apply", help="replace the names of KEY.csv (real,pseudonym) everywhere, in one step")
    a.add_argument("key", metavar="KEY.csv")
    a.add_argument("--coder", default=argparse.SUPPRESS, help="coder name recorded with your changes")
    a.add_argument("--json", action="store_true")

    a = sub.add_parser("export-key", help="write the key table (real,pseudonym) as CSV, to keep separately")
    a.add_argument("out", metavar="OUT.csv")
    add_force(a)

    a = sub.add_parser("remove-key", help="delete the key from the project for good (IRREVERSIBLE; needs --yes)")
    a.add_argument("--yes", action="store_true", help="confirm: the removal cannot be undone")
    a.add_argument("--force", action="store_true", help="remove even though key names still occur in the project")
    a.add_argument("--coder", default=argparse.SUPPRESS, help="coder name recorded with your changes")
    a.add_argument("--json", action="store_true")


PARSERS = {"pseudonymise": _pseudonymise_parser}
