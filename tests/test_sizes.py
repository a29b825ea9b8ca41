"""House rule (issue 16): no module of the application over 550 lines, no function over 70.

A module or function past the limit does more than one thing; split it by responsibility
(move the code, keep its logic). The test prints every offender with its size.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "qualcoder_lite"
MAX_MODULE_LINES = 550
MAX_FUNCTION_LINES = 70

#: Files over a limit that other parts of issue 16 are splitting right now (GUI, command line,
#: file writers). Skipped until those splits land; the list is emptied when they are merged.
PENDING: set[str] = set()
PENDING_REASON = "issue 16: this file is being split by another part of the house-plan work (listed in PENDING)"

MODULES = sorted(p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*.py"))


def offences(relpath: str) -> list[str]:
    """What in one module is over a limit, one line each (empty when it keeps to them)."""
    source = (ROOT / relpath).read_text(encoding="utf-8")
    found = []
    lines = len(source.splitlines())
    if lines > MAX_MODULE_LINES:
        found.append(f"{relpath}: {lines} lines (limit {MAX_MODULE_LINES})")
    for node in ast.walk(ast.parse(source, relpath)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{relpath}:{node.lineno} {node.name}() is {length} lines (limit {MAX_FUNCTION_LINES})")
    return found


@pytest.mark.parametrize("relpath", MODULES)
def test_module_and_its_functions_keep_to_the_size_limits(relpath):
    if relpath in PENDING:
        pytest.skip(PENDING_REASON)
    found = offences(relpath)
    assert not found, "split by responsibility:\n" + "\n".join(found)


def test_pending_lists_only_files_that_are_still_over_a_limit():
    """An entry whose file was split (or removed) must leave PENDING, so the list only shrinks."""
    stale = sorted(p for p in PENDING if p not in MODULES or not offences(p))
    assert not stale, "remove from PENDING (now within the limits or gone): " + ", ".join(stale)


def test_the_size_check_sees_an_over_long_function(tmp_path, monkeypatch):
    """The check itself: a 71-line function and a 551-line module are reported."""
    body = "\n".join(f"    x{i} = {i}" for i in range(69))
    module = f"def long():\n{body}\n    return 0\n" + "\n" * (MAX_MODULE_LINES - 70)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text(module, encoding="utf-8")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    found = offences("pkg/m.py")
    assert found == [f"pkg/m.py: {MAX_MODULE_LINES + 1} lines (limit {MAX_MODULE_LINES})",
                     f"pkg/m.py:1 long() is 71 lines (limit {MAX_FUNCTION_LINES})"]
