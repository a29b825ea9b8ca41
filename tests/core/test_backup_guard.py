"""The app's backup, taken in another thread (``store.backups.take_backup``): the same file
as ``make_backup``, a snapshot of one moment while the app writes on, and never left
behind by an operation that allows no backup (``no_backups``: encrypt, decrypt, restore,
removing the pseudonym key), nor half-made.

To stop a backup at a known point, its step is held in its thread (``_hold``) until the
test lets it go; the backup copies one page per step here."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading

import pytest

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.coding.codes import AddCode
from qualcoder_lite.core.store import backups


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODER_LITE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("QUALCODER_LITE_PASSPHRASE", raising=False)


def _folder_files(path) -> list[str]:
    folder = backups.backup_folder(path)
    return sorted(f.name for f in folder.iterdir()) if folder.exists() else []


def _codes(path) -> int:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("SELECT count(*) FROM codes").fetchone()[0]
    finally:
        conn.close()


def _hold(monkeypatch):
    """Hold every backup at its first step (one page copied, the temporary file there)
    until ``released`` is set; ``reached`` is set once it is there."""
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


def _in_thread(fn):
    out: dict = {}

    def run():
        try:
            out["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test, which raises it
            out["error"] = exc

    t = threading.Thread(target=run)
    t.start()
    return t, out


def test_take_backup_is_the_same_backup_as_make_backup(demo_file):
    with open_project(demo_file) as p:
        old = backups.make_backup(p, now=dt.datetime(2025, 1, 1, 9, 0, 0))
        backups.make_backup(p, now=dt.datetime(2025, 1, 2, 9, 0, 0))
        backups.make_backup(p, now=dt.datetime(2025, 1, 3, 9, 0, 0))
        codes = p.codes.count()
    now = dt.datetime(2026, 2, 3, 10, 11, 12)
    taken = backups.take_backup(demo_file, now=now, pages=7)
    assert taken == backups.backup_folder(demo_file) / "demo-20260203-101112.qlite"
    assert oct(os.stat(taken).st_mode & 0o777) == oct(0o600)
    assert _codes(taken) == codes
    with open(taken, "rb") as fh:  # a file on its own: no write-ahead log needed
        assert fh.read(20)[18:20] == b"\x01\x01"
    assert not old.exists()  # rotated as before: old, and not among the newest three
    assert _folder_files(demo_file) == ["demo-20250102-090000.qlite", "demo-20250103-090000.qlite",
                                        "demo-20260203-101112.qlite"]


def test_no_backup_starts_while_barred(demo_file):
    with backups.no_backups(demo_file):
        assert backups.take_backup(demo_file) is None
        with open_project(demo_file) as p, pytest.raises(Exception, match="no backup can be taken"):
            backups.make_backup(p)
    assert _folder_files(demo_file) == []
    assert backups.take_backup(demo_file) is not None  # the bar is gone with the operation


def test_a_backup_being_taken_is_abandoned_when_an_operation_bars_it(demo_file, monkeypatch):
    reached, released = _hold(monkeypatch)
    backup, got = _in_thread(lambda: backups.take_backup(demo_file))
    assert reached.wait(60)
    assert [n for n in _folder_files(demo_file) if n.endswith(".tmp")]  # half-made, under a temporary name
    order = []

    def operation():
        with backups.no_backups(demo_file):
            order.append(("operation", _folder_files(demo_file)))  # the backup's files, as it begins

    op, done = _in_thread(operation)
    op.join(0.3)
    assert op.is_alive()  # waits for the backup being taken
    released.set()
    backup.join(60)
    op.join(60)
    assert "error" not in got and "error" not in done
    assert got["result"] is None  # abandoned, not published
    assert order == [("operation", [])]  # it began once the backup had removed its temporary file
    assert _folder_files(demo_file) == []  # nothing left: no backup, no temporary file


def test_a_stopped_backup_leaves_nothing(demo_file):
    calls = []

    def progress(done, total, label):
        calls.append(done)
        return len(calls) < 3

    with pytest.raises(InterruptedError):
        backups.take_backup(demo_file, progress=progress, pages=1)
    assert len(calls) == 3
    assert _folder_files(demo_file) == []


def test_the_backup_is_the_project_at_one_moment_while_the_app_writes_on(demo_file, monkeypatch):
    reached, released = _hold(monkeypatch)
    with open_project(demo_file, lock=True) as p:
        before = p.codes.count()
        backup, got = _in_thread(lambda: backups.take_backup(demo_file))
        assert reached.wait(60)
        for i in range(3):  # the app's writes go on meanwhile (write-ahead log)
            p.execute(AddCode(f"Written during the backup {i}"))
        released.set()
        backup.join(60)
        assert p.codes.count() == before + 3
    assert "error" not in got
    assert _codes(got["result"]) == before
