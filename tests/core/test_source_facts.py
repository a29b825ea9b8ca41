"""Schema 7: what is derived from a source's text (its length in characters, the CRC-32 of its
UTF-8 and its search word index) lives beside it in ``source_facts``, kept by triggers and the
recorder on every path that writes a text, so that reading it never reads the text."""

from __future__ import annotations

import sqlite3
import zlib

import pytest

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.search.search import build_word_index, search
from qualcoder_lite.core.services.sources.edit_text import ReplaceSourceText
from qualcoder_lite.core.services.sources.sources import DeleteSource
from qualcoder_lite.core.store import database
from qualcoder_lite.core.store.schema import LATEST, MIGRATIONS, V7_SOURCE_FACTS
from tests.helpers import add_text_source, dump

TEXT = "Interviewer: How is practice going?\n\nP1: Busy. 😀 Quality improvement, café.\n"


def facts(project) -> dict[int, tuple]:
    return {r[0]: tuple(r[1:]) for r in project.conn.execute(
        "SELECT source_id, length, text_crc, word_index FROM source_facts ORDER BY source_id")}


def expected(project) -> dict[int, tuple]:
    """What ``source_facts`` must hold for the texts as they are."""
    return {sid: (len(t), zlib.crc32(t.encode("utf-8")), build_word_index(t))
            for sid, t in project.conn.execute("SELECT id, text FROM sources ORDER BY id")}


def test_import_edit_delete_and_their_undo_redo_keep_the_facts(project):
    a = add_text_source(project, "A", TEXT)
    add_text_source(project, "B", TEXT.upper() + " more")
    assert facts(project) == expected(project) and len(facts(project)) == 2
    assert project.sources.get(a).length == len(TEXT) == project.sources.length(a)
    before = dump(project)
    edit = ReplaceSourceText(a, TEXT.replace("Busy", "Very busy indeed 😀"))  # transcript correction
    project.execute(edit)
    assert facts(project) == expected(project)
    assert project.sources.lengths() == {s.id: s.length for s in project.sources.all()}
    assert project.sources.length(a) == len(TEXT) + len("Very busy indeed 😀") - len("Busy")
    project.undo(edit)
    assert dump(project) == before and facts(project) == expected(project)
    project.redo(edit)
    assert facts(project) == expected(project)
    delete = DeleteSource(a)
    project.execute(delete)
    assert a not in facts(project) and facts(project) == expected(project)
    assert project.sources.length(a) is None and a not in project.sources.lengths()
    project.undo(delete)
    assert facts(project) == expected(project) and a in facts(project)  # its word index came back too


def test_a_text_written_by_plain_sql_gets_its_length_and_loses_its_index(project):
    """Any writer of ``sources.text`` (another tool, a future path): the trigger measures the
    new text and drops the index and CRC that belonged to the old one; search then scans."""
    a = add_text_source(project, "A", TEXT)
    project.conn.execute("UPDATE sources SET text = 'practice makes perfect practice' WHERE id = ?", (a,))
    assert facts(project)[a] == (len("practice makes perfect practice"), None, None)
    assert [(h.start, h.end) for h in search(project, "practice")] == [(0, 8), (23, 31)]
    project.conn.execute("UPDATE sources SET name = 'A2', text = text WHERE id = ?", (a,))  # same text
    assert facts(project)[a][0] == len("practice makes perfect practice")
    project.conn.execute("INSERT INTO sources(guid, name, text, text_hash, imported) VALUES ('g', 'S', ?, 'h', 't')",
                         ("naïve 😀 practice",))
    sid = project.conn.execute("SELECT id FROM sources WHERE name = 'S'").fetchone()[0]
    assert facts(project)[sid] == (len("naïve 😀 practice"), None, None)
    assert project.sources.get(sid).length == 16
    assert database.complete_word_index(project.conn) == 2  # what open-for-writing does
    assert facts(project) == expected(project)


def _v6_project(path, texts: list[str]) -> None:
    """A project file as schema 6 wrote it: word indexes in ``sources.word_index``."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {database.APPLICATION_ID}")
    version = next(v for v, sql in MIGRATIONS.items() if sql is V7_SOURCE_FACTS)
    database.migrate(conn, 0, version - 1)
    for i, t in enumerate(texts):
        conn.execute("INSERT INTO sources(guid, name, text, text_hash, imported, word_index) "
                     "VALUES (?, ?, ?, 'h', 't', ?)", (f"g{i}", f"S{i}", t, build_word_index(t) if i else None))
    conn.close()


@pytest.mark.parametrize("read_only", [False, True])
def test_migration_moves_the_index_and_measures_every_text(tmp_path, read_only):
    path = tmp_path / "v6.qlite"
    texts = [TEXT, TEXT.upper() + " practice", "x_y ſ 😀 \u0345 practice"]
    _v6_project(path, texts)
    with open_project(path, read_only=read_only) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert "word_index" not in [r[1] for r in p.conn.execute("PRAGMA table_info(sources)")]
        got = facts(p)
        assert [g[0] for g in got.values()] == [len(t) for t in texts]
        assert [s.length for s in sorted(p.sources.all(), key=lambda s: s.id)] == [len(t) for t in texts]
        if read_only:  # the old indexes moved as they were; no CRC yet (search checks the texts)
            assert [g[2] for g in got.values()] == [None] + [build_word_index(t) for t in texts[1:]]
            assert all(g[1] is None for g in got.values())
        else:  # opening for writing completes them
            assert got == expected(p)
        hits = [(h.source, h.start, h.end, h.snippet) for h in search(p, "practice OR busy")]
    assert [h[0] for h in hits] == ["S0", "S0", "S1", "S1", "S1", "S2"]
