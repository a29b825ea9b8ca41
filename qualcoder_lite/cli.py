"""Command-line front end: the same services the GUI uses, for automation and tests.

Exit codes: 0 success; 1 failure (bad file, nothing to do); 2 usage error (unknown option,
attribute or code). Errors are one line on stderr, never a traceback. JSON goes to stdout
as one value; warnings go to stderr.

This module holds the parser and ``main``; the commands live in ``clicmds/``, one module
per group, and what they share in ``clicmds/_common.py``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable

from . import __version__
from .clicmds._common import PROG, Parser, resolve_project


# ----------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    from .clicmds import register_all

    p = _top_parser()
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    register_all(_adder(sub))
    return p


def _top_parser() -> argparse.ArgumentParser:
    p = Parser(prog=PROG, description="Code interview transcripts, chart themes, export Word quote tables.")
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    p.add_argument("--demo", action="store_true", help="open the bundled demo project (a fresh copy)")
    p.add_argument("--screenshot", metavar="OUT.png", help="render the window offscreen to a PNG and exit")
    p.add_argument("--view", choices=("coding", "matrix", "codebook"), default="coding", help="view for --screenshot")
    p.add_argument("--coder", help="your coder name (default: your login name)")
    return p


def _adder(sub) -> Callable[..., argparse.ArgumentParser]:
    """The ``add(name, func, help, writes=False)`` each command's parser function is given."""

    def add(name: str, func: Callable, help_: str, writes: bool = False) -> argparse.ArgumentParser:
        # help texts are written as shown; argparse %-formats the list entry, not the description
        sp = sub.add_parser(name, help=help_.replace("%", "%%"), description=help_)
        sp.set_defaults(func=func, writes=writes)
        if writes:
            # SUPPRESS: a --coder given before the command name is not overwritten by None
            sp.add_argument("--coder", default=argparse.SUPPRESS,
                            help="coder name recorded with your changes (default: login name)")
        return sp

    return add


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


# ----------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    from .clicmds._errors import run_reporting_errors

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # `qualcoder-lite FILE` is `qualcoder-lite open FILE`; subcommand names win.
    first = _first_positional(argv)
    if first is not None and not _is_subcommand(parser, argv[first]):
        argv.insert(first, "open")
    args = parser.parse_args(argv)
    from .core.outfile import sweep_stale_temps

    sweep_stale_temps()  # half-written exports of killed processes
    return run_reporting_errors(args, lambda: _run(args))


def _run(args) -> int:
    """The desktop app (no command, or ``open`` with --demo/--screenshot), else the command."""
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
