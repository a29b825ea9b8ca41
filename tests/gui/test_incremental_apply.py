"""Applying a code, undo and redo update the window in place (the open source's highlights
and stripes, one code's counts, the retrieval rows and header): the state they leave must
be the state a full refresh (reopening the source, reloading the tree and the table) gives."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from qualcoder_lite.core.services.coding.coding import AdjustCoding, RemoveCoding, SetCodingMemo
from qualcoder_lite.core.services.queries.coverage import coverage_by_source, coverage_total, total_of
from tests.gui.conftest import open_source, select_text

CODE = "Referral pathways/Quality of referrals"


def _view_state(view) -> dict:
    sels = [(s.cursor.selectionStart(), s.cursor.selectionEnd(), s.format.background().color().name(QColor.HexArgb),
             s.format.underlineStyle()) for s in view.extraSelections()]
    stripes = [(s.coding.id, s.coding.start, s.coding.end, s.lane, s.color, s.label) for s in view._stripes]
    return {"codings": list(view.codings), "selections": sels, "stripes": stripes,
            "lanes": view.lanes_used(), "margin": view.margin_width(), "highlights": view.highlight_keys()}


def _panels_state(wb) -> dict:
    model = wb.codes.model
    counts = {cid: (model.index_of(cid, 1).data(), model.index_of(cid, 2).data()) for cid in model._codes}
    rows = [wb.retrieval.model.index(r, 0).data(256) for r in range(wb.retrieval.model.rowCount())]
    source_counts = {sid: [c.text() for c, _g in items] for sid, items in wb.sources._count_items.items()}
    return {"counts": counts, "rows": rows, "header": wb.retrieval.count.text(),
            "tip": wb.retrieval.count.toolTip(), "sources": source_counts, "heading": wb.heading.text()}


def _full_refresh(wb) -> tuple[dict, dict]:
    """What the window shows when everything is read again from the file."""
    sid = wb.view.source_id
    wb.codes.model.reload()
    wb.retrieval.show_codes(wb.retrieval.model.code_ids)
    wb.sources.reload()
    wb.open_source(sid)
    return _view_state(wb.view), _panels_state(wb)


def _check(wb) -> None:
    shown = _view_state(wb.view), _panels_state(wb)
    assert shown == _full_refresh(wb)


def _apply_sentence(window, wb, code_id: int, needle: str) -> None:
    text = wb.view.text
    start = text.index(needle)
    select_text(wb.view, start, start + len(needle))
    wb.codes.select_code(code_id)
    window.actionApplyCode.trigger()


@pytest.fixture
def coding(window):
    wb = window.workbench
    project = wb.ctx.project
    sid = open_source(wb, "LW01")
    code = project.codes.find(CODE)
    wb.codes.select_code(code.id)  # the retrieval table shows its segments
    return wb, sid, code.id


def test_apply_undo_redo_leave_what_a_full_refresh_shows(window, coding):
    wb, sid, code_id = coding
    before = len(wb.view.codings)
    text = wb.view.text
    line = text[text.index("LW01:") + len("LW01: "):].split("\n", 1)[0]
    _apply_sentence(window, wb, code_id, line)
    assert len(wb.view.codings) == before + 1
    _check(wb)
    window.actionUndo.trigger()
    assert len(wb.view.codings) == before
    _check(wb)
    window.actionRedo.trigger()
    assert len(wb.view.codings) == before + 1
    _check(wb)


def test_overlapping_codings_change_lanes_as_a_full_refresh_would(window, coding):
    wb, sid, code_id = coding
    other = next(c.id for c in wb.ctx.project.codes.all() if c.id != code_id)
    text = wb.view.text
    start = text.index("LW01:") + len("LW01: ")
    select_text(wb.view, start, start + 40)
    window.actionApplyCode.trigger()
    select_text(wb.view, start + 10, start + 60)
    wb.codes.select_code(other)
    window.actionApplyCode.trigger()
    _check(wb)
    window.actionUndo.trigger()
    _check(wb)


def test_memo_boundaries_and_removal_are_patched_too(window, coding):
    wb, sid, code_id = coding
    c = wb.view.codings[0]
    wb.ctx.run(SetCodingMemo(c.id, "a memo shown in the stripe's tooltip"))
    _check(wb)
    assert any(s.coding.id == c.id and s.label.endswith("tooltip") for s in wb.view._stripes)
    wb.ctx.run(AdjustCoding(c.id, c.start, c.end + 3))
    _check(wb)
    wb.ctx.run(RemoveCoding(c.id))
    assert all(x.id != c.id for x in wb.view.codings)
    _check(wb)


def test_same_after_the_matrix_view_was_opened(window, coding):
    wb, sid, code_id = coding
    window.show_view("matrix")
    window.show_view("coding")
    text = wb.view.text
    line = text[text.index("LW01:") + len("LW01: "):].split("\n", 1)[0]
    _apply_sentence(window, wb, code_id, line)
    _check(wb)
    window.show_view("matrix")  # the matrix rebuilt when shown again counts the new coding
    cells = window.matrix.model
    assert cells.rowCount() > 0


def test_a_coding_in_another_source_leaves_the_open_one_alone(window, coding):
    from qualcoder_lite.core.services.coding.coding import ApplyCode

    wb, sid, code_id = coding
    other = next(s for s in wb.ctx.project.sources.all() if s.id != sid)
    shown = list(wb.view.codings)
    wb.ctx.run(ApplyCode(other.id, [code_id], 0, 5))
    assert wb.view.codings == shown
    _check(wb)


def test_coverage_per_source_adds_up_to_the_total(window):
    project = window.ctx.project
    ids = [c.id for c in project.codes.all()]
    per = coverage_by_source(project, ids)
    assert total_of(per) == coverage_total(project, ids)
    some = set(list(per)[:2])
    part = coverage_by_source(project, ids, only=some)
    assert part == {sid: per[sid] for sid in some}
    assert coverage_by_source(project, ids, only=set()) == {}
    assert coverage_by_source(project, ids, coders=[]) == {}


def test_code_counts_kept_per_source_match_a_fresh_count_over_many_steps(window, coding):
    """The code tree keeps each code's codings per source and coded sources per case, and
    updates them from the sources a change names: after every step the counts shown are
    those counted afresh (without reloading the tree in between)."""
    from qualcoder_lite.core.services.coding.coding import ApplyCode

    wb, sid, code_id = coding
    project = wb.ctx.project
    model = wb.codes.model
    fresh_code = next(c.id for c in project.codes.all() if c.id not in project.codes.counts())
    sources = [s.id for s in project.sources.all()]
    steps = []

    def check(what: str) -> None:
        assert model._counts == project.codes.counts(), what

    for i, src in enumerate(sources[:4]):  # a code with no codings yet: first source, first case
        steps.append(wb.ctx.run(ApplyCode(src, [fresh_code, code_id], 10 * i, 10 * i + 5)))
        check(f"applied in source {src}")
    wb.ctx.run(ApplyCode(sources[0], [fresh_code], 100, 120))  # a second coding in the same source
    check("second coding in a source")
    for n in range(5):  # back to no codings of the fresh code at all, then forward again
        window.actionUndo.trigger()
        check(f"undo {n}")
    assert fresh_code not in model._counts
    for n in range(5):
        window.actionRedo.trigger()
        check(f"redo {n}")
    for c in [c for c in project.codings.for_source(sources[1], None) if c.code_id == fresh_code]:
        wb.ctx.run(RemoveCoding(c.id))  # the source no longer coded: its case goes if it was the only one
    check("removed")


def test_case_column_reads_no_segment_and_matches_each_rows_case(window):
    """Sizing the Case column reads its cells without fetching the rows' segments; the case
    shown is the segment's own (the first case by name, blank for a source without one)."""
    from qualcoder_lite.core.services.sources.sources import SetSourceCases

    wb = window.workbench
    project = window.ctx.project
    ids = [c.id for c in project.codes.all()]
    coded = [r[0] for r in project.conn.execute("SELECT DISTINCT source_id FROM codings ORDER BY source_id")]
    assert len(coded) >= 2
    window.ctx.run(SetSourceCases(coded[0], ["Zed", "Amy"]))  # two cases: "Amy" is shown
    window.ctx.run(SetSourceCases(coded[1], []))  # no case: blank
    wb.retrieval.show_codes(ids)
    model = wb.retrieval.model
    assert model.rowCount() > 0
    fresh = type(model)(window.ctx)
    fresh.set_query(ids)
    shown = [fresh.index(r, 0).data() for r in range(fresh.rowCount())]
    assert not fresh._cache  # no page was fetched for the Case cells
    assert shown == [fresh.segment(r).case or "" for r in range(fresh.rowCount())]
    assert shown == [model.index(r, 0).data() for r in range(model.rowCount())]


@pytest.mark.parametrize("precision", [1000, 7, 0])
def test_case_column_width_is_qts_own_measure(window, qtbot, precision):
    """The Case column's width measured once per distinct text is Qt's measure of every row
    it samples, wherever the table is scrolled."""
    from PySide6.QtWidgets import QTableView

    from qualcoder_lite.core.services.sources.sources import SetSourceCases

    wb = window.workbench
    project = window.ctx.project
    coded = [r[0] for r in project.conn.execute("SELECT DISTINCT source_id FROM codings ORDER BY source_id")]
    window.ctx.run(SetSourceCases(coded[-1], ["A much longer case name than the others"]))
    wb.tabs.setCurrentWidget(wb.retrieval)
    wb.retrieval.show_codes([c.id for c in project.codes.all()])
    view = wb.retrieval.table
    view.horizontalHeader().setResizeContentsPrecision(precision)
    n = wb.retrieval.model.rowCount()
    assert n > 20
    for row in (0, n // 2, n - 1):
        view.scrollTo(wb.retrieval.model.index(row, 0))
        qtbot.wait(1)
        assert view.sizeHintForColumn(0) == QTableView.sizeHintForColumn(view, 0)
