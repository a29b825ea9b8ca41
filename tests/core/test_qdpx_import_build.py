"""How a .qdpx import writes its new project: the file is built without its write-ahead log
(a private temporary file, thrown away unless complete) and published as any project is,
in WAL mode, whole, with nothing beside it."""

from __future__ import annotations

import sqlite3

import pytest

from qualcoder_lite.core.project import new_project, open_project
from qualcoder_lite.core.services.refi import build as refi_build
from qualcoder_lite.core.services.refi import build_sources
from qualcoder_lite.core.services.refi.interop import import_qdpx


@pytest.fixture
def demo_qdpx(fixtures_dir):
    return fixtures_dir / "refi-more" / "files" / "qualitative-coding__demo.qdpx"


def test_imported_project_is_published_in_wal_mode_and_whole(demo_qdpx, tmp_path):
    target = tmp_path / "p.qlite"
    report = import_qdpx(demo_qdpx, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.qlite"]  # no journal, log or temporary file
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT count(*) FROM codings").fetchone()[0] == report.counts["codings"] > 0
    finally:
        conn.close()
    with open_project(target) as project:  # and opens as any project
        assert len(project.sources.all()) == report.counts["sources"]


def _indexes(path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'"))
    finally:
        conn.close()


def test_imported_project_has_every_index_of_a_new_one(demo_qdpx, tmp_path):
    """The codings' indexes, dropped while the codings are inserted, are there again, the
    same, and the import's queries and a new project's use them alike."""
    import_qdpx(demo_qdpx, tmp_path / "imported.qlite")
    new_project(tmp_path / "new.qlite").close()
    imported = _indexes(tmp_path / "imported.qlite")
    assert imported == _indexes(tmp_path / "new.qlite")
    assert {"codings_code", "codings_source", "codings_coder"} <= {name for name, _t, _s in imported}
    conn = sqlite3.connect(tmp_path / "imported.qlite")
    try:
        plan = conn.execute("EXPLAIN QUERY PLAN SELECT start FROM codings WHERE source_id = 1 ORDER BY start").fetchall()
    finally:
        conn.close()
    assert "codings_source" in str(plan)


def test_page_cache_for_a_block_and_as_it_was_after():
    conn = sqlite3.connect(":memory:")
    try:
        before = conn.execute("PRAGMA cache_size").fetchone()[0]
        with build_sources.page_cache(conn, 8 << 20):
            assert conn.execute("PRAGMA cache_size").fetchone()[0] == -8192
        assert conn.execute("PRAGMA cache_size").fetchone()[0] == before
        with build_sources.page_cache(conn, 1 << 20):  # smaller than it is: left alone
            assert conn.execute("PRAGMA cache_size").fetchone()[0] == before
        with build_sources.page_cache(conn, 1 << 40):  # at most 64 MB
            assert conn.execute("PRAGMA cache_size").fetchone()[0] == -(64 << 10)
    finally:
        conn.close()


def test_codings_are_inserted_with_a_page_cache_for_them(demo_qdpx, tmp_path, monkeypatch):
    monkeypatch.setattr(build_sources, "CACHE_PER_CODING", 40 << 10)  # a demo-sized file: 40 KiB a coding
    seen: list[int] = []
    real_write, real_cases = build_sources._write, refi_build._Builder.cases

    def write(b, *args):
        seen.append(b.conn.execute("PRAGMA cache_size").fetchone()[0])
        real_write(b, *args)

    def cases(self):
        seen.append(self.conn.execute("PRAGMA cache_size").fetchone()[0])
        real_cases(self)

    monkeypatch.setattr(build_sources, "_write", write)
    monkeypatch.setattr(refi_build._Builder, "cases", cases)
    report = import_qdpx(demo_qdpx, tmp_path / "p.qlite")
    assert len(seen) == 2
    assert -seen[0] >= report.counts["codings"] * 40 > 2000  # KiB, while the codings are written
    assert seen[1] == -2000  # SQLite's default again after


def test_a_failed_build_rolls_back_and_leaves_nothing(demo_qdpx, tmp_path, monkeypatch):
    """A step that fails after rows were written (and after a savepoint rolled back inside
    it) leaves no file behind."""
    real = refi_build._Builder.sets

    def rolled_back_then_boom(self):
        self.conn.execute("SAVEPOINT s")
        self.conn.execute("DELETE FROM codings")
        self.conn.execute("ROLLBACK TO SAVEPOINT s")
        self.conn.execute("RELEASE SAVEPOINT s")
        assert self.conn.execute("SELECT count(*) FROM codings").fetchone()[0] == self.counts["codings"] > 0
        real(self)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(refi_build._Builder, "sets", rolled_back_then_boom)
    with pytest.raises(RuntimeError, match="disk on fire"):
        import_qdpx(demo_qdpx, tmp_path / "half.qlite")
    assert list(tmp_path.iterdir()) == []
