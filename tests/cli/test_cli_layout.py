"""Where the command line's code lives: every command in ``clicmds/`` (one module per group),
``cli.py`` only the parser and ``main``; the commands reach the project through core
services (no SQL, no undo commands declared on the spot) and never import ``cli``."""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

import qualcoder_lite.cli as cli
from qualcoder_lite import clicmds

CLI = Path(cli.__file__)
CLICMDS = Path(clicmds.__file__).parent
CLI_FILES = [CLI, *sorted(CLICMDS.glob("*.py"))]


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_every_command_runs_a_function_of_clicmds():
    commands = _subparsers(cli.build_parser())
    assert len(commands) > 30
    outside = {name: sp.get_default("func").__module__ for name, sp in commands.items()
               if not sp.get_default("func").__module__.startswith("qualcoder_lite.clicmds.")}
    assert outside == {}


def test_help_lists_the_commands_in_the_order_chosen():
    assert list(_subparsers(cli.build_parser())) == list(clicmds.ORDER)


def test_nothing_in_clicmds_imports_cli():
    offenders = []
    for path in sorted(CLICMDS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                names = [a.name for a in node.names]
                if module in ("..cli", "qualcoder_lite.cli") or (module in ("..", "qualcoder_lite") and "cli" in names):
                    offenders.append(f"{path.name}: from {module} import {', '.join(names)}")
            elif isinstance(node, ast.Import):
                offenders += [f"{path.name}: import {a.name}" for a in node.names if a.name == "qualcoder_lite.cli"]
    assert offenders == []


def test_cli_py_holds_the_parser_and_main_only():
    tree = ast.parse(CLI.read_text(encoding="utf-8"))
    functions = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert "main" in functions and "build_parser" in functions
    assert [f for f in functions if f.startswith("cmd_")] == []


def test_no_sql_and_no_command_class_inside_a_function_in_the_cli_layer():
    offenders = []
    for path in CLI_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "conn":
                offenders.append(f"{path.name}:{node.lineno}: the raw connection (.conn)")
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                offenders += [f"{path.name}:{inner.lineno}: class {inner.name} inside {node.name}()"
                              for inner in ast.walk(node) if isinstance(inner, ast.ClassDef)]
    assert offenders == []
