"""Backups, the one-writer lock, read-only opening, damaged files and encryption at rest."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from qualcoder_lite.core.errors import ProjectError
from qualcoder_lite.core.project import new_project, open_project
from qualcoder_lite.core.services.coding.codes import AddCode
from qualcoder_lite.core.store import backups
from qualcoder_lite.core.store.lock import LockedError
from tests.helpers import add_text_source

SECRET = "Mrs Quenby-Fairweather told me about the Glenbrae surgery"


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODER_LITE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("QUALCODER_LITE_PASSPHRASE", raising=False)


def test_backups_are_taken_rotated_and_restored(project_file):
    with open_project(project_file) as p:
        add_text_source(p, "P1", "Interviewer: Hi.\n\nP1: " + SECRET + ".\n", case="P1")
        first = backups.make_backup(p, now=dt.datetime(2026, 1, 1, 9, 0, 0))
        p.execute(AddCode("Later code"))
        for day in range(2, 8):
            backups.make_backup(p, now=dt.datetime(2026, 1, day, 9, 0, 0))
    kept = backups.list_backups(project_file)
    assert len(kept) == 7 and kept[0].taken > kept[-1].taken  # all within the 14 days kept
    removed = backups.rotate(project_file, now=dt.datetime(2026, 3, 1))
    assert len(backups.list_backups(project_file)) == backups.KEEP_MIN and len(removed) == 4
    assert not first.exists()  # old and not among the newest three
    kept = backups.list_backups(project_file)
    # a backup is a complete, consistent project
    with open_project(kept[0].path) as b:
        assert b.sources.count() == 1 and b.codes.find(["Later code"]) is not None
    # restore replaces the file and keeps the current one aside
    with open_project(project_file) as p:
        p.execute(AddCode("After the backups"))
    older = backups.list_backups(project_file)[-1]
    from qualcoder_lite.core.services.privacy.projectfile import restore_project

    restore_project(project_file, older)
    with open_project(project_file) as p:
        assert p.codes.find(["After the backups"]) is None
    assert project_file.with_name("study.before-restore.qlite").exists()


def test_one_writer_lock(project_file):
    first = open_project(project_file, lock=True)
    try:
        with pytest.raises(LockedError) as err:
            open_project(project_file, lock=True)
        assert "is open in QualCoder Lite by" in str(err.value)
        assert err.value.holder["pid"] == os.getpid()
        # reading is fine while someone writes
        with open_project(project_file, read_only=True) as ro:
            assert ro.read_only
            with pytest.raises(ProjectError, match="read-only"):
                ro.execute(AddCode("Nope"))
    finally:
        first.close()
    with open_project(project_file, lock=True) as again:  # released on close
        assert again.lock.held


def _damage(path, how):
    data = bytearray(path.read_bytes())
    if how == "truncated":
        path.write_bytes(bytes(data[: len(data) // 3]))
    else:  # random bytes over the second page (schema or data)
        page = 4096
        data[page:page + 600] = os.urandom(600)
        path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["truncated", "random bytes in a page"])
def test_damaged_project_is_a_clear_message(demo_file, how):
    with open_project(demo_file) as p:
        p.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _damage(demo_file, how)
    with pytest.raises(ProjectError) as err:
        with open_project(demo_file) as p:
            # some damage only shows when the data is read
            p.sources.all()
            p.conn.execute("PRAGMA integrity_check").fetchall()
            for s in p.sources.all():
                p.sources.text(s.id)
            raise ProjectError(demo_file, "is damaged (found on reading)")
    assert str(demo_file) in str(err.value) and "damaged" in str(err.value)


sqlcipher3 = pytest.importorskip("sqlcipher3", reason="the 'encrypt' extra is not installed")


def _all_bytes(folder):
    out = b""
    for root, _dirs, files in os.walk(folder):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                out += fh.read()
    return out


def test_encrypted_project_holds_no_clear_text(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    work = tmp_path / "work"
    work.mkdir()
    p = new_project(work / "secret.qlite", passphrase="correct horse")
    sid = add_text_source(p, "P1", "Interviewer: Tell me.\n\nP1: " + SECRET + ".\n", case="P1")
    p.execute(AddCode("Places"))
    from qualcoder_lite.core.services.coding.coding import ApplyCode

    text = p.sources.text(sid)
    p.execute(ApplyCode(sid, p.codes.find(["Places"]).id, text.index("Glenbrae"), text.index("Glenbrae") + 8))
    backups.make_backup(p)
    from qualcoder_lite.core.services.search.search import search

    assert search(p, "Glenbrae")  # the project works as usual
    # while open: the main file, the WAL, backups and temporary files
    blob = _all_bytes(work) + _all_bytes(tmp_path / "data") + _all_bytes(tmp_path / "tmp")
    for needle in (b"Quenby", b"Glenbrae", "Quenby".encode("utf-16-le")):
        assert needle not in blob
    p.close()
    blob = _all_bytes(work)
    assert b"Quenby" not in blob and b"SQLite format 3" not in blob
    with pytest.raises(ProjectError, match="wrong passphrase"):
        open_project(work / "secret.qlite", passphrase="wrong")
    with pytest.raises(ProjectError, match="encrypted"):
        open_project(work / "secret.qlite")
    monkeypatch.setenv("QUALCODER_LITE_PASSPHRASE", "correct horse")
    with open_project(work / "secret.qlite") as again:
        assert SECRET in again.sources.text(sid)


