"""The project file: pragmas, schema version, migrations, refusing foreign files unchanged."""

from __future__ import annotations

import sqlite3

import pytest

from qualcoder_lite.core.errors import ProjectError
from qualcoder_lite.core.project import new_project, open_project
from qualcoder_lite.core.store import database
from qualcoder_lite.core.store.schema import LATEST, MIGRATIONS


def test_new_project_has_pragmas_and_version(project_file):
    with open_project(project_file) as p:
        conn = p.conn
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert conn.execute("PRAGMA application_id").fetchone()[0] == database.APPLICATION_ID
        versions = [r[0] for r in conn.execute("SELECT version FROM migrations ORDER BY version")]
        assert versions == list(range(1, LATEST + 1))


def test_every_foreign_key_is_indexed(project):
    conn = project.conn
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    missing = []
    for t in tables:
        fks = conn.execute(f'PRAGMA foreign_key_list("{t}")').fetchall()
        indexed_first_cols = set()
        for idx in conn.execute(f'PRAGMA index_list("{t}")').fetchall():
            cols = conn.execute(f'PRAGMA index_info("{idx[1]}")').fetchall()
            if cols and cols[0][2] is not None:
                indexed_first_cols.add(cols[0][2])
        for fk in fks:
            if fk[3] not in indexed_first_cols:
                missing.append(f"{t}.{fk[3]}")
    assert missing == []


def test_foreign_keys_are_enforced(project):
    with pytest.raises(sqlite3.IntegrityError):
        project.conn.execute(
            "INSERT INTO codings(guid, source_id, code_id, coder_id, start, \"end\", created) "
            "VALUES ('g', 999, 999, 999, 0, 1, 'now')"
        )


def test_new_adds_extension_and_refuses_overwrite(tmp_path):
    p = new_project(tmp_path / "study", coder="a")
    p.close()
    assert (tmp_path / "study.qlite").exists()
    with pytest.raises(ProjectError, match="already exists"):
        new_project(tmp_path / "study.qlite")


def _v1_database(path):
    """A project file as version 1 wrote it, with data in every v1 table we migrate."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {database.APPLICATION_ID}")
    database.migrate(conn, 0, 1)
    conn.execute("INSERT INTO coders(guid, name, created) VALUES ('c1', 'ann', 't')")
    conn.execute(
        "INSERT INTO sources(guid, name, text, text_hash, imported) VALUES ('s1', 'P1', 'Hello world.', 'h', 't')"
    )
    conn.execute("INSERT INTO codes(guid, name, created) VALUES ('k1', 'Greeting', 't')")
    conn.execute(
        "INSERT INTO codings(guid, source_id, code_id, coder_id, start, \"end\", created) VALUES ('x', 1, 1, 1, 0, 5, 't')"
    )
    conn.close()


def test_migration_from_version_1_keeps_data(tmp_path):
    path = tmp_path / "old.qlite"
    _v1_database(path)
    with open_project(path) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        seg = p.codings.for_source(1)
        assert [(c.start, c.end, c.coder) for c in seg] == [(0, 5, "ann")]
        # version 2 features work on the migrated file
        assert p.conn.execute("SELECT quote_edit FROM codings").fetchone()[0] is None
        p.conn.execute("INSERT INTO speaker_roles(speaker, role) VALUES ('Interviewer', 'interviewer')")
        assert p.sources.text(1) == "Hello world."
        # version 5 (annotations and links) works on the migrated file, source deletion included
        from qualcoder_lite.core.services.anchors.annotations import AddAnnotation, annotations
        from qualcoder_lite.core.services.anchors.links import AddLink, links
        from qualcoder_lite.core.services.sources.sources import DeleteSource

        p.execute(AddAnnotation(1, 0, 5, "greeting"))
        p.execute(AddLink(1, 6, 11, 1, 0, 5))
        assert [a.text for a in annotations(p)] == ["greeting"] and len(links(p)) == 1
        p.execute(DeleteSource(1))
        assert annotations(p) == [] and links(p) == []


@pytest.mark.parametrize("start_version", sorted(v for v in MIGRATIONS if v < LATEST))
def test_forward_migration_from_every_earlier_version(tmp_path, start_version):
    path = tmp_path / f"v{start_version}.qlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {database.APPLICATION_ID}")
    database.migrate(conn, 0, start_version)
    conn.close()
    with open_project(path) as p:
        fresh = new_project(tmp_path / "fresh.qlite")
        schema = lambda c: sorted(  # noqa: E731
            (r[0], r[1]) for r in c.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
        )
        assert schema(p.conn) == schema(fresh.conn)
        fresh.close()


def _bytes(path):
    return path.read_bytes()


def test_not_sqlite_refused_unchanged(tmp_path):
    f = tmp_path / "notes.qlite"
    f.write_text("just some text, not a database\n" * 20)
    before = _bytes(f)
    with pytest.raises(ProjectError, match="not an SQLite database"):
        open_project(f)
    assert _bytes(f) == before
    assert not (tmp_path / "notes.qlite-wal").exists()


def test_other_programs_sqlite_refused_unchanged(tmp_path):
    f = tmp_path / "other.db"
    conn = sqlite3.connect(f)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    before = _bytes(f)
    with pytest.raises(ProjectError, match="not a QualCoder Lite project"):
        open_project(f)
    assert _bytes(f) == before


def test_newer_version_refused_unchanged(project_file):
    conn = sqlite3.connect(project_file)
    conn.execute(f"PRAGMA user_version = {LATEST + 5}")
    conn.commit()
    conn.close()
    before = _bytes(project_file)
    with pytest.raises(ProjectError, match="newer version"):
        open_project(project_file)
    assert _bytes(project_file) == before


def test_empty_and_missing_project_files(tmp_path):
    (tmp_path / "empty.qlite").write_bytes(b"")
    with pytest.raises(ProjectError, match="empty"):
        open_project(tmp_path / "empty.qlite")
    with pytest.raises(ProjectError, match="no such project file"):
        open_project(tmp_path / "missing.qlite")


def test_coding_counts_match_each_source_and_skip_missing_ids(demo_file):
    with open_project(demo_file) as p:
        sources = p.sources.all()
        ids = [s.id for s in sources]
        missing = max(ids) + 1
        counts = p.sources.coding_counts(ids + [missing, ids[0]])
        assert counts == {s.id: p.sources.get(s.id).codings for s in sources}
        assert any(counts.values()) and missing not in counts


_ROLLS_BACK = """CREATE TABLE t(x INTEGER);
CREATE TRIGGER t_full BEFORE INSERT ON t BEGIN SELECT RAISE(ROLLBACK, 'simulated: database or disk is full'); END;
INSERT INTO t VALUES (1);"""


def test_failed_migration_keeps_its_reason_when_sqlite_rolled_back_itself(tmp_path, monkeypatch):
    """A full disk makes SQLite roll the whole transaction back on its own (seen on a full
    tmpfs: the open said "cannot rollback - no transaction is active" instead of the disk
    being full). RAISE(ROLLBACK) does the same: the error that comes out is the reason, and
    the file is left as it was."""
    monkeypatch.setitem(MIGRATIONS, 1, _ROLLS_BACK)
    conn = sqlite3.connect(tmp_path / "p.qlite", isolation_level=None)
    with pytest.raises(sqlite3.IntegrityError, match="disk is full"):
        database.migrate(conn, 0, 1)
    assert not conn.in_transaction
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_savepoint_of_a_transaction_sqlite_rolled_back_keeps_its_reason(tmp_path):
    conn = sqlite3.connect(tmp_path / "p.qlite", isolation_level=None)
    for statement in _ROLLS_BACK.split(";\n")[:2]:
        conn.execute(statement)
    with pytest.raises(sqlite3.IntegrityError, match="disk is full"):
        with database.transaction(conn):
            with database.transaction(conn):
                conn.execute("INSERT INTO t VALUES (1)")
    assert not conn.in_transaction
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
