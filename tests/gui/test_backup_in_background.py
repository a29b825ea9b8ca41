"""The automatic backup on opening is taken off the GUI thread (a background job): the
window is usable at once; closing or quitting waits for the backup (never half-made, never
asked about); removing the pseudonym key or encrypting while it runs never leaves a backup
with the real names or in plaintext.

The backup is held in its thread at its first step (one page per step here) until the
test lets it go, as ``test_quit_during_import`` holds an import."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QMessageBox

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.store import backups


def _hold(monkeypatch):
    reached, released = threading.Event(), threading.Event()
    real = backups._stepper
    monkeypatch.setattr(backups, "STEP_PAGES", 1)

    def stepper(folder, progress):
        step = real(folder, progress)

        def held(status, remaining, total):
            if not reached.is_set():
                reached.set()
                assert released.wait(60), "the test never let the backup go on"
            step(status, remaining, total)

        return held

    monkeypatch.setattr(backups, "_stepper", stepper)
    return reached, released


def _open(qtbot, path, monkeypatch):
    from qualcoder_lite.gui.main_window import MainWindow

    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.Yes)
    w = MainWindow(coder="alex")
    qtbot.addWidget(w)
    assert w.open_path(path, coder="alex")
    w.show()
    return w, asked


def _files(path) -> list[str]:
    folder = backups.backup_folder(path)
    return sorted(f.name for f in folder.iterdir()) if folder.exists() else []


def _is_plain(path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"


def test_the_window_is_usable_while_the_backup_is_taken(qtbot, demo_file, monkeypatch):
    reached, released = _hold(monkeypatch)
    w, asked = _open(qtbot, demo_file, monkeypatch)
    assert reached.wait(60)
    job = w.backup_job
    assert job.worker.thread is not threading.main_thread()
    assert backups.list_backups(demo_file) == []  # not there yet: only its temporary file
    assert [n for n in _files(demo_file) if n.endswith(".qlite.tmp")]
    w.workbench.codes.new_code(None, name="Coded while the backup runs")  # the window works
    assert w.ctx.project.codes.find(["Coded while the backup runs"]) is not None
    released.set()
    qtbot.waitUntil(lambda: job.reported, timeout=60000)
    (taken,) = backups.list_backups(demo_file)
    assert job.result == taken.path and _files(demo_file) == [taken.path.name]
    with open_project(taken.path, read_only=True) as b:  # the project as it was opened
        assert b.sources.count() == 8 and b.codes.find(["Coded while the backup runs"]) is None
    assert asked == []
    w.close_project()


def test_closing_the_window_during_the_backup_waits_for_it_without_asking(qtbot, demo_file, monkeypatch):
    reached, released = _hold(monkeypatch)
    w, asked = _open(qtbot, demo_file, monkeypatch)
    assert reached.wait(60)
    job = w.backup_job
    QTimer.singleShot(200, released.set)  # goes on while the window waits for it
    assert w.close()
    assert asked == []  # the user did not start it: nobody is asked
    assert job.reported and job.worker.stopped and w.ctx is None
    (taken,) = backups.list_backups(demo_file)  # complete, not abandoned
    assert _files(demo_file) == [taken.path.name]
    with open_project(taken.path, read_only=True) as b:
        assert b.sources.count() == 8
    with open_project(demo_file, lock=True) as p:  # the project is whole and free again
        assert p.sources.count() == 8


def test_removing_the_key_during_the_backup_leaves_no_backup_with_real_names(qtbot, demo_file, monkeypatch):
    from qualcoder_lite.core.services.privacy.pseudonymise import Pseudonymise
    from qualcoder_lite.gui import pseudonym_dialog

    pool = QThreadPool.globalInstance()
    threads = pool.maxThreadCount()
    pool.setMaxThreadCount(max(threads, 2))  # the removal runs beside the held backup
    try:
        reached, released = _hold(monkeypatch)
        w, _asked = _open(qtbot, demo_file, monkeypatch)
        assert reached.wait(60)
        backup = w.backup_job
        w.ctx.project.execute(Pseudonymise({"Kirsty": "[P_K]"}))
        monkeypatch.setattr(pseudonym_dialog, "confirm_irreversible", lambda parent, text: True)
        dlg = pseudonym_dialog.PseudonymDialog(w)
        removal = dlg.remove_key()
        folder = backups.backup_folder(demo_file)
        qtbot.waitUntil(lambda: backups._barred(folder), timeout=60000)  # the removal has begun
        released.set()
        qtbot.waitUntil(lambda: removal.reported and backup.reported, timeout=60000)
        assert backup.result is None  # abandoned: it held the real name
        assert dlg.last_removal is not None
        assert _files(demo_file) == []  # no backup, no temporary file
        w.close_project()
    finally:
        pool.setMaxThreadCount(threads)


def test_encrypting_during_the_backup_leaves_no_plaintext_backup(qtbot, demo_file, monkeypatch):
    import pytest

    pytest.importorskip("sqlcipher3", reason="the 'encrypt' extra is not installed")
    from qualcoder_lite.gui.safety_menu import encrypt_project

    reached, released = _hold(monkeypatch)
    w, asked = _open(qtbot, demo_file, monkeypatch)
    assert reached.wait(60)
    first = w.backup_job
    QTimer.singleShot(200, released.set)  # closing for the encryption waits for it
    job = encrypt_project(w, passphrase="a long passphrase")
    qtbot.waitUntil(lambda: job.reported, timeout=60000)
    assert job.ok and first.reported and w.ctx.project.encrypted
    assert job.report.backups_purged == 1  # the plaintext backup finished, then went
    qtbot.waitUntil(lambda: w.backup_job is not first and w.backup_job.reported, timeout=60000)
    kept = backups.list_backups(demo_file)
    assert len(kept) == 1 and not _is_plain(kept[0].path)  # the reopened project's, encrypted
    assert [n for n in _files(demo_file) if not n.endswith(".qlite")] == []
    assert asked == []
    w.close_project()
