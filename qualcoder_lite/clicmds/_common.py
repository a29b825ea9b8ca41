"""What every command shares: the argument parser class, opening the project (with its
passphrase and lock), checking an output file, and printing JSON and warnings."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

PROG = "qualcoder-lite"


class Parser(argparse.ArgumentParser):
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

    from ..core.store.database import PASSPHRASE_ENV, PassphraseNeeded, looks_encrypted

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
    from ..core.outfile import Output, check

    project = getattr(args, "project", None)
    out = Output(Path(path), force=bool(getattr(args, "replace_output", False)),
                 project=Path(resolve_project(project)) if project else None)
    check(out)
    return out


def open_for(args, write: bool | None = None):
    """Open ``args.project`` for a command: commands that write take the project's lock
    (one writer at a time, the GUI included); the others open it read-only."""
    from ..core.project import open_project

    args.project = resolve_project(args.project)
    write = bool(getattr(args, "writes", False)) if write is None else write
    args.opened_for_writing = write  # main() words a database error by it
    project = open_project(args.project, passphrase=passphrase_for(args.project), coder=getattr(args, "coder", None),
                           read_only=not write, lock=write)
    return _Writing(project) if write else project


class _Writing:
    """``with open_for(args) as project`` for a command that writes. Leaving it without an
    error keeps the project open (and locked) for ``finish_writes``, which makes the search
    postings of the sources the command added or changed once the command has printed its
    report; leaving it with an error closes it."""

    def __init__(self, project):
        self.project = project

    def __enter__(self):
        return self.project

    def __exit__(self, exc_type, *_exc) -> None:
        if exc_type is None:
            _FINISHING.append(self.project)
        else:
            self.project.close()


_FINISHING: list = []  # projects a finished command wrote, waiting for ``finish_writes``


def finish_writes() -> None:
    """After a command that wrote has done (its change saved, its report printed): make the
    search postings (``Project.complete_postings``) of each project it wrote, then close it.
    The change is saved already, so a failure here is a warning, never the command's."""
    from ..core.errors import QualCoderError

    try:
        while _FINISHING:
            project = _FINISHING[0]
            try:
                project.complete_postings()
            except QualCoderError as exc:
                warn([str(exc)])
            except KeyboardInterrupt:
                raise InterruptedAfterCommand() from None
            finally:
                _FINISHING.pop(0)
                project.close()
    finally:
        close_writes()


def close_writes() -> None:
    """Close the projects ``finish_writes`` did not come to (the command failed later)."""
    while _FINISHING:
        _FINISHING.pop().close()


class InterruptedAfterCommand(KeyboardInterrupt):
    """Ctrl-C while the search postings of a finished command's project were made: its
    change is saved and its report printed."""


def new_passphrase(path) -> str:
    """The passphrase for a file about to be encrypted: $QUALCODER_LITE_PASSPHRASE, or asked
    twice on the terminal."""
    import getpass
    import os

    from ..core.errors import UsageError
    from ..core.store.database import PASSPHRASE_ENV

    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return env
    if sys.stdin is None or not sys.stdin.isatty():
        raise UsageError(f"--encrypt needs a passphrase: set {PASSPHRASE_ENV} or run in a terminal")
    first = getpass.getpass(f"New passphrase for {path}: ")
    if getpass.getpass("Repeat it: ") != first:
        raise UsageError("the two passphrases differ; nothing was changed")
    return first


def parse_types(items: list[str] | None) -> dict[str, str]:
    """``--type NAME=TYPE`` options as {attribute: type}."""
    from ..core.errors import UsageError

    out = {}
    for item in items or ():
        if "=" not in item:
            raise UsageError(f"--type {item!r}: expected ATTRIBUTE=text|number|date|boolean")
        name, t = item.split("=", 1)
        out[name.strip()] = t.strip()
    return out
