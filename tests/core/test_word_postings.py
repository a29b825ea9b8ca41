"""Schema 9: word postings answer a word or a two-word phrase for the sources of their blocks,
with the very hits each source's own index (and the regex over its text) gives; a change of
a source drops its block, and search then reads its sources' own indexes until ``build``
places them again. Damaged rows, indexes the postings cannot stand for (an underscore, a
far gap, a long text's 32-bit starts) and a stopped build all end in the same hits."""

from __future__ import annotations

import random

import pytest

from qualcoder_lite.core.services.search import posted as posted_module
from qualcoder_lite.core.services.search.search import search
from qualcoder_lite.core.services.sources.edit_text import ReplaceSourceText
from qualcoder_lite.core.services.sources.sources import DeleteSource
from qualcoder_lite.core.store import postings
from tests.core.test_source_keys import regex_hits as _regex_hits
from tests.helpers import add_text_source

WORDS = ["quality", "improvement", "practice", "the", "of", "care", "Quality", "IMPROVEMENT", "café", "naïve"]
PHRASES = ['"quality improvement"', '"the practice"', '"of the"', '"care quality"', '"café naïve"', '"improvement quality"']


def random_text(rng: random.Random, words: int) -> str:
    seps = [" ", " ", " ", ", ", ". ", "\n\n", " - ", "  "]
    return "".join(rng.choice(WORDS) + rng.choice(seps) for _ in range(words))


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(postings, "BLOCK", 3)


@pytest.fixture
def reads(monkeypatch):
    """Counts the sources answered from postings (``Posted.take``)."""
    count = {"n": 0}
    real = posted_module.Posted.take

    def take(self, ids):
        out = real(self, ids)
        count["n"] += len(out)
        return out

    monkeypatch.setattr(posted_module.Posted, "take", take)
    return count


def regex_hits(texts: dict[str, str], query: str) -> list[tuple[str, int, int]]:
    """What search must find, in its order (by source name, then span)."""
    return sorted(_regex_hits(texts, query))


def texts_of(project) -> dict[str, str]:
    return {n: t for n, t in project.conn.execute("SELECT name, text FROM sources")}


def got(project, query: str) -> list[tuple[str, int, int]]:
    return [(h.source, h.start, h.end) for h in search(project, query)]


def members(project) -> dict[int, tuple[int, int]]:
    return {sid: (block, served) for sid, block, served in project.conn.execute(
        "SELECT source_id, block, served FROM word_postings_members")}


def test_postings_give_the_hits_of_the_regex(project, small_blocks, reads):
    rng = random.Random(7)
    for i in range(11):
        add_text_source(project, f"S{i:02d}", random_text(rng, rng.randint(0, 120)))
    # a long text whose words lie more than 65,535 characters apart (32-bit starts), a text
    # with an underscore and one with a gap of 255+ characters (read from their own index)
    add_text_source(project, "Long", "quality improvement " + "x " * 35000 + "quality improvement of the")
    add_text_source(project, "Under", "quality_improvement quality improvement x_the practice")
    add_text_source(project, "Far", "quality" + "." * 300 + "improvement quality improvement")
    assert postings.build(project.conn) == 14
    m = members(project)
    assert len(set(b for b, _s in m.values())) == 5  # 14 sources, 3 a block
    not_served = {sid for sid, (_b, served) in m.items() if not served}
    assert not_served == {project.sources.by_name("Under").id, project.sources.by_name("Far").id}
    texts = texts_of(project)
    for q in WORDS + PHRASES + ['"quality_improvement"', "x_the"]:
        reads["n"] = 0
        assert got(project, q) == regex_hits(texts, q), q
        if q in WORDS + PHRASES and q != '"café naïve"':
            assert reads["n"] > 0, q  # answered from the postings
    assert postings.build(project.conn) == 0  # nothing left to place


def test_a_change_drops_its_block_and_build_places_it_again(project, small_blocks, reads):
    rng = random.Random(3)
    ids = [add_text_source(project, f"S{i}", random_text(rng, 60)) for i in range(7)]
    assert postings.build(project.conn) == 7
    before = members(project)
    edit = ReplaceSourceText(ids[4], "quality improvement, at last: quality IMPROVEMENT")
    project.execute(edit)
    after = members(project)
    # S4's block (S3, S4, S5) is gone; the others stay as they were
    assert set(after) == set(ids) - {ids[3], ids[4], ids[5]} and all(after[s] == before[s] for s in after)
    assert project.conn.execute("SELECT count(*) FROM word_postings WHERE block = ?", (before[ids[4]][0],)).fetchone()[0] == 0
    assert got(project, '"quality improvement"') == regex_hits(texts_of(project), '"quality improvement"')
    assert postings.missing(project.conn) == [ids[3], ids[4], ids[5]]
    # S3-S5 again, with S6, whose block was not full: one block of 3 and one of 1 again
    assert postings.build(project.conn) == 4
    now = members(project)
    assert set(now) == set(ids) and all(now[s] == before[s] for s in ids[:3])
    assert len({now[s][0] for s in ids}) == 3 and now[ids[6]][0] not in {b for b, _ in before.values()}
    reads["n"] = 0
    assert got(project, '"quality improvement"') == regex_hits(texts_of(project), '"quality improvement"')
    assert reads["n"] == 7
    project.undo(edit)
    assert got(project, '"quality improvement"') == regex_hits(texts_of(project), '"quality improvement"')
    delete = DeleteSource(ids[0])
    project.execute(delete)
    assert ids[0] not in members(project) and ids[1] not in members(project)
    assert got(project, "quality") == regex_hits(texts_of(project), "quality")
    project.undo(delete)
    postings.build(project.conn)
    assert set(members(project)) == set(ids)
    assert got(project, "quality") == regex_hits(texts_of(project), "quality")


def test_a_block_written_by_another_tool_is_not_trusted(project, small_blocks):
    """Members whose facts are not their source's (plain SQL) are read from their own
    index; a damaged row leaves its block to the sources' own indexes."""
    rng = random.Random(5)
    ids = [add_text_source(project, f"S{i}", random_text(rng, 80)) for i in range(6)]
    postings.build(project.conn)
    texts = texts_of(project)
    project.conn.execute("UPDATE word_postings_members SET text_crc = text_crc + 1 WHERE source_id = ?", (ids[0],))
    project.conn.execute("UPDATE word_postings SET data = X'0100000000000000' WHERE block = "
                         "(SELECT block FROM word_postings_members WHERE source_id = ?)", (ids[4],))
    for q in ("quality", '"quality improvement"', '"of the"'):
        assert got(project, q) == regex_hits(texts, q), q
    assert postings.served(project.conn).keys() == set(ids) - {ids[0]}


def test_a_stopped_build_keeps_its_blocks_and_goes_on_later(project, small_blocks):
    rng = random.Random(9)
    ids = [add_text_source(project, f"S{i}", random_text(rng, 30)) for i in range(8)]
    calls = []
    assert postings.build(project.conn, lambda done, total: calls.append((done, total)) and False) == 3
    assert calls == [(3, 8)] and sorted(members(project)) == ids[:3]
    assert postings.build(project.conn) == 5 and sorted(members(project)) == ids
    assert got(project, "care") == regex_hits(texts_of(project), "care")


def test_a_change_between_reading_and_writing_a_block_leaves_it_for_later(project, small_blocks, monkeypatch):
    ids = [add_text_source(project, f"S{i}", f"quality improvement {i}") for i in range(3)]
    real = postings.block_rows

    def meanwhile(indexes):  # another connection changes S1 while the block is being made
        out = real(indexes)
        project.conn.execute("UPDATE sources SET text = 'changed' WHERE id = ?", (ids[1],))
        from qualcoder_lite.core.store.database import complete_word_index
        complete_word_index(project.conn)
        return out

    monkeypatch.setattr(postings, "block_rows", meanwhile)
    assert postings.build(project.conn) == 0 and members(project) == {}
    monkeypatch.setattr(postings, "block_rows", real)
    assert postings.build(project.conn) == 3
    assert got(project, "changed") == [("S1", 0, 7)] and got(project, '"quality improvement"') == [
        ("S0", 0, 19), ("S2", 0, 19)]


def test_the_command_line_leaves_postings_made(tmp_path, capsys):
    from qualcoder_lite.cli import main

    path = tmp_path / "p.qlite"
    files = []
    for i in range(3):
        f = tmp_path / f"t{i}.txt"
        f.write_text(f"P{i}: quality improvement in practice {i}\n", encoding="utf-8")
        files.append(str(f))
    assert main(["new", str(path)]) == 0
    assert main(["import", str(path), *files]) == 0
    from qualcoder_lite.core.project import open_project

    with open_project(path, read_only=True) as p:
        assert len(postings.served(p.conn)) == 3 and postings.missing(p.conn) == []
    capsys.readouterr()
    assert main(["search", str(path), '"quality improvement"']) == 0
    assert capsys.readouterr().out.count("quality improvement") >= 3


def test_blocks_made_under_another_unicode_version_are_not_trusted(project):
    """A project searched by another Python (whose Unicode tables may class a character
    otherwise) reads every source's own index, which it checks the same way."""
    add_text_source(project, "A", "abc def and more abc words")
    postings.build(project.conn)
    assert postings.served(project.conn)
    project.conn.execute("UPDATE word_postings_blocks SET unicode = unicode + 1")
    assert postings.served(project.conn) == {}
    assert got(project, '"abc def"') == [("A", 0, 7)]
    project.conn.execute("UPDATE word_postings_blocks SET unicode = unicode - 1, format = format + 1")
    assert postings.served(project.conn) == {}


def test_a_damaged_index_is_left_out_of_its_block(project, small_blocks):
    """A word index whose vocabulary is not UTF-8 (its CRC still fits its text): the build
    goes on, and the source is read from its own index, as search did without postings."""
    a = add_text_source(project, "A", "quality improvement delta")
    b = add_text_source(project, "B", "quality improvement")
    blob = bytearray(project.conn.execute("SELECT word_index FROM source_facts WHERE source_id = ?", (a,)).fetchone()[0])
    at = blob.index(b"\ndelta\t") + 2
    blob[at] = 0xFF
    project.conn.execute("UPDATE source_facts SET word_index = ? WHERE source_id = ?", (bytes(blob), a))
    assert postings.build(project.conn) == 2
    assert members(project)[a][1] == 0 and members(project)[b][1] == 1
    texts = texts_of(project)
    assert got(project, '"quality improvement"') == regex_hits(texts, '"quality improvement"')
    project.conn.execute("DELETE FROM word_postings_blocks")
    assert got(project, "quality") == regex_hits(texts, "quality") and got(project, "delta") == []  # (its key is damaged)


def test_imports_of_one_file_at_a_time_still_end_in_full_blocks(project, small_blocks):
    ids = []
    for i in range(7):
        ids.append(add_text_source(project, f"S{i}", f"quality improvement {i}"))
        assert postings.build(project.conn) >= 1
    blocks = {}
    for sid, (block, _served) in members(project).items():
        blocks.setdefault(block, []).append(sid)
    assert sorted(map(len, blocks.values())) == [1, 3, 3] and sorted(members(project)) == ids
    assert project.conn.execute("SELECT count(*) FROM word_postings_blocks").fetchone()[0] == 3
    assert got(project, '"quality improvement"') == [(f"S{i}", 0, 19) for i in range(7)]


def test_a_search_read_in_steps_keeps_the_hits_of_sources_whose_block_went(project, monkeypatch):
    """The search panel reads a search in steps; a change in between deletes the block of
    the changed source, and the other sources of that block are read from their own index."""
    from qualcoder_lite.core.services.search import search as search_module
    from qualcoder_lite.core.services.search.search import search_by_source

    monkeypatch.setattr(postings, "BLOCK", 64)
    ids = [add_text_source(project, f"S{i:03d}", f"alpha beta {i}") for i in range(100)]
    postings.build(project.conn)
    monkeypatch.setattr(search_module, "_CHUNK", 16)
    steps = search_by_source(project, '"alpha beta"')
    first = [next(steps) for _ in range(8)]
    project.execute(ReplaceSourceText(ids[99], "gamma"))
    rest = list(steps)
    assert [h.source for h in first + rest] == [f"S{i:03d}" for i in range(99)]


def test_a_failed_postings_build_is_a_warning_after_a_saved_command(tmp_path, capsys, monkeypatch):
    from qualcoder_lite.cli import main
    from qualcoder_lite.core.errors import ProjectError
    from qualcoder_lite.core.project import Project, open_project

    path = tmp_path / "p.qlite"
    f = tmp_path / "a.txt"
    f.write_text("P1: quality improvement\n", encoding="utf-8")
    assert main(["new", str(path)]) == 0

    def fails(self, progress=None):
        raise ProjectError(self.path, "search could not be prepared for speed (disk I/O error)")

    monkeypatch.setattr(Project, "complete_postings", fails)
    capsys.readouterr()
    assert main(["import", str(path), str(f)]) == 0
    err = capsys.readouterr().err
    assert "warning:" in err and "could not be prepared" in err and "Traceback" not in err
    with open_project(path, read_only=True) as p:
        assert [s.name for s in p.sources.all()] == ["a"] and postings.served(p.conn) == {}


def test_a_nearly_full_disk_is_kept_for_the_users_changes(tmp_path, monkeypatch):
    """No postings are made when the disk could not hold them twice and keep ``ROOM_KEPT``;
    a disk that fills up while they are made gets the space of that run's blocks back."""
    import sqlite3
    from collections import namedtuple

    from qualcoder_lite.core import project as project_module
    from qualcoder_lite.core.project import new_project

    monkeypatch.setattr(postings, "BLOCK", 2)
    with new_project(tmp_path / "p.qlite") as p:
        for i in range(5):
            add_text_source(p, f"S{i}", f"quality improvement {i}")
        usage = namedtuple("usage", "total used free")
        monkeypatch.setattr(project_module.shutil, "disk_usage", lambda _p: usage(1, 1, project_module.ROOM_KEPT))
        assert p.complete_postings() == 0 and postings.served(p.conn) == {}
        monkeypatch.undo()
        monkeypatch.setattr(postings, "BLOCK", 2)
        real, calls = postings.block_rows, []

        def fills_up(indexes):
            calls.append(1)
            if len(calls) == 2:
                raise sqlite3.OperationalError("database or disk is full")
            return real(indexes)

        monkeypatch.setattr(postings, "block_rows", fills_up)
        assert p.complete_postings() == 0
        assert calls == [1, 1] and postings.served(p.conn) == {}  # the first block went again
        assert p.conn.execute("SELECT count(*) FROM word_postings").fetchone()[0] == 0
        monkeypatch.setattr(postings, "block_rows", real)
        assert p.complete_postings() == 5 and len(postings.served(p.conn)) == 5


def test_postings_are_made_after_the_report_and_ctrl_c_then_says_the_command_finished(tmp_path, capsys, monkeypatch):
    from qualcoder_lite.cli import main
    from qualcoder_lite.core.project import Project, open_project
    from qualcoder_lite.core.services.sources.importing import ImportReport

    path, f = tmp_path / "p.qlite", tmp_path / "a.txt"
    f.write_text("P1: quality improvement\n", encoding="utf-8")
    assert main(["new", str(path)]) == 0
    order = []
    real_summary, real_complete = ImportReport.summary, Project.complete_postings
    monkeypatch.setattr(ImportReport, "summary", lambda self: order.append("report") or real_summary(self))
    monkeypatch.setattr(Project, "complete_postings", lambda self, progress=None: order.append("postings") or real_complete(self))
    assert main(["import", str(path), str(f)]) == 0
    assert order == ["report", "postings"]

    def interrupted(self, progress=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(Project, "complete_postings", interrupted)
    g = tmp_path / "b.txt"
    g.write_text("P2: quality improvement again\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(path), str(g)]) == 130
    out, err = capsys.readouterr()
    assert "imported 1 source" in out and "interrupted after the command had finished (its change is saved)" in err
    with open_project(path) as p:  # closed and unlocked: it opens for writing
        assert p.sources.count() == 2
