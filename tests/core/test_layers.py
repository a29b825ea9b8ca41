"""Layering: the import-linter contracts of pyproject.toml hold (command line > GUI > core;
inside the core services > formats > project API > store > model; the GUI never imports
the store; formats never import services; the core never imports Qt), and the core never
imports Qt (checked statically and at run time)."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import qualcoder_lite.core as core

CORE = Path(core.__file__).parent
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_import_contracts_hold(capsys):
    """Every contract in [tool.importlinter] is kept. grimp reads every import statement,
    including those inside functions, and no contract ignores an import: a violation is
    fixed by moving code (the output names the importer, the imported module and the line)."""
    from importlinter import api  # noqa: F401  (configures import-linter's adapters)
    from importlinter.application.use_cases import lint_imports

    kept = lint_imports(config_filename=str(PYPROJECT), cache_dir=None, no_logo=True)
    assert kept, capsys.readouterr().out


def test_contracts_ignore_no_import():
    import tomllib

    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    assert len(config["contracts"]) >= 5
    assert all("ignore_imports" not in c for c in config["contracts"])
    assert not config.get("exclude_type_checking_imports", False)


def test_no_qt_import_in_core_source():
    offenders = []
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for n in names:
                if n.split(".")[0] in ("PySide6", "PyQt5", "PyQt6", "shiboken6") or ".gui" in n or n == "gui":
                    offenders.append(f"{path.relative_to(CORE)}: {n}")
    assert offenders == []


def test_importing_every_core_module_loads_no_qt():
    mods = [m.name for m in pkgutil.walk_packages([str(CORE)], prefix="qualcoder_lite.core.")]
    code = (
        "import importlib, sys\n"
        f"for m in {mods!r}: importlib.import_module(m)\n"
        "import qualcoder_lite.cli\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "print(len(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(CORE.parents[1]))
    assert out.stdout.strip() == "0"
