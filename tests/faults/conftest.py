"""Fault injection with real processes and real file systems (see procs.py).

The command line runs in-process (``cli``) or as a real child process
(``cli_subprocess``), as the tests of the command line do."""

from __future__ import annotations

import os
import signal

import pytest

from tests.cli.conftest import cli, cli_subprocess  # noqa: F401  (fixtures)

if not hasattr(signal, "SIGKILL") or os.name != "posix":
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Backups, notes of pending temporary files and preferences go to this test's own
    folders; no passphrase leaks in from the environment."""
    monkeypatch.setenv("QUALCODER_LITE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QUALCODER_LITE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("QUALCODER_LITE_PASSPHRASE", raising=False)


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"
