"""Command-line front end: the same services the GUI uses, for automation and tests.

Exit codes: 0 success; 1 failure (bad file, nothing to do); 2 usage error (unknown option,
attribute or code). Errors are one line on stderr, never a traceback. JSON goes to stdout
as one value; warnings go to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable

from . import __version__
from .core.errors import QualCoderError, UsageError
from .core.store.database import db_errors

PROG = "qualcoder-lite"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own usage errors: exit 2, one line
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def emit_json(value) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False) + "\n")


def warn(lines) -> None:
    """Warnings go to stderr, one line each (stdout stays one JSON value)."""
    for line in lines:
        sys.stderr.write(f"warning: {line}\n")


def passphrase_for(path) -> str | None:
    """None for a plain project; for an encrypted one $QUALCODER_LITE_PASSPHRASE or a
    prompt (when there is a terminal to ask on)."""
    import getpass
    import os

    from .core.store.database import PASSPHRASE_ENV, PassphraseNeeded, looks_encrypted

    if not looks_encrypted(path):
        return None  # plain, or not a project at all: open_project names the problem
    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return env
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(f"Passphrase for {path}: ")
    raise PassphraseNeeded(path, f"is encrypted: set {PASSPHRASE_ENV} or run the command in a terminal to be asked")


def resolve_project(name) -> str:
    """``study`` finds ``study.qlite`` (as ``new study`` created it)."""
    p = Path(name)
    if not p.exists() and not p.suffix and p.with_suffix(".qlite").exists():
        return str(p.with_suffix(".qlite"))
    return str(name)


def add_force(sp: argparse.ArgumentParser) -> None:
    """``--force`` for a command that writes a file: replace an existing file (never a project)."""
    sp.add_argument("--force", action="store_true", dest="replace_output",
                    help="replace an existing output file (a project is never replaced)")


def output_for(args, path):
    """The command's output file as a checked ``Output``: refused at once (exit 1, nothing
    written, no work done) when it is the project, any project or SQLite file, a file another
    program holds, or an existing file without ``--force``."""
    from .core.outfile import Output, check

    project = getattr(args, "project", None)
    out = Output(Path(path), force=bool(getattr(args, "replace_output", False)),
                 project=Path(resolve_project(project)) if project else None)
    check(out)
    return out


def open_for(args, write: bool | None = None):
    """Open ``args.project`` for a command: commands that write take the project's lock
    (one writer at a time, the GUI included); the others open it read-only."""
    from .core.project import open_project

    args.project = resolve_project(args.project)
    write = bool(getattr(args, "writes", False)) if write is None else write
    args.opened_for_writing = write  # main() words a database error by it
    return open_project(args.project, passphrase=passphrase_for(args.project), coder=getattr(args, "coder", None),
                        read_only=not write, lock=write)


# ----------------------------------------------------------------------------- commands
def _new_passphrase(path) -> str:
    import getpass
    import os

    from .core.store.database import PASSPHRASE_ENV

    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return env
    if sys.stdin is None or not sys.stdin.isatty():
        raise UsageError(f"--encrypt needs a passphrase: set {PASSPHRASE_ENV} or run in a terminal")
    first = getpass.getpass(f"New passphrase for {path}: ")
    if getpass.getpass("Repeat it: ") != first:
        raise UsageError("the two passphrases differ; nothing was changed")
    return first


def cmd_new(args) -> int:
    from .core.project import new_project, project_path

    passphrase = _new_passphrase(project_path(args.project)) if args.encrypt else None
    with new_project(args.project, coder=args.coder, passphrase=passphrase) as project:
        from .core.commands import Command

        class _RegisterCoder(Command):
            name = "Register coder"

            def apply(self, p, rec):
                return p.coders.ensure(rec, p.coder)

        project.execute(_RegisterCoder())
    print(f"created {project_path(args.project)}" + (" (encrypted)" if passphrase else ""))
    return 0


def cmd_encrypt(args) -> int:
    from .core.services.privacy.projectfile import encrypt_project

    args.project = resolve_project(args.project)
    if passphrase_for(args.project) is not None:
        raise QualCoderError(f"{args.project}: is already encrypted")
    open_project_quietly(args.project)  # a clear message for foreign files before asking for a passphrase
    report = encrypt_project(args.project, _new_passphrase(args.project))
    print("; ".join(report.lines()))
    return 0


def cmd_decrypt(args) -> int:
    from .core.services.privacy.projectfile import decrypt_project

    args.project = resolve_project(args.project)
    passphrase = passphrase_for(args.project)
    if passphrase is None:
        open_project_quietly(args.project)
        raise QualCoderError(f"{args.project}: is not encrypted")
    report = decrypt_project(args.project, passphrase)
    for line in report.lines():
        print(line)
    return 0


def open_project_quietly(path) -> None:
    """Open and close ``path`` read-only: raises the one-line error for a file that is
    missing, foreign, newer or damaged."""
    from .core.project import open_project

    open_project(path, read_only=True).close()


def cmd_restore(args) -> int:
    from .core.services.privacy.projectfile import backups_of, choose_backup, restore_project

    args.project = resolve_project(args.project)
    if args.list:
        found = backups_of(args.project)
        if args.json:
            emit_json([{"number": i, "file": str(b.path), "taken": b.taken.isoformat(timespec="seconds"),
                        "size": b.size} for i, b in enumerate(found, 1)])
        else:
            for i, b in enumerate(found, 1):
                print(f"{i}. {b.label}  {b.path}")
            if not found:
                sys.stderr.write(f"{args.project}: no backups yet (the app takes one each time it opens the project)\n")
        return 0
    backup = choose_backup(args.project, args.backup)
    report = restore_project(args.project, backup, passphrase=passphrase_for(backup.path))
    if args.json:
        emit_json({"project": str(report.path), "backup": str(backup.path),
                   "taken": backup.taken.isoformat(timespec="seconds"),
                   "kept_as": None if report.kept_as is None else str(report.kept_as)})
    else:
        for line in report.lines():
            print(line)
    return 0


def cmd_import(args) -> int:
    from .core.services.sources.importing import CaseRule, import_files

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


def _parse_types(items: list[str] | None) -> dict[str, str]:
    out = {}
    for item in items or ():
        if "=" not in item:
            raise UsageError(f"--type {item!r}: expected ATTRIBUTE=text|number|date|boolean")
        name, t = item.split("=", 1)
        out[name.strip()] = t.strip()
    return out


def cmd_attributes(args) -> int:
    from .core.services.sources.attributes import UnmatchedCases, import_attributes

    hint = "--create-cases creates them (without sources)"
    with open_for(args) as project:
        try:
            report = import_attributes(project, args.csv, _parse_types(args.type), create_cases=args.create_cases)
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
    from .core.formats.attributes_export import write_attribute_sheet

    target = output_for(args, args.out)
    with open_for(args) as project:
        out = write_attribute_sheet(project, target, "source" if args.sources else "case")
    print(f"wrote {out}")
    return 0


def cmd_codes(args) -> int:
    from .core.services.coding.codes import AddCode
    from .core.services.sources.info import codes_table

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
                         f"; with sub-codes {r['codings_aggregate']} passages, {r['cases_aggregate']} cases")
                print(f"{indent}{r['code_path'][-1]}  ({r['codings']} codings, {r['cases']} cases{total})")
    return 0


def cmd_autocode(args) -> int:
    from .core.services.coding.autocode import Autocode

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


def cmd_segments(args) -> int:
    from .core.services.sources.filters import parse_where
    from .core.services.quotes.segments import code_ids_for, segment_dict, segments

    with open_for(args) as project:
        ids = code_ids_for(project, args.code, args.descendants)
        where = parse_where(project, args.where)
        known = {c.name for c in project.coders.all()}
        for c in args.coded_by or ():
            if c not in known:
                raise UsageError(f"unknown coder {c!r} (coders: {', '.join(sorted(known)) or 'none'})")
        warn(_unused_where_values(project, args.where))
        if args.code and not args.descendants and ids and not project.codings.ids_for_codes(ids):
            subs = [d for i in ids for d in project.codes.descendants(i)]
            if subs and project.codings.ids_for_codes(subs):
                warn(["the code has no codings of its own, its sub-codes do: add --descendants"])
        segs = segments(project, ids, where, coders=args.coded_by)
        if args.json:  # "text" is exactly the coded text
            emit_json([segment_dict(s) for s in segs])
        else:  # each coding's quote, as the retrieval table and the exports print it
            from .core.services.quotes.quoting import Quoter

            quoter = Quoter(project)
            for s in segs:
                quote = quoter.coding_quote(s).text
                print(f"{s.source} ({s.case or '-'}) {s.start}-{s.end} [{s.code}] {s.coder}: {quote}")
            sys.stderr.write(f"{len(segs)} segment{'s' if len(segs) != 1 else ''}\n")
    return 0


def _unused_where_values(project, exprs) -> list[str]:
    """Warnings for --where values no case has (a typo or a different spelling)."""
    out = []
    values = project.attributes.case_values()
    for expr in exprs or ():
        name, _, value = expr.partition("=")
        name, value = name.strip(), value.strip()
        present = sorted({v[name] for v in values.values() if name in v})
        attr = project.attributes.by_name(name, "case")
        if attr is None or not present:
            continue
        from .core.services.sources.attributes import parse_value

        wanted = parse_value(value, attr.type)
        if all(parse_value(v, attr.type) != wanted for v in present):
            shown = ", ".join(present[:12]) + (" …" if len(present) > 12 else "")
            out.append(f"no case has {name}={value} (values: {shown})")
    return out


def cmd_search(args) -> int:
    from .core.services.search.search import search

    with open_for(args) as project:
        hits = search(project, args.query)
    total = len(hits)
    if args.limit is not None:
        hits = hits[: max(0, args.limit)]
    if args.json:
        emit_json([h.as_dict() for h in hits])
    else:
        for h in hits:
            print(f"{h.source} ({h.case or '-'}) {h.start}-{h.end}: {h.snippet}")
    shown = f"{len(hits):,} of {total:,}" if len(hits) < total else f"{total:,}"
    sys.stderr.write(f"{shown} hit{'s' if total != 1 else ''} in {len({h.source for h in hits})} sources\n")
    return 0


def cmd_info(args) -> int:
    from .core.services.sources.info import info

    with open_for(args) as project:
        data = info(project)
    if args.json:
        emit_json(data)
    else:
        for k, v in data.items():
            print(f"{k}: {v:,}")
    return 0


def cmd_speakers(args) -> int:
    from .core.commands import Macro
    from .core.services.coding.speakers import SetSpeakerRole, speakers

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
            print(f"{r['speaker']}: {r['role']} ({r['turns']} turns in {r['sources']} sources)")
    return 0


def cmd_cases(args) -> int:
    from .core.services.sources.sources import SetSourceCases

    with open_for(args, write=args.action == "set") as project:
        if args.action == "set":
            src = project.sources.by_name(args.source)
            if src is None:
                raise UsageError(f"unknown source {args.source!r}")
            cmd = SetSourceCases(src.id, args.cases)
            project.execute(cmd)
            print(f"{src.name}: cases {', '.join(cmd.result) or '(none)'}")
            return 0
        values = project.attributes.case_values()
        counts = {r[0]: r[1] for r in project.conn.execute(
            "SELECT cs.case_id, count(*) FROM codings k JOIN case_sources cs ON cs.source_id = k.source_id "
            "GROUP BY cs.case_id")}
        rows = [{"case": c.name, "sources": list(c.sources), "codings": counts.get(c.id, 0),
                 "attributes": values.get(c.id, {})} for c in project.cases.all()]
        unlinked = [s.name for s in project.sources.all() if not s.cases]
    if args.json:
        emit_json(rows)
    else:
        for r in rows:
            attrs = ", ".join(f"{k}={v}" for k, v in r["attributes"].items())
            print(f"{r['case']}: {len(r['sources'])} source{'s' if len(r['sources']) != 1 else ''}, "
                  f"{r['codings']:,} codings" + (f"  [{attrs}]" if attrs else ""))
        if unlinked:
            sys.stderr.write(f"sources without a case: {'; '.join(unlinked)}\n")
    return 0


def cmd_open(args) -> int:
    from .gui.launch import launch

    return launch(project=resolve_project(args.file), coder=getattr(args, "coder", None))


# ----------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Code interview transcripts, chart themes, export Word quote tables.")
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    p.add_argument("--demo", action="store_true", help="open the bundled demo project (a fresh copy)")
    p.add_argument("--screenshot", metavar="OUT.png", help="render the window offscreen to a PNG and exit")
    p.add_argument("--view", choices=("coding", "matrix", "codebook"), default="coding", help="view for --screenshot")
    p.add_argument("--coder", help="your coder name (default: your login name)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, func: Callable, help_: str, writes: bool = False) -> argparse.ArgumentParser:
        # help texts are written as shown; argparse %-formats the list entry, not the description
        sp = sub.add_parser(name, help=help_.replace("%", "%%"), description=help_)
        sp.set_defaults(func=func, writes=writes)
        if writes:
            # SUPPRESS: a --coder given before the command name is not overwritten by None
            sp.add_argument("--coder", default=argparse.SUPPRESS,
                            help="coder name recorded with your changes (default: login name)")
        return sp

    sp = add("new", cmd_new, "create a new, empty project file (.qlite added when no extension)", writes=True)
    sp.add_argument("project", help="path of the new project")
    sp.add_argument("--encrypt", action="store_true",
                    help="encrypt the file (passphrase from a prompt or $QUALCODER_LITE_PASSPHRASE)")

    sp = add("encrypt", cmd_encrypt, "encrypt an existing project file in place (AES-256, SQLCipher)")
    sp.add_argument("project")
    sp = add("decrypt", cmd_decrypt, "turn an encrypted project back into a plain file (its backups too)")
    sp.add_argument("project")
    sp = add("restore", cmd_restore, "replace a project by one of its automatic backups (the current file is kept "
                                     "as NAME.before-restore.qlite)")
    sp.add_argument("project")
    sp.add_argument("--list", action="store_true", help="list the backups, numbered, newest first")
    sp.add_argument("--backup", type=int, metavar="N", help="restore backup N of --list (default: the newest)")
    sp.add_argument("--json", action="store_true")

    sp = add("import", cmd_import, "import transcripts (.txt .md .docx .odt .rtf .pdf .srt .vtt)", writes=True)
    sp.add_argument("project")
    sp.add_argument("files", nargs="+", metavar="FILE")
    sp.add_argument("--case", help="link every file to this case (default: the file's stem)")
    sp.add_argument("--case-from", metavar="REGEX", help="case from the file stem, first group (e.g. '^(P\\d+)')")
    sp.add_argument("--no-case", action="store_true", help="do not link the files to a case")
    sp.add_argument("--kind", choices=("transcript", "notes", "other"), default="transcript")
    sp.add_argument("--encoding", help="read text files in this encoding instead of detecting it")
    sp.add_argument("--json", action="store_true", help="print counts as JSON")

    sp = add("attributes", cmd_attributes, "import case attributes from a CSV or .xlsx (first column: case id)",
             writes=True)
    sp.add_argument("project")
    sp.add_argument("csv", metavar="CSV")
    sp.add_argument("--type", action="append", metavar="ATTR=TYPE", help="force a type: text, number, date, boolean")
    sp.add_argument("--create-cases", action="store_true",
                    help="create a case (without sources) for each id that matches no case; otherwise such rows "
                         "are left out and listed")
    sp.add_argument("--json", action="store_true")

    sp = add("export-attributes", cmd_export_attributes,
             "write the attribute sheet (cases, or sources, × attributes) as .csv or .xlsx")
    sp.add_argument("project")
    sp.add_argument("out", metavar="OUT.csv|OUT.xlsx")
    sp.add_argument("--sources", action="store_true", help="the sources' attributes instead of the cases'")
    add_force(sp)

    sp = add("codes", cmd_codes, "add or list codes")
    sp.add_argument("project")
    codes_sub = sp.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    a = codes_sub.add_parser("add", help="add a code by path, e.g. 'Theme/Sub-theme/Code'")
    a.add_argument("path", help="levels joined by '/'; write a '/' inside a name as '\\/'")
    a.add_argument("--description")
    a.add_argument("--color", metavar="#RRGGBB")
    a.add_argument("--memo")
    a.add_argument("--coder", default=argparse.SUPPRESS, help="coder name recorded with your changes")
    lst = codes_sub.add_parser("list", help="list the code tree with counts")
    lst.add_argument("--json", action="store_true")

    sp = add("autocode", cmd_autocode, "code every match of a pattern at the chosen unit", writes=True)
    sp.add_argument("project")
    sp.add_argument("--code", required=True, metavar="PATH")
    sp.add_argument("--pattern", required=True, metavar="REGEX", help="Python regular expression")
    sp.add_argument("--unit", choices=("match", "sentence", "paragraph", "turn"), default="match")
    sp.add_argument("--speaker", metavar="NAME", help="only turns of this speaker")
    sp.add_argument("--ignore-case", action="store_true")
    sp.add_argument("--include-interviewer", action="store_true", help="also code interviewers' turns")
    sp.add_argument("--json", action="store_true")

    sp = add("segments", cmd_segments,
             "list coded segments (each as its quote; --json gives the exact coded text)")
    sp.add_argument("project")
    sp.add_argument("--code", action="append", metavar="PATH", help="only this code (repeatable)")
    sp.add_argument("--descendants", action="store_true", help="include sub-codes of --code")
    sp.add_argument("--where", action="append", metavar="ATTR=VALUE", help="filter by attribute (repeatable)")
    sp.add_argument("--coded-by", action="append", metavar="CODER", help="only this coder's codings (repeatable)")
    sp.add_argument("--json", action="store_true")

    sp = add("search", cmd_search, 'full-text search: words, "phrases", prefix*, AND/OR/NOT')
    sp.add_argument("project")
    sp.add_argument("query")
    sp.add_argument("--limit", type=int)
    sp.add_argument("--json", action="store_true")

    sp = add("info", cmd_info, "counts of sources, cases, codes, codings and words")
    sp.add_argument("project")
    sp.add_argument("--json", action="store_true")

    sp = add("speakers", cmd_speakers, "list speakers; mark interviewers (left out of autocode and quotes)", writes=True)
    sp.add_argument("project")
    sp.add_argument("--interviewer", action="append", metavar="NAME")
    sp.add_argument("--participant", action="append", metavar="NAME")
    sp.add_argument("--json", action="store_true")

    sp = add("cases", cmd_cases, "list cases (with sources, codings, attributes) or set a source's cases")
    sp.add_argument("project")
    cases_sub = sp.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    lst = cases_sub.add_parser("list", help="every case with its sources, codings and attributes")
    lst.add_argument("--json", action="store_true")
    st = cases_sub.add_parser("set", help="link a source to exactly these cases (new ones are created)")
    st.add_argument("source", metavar="SOURCE")
    st.add_argument("cases", nargs="*", metavar="CASE", help="no case names: the source has no case")
    st.add_argument("--coder", default=argparse.SUPPRESS, help="coder name recorded with your change")

    sp = add("open", cmd_open, "open a project in the desktop application")
    sp.add_argument("file", metavar="FILE")
    # the top-level options also work after FILE (qualcoder-lite FILE --view matrix ...)
    sp.add_argument("--screenshot", metavar="OUT.png", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sp.add_argument("--view", choices=("coding", "matrix", "codebook"), default=argparse.SUPPRESS,
                    help=argparse.SUPPRESS)
    sp.add_argument("--coder", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    from .clicmds import register_all

    register_all(add)
    return p


def _is_subcommand(parser: argparse.ArgumentParser, word: str) -> bool:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return word in action.choices
    return False


_VALUE_OPTIONS = ("--screenshot", "--view", "--coder")


def _first_positional(argv: list[str]) -> int | None:
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in _VALUE_OPTIONS:
            i += 2
            continue
        if not a.startswith("-"):
            return i
        i += 1
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # `qualcoder-lite FILE` is `qualcoder-lite open FILE`; subcommand names win.
    first = _first_positional(argv)
    if first is not None and not _is_subcommand(parser, argv[first]):
        argv.insert(first, "open")
    args = parser.parse_args(argv)
    from .core.outfile import sweep_stale_temps

    sweep_stale_temps()  # half-written exports of killed processes
    try:
        if args.command is None:
            from .gui.launch import launch

            return launch(demo=args.demo, screenshot=args.screenshot, view=args.view, coder=args.coder)
        if args.command == "open" and (args.demo or args.screenshot):
            from .gui.launch import launch

            return launch(project=resolve_project(args.file), screenshot=args.screenshot, view=args.view,
                          coder=args.coder)
        code = args.func(args)
        if sys.stdout is not None:
            sys.stdout.flush()  # a reader that went away (| head) shows here, not at exit
        return code
    except BrokenPipeError:
        return _stdout_closed()
    except UsageError as exc:
        sys.stderr.write(f"{PROG}: error: {exc}\n")
        return 2
    except QualCoderError as exc:
        sys.stderr.write(f"{PROG}: {exc}\n")
        return 1
    except InterruptedError as exc:
        sys.stderr.write(f"{PROG}: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted; nothing was changed by the unfinished command\n")
        return 130
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        sys.stderr.write(f"{PROG}: {where}{exc.strerror or exc}\n")
        return 1
    except db_errors() as exc:  # disk full, busy for too long, damage found while working
        from .core.store.database import error_kind, io_error

        if error_kind(exc) == "io":
            sys.stderr.write(f"{PROG}: {io_error(getattr(args, 'project', ''), exc, 'written' if getattr(args, 'writes', False) else 'read')}; nothing was changed\n")
            return 1
        sys.stderr.write(f"{PROG}: {_db_error_message(args, exc)}\n")
        return 1


def _db_error_message(args, exc: BaseException) -> str:
    """One line naming the project and the cause; never the row values an SQLite message
    may quote (transcript text)."""
    from .core.store.database import db_error_reason, is_damage

    where = getattr(args, "project", "") or ""
    reason = db_error_reason(exc)
    if is_damage(exc):
        return f"{where}: the file is damaged and cannot be read ({reason}); nothing was changed"
    if not getattr(args, "opened_for_writing", getattr(args, "writes", False)):
        return f"{where}: cannot be read ({reason}); nothing was changed"
    return f"{where}: the database refused the change ({reason}); nothing was changed"


def _stdout_closed() -> int:
    """The reader of our output went away (``| head``): what it read is what it wanted.
    Later writes, and the flush at exit, go to devnull (as the Python docs recommend)."""
    import contextlib
    import os

    # no file descriptor behind stdout (a test capturing it): there is nothing left to flush
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return 0
