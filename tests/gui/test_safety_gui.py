"""In the app: a second instance is offered read-only, a damaged file offers the latest
backup, backups are restored from the File menu, encrypted projects ask for the passphrase."""

from __future__ import annotations

import os

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.store import backups


def _finished(qtbot, job) -> bool:
    """Wait for a file operation's job to report and reopen the project; True if it worked."""
    assert job is not None
    qtbot.waitUntil(lambda: job.reported, timeout=60000)
    return job.ok


def _window(qtbot):
    from qualcoder_lite.gui.main_window import MainWindow

    w = MainWindow(coder="alex")
    qtbot.addWidget(w)
    return w


def test_second_instance_is_offered_read_only(qtbot, demo_file, monkeypatch):
    first = _window(qtbot)
    assert first.open_path(demo_file)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.Yes)
    second = _window(qtbot)
    assert second.open_path(demo_file)
    assert "is open in QualCoder Lite by" in asked[0]
    assert second.ctx.project.read_only
    assert "(read-only)" in second.windowTitle()
    before = second.ctx.project.codes.count()
    second.workbench.codes.new_code(None, name="Not allowed")
    assert second.ctx.project.codes.count() == before
    assert "read-only" in second.statusBar().currentMessage()
    second.close_project()
    first.close_project()


def test_backup_on_open_and_restore_from_the_menu(qtbot, demo_file, monkeypatch):
    w = _window(qtbot)
    assert w.open_path(demo_file)
    qtbot.waitUntil(lambda: w.backup_job.reported, timeout=60000)  # taken in the background
    assert len(backups.list_backups(demo_file)) == 1
    w.workbench.codes.new_code(None, name="Made after the backup")
    from qualcoder_lite.gui.safety_menu import restore_backup

    assert _finished(qtbot, restore_backup(w, choice=0))
    assert w.ctx.project.codes.find(["Made after the backup"]) is None
    w.close_project()


def test_damaged_project_offers_the_latest_backup(qtbot, demo_file, monkeypatch):
    w = _window(qtbot)
    assert w.open_path(demo_file)
    w.close_project()
    demo_file.write_bytes(demo_file.read_bytes()[:3000])  # truncated: a damaged file
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.Yes)
    assert w.open_path(demo_file)
    assert "damaged" in asked[0] and "Restore the latest backup" in asked[0]
    assert w.ctx.project.sources.count() == 8
    w.close_project()


def _damage_a_page_the_window_never_reads(path) -> None:
    """A b-tree page of the ``migrations`` table (nothing the window shows reads it) made
    invalid: only the check of every page finds it."""
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'migrations'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * size] = 0x07  # not a page type
    path.write_bytes(bytes(data))


def test_damage_found_by_the_check_beside_the_window_offers_the_latest_backup(qtbot, demo_file, monkeypatch):
    """The window opens a project without waiting for the check of every page (it runs in a
    thread while the window is built) but never shows a project that check finds damaged."""
    w = _window(qtbot)
    assert w.open_path(demo_file)
    qtbot.waitUntil(lambda: w.backup_job.reported, timeout=60000)
    w.close_project()
    _damage_a_page_the_window_never_reads(demo_file)
    with open_project(demo_file, read_only=True, check=False) as p:  # what the window reads is fine
        assert p.sources.count() == 8
    import time

    from qualcoder_lite.core import project as core_project

    real_check = core_project.check_project

    def slow_check(*args):  # a large file: the window is built long before the check ends
        time.sleep(0.5)
        real_check(*args)

    monkeypatch.setattr(core_project, "check_project", slow_check)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.No)
    assert not w.open_path(demo_file)
    assert len(asked) == 1 and "damaged" in asked[0] and "Restore the latest backup" in asked[0]
    assert w.ctx is None  # the damaged project was not left open
    with open_project(demo_file, lock=True, check=False):  # nor its lock held
        pass


sqlcipher3 = pytest.importorskip("sqlcipher3", reason="the 'encrypt' extra is not installed")


def test_encrypt_from_the_menu_and_reopen_with_passphrase(qtbot, demo_file, monkeypatch):
    from qualcoder_lite.gui.safety_menu import encrypt_project

    w = _window(qtbot)
    assert w.open_path(demo_file)
    assert _finished(qtbot, encrypt_project(w, passphrase="a long passphrase"))
    assert w.ctx.project.encrypted and "🔒" in w.windowTitle()
    assert b"Siobh" not in demo_file.read_bytes()
    w.close_project()
    monkeypatch.delenv("QUALCODER_LITE_PASSPHRASE", raising=False)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("a long passphrase", True))
    assert w.open_path(demo_file)
    assert w.ctx.project.sources.count() == 8
    w.close_project()
    with open_project(demo_file, passphrase="a long passphrase") as p:
        assert p.encrypted
    os.environ.pop("QUALCODER_LITE_PASSPHRASE", None)


def test_workers_use_the_passphrase_and_read_only_imports_nothing(qtbot, demo_file, tmp_path, monkeypatch):
    from qualcoder_lite.gui.safety_menu import encrypt_project
    from qualcoder_lite.gui.jobs import start

    monkeypatch.delenv("QUALCODER_LITE_PASSPHRASE", raising=False)
    w = _window(qtbot)
    assert w.open_path(demo_file)
    assert _finished(qtbot, encrypt_project(w, passphrase="worker passphrase"))
    f = tmp_path / "P9.txt"
    f.write_text("Interviewer: Hi?\n\nP9: Hello from an encrypted import.\n")
    worker = w.import_files([f], start_now=False)
    with qtbot.waitSignal(worker.signals.finished, timeout=20000):
        start(worker)
    qtbot.waitUntil(lambda: w.ctx.project.sources.by_name("P9") is not None)
    # a second window gets the project read-only: importing is refused, its actions are off
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("worker passphrase", True))
    second = _window(qtbot)
    assert second.open_path(demo_file)
    assert second.ctx.project.read_only
    assert not second.actionImport.isEnabled() and not second.actionApplyCode.isEnabled()
    assert second.import_files([f]) is None
    second.close_project()
    w.close_project()


def test_encrypt_and_decrypt_are_offered_by_the_projects_state(qtbot, demo_file, monkeypatch):
    from qualcoder_lite.gui.safety_menu import encrypt_project

    monkeypatch.delenv("QUALCODER_LITE_PASSPHRASE", raising=False)
    w = _window(qtbot)
    assert not w.actionEncrypt.isEnabled() and not w.actionDecrypt.isEnabled()  # no project
    assert w.open_path(demo_file)
    assert w.actionEncrypt.isEnabled() and not w.actionDecrypt.isEnabled()  # plain: nothing to decrypt
    assert w.actionRestoreBackup.isEnabled()
    assert _finished(qtbot, encrypt_project(w, passphrase="menu passphrase"))
    assert not w.actionEncrypt.isEnabled() and w.actionDecrypt.isEnabled()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("menu passphrase", True))
    second = _window(qtbot)  # read-only: none of the three
    assert second.open_path(demo_file) and second.ctx.project.read_only
    assert not any(a.isEnabled() for a in (second.actionEncrypt, second.actionDecrypt, second.actionRestoreBackup))
    second.close_project()
    w.close_project()
