"""Fault injection with real processes and real file systems (see procs.py)."""

from __future__ import annotations

import os
import signal

import pytest

if not hasattr(signal, "SIGKILL") or os.name != "posix":
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODER_LITE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QUALCODER_LITE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("QUALCODER_LITE_PASSPHRASE", raising=False)


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"
