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


def _full_disk(path):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_project_opens_when_the_preferences_cannot_be_saved(qtbot, demo_file, monkeypatch):
    from qualcoder_lite.gui.main_window import MainWindow

    monkeypatch.setattr(outfile, "_fsync", _full_disk)  # the config folder's disk is full
    w = MainWindow(coder="alex")
    qtbot.addWidget(w)
    assert w.open_path(demo_file, coder="alex")
    assert w.ctx is not None and w.ctx.project.path == demo_file
    assert w.statusBar().currentMessage().startswith("The list of recent projects was not updated: ")
    assert "No space left on device" in w.statusBar().currentMessage()
    w.close_project()


def test_a_config_folder_that_cannot_be_made_is_an_output_error(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("QUALCODER_LITE_CONFIG_DIR", str(blocker / "config"))
    with pytest.raises(outfile.OutputError, match="preferences.json: cannot be written"):
        prefs.add_recent(tmp_path / "a.qlite")


def test_the_coder_name_is_used_when_it_cannot_be_remembered(qtbot, demo_file, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from qualcoder_lite.gui.main_window import MainWindow

    w = MainWindow(coder="alex")
    qtbot.addWidget(w)
    assert w.open_path(demo_file, coder="alex")
    monkeypatch.setattr(outfile, "_fsync", _full_disk)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Bea", True))
    w.ask_coder()
    assert w.ctx.project.coder == "Bea"
    assert w.statusBar().currentMessage().startswith("Your coder name was not remembered for next time: ")
    w.close_project()
