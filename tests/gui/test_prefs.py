"""Preferences are written like every other file: through a temporary file beside them,
renamed into place; a failed save leaves the previous preferences as they were."""

from __future__ import annotations

import errno

import pytest

from qualcoder_lite.core import outfile, userdirs
from qualcoder_lite.gui import prefs


def test_preferences_round_trip_in_the_config_folder(tmp_path):
    prefs.set_coder_for(tmp_path / "a.qlite", "Ann")
    assert userdirs.config_dir() == tmp_path / "config"
    assert prefs.coder_for(tmp_path / "a.qlite") == "Ann"
    assert sorted(p.name for p in (tmp_path / "config").iterdir()) == ["preferences.json"]


def test_a_failed_save_keeps_the_previous_preferences(tmp_path, monkeypatch):
    prefs.set_coder_for(tmp_path / "a.qlite", "Ann")
    before = (tmp_path / "config" / "preferences.json").read_bytes()

    def full_disk(path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outfile, "_fsync", full_disk)
    with pytest.raises(outfile.OutputError, match="No space left"):
        prefs.set_coder_for(tmp_path / "a.qlite", "Bea")
    assert (tmp_path / "config" / "preferences.json").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "config").iterdir()) == ["preferences.json"]  # no temporary file
    assert not list((tmp_path / "data" / "pending").glob("*.json"))  # nor its note for the sweep
