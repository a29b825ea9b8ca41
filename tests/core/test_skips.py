"""No test skips because a module of this project is missing: a missing module of ours is
a failure. Only optional external things may skip (the 'encrypt' extra, LibreOffice, the
shared fixtures), and each such skip says why."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
OURS = ("qualcoder_lite", "tests")


def _calls(tree: ast.AST, name: str):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name:
            yield node


def _imports_ours(stmts: list[ast.stmt]) -> bool:
    for node in (n for s in stmts for n in ast.walk(s)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in OURS:
            return True
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in OURS for a in node.names):
            return True
    return False


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out = []
    for call in _calls(tree, "importorskip"):
        module = call.args[0].value if call.args and isinstance(call.args[0], ast.Constant) else None
        if not isinstance(module, str) or module.split(".")[0] in OURS:
            out.append(f"{path.name}:{call.lineno}: importorskip of {module!r}; import the project's modules plainly")
        elif not any(k.arg == "reason" for k in call.keywords):
            out.append(f"{path.name}:{call.lineno}: importorskip({module!r}) without a reason")
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and _imports_ours(node.body) and any(
                h.type is not None and "ImportError" in ast.unparse(h.type) for h in node.handlers):
            out.append(f"{path.name}:{node.lineno}: a project import guarded by except ImportError")
    return out


def test_no_test_skips_when_a_project_module_is_missing():
    problems = [p for f in sorted(TESTS.rglob("*.py")) for p in _problems(f)]
    assert problems == []


def test_the_check_catches_a_skipped_project_module(tmp_path):
    f = tmp_path / "test_x.py"
    f.write_text('import pytest\nm = pytest.importorskip("qualcoder_lite.core.services.privacy.pseudonymise")\n'
                 'try:\n    from qualcoder_lite.gui import offsets\nexcept ImportError:\n    offsets = None\n'
                 'x = pytest.importorskip("sqlcipher3")\n', encoding="utf-8")
    assert [p.split(": ", 1)[0] for p in _problems(f)] == ["test_x.py:2", "test_x.py:7", "test_x.py:3"]
