"""Safety on the command line: the one-writer lock, encrypt/decrypt, encrypted new projects."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.store import backups

SECRET = "Mrs Quenby-Fairweather told me about the Glenbrae surgery"


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODER_LITE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("QUALCODER_LITE_PASSPHRASE", raising=False)


def test_cli_writes_refused_while_the_app_has_the_project(tmp_path, project_file, cli):
    holder = open_project(project_file, lock=True)
    try:
        f = tmp_path / "P1.txt"
        f.write_text("P1: hello there.\n")
        r = cli("import", project_file, f)
        assert r.code == 1 and "is open in QualCoder Lite by" in r.err
        assert cli("info", project_file, "--json").code == 0  # reading still works
    finally:
        holder.close()
    assert cli("import", project_file, tmp_path / "P1.txt").code == 0


sqlcipher3 = pytest.importorskip("sqlcipher3", reason="the 'encrypt' extra is not installed")


def test_cli_encrypt_and_decrypt(tmp_path, cli, monkeypatch, demo_file):
    monkeypatch.setenv("QUALCODER_LITE_PASSPHRASE", "s3cret passphrase")
    with open_project(demo_file) as p:
        backups.make_backup(p)
    assert backups.list_backups(demo_file)
    r = cli("encrypt", demo_file)
    assert r.code == 0, r.err
    assert "removed 1 unencrypted backups" in r.out and not backups.list_backups(demo_file)
    assert b"Siobh" not in demo_file.read_bytes()
    assert cli("info", demo_file, "--json").json()["sources"] == 8  # passphrase from the environment
    monkeypatch.setenv("QUALCODER_LITE_PASSPHRASE", "not it")
    r = cli("info", demo_file)
    assert r.code == 1 and "wrong passphrase" in r.err and "Traceback" not in r.err
    monkeypatch.setenv("QUALCODER_LITE_PASSPHRASE", "s3cret passphrase")
    assert cli("decrypt", demo_file).code == 0
    monkeypatch.delenv("QUALCODER_LITE_PASSPHRASE")
    assert "Siobh".encode() in demo_file.read_bytes() or sqlite3.connect(demo_file).execute(
        "SELECT count(*) FROM sources").fetchone()[0] == 8
    assert cli("info", demo_file, "--json").json()["sources"] == 8


def test_new_encrypted_project_from_the_cli(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("QUALCODER_LITE_PASSPHRASE", "pass phrase")
    assert cli("new", tmp_path / "enc", "--encrypt").code == 0
    f = tmp_path / "P1.txt"
    f.write_text("P1: " + SECRET + "\n")
    assert cli("import", tmp_path / "enc.qlite", f).code == 0
    shutil.copy(tmp_path / "enc.qlite", tmp_path / "copy.qlite")
    assert b"Quenby" not in (tmp_path / "copy.qlite").read_bytes()


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal", ".lock"])
def test_a_new_project_never_takes_the_name_of_a_projects_companion(tmp_path, demo_file, cli, suffix):
    """A project made as ``demo.qlite-wal`` would be taken for the demo's write-ahead log
    (and deleted) the next time the demo is opened, with everything imported into it."""
    qdpx = tmp_path / "demo.qdpx"
    assert cli("export-qdpx", demo_file, qdpx).code == 0
    before = sorted(p.name for p in demo_file.parent.iterdir())
    companion = demo_file.with_name(demo_file.name + suffix)
    for argv in (["new", companion], ["import-qdpx", qdpx, companion]):
        r = cli(*argv)
        assert r.code == 1, argv
        assert r.err.strip() == (f"qualcoder-lite: {companion}: is the name of a file kept beside the project "
                                 f"{demo_file.name}; choose another name (nothing was created)")
    assert sorted(p.name for p in demo_file.parent.iterdir()) == before
    assert cli("info", demo_file).code == 0
