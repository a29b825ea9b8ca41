"""Item 5: disk errors are disk errors; restore is for damage, checks free space, survives
SIGKILL at every step, and exists on the command line; reading works on a read-only medium.

Real file systems: a small tmpfs filled to the last byte, or remounted read-only (root
with ``mount``); otherwise a child limited by RLIMIT_FSIZE, or dropped to user nobody in
front of a chmod-read-only folder."""

from __future__ import annotations

import os
import shutil

import pytest

from qualcoder_lite.core.errors import ProjectError
from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.coding.codes import AddCode
from qualcoder_lite.core.store.backups import list_backups, make_backup
from tests.faults.procs import Holder, Paused, can_mount, counts, full_disk, read_only_folder, run_cli


def _demo(folder):
    from qualcoder_lite.core.services.sources.demo import build_demo

    build_demo(folder / "demo.qlite").close()


def _not_called_damaged(text):
    assert "damaged" not in text and "not a project" not in text, text


def _temps(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ----------------------------------------------------------------------------- full disk
def test_a_full_disk_is_an_io_error_naming_the_file_and_cause(tmp_path, data_dir):
    before = {}

    def prepare(folder):
        _demo(folder)
        before.update(counts(folder / "demo.qlite"))

    with full_disk(tmp_path / "disk", prepare) as (folder, limit, filler):
        project = folder / "demo.qlite"
        r = run_cli("codes", project, "add", "Written on a full disk", data_dir=data_dir, preexec_fn=limit)
        assert r.code == 1, r.out
        assert str(project) in r.err and ("full" in r.err or "size limit" in r.err), r.err
        _not_called_damaged(r.err)
        assert "Traceback" not in r.err
        if filler is not None:
            from qualcoder_lite.core.errors import DamagedProjectError, ProjectIOError

            # what the app meets when opening it: an I/O error, so no restore is offered
            with pytest.raises(ProjectIOError) as err:
                open_project(project, lock=True)
            assert not isinstance(err.value, DamagedProjectError) and "full" in str(err.value)
            # reading still works on a full disk
            r = run_cli("info", project, "--json", data_dir=data_dir)
            assert r.code == 0 and r.json()["codes"] == before["codes"], r.err
            filler.unlink()
        assert counts(project) == before
        assert run_cli("info", project, data_dir=data_dir).code == 0


@pytest.mark.skipif(not can_mount(), reason="needs a small file system to fill (root with mount)")
def test_the_app_holding_a_project_meets_a_full_disk(tmp_path, data_dir):
    with full_disk(tmp_path / "disk", _demo) as (folder, _limit, filler):
        project = folder / "demo.qlite"
        filler.unlink()
        with Holder(data_dir) as app:
            assert app.ask("open", project, None) == ["ok", "opened"]
            filler = __import__("tests.faults.procs", fromlist=["fill"]).fill(folder)
            status, message = app.ask("code", "Coded on a full disk")
            assert status == "error" and str(project) in message and "full" in message, message
            _not_called_damaged(message)
            filler.unlink()
            assert app.ask("code", "Coded with room again")[0] == "ok"
            app.kill()
        with open_project(project) as p:
            assert p.codes.find(["Coded with room again"]) is not None
            assert p.codes.find(["Coded on a full disk"]) is None


@pytest.mark.skipif(not can_mount(), reason="needs a small file system to fill (root with mount)")
def test_the_app_offers_no_restore_for_a_full_disk(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from qualcoder_lite.gui.main_window import MainWindow

    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.Cancel)
    with full_disk(tmp_path / "disk", _demo) as (folder, _limit, filler):
        project = folder / "demo.qlite"
        filler.unlink()
        with open_project(project) as p:
            make_backup(p)  # there is a backup it could offer
        from tests.faults.procs import fill

        filler = fill(folder)
        w = MainWindow(coder="alex")
        qtbot.addWidget(w)
        assert not w.open_path(project)
        (question,) = asked  # no "restore the latest backup?", but the cause and reading instead
        assert "full" in question and str(project) in question and "Open it read-only?" in question
        assert "backup" not in question.lower()
        _not_called_damaged(question)
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
        assert w.open_path(project)  # read-only, on the full disk
        assert w.ctx.project.read_only and w.ctx.project.sources.count() == 8
        w.close_project()
        filler.unlink()
        assert w.open_path(project)
        assert not w.ctx.project.read_only
        w.close_project()


@pytest.mark.skipif(not can_mount(), reason="needs a small file system to fill (root with mount)")
def test_restore_checks_the_free_space_first(tmp_path, data_dir):
    with full_disk(tmp_path / "disk", _demo) as (folder, _limit, filler):
        project = folder / "demo.qlite"
        filler.unlink()
        with open_project(project) as p:
            p.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            make_backup(p)
        project.write_bytes(project.read_bytes()[:20000])  # damaged
        damaged = project.read_bytes()
        from tests.faults.procs import fill

        fill(folder)
        r = run_cli("restore", project, data_dir=data_dir)
        assert r.code == 1 and "free space" in r.err and "nothing was changed" in r.err, r.err
        assert project.read_bytes() == damaged
        assert _temps(folder) == [] and not (folder / "demo.before-restore.qlite").exists()


# ----------------------------------------------------------------------------- read-only medium
def test_reading_commands_work_on_a_read_only_medium(tmp_path, data_dir):
    out = tmp_path / "out"
    out.mkdir()
    os.chmod(out, 0o777)
    with read_only_folder(tmp_path / "medium", _demo) as (folder, as_user):
        project = folder / "demo.qlite"
        for args in (["info", project, "--json"], ["segments", project, "--json"], ["search", project, "patients"],
                     ["codes", project, "list"], ["cases", project, "list"], ["speakers", project],
                     ["export-qdpx", project, out / "demo.qdpx"], ["export-qdc", project, out / "demo.qdc"],
                     ["codebook", project, "--out", out / "codebook.csv"], ["restore", project, "--list"]):
            r = run_cli(*args, data_dir=data_dir, preexec_fn=as_user)
            assert r.code == 0, f"{args[0]}: {r.err}"
            assert "Traceback" not in r.err
        assert run_cli("info", project, "--json", preexec_fn=as_user).json()["sources"] == 8
        r = run_cli("codes", project, "add", "Not here", data_dir=data_dir, preexec_fn=as_user)
        assert r.code == 1 and str(project) in r.err and "read-only" in r.err, r.err
        _not_called_damaged(r.err)
        assert _temps(folder) == []


# ----------------------------------------------------------------------------- restore
def _with_backup_and_later_change(project):
    with open_project(project) as p:
        make_backup(p)
        p.execute(AddCode("Made after the backup"))
    return counts(project)


@pytest.mark.parametrize("point", [1, 2, 3, 4, 5])
def test_kill_during_restore_never_leaves_the_project_missing(tmp_path, demo_file, data_dir, point):
    current = _with_backup_and_later_change(demo_file)
    backup = counts(list_backups(demo_file)[0].path)
    with Paused("restore", point, data_dir, path=demo_file) as child:
        assert child.paused, child.first
        child.kill()
    assert demo_file.exists()
    state = counts(demo_file)
    assert state in (current, backup)
    kept = demo_file.with_name("demo.before-restore.qlite")
    if kept.exists():
        assert counts(kept) == current  # the replaced file with its write-ahead log
    assert run_cli("info", demo_file, data_dir=data_dir).code == 0  # the next start cleans up
    assert _temps(demo_file.parent) == []
    with Paused("restore", 99, data_dir, path=demo_file) as child:  # and a restore then finishes
        assert child.finish().startswith("DONE")
    assert counts(demo_file) == backup


@pytest.mark.parametrize("point", [1, 3, 4, 5])
def test_kill_while_restoring_a_damaged_project(tmp_path, demo_file, data_dir, point):
    with open_project(demo_file) as p:
        p.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        make_backup(p)
    backup = counts(list_backups(demo_file)[0].path)
    demo_file.write_bytes(demo_file.read_bytes()[:30000])
    with pytest.raises(ProjectError, match="damaged"):
        open_project(demo_file).close()
    with Paused("restore", point, data_dir, path=demo_file) as child:
        assert child.paused, child.first
        child.kill()
    assert demo_file.exists()
    r = run_cli("info", demo_file, "--json", data_dir=data_dir)
    if r.code == 0:
        assert r.json()["sources"] == backup["sources"]
    else:
        assert "damaged" in r.err  # still the damaged file, never a missing one
    assert _temps(demo_file.parent) == []


def test_restore_on_the_command_line(tmp_path, demo_file, data_dir):
    import datetime as dt

    with open_project(demo_file) as p:
        make_backup(p, now=dt.datetime(2026, 1, 1, 9, 0, 0))
        p.execute(AddCode("Second"))
        make_backup(p, now=dt.datetime(2026, 1, 2, 9, 0, 0))
        p.execute(AddCode("Third"))
    r = run_cli("restore", demo_file, "--list", data_dir=data_dir)
    assert r.code == 0 and r.out.splitlines()[0].startswith("1. 2026-01-02 09:00:00")
    assert r.out.splitlines()[1].startswith("2. 2026-01-01 09:00:00")
    listed = run_cli("restore", demo_file, "--list", "--json", data_dir=data_dir).json()
    assert [b["number"] for b in listed] == [1, 2] and listed[0]["taken"] == "2026-01-02T09:00:00"
    r = run_cli("restore", demo_file, "--backup", "3", data_dir=data_dir)
    assert r.code == 1 and "no backup 3" in r.err
    r = run_cli("restore", demo_file, "--backup", "2", data_dir=data_dir)
    assert r.code == 0 and "restored" in r.out and "demo.before-restore.qlite" in r.out, r.err
    with open_project(demo_file) as p:
        assert p.codes.find(["Second"]) is None and p.codes.find(["Third"]) is None
    with open_project(demo_file.with_name("demo.before-restore.qlite")) as p:
        assert p.codes.find(["Third"]) is not None
    assert run_cli("restore", demo_file, data_dir=data_dir).code == 0  # the newest
    with open_project(demo_file) as p:
        assert p.codes.find(["Second"]) is not None and p.codes.find(["Third"]) is None
    with Holder(data_dir) as app:  # never under an open project
        app.ask("open", demo_file, None)
        r = run_cli("restore", demo_file, data_dir=data_dir)
        assert r.code == 1 and "is open in QualCoder Lite" in r.err
    nothing = tmp_path / "fresh.qlite"
    shutil.copy(demo_file, nothing)
    r = run_cli("restore", nothing, data_dir=data_dir)
    assert r.code == 1 and "has no backups" in r.err


@pytest.mark.skipif(not can_mount(), reason="needs a read-only mount (root with mount)")
def test_the_app_opens_a_project_on_a_read_only_medium_for_reading(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from qualcoder_lite.gui.main_window import MainWindow

    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.Yes)
    with read_only_folder(tmp_path / "medium", _demo) as (folder, _as_user):
        project = folder / "demo.qlite"
        w = MainWindow(coder="alex")
        qtbot.addWidget(w)
        assert w.open_path(project)
        (question,) = asked
        assert "read-only" in question and "backup" not in question.lower()
        _not_called_damaged(question)
        assert w.ctx.project.read_only and w.ctx.project.sources.count() == 8
        w.close_project()
