"""Ctrl-C's message tells the truth: "nothing was changed" only when the command had not
saved anything; an interrupt that comes after the change was committed (while the project
closes, or the report is printed) says the change is in the project. Exit code 130 both ways."""

from __future__ import annotations

import sqlite3

import pytest

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.sources import importing
from qualcoder_lite.core.store import database


@pytest.fixture
def project_and_file(cli, tmp_path):
    proj = tmp_path / "p.qlite"
    assert cli("new", proj).code == 0
    f = tmp_path / "P01.txt"
    f.write_text("Interviewer: how is the practice?\n\nP01: busy, the waiting lists are long.\n", encoding="utf-8")
    return proj, f


def _interrupt(*_args, **_kw):
    raise KeyboardInterrupt


def _count(proj) -> int:
    with open_project(proj) as p:
        return p.sources.count()


def test_an_interrupt_while_the_import_writes_changes_nothing_and_says_so(cli, project_and_file, monkeypatch):
    proj, f = project_and_file
    monkeypatch.setattr(importing, "_write", _interrupt)
    r = cli("import", proj, f)
    assert r.code == 130
    assert "interrupted; nothing was changed" in r.err
    assert _count(proj) == 0


def test_an_interrupt_after_the_import_was_saved_says_it_is_in_the_project(cli, project_and_file, monkeypatch):
    proj, f = project_and_file
    monkeypatch.setattr(importing.ImportReport, "summary", _interrupt)  # after the commit and the close
    r = cli("import", proj, f)
    assert r.code == 130
    assert "nothing was changed" not in r.err
    assert "interrupted after the change was saved" in r.err
    assert _count(proj) == 1


class _CommitThenInterrupt:
    """A connection on which Ctrl-C arrives the instant COMMIT has returned (before any
    Python line after it runs)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def execute(self, sql: str, *args):
        cur = self.conn.execute(sql, *args)
        if sql == "COMMIT":
            raise KeyboardInterrupt
        return cur


def test_an_interrupt_the_instant_commit_returns_counts_as_saved(tmp_path):
    conn = sqlite3.connect(tmp_path / "t.db", isolation_level=None)
    conn.execute("CREATE TABLE t(x)")
    before = database.last_saved()
    with pytest.raises(KeyboardInterrupt), database.transaction(_CommitThenInterrupt(conn)):
        conn.execute("INSERT INTO t VALUES (1)")
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 1
    assert database.last_saved() != before


def test_an_interrupt_before_commit_rolls_back_and_counts_as_nothing_saved(tmp_path):
    conn = sqlite3.connect(tmp_path / "t.db", isolation_level=None)
    conn.execute("CREATE TABLE t(x)")
    before = database.last_saved()
    with pytest.raises(KeyboardInterrupt), database.transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        raise KeyboardInterrupt
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 0
    assert database.last_saved() == before
