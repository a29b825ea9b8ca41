"""Item 7: temporary files are owner-only, never a plaintext copy of an encrypted project
(apart from decrypt's own output), left alone while their command runs, and removed at
the next start of any command (or the app) on the project after a kill."""

from __future__ import annotations

import os
import stat

import pytest

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.store.backups import backup_folder, list_backups, make_backup
from tests.faults.procs import Paused, counts, run_cli

sqlcipher3 = pytest.importorskip("sqlcipher3", reason="the 'encrypt' extra is not installed")

KEY = "temp passphrase"
WORDS = (b"Siobh", b"patients", "patients".encode("utf-16-le"))  # demo transcript text


def _temps(folder):
    return sorted(p for p in folder.iterdir() if p.name.startswith(".")) if folder.exists() else []


def _owner_only(path):
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, f"{path.name}: {oct(os.stat(path).st_mode)}"


def _no_plaintext(path):
    data = path.read_bytes()
    assert data and not any(w in data for w in WORDS), f"{path.name} holds transcript text"


def _encrypt(path):
    from qualcoder_lite.core.services.privacy.projectfile import encrypt_project

    encrypt_project(path, KEY)


def _stop_where(child, name_part, folder):
    """Go from stop to stop until a temporary file named ``*name_part*`` exists."""
    while child.paused:
        found = [t for t in _temps(folder) if name_part in t.name and not t.name.endswith(("-wal", "-shm", "-journal"))]
        if found:
            return found[0]
        child.resume()
    raise AssertionError(f"no {name_part} file at any stop: {child.first}")


def test_encrypt_temp_is_owner_only_and_encrypted(demo_file, data_dir):
    with Paused("encrypt", 0, data_dir, path=demo_file, passphrase=KEY) as child:
        tmp = _stop_where(child, ".converting", demo_file.parent)
        assert tmp.name == ".demo.qlite.converting"
        _owner_only(tmp)
        child.resume()  # a step later it is complete
        _no_plaintext(tmp)
        assert child.finish().startswith("DONE")
    assert _temps(demo_file.parent) == []


def test_restore_temp_of_an_encrypted_project_is_owner_only_and_encrypted(demo_file, data_dir):
    _encrypt(demo_file)
    with open_project(demo_file, passphrase=KEY) as p:
        make_backup(p)
    for b in list_backups(demo_file):
        _owner_only(b.path)
        _no_plaintext(b.path)
    assert stat.S_IMODE(os.stat(backup_folder(demo_file)).st_mode) == 0o700
    with Paused("restore", 0, data_dir, path=demo_file, passphrase=KEY) as child:
        tmp = _stop_where(child, ".restoring", demo_file.parent)
        assert tmp.name == ".demo.qlite.restoring"
        _owner_only(tmp)
        child.resume()
        _no_plaintext(tmp)
        assert child.finish().startswith("DONE")
    assert _temps(demo_file.parent) == []
    assert counts(demo_file, KEY)["sources"] == 8


def test_decrypt_temp_is_owner_only(demo_file, data_dir):
    _encrypt(demo_file)
    with Paused("decrypt", 0, data_dir, path=demo_file, passphrase=KEY) as child:
        tmp = _stop_where(child, ".converting", demo_file.parent)
        _owner_only(tmp)  # decrypt's own output: plaintext, but for the owner only
        assert child.finish().startswith("DONE")
    assert _temps(demo_file.parent) == []


def _qdpx(demo_file, tmp_path):
    from qualcoder_lite.core.services.refi.interop import export_qdpx

    out = tmp_path / "demo.qdpx"
    with open_project(demo_file, read_only=True) as p:
        export_qdpx(p, out)
    return out


def test_import_qdpx_temp_is_owner_only_and_removed_at_the_next_start(tmp_path, demo_file, data_dir):
    src = _qdpx(demo_file, tmp_path)
    target = tmp_path / "imported.qlite"
    with Paused("import-qdpx", 0, data_dir, src=src, target=target) as child:
        tmp = _stop_where(child, ".importing", tmp_path)
        assert tmp.name.startswith(".imported.qlite.") and tmp.name.endswith(".importing")
        _owner_only(tmp)
        child.kill()
    assert any(".importing" in t.name for t in _temps(tmp_path))
    r = run_cli("info", target, data_dir=data_dir)  # not made yet: says so, and cleans up
    assert r.code == 1 and "no such project file" in r.err
    assert [t for t in _temps(tmp_path) if ".importing" in t.name] == []
    with Paused("import-qdpx", 0, data_dir, src=src, target=target) as child:  # killed again
        _stop_where(child, ".importing", tmp_path)
        child.kill()
    r = run_cli("import-qdpx", src, target, data_dir=data_dir)  # the next import cleans up and succeeds
    assert r.code == 0, r.err
    assert [t for t in _temps(tmp_path) if ".importing" in t.name] == []
    assert counts(target)["sources"] == 8


def test_a_killed_import_qdpx_temp_goes_at_the_next_start_of_any_command(tmp_path, demo_file, data_dir):
    """Not only a command on the same target: the temporary project may hold every
    transcript of the archive, and its user may never try that target again."""
    src = _qdpx(demo_file, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "imported.qlite"
    with Paused("import-qdpx", 0, data_dir, src=src, target=target) as child:
        tmp = _stop_where(child, ".importing", elsewhere)
        r = run_cli("info", demo_file, data_dir=data_dir)  # while it runs: left alone
        assert r.code == 0, r.err
        assert tmp.exists()
        child.kill()
    assert any(".importing" in t.name for t in _temps(elsewhere))
    assert list((data_dir / "pending").glob("*.json"))
    r = run_cli("info", demo_file, data_dir=data_dir)  # another project entirely
    assert r.code == 0, r.err
    assert _temps(elsewhere) == []
    assert not list((data_dir / "pending").glob("*.json"))
    assert not target.exists()


def test_a_forged_note_never_removes_a_file_not_named_as_a_temp(tmp_path, demo_file, data_dir):
    import json

    keep = tmp_path / "thesis.docx"
    keep.write_bytes(b"chapter 3")
    hidden = tmp_path / ".thesis.docx"
    hidden.write_bytes(b"chapter 4")
    (data_dir / "pending").mkdir(parents=True, exist_ok=True)
    for i, path in enumerate((keep, hidden)):
        (data_dir / "pending" / f"999999-{i}.json").write_text(
            json.dumps({"pid": 999999, "path": str(path), "kind": "project"}), encoding="utf-8")
    r = run_cli("info", demo_file, data_dir=data_dir)
    assert r.code == 0, r.err
    assert keep.read_bytes() == b"chapter 3" and hidden.read_bytes() == b"chapter 4"
    assert not list((data_dir / "pending").glob("*.json"))  # the notes are dropped


@pytest.mark.parametrize("op", ["encrypt", "decrypt", "restore"])
def test_temps_of_a_killed_command_go_at_the_next_start(demo_file, data_dir, op):
    passphrase = None
    if op == "decrypt":
        _encrypt(demo_file)
        passphrase = KEY
    if op == "restore":
        with open_project(demo_file) as p:
            make_backup(p)
    part = ".restoring" if op == "restore" else ".converting"
    args = {"passphrase": KEY} if op != "restore" else {}
    with Paused(op, 0, data_dir, path=demo_file, **args) as child:
        _stop_where(child, part, demo_file.parent)
        child.resume()
        child.kill()
    left = _temps(demo_file.parent)
    assert any(part in t.name for t in left)
    if op == "decrypt" and not (demo_file.parent / ".demo.qlite.converting").stat().st_size:
        pytest.fail("the killed decrypt left an empty file: the test stopped too early")
    key = passphrase if open(demo_file, "rb").read(16) != b"SQLite format 3\x00" else None
    r = run_cli("info", demo_file, data_dir=data_dir, passphrase=key)
    assert r.code == 0, r.err
    assert _temps(demo_file.parent) == []


def test_the_app_cleans_up_when_it_opens_the_project(qtbot, demo_file, data_dir):
    from qualcoder_lite.gui.main_window import MainWindow

    _encrypt(demo_file)
    with Paused("decrypt", 0, data_dir, path=demo_file, passphrase=KEY) as child:
        _stop_where(child, ".converting", demo_file.parent)
        child.resume()
        child.kill()
    assert _temps(demo_file.parent)
    w = MainWindow(coder="alex")
    qtbot.addWidget(w)
    assert w.open_path(demo_file, passphrase=KEY)
    assert [t for t in _temps(demo_file.parent) if ".converting" in t.name] == []
    w.close_project()


def test_a_running_commands_temp_is_left_alone(demo_file, data_dir):
    with Paused("encrypt", 0, data_dir, path=demo_file, passphrase=KEY) as child:
        tmp = _stop_where(child, ".converting", demo_file.parent)
        r = run_cli("info", demo_file, data_dir=data_dir)  # another command starts meanwhile
        assert r.code == 0, r.err
        assert tmp.exists()
        assert child.finish().startswith("DONE")
    assert counts(demo_file, KEY)["sources"] == 8
