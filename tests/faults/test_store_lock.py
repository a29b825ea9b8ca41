"""Item 3: the single-writer lock belongs to the file, not to its name.

While a process (the app, or a child holding the project like the app) has the project,
every other spelling of it (a symlink, a hard link in another folder, ``./``, ``..``, a
relative path) is refused at once with the lock's message (not a busy timeout, and on the
command line without "open it read-only", which the command line cannot do). The lock
stays held through the file replacements of encrypt, decrypt and restore."""

from __future__ import annotations

import os

import pytest

from qualcoder_lite.core.errors import ProjectError
from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.store import lock as lockmod
from tests.faults.procs import Holder, Paused, counts, run_cli


def _spellings(tmp_path, project):
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "sub").mkdir()
    link = tmp_path / "link.qlite"
    link.symlink_to(project)
    far_link = other / "far-link.qlite"
    far_link.symlink_to(project)
    hard = other / "hard-link.qlite"
    os.link(project, hard)
    return {
        "symlink": (link, None),
        "symlink in another folder": (far_link, None),
        "hard link in another folder": (hard, None),
        "dot": (project.parent / "." / project.name, None),
        "dot-dot": (other / "sub" / ".." / ".." / project.name, None),
        "relative": (project.name, project.parent),
    }


def _refused_by_the_lock(r):
    assert r.code == 1, r.out + r.err
    assert "is open in QualCoder Lite" in r.err, r.err
    assert "read-only" not in r.err  # the command line cannot open it read-only
    assert "locked" not in r.err and "busy" not in r.err  # the lock's message, not SQLite's timeout


def test_every_spelling_is_refused_while_another_process_holds_the_project(tmp_path, demo_file, data_dir):
    spellings = _spellings(tmp_path, demo_file)
    before = counts(demo_file)
    with Holder(data_dir) as app:
        assert app.ask("open", demo_file, None) == ["ok", "opened"]
        assert lockmod.is_locked(demo_file)
        for name, (spelling, cwd) in spellings.items():
            assert lockmod.is_locked(spelling if cwd is None else cwd / spelling), name
            _refused_by_the_lock(run_cli("codes", spelling, "add", f"Written through {name}", data_dir=data_dir,
                                         cwd=cwd))
        assert run_cli("info", spellings["hard link in another folder"][0], data_dir=data_dir).code == 0  # reading works
        app.kill()
    assert not lockmod.is_locked(demo_file)  # the OS let go with the process
    assert counts(demo_file) == before


def test_every_spelling_is_refused_in_the_same_process(tmp_path, demo_file):
    spellings = _spellings(tmp_path, demo_file)
    with open_project(demo_file, lock=True) as holder:
        for spelling, cwd in spellings.values():
            target = spelling if cwd is None else cwd / spelling
            with pytest.raises(lockmod.LockedError):
                open_project(target, lock=True)
        # the refusals closed their descriptors without dropping the holder's SQLite locks
        assert os.path.exists(f"{demo_file}-wal")
        assert run_cli("info", demo_file).code == 0
        assert os.path.exists(f"{demo_file}-wal")
        holder.conn.execute("SELECT count(*) FROM codes").fetchone()


def test_the_lock_message_of_the_command_line(tmp_path, demo_file, data_dir):
    with Holder(data_dir) as app:
        app.ask("open", demo_file, None)
        f = tmp_path / "P9.txt"
        f.write_text("P9: hello.\n")
        r = run_cli("import", demo_file, f, data_dir=data_dir)
        _refused_by_the_lock(r)
        assert "try again when it has been closed" in r.err


sqlcipher3 = pytest.importorskip("sqlcipher3", reason="the 'encrypt' extra is not installed")


def _write_attempt(spelling, data_dir, keys):
    """``codes add`` through ``spelling`` with each key in turn (the file may be plain or
    encrypted at this moment); the first answer that is not about the key."""
    for key in keys:
        r = run_cli("codes", spelling, "add", "Slipped in", data_dir=data_dir, passphrase=key)
        if "passphrase" not in r.err.lower() and "is encrypted" not in r.err:
            return r
    raise AssertionError(f"no key opened {spelling}: {r.err}")


def _probe_all_stops(tmp_path, demo_file, data_dir, op, keys, **args):
    """Stop ``op`` at every step; at each, another process tries to write through a
    symlink, through a hard link (made now, to the file that has the name now: after the
    replacement that is the new file) and through the path itself: refused by the lock
    every time."""
    link = tmp_path / "probe-link.qlite"
    link.symlink_to(demo_file)
    other = tmp_path / "other-folder"
    other.mkdir()
    stops = 0
    with Paused(op, 0, data_dir, path=demo_file, **args) as child:
        line = child.first
        while line.startswith("AT "):
            stops += 1
            hard = other / f"hard-{stops}.qlite"
            os.link(demo_file, hard)
            for spelling in (link, hard, demo_file):
                _refused_by_the_lock(_write_attempt(spelling, data_dir, keys))
            line = child.resume()
        assert line.startswith("DONE"), line
    assert stops >= 4
    return stops


def test_lock_held_through_encrypt(tmp_path, demo_file, data_dir):
    before = counts(demo_file)
    _probe_all_stops(tmp_path, demo_file, data_dir, "encrypt", (None, "pw one"), passphrase="pw one")
    assert counts(demo_file, "pw one") == before


def test_lock_held_through_decrypt(tmp_path, demo_file, data_dir):
    from qualcoder_lite.core.services.privacy.projectfile import encrypt_project

    encrypt_project(demo_file, "pw two")
    before = counts(demo_file, "pw two")
    _probe_all_stops(tmp_path, demo_file, data_dir, "decrypt", ("pw two", None), passphrase="pw two")
    assert counts(demo_file) == before


def test_lock_held_through_restore(tmp_path, demo_file, data_dir):
    from qualcoder_lite.core.store.backups import make_backup

    with open_project(demo_file) as p:
        make_backup(p)
    before = counts(demo_file)
    _probe_all_stops(tmp_path, demo_file, data_dir, "restore", (None,))
    assert counts(demo_file) == before


def test_the_app_keeps_its_lock_while_it_encrypts(qtbot, tmp_path, demo_file, data_dir, monkeypatch):
    """The window encrypts in a job (off the GUI thread); at every step of the real
    encryption, held there in the worker's thread, a second process tries to write through
    a symlink and through the path itself, and is refused by the lock. The GUI thread keeps
    running meanwhile (a timer ticks)."""
    import threading

    from PySide6.QtCore import QTimer

    from qualcoder_lite.core.services.privacy import projectfile
    from qualcoder_lite.gui.main_window import MainWindow
    from qualcoder_lite.gui.safety_menu import encrypt_project

    w = MainWindow(coder="alex")
    qtbot.addWidget(w)
    assert w.open_path(demo_file)
    held = w.ctx.project.lock
    link = tmp_path / "app-link.qlite"
    link.symlink_to(demo_file)
    seen, threads = [], set()
    real = projectfile.encrypt_project

    def probing(path, passphrase, lock=None, progress=None):
        def step(done, total, label):
            threads.add(threading.current_thread())
            for spelling in (link, demo_file):
                seen.append(_write_attempt(spelling, data_dir, (None, "app passphrase")))
            return progress(done, total, label)

        return real(path, passphrase, lock=lock, progress=step)

    monkeypatch.setattr(projectfile, "encrypt_project", probing)
    ticks = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    try:
        job = encrypt_project(w, passphrase="app passphrase")
        qtbot.waitUntil(lambda: job.reported, timeout=120000)
    finally:
        timer.stop()
    assert job.ok
    assert threads and threading.main_thread() not in threads
    assert len(ticks) >= 5  # the window stayed responsive while the second processes waited
    assert len(seen) >= 8
    for r in seen:
        _refused_by_the_lock(r)
    assert w.ctx.project.encrypted and w.ctx.project.lock is held and held.held
    assert w.ctx.project.codes.find(["Slipped in"]) is None
    w.close_project()
    assert not lockmod.is_locked(demo_file)


def test_a_lock_handed_over_must_be_this_files(tmp_path, demo_file, project_file):
    other = lockmod.ProjectLock(project_file)
    other.acquire()
    try:
        with pytest.raises(ProjectError, match="lock handed over"):
            open_project(demo_file, lock=other)
    finally:
        other.release()


def test_encrypt_decrypt_and_restore_through_a_symlink_change_the_file_itself(tmp_path, demo_file, data_dir):
    from qualcoder_lite.core.store.backups import make_backup

    link = tmp_path / "shortcut" / "study.qlite"
    link.parent.mkdir()
    link.symlink_to(demo_file)
    before = counts(demo_file)
    assert run_cli("encrypt", link, data_dir=data_dir, passphrase="via link").code == 0
    assert link.is_symlink() and link.resolve() == demo_file  # the link is still a link
    assert counts(demo_file, "via link") == before
    assert run_cli("decrypt", link, data_dir=data_dir, passphrase="via link").code == 0
    assert link.is_symlink() and counts(demo_file) == before
    with open_project(demo_file) as p:
        make_backup(p)
    r = run_cli("restore", link, data_dir=data_dir)
    assert r.code == 0, r.err
    assert link.is_symlink() and demo_file.with_name("demo.before-restore.qlite").exists()
    assert [f.name for f in link.parent.iterdir()] == ["study.qlite"]
