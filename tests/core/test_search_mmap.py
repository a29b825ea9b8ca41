"""Search reads the word indexes through SQLite's memory map (``PRAGMA mmap_size``) while a
step reads them, and only then: the connection's setting is what it was before, after a
whole search, after each step of ``search_by_source`` and when a step fails."""

from __future__ import annotations

import pytest

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.search import search as S


def _mmap(project) -> int:
    return project.conn.execute("PRAGMA mmap_size").fetchone()[0]


@pytest.fixture
def seen(demo_file, monkeypatch):
    project = open_project(demo_file, coder="alex")
    values: list[int] = []
    real = S._rows

    def rows(conn, ids):
        values.append(conn.execute("PRAGMA mmap_size").fetchone()[0])
        yield from real(conn, ids)

    monkeypatch.setattr(S, "_rows", rows)
    yield project, values
    project.close()


def test_indexes_are_read_mapped_and_the_setting_restored(seen):
    project, values = seen
    before = _mmap(project)
    assert before < S._MMAP_SIZE
    assert S.search(project, "practice")
    assert values and set(values) == {S._MMAP_SIZE}
    assert _mmap(project) == before
    steps = S.search_by_source(project, "practice")
    next(steps)  # a panel showing the first page waits here
    assert _mmap(project) == before
    steps.close()


def test_a_failing_step_restores_the_setting(seen, monkeypatch):
    project, values = seen
    before = _mmap(project)

    def broken(*_args):
        raise RuntimeError("index read failed")

    monkeypatch.setattr(S, "_source_hits", broken)
    with pytest.raises(RuntimeError):
        S.search(project, "practice")
    assert values and _mmap(project) == before


def test_a_larger_setting_is_left_alone(seen):
    project, values = seen
    project.conn.execute(f"PRAGMA mmap_size = {2 * S._MMAP_SIZE}")
    kept = _mmap(project)
    assert S.search(project, "practice")
    assert set(values) == {kept} and _mmap(project) == kept
