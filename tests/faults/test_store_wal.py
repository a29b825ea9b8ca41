"""Item 2: the write-ahead log is never deleted under a process that has the project open.

The holder (a child process holding the project with its lock, like the app) runs a
background job through the GUI's worker path, which opens a second connection and used
to read the file's header with plain file I/O: closing that descriptor dropped every
SQLite lock of the holder, so when another process (``qualcoder-lite info``) closed the
project it deleted ``-wal`` and ``-shm`` under the holder; the holder's next coding went
into a deleted file and was lost when the holder was killed."""

from __future__ import annotations

import os

import pytest

from tests.faults.procs import Holder, counts, run_cli


def _wal_inode(path):
    return os.stat(f"{path}-wal").st_ino


@pytest.mark.parametrize("second_connection", ["job_export", "read_only_window", "import_self"])
def test_work_after_a_background_job_and_another_reader_survives_sigkill(tmp_path, demo_file, data_dir,
                                                                        second_connection):
    with Holder(data_dir) as app:
        assert app.ask("open", demo_file, None) == ["ok", "opened"]
        if second_connection == "import_self":  # the project, under a transcript's name, picked for import
            disguised = tmp_path / "interview.txt"
            os.link(demo_file, disguised)
            status, result = app.ask("import_self", disguised)  # refused without reading it as a file
            assert status == "error" and "open in QualCoder Lite" in result, result
        else:
            args = [tmp_path / "out.qdpx"] if second_connection == "job_export" else []
            status, result = app.ask(second_connection, *args)
            assert status == "ok" and result and "failed" not in str(result[0])
        wal = _wal_inode(demo_file)
        before = counts(demo_file)
        r = run_cli("info", demo_file, "--json", data_dir=data_dir)  # another process opens and closes it
        assert r.code == 0, r.err
        assert os.path.exists(f"{demo_file}-wal") and _wal_inode(demo_file) == wal  # not deleted under the holder
        status, _ = app.ask("code", "Coded after info")
        assert status == "ok"
        app.kill()  # SIGKILL: no checkpoint, no clean close
    after = counts(demo_file)
    assert after["codings"] == before["codings"] + 1 and after["codes"] == before["codes"] + 1


sqlcipher3 = pytest.importorskip("sqlcipher3", reason="the 'encrypt' extra is not installed")


def test_encrypted_project_the_same(tmp_path, demo_file, data_dir):
    from qualcoder_lite.core.services.privacy.projectfile import encrypt_project

    encrypt_project(demo_file, "pass phrase 1")
    with Holder(data_dir) as app:
        assert app.ask("open", demo_file, "pass phrase 1") == ["ok", "opened"]
        status, result = app.ask("job_export", tmp_path / "out.qdpx")
        assert status == "ok" and "failed" not in str(result[0])
        wal = _wal_inode(demo_file)
        before = counts(demo_file, "pass phrase 1")
        r = run_cli("info", demo_file, data_dir=data_dir, passphrase="pass phrase 1")
        assert r.code == 0, r.err
        assert _wal_inode(demo_file) == wal
        assert app.ask("code", "Coded after info")[0] == "ok"
        app.kill()
    assert counts(demo_file, "pass phrase 1")["codings"] == before["codings"] + 1
