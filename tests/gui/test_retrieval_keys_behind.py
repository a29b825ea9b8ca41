"""The retrieval table counts its rows at once and reads their keys a few sources at a time
behind the first screen (``gui.segment_keys``). Here the steps are made one source long, so
the demo project's table is shown with keys still to read: what it shows (rows, cells, the
Case column, the header once all are read) and what it leaves after codings change while
keys are still to read must be what a table that read every key first shows."""

from __future__ import annotations

import pytest

from qualcoder_lite.core.services.coding.coding import ApplyCode, RemoveCoding
from qualcoder_lite.gui import segment_keys, segment_model


@pytest.fixture
def steps(monkeypatch):
    """Read one source's keys at a time; the returned function reads every key at once again."""
    monkeypatch.setattr(segment_model, "FIRST_KEYS", 1)
    monkeypatch.setattr(segment_keys, "STEP_KEYS", 1)

    def eager() -> None:
        monkeypatch.setattr(segment_model, "FIRST_KEYS", 10 ** 9)

    return eager


def _shown(panel) -> dict:
    model, view = panel.model, panel.table
    cells = [[model.index(r, c).data(role) for c in range(model.columnCount()) for role in (0, 3, 256)]
             for r in range(model.rowCount())]
    return {"rows": model.rowCount(), "cells": cells, "header": panel.count.text(), "tip": panel.count.toolTip(),
            "widths": [view.columnWidth(c) for c in range(model.columnCount())]}


def _all_codes(window) -> list[int]:
    return [c.id for c in window.ctx.project.codes.all()]


def _eager_state(window, eager) -> dict:
    eager()
    panel = window.workbench.retrieval
    panel.show_codes(panel.model.code_ids)
    assert panel.model.keys_done
    return _shown(panel)


def test_first_screen_then_keys_behind_show_what_reading_all_first_shows(window, qtbot, steps):
    wb = window.workbench
    wb.tabs.setCurrentWidget(wb.retrieval)
    panel, model = wb.retrieval, wb.retrieval.model
    panel.show_codes(_all_codes(window))
    total = model.rowCount()
    assert not model.keys_done and 0 < len(model._rows.keys) < total  # keys still to read
    assert panel.count.text().endswith("sources · counting coverage…")
    widths = [panel.table.columnWidth(c) for c in range(model.columnCount())]
    qtbot.waitUntil(lambda: model.keys_done, timeout=10000)  # read in steps by the event loop
    assert model.rowCount() == total
    shown = _shown(panel)
    assert shown["widths"] == widths
    assert shown == _eager_state(window, steps)


def test_case_cells_of_rows_not_read_need_no_keys(window, steps):
    panel, model = window.workbench.retrieval, window.workbench.retrieval.model
    panel.show_codes(_all_codes(window))
    read = len(model._rows.keys)
    cases = [model.case_of_row(r) for r in range(model.rowCount())]
    assert len(model._rows.keys) == read  # answered from the rows counted per source
    assert cases == [model.segment(r).case or "" for r in range(model.rowCount())]


@pytest.mark.parametrize("where", ["first", "last"])
def test_codings_changed_before_every_key_is_read_leave_what_reading_all_shows(window, steps, where):
    """A coding added, changed, removed in a source whose keys were read (first) or not yet
    (last): the table patched in place (its rows read or counted) equals one that read every
    key first."""
    wb = window.workbench
    wb.tabs.setCurrentWidget(wb.retrieval)
    project = window.ctx.project
    panel, model = wb.retrieval, wb.retrieval.model
    ids = _all_codes(window)
    panel.show_codes(ids)
    assert not model.keys_done
    name, sid, _n = model.sources_shown[0 if where == "first" else -1]
    victim = next(c for c in project.codings.for_source(sid, None) if c.code_id in ids)
    window.ctx.run(RemoveCoding(victim.id))
    window.ctx.run(ApplyCode(sid, [ids[0]], 3, 9))
    window.actionUndo.trigger()
    window.actionUndo.trigger()  # the removed coding is back
    window.actionRedo.trigger()
    mid = _shown(panel)
    assert mid == _eager_state(window, steps)
    assert name in {model.keys[r][0] for r in range(model.rowCount())}


def test_a_change_in_a_source_not_read_yet_adds_and_removes_rows_there(window, steps):
    wb = window.workbench
    project = window.ctx.project
    panel, model = wb.retrieval, wb.retrieval.model
    ids = _all_codes(window)
    panel.show_codes(ids)
    _name, sid, n = model.sources_shown[-1]
    before = model.rowCount()
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    window.ctx.run(ApplyCode(sid, [ids[0]], 3, 9))
    assert model.rowCount() == before + 1
    gone = [c for c in project.codings.for_source(sid, None) if c.code_id in ids][:2]
    for c in gone:
        window.ctx.run(RemoveCoding(c.id))
    assert model.rowCount() == before + 1 - len(gone)
    assert not resets  # patched in place (the view keeps its place), not read again
    assert not model.keys_done  # the rows of a source not read yet are counted, not read
    assert _shown(panel) == _eager_state(window, steps)


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_source_gets_its_first_row_before_every_key_is_read(window, steps, where):
    """A code's first coding in a source named before the first source not read yet (its row
    read) or after it (counted): the same as reading every key first."""
    wb = window.workbench
    project = window.ctx.project
    panel, model = wb.retrieval, wb.retrieval.model
    counts = project.codes.counts()
    every = {s.id: s.name for s in project.sources.all()}
    for code in project.codes.all():
        panel.show_codes([code.id])
        if model.keys_done:
            continue
        shown = {x[1] for x in model.sources_shown}
        frontier = model._rows.frontier
        empty = sorted((name, sid) for sid, name in every.items() if sid not in shown
                       and (name < frontier if where == "before" else name > frontier))
        if empty and counts.get(code.id):
            break
    else:
        pytest.skip("no code with a source without it on that side")
    before = model.rowCount()
    window.ctx.run(ApplyCode(empty[0][1], [code.id], 0, 4))
    assert model.rowCount() == before + 1 and not model.keys_done
    assert panel.count.text().startswith(f"{before + 1} segments · {len(shown) + 1} sources")
    assert _shown(panel) == _eager_state(window, steps)
