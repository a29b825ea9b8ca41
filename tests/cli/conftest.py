from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

import pytest

from qualcoder_lite.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def cli(capsys):
    """Run the command line in-process; returns exit code, stdout and stderr."""

    def run(*args: str) -> Result:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def cli_subprocess():
    """Run ``python -m qualcoder_lite`` in a child process (argparse exits, real stdio)."""

    def run(*args: str, env=None) -> Result:
        proc = subprocess.run([sys.executable, "-m", "qualcoder_lite", *map(str, args)],
                              capture_output=True, text=True, env=env, timeout=120)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run
