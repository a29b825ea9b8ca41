"""Static checks (issue 16, item 6): ruff finds nothing in the application, the tests and the
benchmarks, and mypy finds no type error in the core. Both run as the tools themselves
(``python -m ruff`` / ``python -m mypy``, installed by the ``test`` extra) with the settings of
pyproject.toml, so a test run - hence CI - fails on a finding and prints it."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINTED = ["qualcoder_lite", "tests", "benchmarks"]
TYPED = ["qualcoder_lite/core"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def _report(proc: subprocess.CompletedProcess) -> str:
    return f"exit status {proc.returncode}\n{proc.stdout}{proc.stderr}"


def test_ruff_finds_nothing():
    proc = _run("ruff", "check", "--no-cache", "--output-format", "concise", *LINTED)
    assert proc.returncode == 0, _report(proc)


def test_mypy_finds_no_error_in_the_core():
    # no cache: a stale cache must not hide an error, and the work tree stays clean
    proc = _run("mypy", f"--cache-dir={os.devnull}", *TYPED)
    assert proc.returncode == 0, _report(proc)
    assert "error:" not in proc.stdout and "note:" not in proc.stdout, _report(proc)


def test_settings_are_not_weakened():
    """The rule set and the checked paths stay as agreed; a rule is ignored only with a reason
    in pyproject.toml (the ignore list names the ones that have one)."""
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    lint = tool["ruff"]["lint"]
    assert {"F", "E7", "E9", "B"} <= set(lint["select"])
    assert set(lint.get("ignore", [])) <= {"B008", "B905", "E731"}
    assert "per-file-ignores" not in lint and "exclude" not in tool["ruff"]
    mypy = tool["mypy"]
    assert mypy["files"] == TYPED
    assert not mypy.get("ignore_errors", False)
    for override in tool["mypy"].get("overrides", []):  # only third-party modules without types
        assert not any(m.startswith("qualcoder_lite") for m in override["module"]), override
        assert set(override) <= {"module", "ignore_missing_imports"}, override
