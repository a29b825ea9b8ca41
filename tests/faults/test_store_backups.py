"""Item 6: backups follow the project's state.

* ``decrypt`` no longer deletes every backup: it re-writes them decrypted (after the
  project itself), and says so.
* SIGKILL at every step of encrypt and decrypt: the project is whole (old or new form,
  same rows), its backups are all still there after decrypt, and an encrypted project
  never has a plaintext backup beside it.
* ``pseudonymise remove-key`` deletes the backups (which hold the real names) before the
  key: killed at any point, a project whose key is gone has no backup with a real name."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.store.backups import list_backups, make_backup
from tests.faults.procs import Paused, counts, env, is_plain_sqlite, run_cli

sqlcipher3 = pytest.importorskip("sqlcipher3", reason="the 'encrypt' extra is not installed")

KEY = "backup passphrase"


def _two_backups(path, passphrase=None):
    with open_project(path, passphrase=passphrase) as p:
        make_backup(p, now=dt.datetime(2026, 1, 1, 9, 0, 0))
        make_backup(p, now=dt.datetime(2026, 1, 2, 9, 0, 0))
    return [b.path for b in list_backups(path)]


def _encrypted_with_backups(path):
    from qualcoder_lite.core.services.privacy.projectfile import encrypt_project

    encrypt_project(path, KEY)
    return _two_backups(path, KEY)


def _state(path):
    """(form, counts) of the project: 'plain' or 'encrypted'."""
    if is_plain_sqlite(path):
        return "plain", counts(path)
    return "encrypted", counts(path, KEY)


def test_decrypt_rewrites_the_backups_decrypted(demo_file, data_dir):
    olds = _encrypted_with_backups(demo_file)
    assert len(olds) == 2 and not any(is_plain_sqlite(b) for b in olds)
    r = run_cli("decrypt", demo_file, data_dir=data_dir, passphrase=KEY)
    assert r.code == 0, r.err
    assert "decrypted its 2 backups" in r.out
    after = list_backups(demo_file)
    assert [b.path for b in after] == olds  # kept, same names
    for b in after:
        assert is_plain_sqlite(b.path)
        with open_project(b.path, read_only=True) as p:  # no passphrase needed any more
            assert p.sources.count() == 8
    assert oct(os.stat(after[0].path).st_mode & 0o777) == oct(0o600)


@pytest.mark.parametrize("point", [1, 2, 3, 4, 5])
def test_kill_during_encrypt(demo_file, data_dir, point):
    olds = _two_backups(demo_file)
    before = counts(demo_file)
    with Paused("encrypt", point, data_dir, path=demo_file, passphrase=KEY) as child:
        assert child.paused, child.first
        child.kill()
    form, now = _state(demo_file)
    assert now == before
    if form == "encrypted":  # no plaintext backup of an encrypted project
        assert all(not b.exists() or not is_plain_sqlite(b) for b in olds)
        assert list_backups(demo_file) == []
    r = run_cli("info", demo_file, data_dir=data_dir, passphrase=KEY if form == "encrypted" else None)
    assert r.code == 0, r.err
    assert [f.name for f in demo_file.parent.iterdir() if f.name.startswith(".")] == []


@pytest.mark.parametrize("point", [1, 2, 3, 4, 5, 6])
def test_kill_during_decrypt(demo_file, data_dir, point):
    olds = _encrypted_with_backups(demo_file)
    before = counts(demo_file, KEY)
    with Paused("decrypt", point, data_dir, path=demo_file, passphrase=KEY) as child:
        assert child.paused, child.first
        child.kill()
    form, now = _state(demo_file)
    assert now == before
    assert [b.path for b in list_backups(demo_file)] == olds  # never deleted
    if form == "encrypted":  # the project still encrypted: no plaintext backup
        assert not any(is_plain_sqlite(b) for b in olds)
    r = run_cli("info", demo_file, data_dir=data_dir, passphrase=KEY if form == "encrypted" else None)
    assert r.code == 0, r.err
    assert [f.name for f in demo_file.parent.iterdir() if f.name.startswith(".")] == []
    assert not any(f.name.startswith(".") for f in olds[0].parent.iterdir())


REMOVE_KEY = textwrap.dedent(r"""
    import sys
    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.privacy.pseudonymise import RemoveKey

    path, point = sys.argv[1], sys.argv[2]

    def stop(label):
        if label == point:
            print("AT", label, flush=True)
            sys.stdin.readline()

    def audit(event, args):
        if event == "shutil.rmtree":
            stop("purge")

    sys.addaudithook(audit)
    project = open_project(path, lock=True)

    def trace(sql):
        s = sql.strip().upper()
        if s.startswith("DELETE FROM SETTINGS"):
            stop("delete-key")
        elif s.startswith("VACUUM"):
            stop("vacuum")
        elif "WAL_CHECKPOINT" in s:
            stop("checkpoint")

    project.conn.set_trace_callback(trace)
    RemoveKey().run(project)
    print("DONE", flush=True)
""")


@pytest.mark.parametrize("point", ["purge", "delete-key", "vacuum", "checkpoint"])
def test_kill_during_remove_key_leaves_no_real_name_in_a_backup(demo_file, data_dir, point):
    from qualcoder_lite.core.services.privacy.pseudonymise import Pseudonymise, load_key

    real = "Kirsty"
    with open_project(demo_file) as p:
        make_backup(p)  # taken before pseudonymising: holds the real name
        p.execute(Pseudonymise({real: "[P_K]"}))
    (backup,) = [b.path for b in list_backups(demo_file)]
    assert real.encode() in backup.read_bytes()
    child = subprocess.Popen([sys.executable, "-c", REMOVE_KEY, str(demo_file), point], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env(QUALCODER_LITE_DATA_DIR=data_dir))
    try:
        line = child.stdout.readline().strip()
        assert line == f"AT {point}", line + child.stderr.read()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
    with open_project(demo_file) as p:
        key_gone = load_key(p) == []
    leaks = [b.path for b in list_backups(demo_file) if real.encode() in b.path.read_bytes()]
    if key_gone:
        assert leaks == []
    if point != "purge":  # the backups went before the key was touched
        assert list_backups(demo_file) == []
    r = run_cli("pseudonymise", demo_file, "remove-key", "--yes", "--json", data_dir=data_dir)
    if key_gone:  # finishing an interrupted removal is what --force is for
        r = run_cli("pseudonymise", demo_file, "remove-key", "--yes", "--force", "--json", data_dir=data_dir)
    assert r.code == 0, r.err
    assert json.loads(r.out)
    assert list_backups(demo_file) == []
