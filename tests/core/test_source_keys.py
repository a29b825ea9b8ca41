"""Schema 8: the FTS5 table and its triggers are gone; search skips the sources whose kept
index keys (``source_keys``) lack a term, and reads every other source, so it finds what the
regex over every text finds. The keys follow every write of a source's index and are dropped
with any change of its facts; old projects migrate, read-only ones too."""

from __future__ import annotations

import re
import sqlite3
import zlib

import pytest

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.privacy.pseudonymise import Pseudonymise, RemoveKey
from qualcoder_lite.core.services.search.search import build_word_index, search
from qualcoder_lite.core.services.sources.edit_text import ReplaceSourceText
from qualcoder_lite.core.services.sources.sources import DeleteSource
from qualcoder_lite.core.store import database, source_keys
from qualcoder_lite.core.store.schema import LATEST, MIGRATIONS, V8_SOURCE_KEYS
from tests.helpers import add_text_source

TEXTS = ["Interviewer: How is practice going?\n\nP1: Busy. 😀 Quality improvement, café.\n",
         "P2: PRACTICE makes practical sense; naïve x_y ſ Ελλάδα 中文.\n",
         "P3: nothing to see here, Siobhán said.\n"]
QUERIES = ["practice", "practi*", '"quality improvement"', "café", "naïve", "x_y", "s", "ελλάδα", "中文",
           "practice NOT busy", "siobhán OR sense", "absent", "absent OR café", "😀"]


def regex_hits(texts: dict[str, str], query: str) -> list[tuple[str, int, int]]:
    """What search must find: ``Term.regex`` over every text (its tests check the rest)."""
    from qualcoder_lite.core.services.search.query import parse_query

    out = []
    for name, text in texts.items():
        spans: set[tuple[int, int]] = set()
        for clause in parse_query(query):
            if any(t.regex().search(text) for t in clause.negative):
                continue
            found = [[m.span() for m in t.regex().finditer(text) if m.end() > m.start()] for t in clause.positive]
            if all(found):
                spans.update(s for f in found for s in f)
        out += [(name, a, b) for a, b in sorted(spans)]
    return out


def got(project, query: str) -> list[tuple[str, int, int]]:
    return [(h.source, h.start, h.end) for h in search(project, query)]


def kept(project) -> dict[int, tuple]:
    return {r[0]: tuple(r[1:]) for r in project.conn.execute(
        "SELECT source_id, length, text_crc, keys FROM source_keys ORDER BY source_id")}


def expected_keys(project) -> dict[int, tuple]:
    """The keys each source's text must have: its index's vocabulary, a key a line."""
    out = {}
    for sid, text in project.conn.execute("SELECT id, text FROM sources ORDER BY id"):
        words = {k for k in re.findall(rb"\n([^\t\n]+)\t", build_word_index(text)[48:])}
        out[sid] = (len(text), zlib.crc32(text.encode("utf-8")), b"\n" + b"\n".join(sorted(words)) + b"\n")
    return out


def _v7_project(path, texts: list[str]) -> None:
    """A project file as schema 7 wrote it: the FTS5 table and its triggers, the index and
    CRC of each text in ``source_facts``."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {database.APPLICATION_ID}")
    version = next(v for v, sql in MIGRATIONS.items() if sql is V8_SOURCE_KEYS)
    database.migrate(conn, 0, version - 1)
    for i, t in enumerate(texts):
        conn.execute("INSERT INTO sources(guid, name, text, text_hash, imported) VALUES (?, ?, ?, 'h', 't')",
                     (f"g{i}", f"S{i}", t))
        conn.execute("UPDATE source_facts SET text_crc = ?, word_index = ? WHERE source_id = last_insert_rowid()",
                     (zlib.crc32(t.encode("utf-8")), build_word_index(t)))
    assert conn.execute("SELECT count(*) FROM source_fts WHERE source_fts MATCH 'practice'").fetchone()[0] == 2
    conn.close()


def fts_objects(conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE name LIKE '%fts%'")]


@pytest.mark.parametrize("read_only", [False, True])
def test_a_v7_project_loses_its_fts_and_searches_as_before(tmp_path, read_only):
    path = tmp_path / "v7.qlite"
    _v7_project(path, TEXTS)
    texts = {f"S{i}": t for i, t in enumerate(TEXTS)}
    with open_project(path, read_only=read_only) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST >= 8
        assert fts_objects(p.conn) == []
        # read-only: no keys yet (every source is read); for writing: each index's keys
        assert kept(p) == ({} if read_only else expected_keys(p))
        for q in QUERIES:
            assert got(p, q) == regex_hits(texts, q), q
        assert got(p, "practice") and got(p, "absent") == []


def test_a_new_project_never_has_the_fts_and_keeps_keys(project):
    assert fts_objects(project.conn) == []
    ids = [add_text_source(project, f"S{i}", t) for i, t in enumerate(TEXTS)]
    assert kept(project) == expected_keys(project) and sorted(kept(project)) == ids
    texts = {f"S{i}": t for i, t in enumerate(TEXTS)}
    for q in QUERIES:
        assert got(project, q) == regex_hits(texts, q), q
    # the sources that lack a key of every clause are the ones skipped
    assert source_keys.lacking(project.conn, [[("practice", False)]]) == {ids[2]}
    assert source_keys.lacking(project.conn, [[("practi", True)]]) == {ids[2]}
    assert source_keys.lacking(project.conn, [[("practi", False)]]) == set(ids)
    assert source_keys.lacking(project.conn, [[("quality", False), ("improvement", False)]]) == {ids[1], ids[2]}
    assert source_keys.lacking(project.conn, [[("absent", False)], [("siobhán", False)]]) == {ids[0], ids[1]}


def test_keys_follow_every_write_of_the_index(project):
    a = add_text_source(project, "A", TEXTS[0])
    add_text_source(project, "B", TEXTS[1])
    edit = ReplaceSourceText(a, TEXTS[0].replace("Busy", "Absent"))
    project.execute(edit)
    assert kept(project) == expected_keys(project) and got(project, "absent") == [("A", 41, 47)]
    project.undo(edit)
    assert kept(project) == expected_keys(project) and got(project, "absent") == []
    project.redo(edit)
    assert kept(project) == expected_keys(project)
    delete = DeleteSource(a)
    project.execute(delete)
    assert a not in kept(project) and kept(project) == expected_keys(project)
    project.undo(delete)
    assert kept(project) == expected_keys(project)
    names = Pseudonymise({"Absent": "[X]"})
    project.execute(names)
    assert kept(project) == expected_keys(project) and got(project, "absent") == []
    project.undo(names)
    assert kept(project) == expected_keys(project) and got(project, "absent") == [("A", 41, 47)]


def test_any_other_change_of_the_facts_drops_the_keys_and_search_reads_the_source(project):
    """A text or index written by another tool (plain SQL): the trigger drops the keys of the
    source, which is then read whatever its keys said; opening for writing keeps them again."""
    a = add_text_source(project, "A", TEXTS[0])
    b = add_text_source(project, "B", TEXTS[1])
    project.conn.execute("UPDATE sources SET text = 'absent practice' WHERE id = ?", (a,))
    assert a not in kept(project) and got(project, "absent") == [("A", 0, 6)]
    project.conn.execute("UPDATE source_facts SET word_index = ? WHERE source_id = ?",
                         (build_word_index(TEXTS[1] + " absent"), b))
    assert b not in kept(project)
    assert database.complete_word_index(project.conn) == 1  # what open-for-writing does: A's index
    assert kept(project)[a] == expected_keys(project)[a]
    # B's index (and so its keys) belongs to another text: never trusted, B is read (scanned)
    assert kept(project)[b][1] != expected_keys(project)[b][1]
    assert source_keys.lacking(project.conn, [[("zzz", False)]]) == {a}
    assert got(project, "absent") == [("A", 0, 6)] and got(project, "sense") == [("B", 29, 34)]
    # keys that do not fit the facts are never trusted (a row written by another tool)
    project.conn.execute("UPDATE source_keys SET keys = X'0A', text_crc = text_crc + 1 WHERE source_id = ?", (a,))
    assert got(project, "absent") == [("A", 0, 6)] and a not in source_keys.lacking(project.conn, [[("absent", False)]])


def test_keys_only_of_an_index_search_reads():
    text = "Practice, x_y practice"
    blob = build_word_index(text)
    assert source_keys.keys_of(blob) == (len(text), zlib.crc32(text.encode()), b"\npractice\nx\ny\n")
    assert source_keys.keys_of(None) is None and source_keys.keys_of(b"short") is None
    assert source_keys.keys_of(blob + b"\0") is None  # damaged: search would scan it
    scanned = build_word_index("x \u0345 y")  # a text search scans (its index holds no tokens)
    assert source_keys.keys_of(scanned) is None


def test_removing_the_key_of_a_migrated_project(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODER_LITE_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "v7.qlite"
    _v7_project(path, TEXTS)
    with open_project(path) as p:
        p.execute(Pseudonymise({"Siobhán": "[P_A]"}))
        report = RemoveKey().run(p)
        assert report.names == 1 and report.secure_delete and report.vacuumed
        assert "file compacted (VACUUM)" in "\n".join(report.lines())
        texts = {n: t for n, t in p.conn.execute("SELECT name, text FROM sources")}
        assert got(p, "siobhán") == [] and got(p, "p_a") == regex_hits(texts, "p_a") != []
        assert kept(p) == expected_keys(p) and fts_objects(p.conn) == []
    assert "Siobh".encode() not in path.read_bytes()
