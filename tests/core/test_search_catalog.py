"""Search keeps what it reads about every source (names in order, cases, index keys) per open
project (``services/search/catalog.py``) and reads it again after any change: by this
connection (``total_changes``), by another one (``PRAGMA data_version``), and never from
inside a transaction, whose rollback would leave it describing rows that are gone."""

from __future__ import annotations

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.search import catalog as C
from qualcoder_lite.core.services.search.search import search, search_by_source
from qualcoder_lite.core.services.sources.edit_text import ReplaceSourceText
from qualcoder_lite.core.services.sources.sources import DeleteSource
from tests.helpers import add_text_source

A = "Interviewer: How is practice going?\n\nP1: Busy, quality improvement.\n"
B = "P2: Practice makes sense, naïve.\n"
AT_PRACTICE = (A.index("practice"), A.index("practice") + 8)
AT_BUSY = (A.index("Busy"), A.index("Busy") + 5)  # "Zebra" in its place
AT_SENSE = (B.index("sense"), B.index("sense") + 5)  # "zebra" in its place


def got(project, query: str) -> list[tuple[str, int, int]]:
    return [(h.source, h.start, h.end) for h in search(project, query)]


def test_the_catalog_is_kept_while_nothing_changes(project):
    add_text_source(project, "A", A)
    assert got(project, "practice")
    kept = C.catalog(project)
    assert C.catalog(project) is kept and got(project, "practice")
    assert C.catalog(project) is kept
    project.conn.execute("UPDATE settings SET value = value WHERE 0")  # no row: nothing changed
    assert C.catalog(project) is kept
    project.conn.execute("INSERT INTO settings(key, value) VALUES ('x', 'y')")  # any row: read again
    assert C.catalog(project) is not kept


def test_edits_of_this_connection_are_searched_at_once(project):
    a = add_text_source(project, "A", A)
    assert got(project, "zebra") == [] and got(project, "practice") == [("A", *AT_PRACTICE)]
    edit = ReplaceSourceText(a, A.replace("Busy", "Zebra"))
    project.execute(edit)  # a text correction
    assert got(project, "zebra") == [("A", *AT_BUSY)]
    project.undo(edit)
    assert got(project, "zebra") == []
    b = add_text_source(project, "B", B.replace("sense", "zebra"))  # an import
    assert got(project, "zebra") == [("B", *AT_SENSE)]
    assert [h.case for h in search(project, "practice")] == [None, None]
    project.execute(DeleteSource(b))  # a deletion
    assert got(project, "zebra") == [] and got(project, "practice") == [("A", *AT_PRACTICE)]


def test_changes_committed_by_another_connection_are_searched(project_file):
    with open_project(project_file) as mine, open_project(project_file) as theirs:
        a = add_text_source(mine, "A", A)
        assert got(mine, "zebra") == [] and [n for n, *_ in got(mine, "practice")] == ["A"]
        add_text_source(theirs, "B", B.replace("sense", "zebra"))
        assert got(mine, "zebra") == [("B", *AT_SENSE)]
        theirs.execute(ReplaceSourceText(a, A.replace("Busy", "Zebra")))
        assert got(mine, "zebra") == [("A", *AT_BUSY), ("B", *AT_SENSE)]
        theirs.conn.execute("UPDATE sources SET name = 'C' WHERE name = 'A'")  # plain SQL, another order
        assert [h.source for h in search(mine, "zebra")] == ["B", "C"]


def test_nothing_read_inside_a_transaction_outlives_its_rollback(project):
    a = add_text_source(project, "A", A)
    add_text_source(project, "B", B)
    assert [n for n, *_ in got(project, "practice")] == ["A", "B"]
    project.conn.execute("BEGIN")
    # the kept keys say A lacks every word (they still fit A's facts), and A sorts last
    project.conn.execute("UPDATE source_keys SET keys = X'0A' WHERE source_id = ?", (a,))
    project.conn.execute("UPDATE sources SET name = 'Z' WHERE id = ?", (a,))
    assert [n for n, *_ in got(project, "practice")] == ["B"]
    project.conn.execute("ROLLBACK")
    assert [n for n, *_ in got(project, "practice")] == ["A", "B"]
    assert [[h.source for h in hits] for hits in search_by_source(project, "practice")] == [["A"], ["B"]]
