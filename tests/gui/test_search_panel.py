"""The search panel: a lazy list model over the hits (snippets made for the rows on screen)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt

from qualcoder_lite.core.services.search import search as search_mod
from qualcoder_lite.core.services.search.search import search


def _run(qtbot, window, query: str):
    wb = window.workbench
    window.actionSearchAll.trigger()
    wb.search.query.clear()
    qtbot.keyClicks(wb.search.query, query)
    qtbot.keyClick(wb.search.query, Qt.Key_Return)
    return wb.search


def test_results_model_passes_the_model_tester(qtmodeltester, qtbot, window):
    panel = _run(qtbot, window, "the")
    assert panel.model.rowCount() == len(panel.hits) > 100
    qtmodeltester.check(panel.model)
    panel.model.set_hits([])
    qtmodeltester.check(panel.model)


def test_rows_show_source_snippet_and_offsets_like_the_core(qtbot, window):
    panel = _run(qtbot, window, "practice OR contract*")
    expected = search(window.ctx.project, "practice OR contract*")
    assert [(h.source_id, h.start, h.end) for h in panel.hits] == [(h.source_id, h.start, h.end) for h in expected]
    model = panel.model
    for row in (0, len(expected) - 1):
        idx = model.index(row)
        h = expected[row]
        assert model.data(idx, Qt.DisplayRole) == f"{h.source}  ·  {h.snippet}"
        assert model.data(idx, Qt.ToolTipRole) == f"{h.source} ({h.case or 'no case'}), characters {h.start}–{h.end}"
        assert model.data(idx, Qt.UserRole) == row
    assert model.data(model.index(len(expected)), Qt.DisplayRole) is None
    n = len(expected)
    assert panel.status.text() == f"{n} hits in {len({h.source_id for h in expected})} sources"


def test_only_rows_on_screen_get_a_snippet(qtbot, window, monkeypatch):
    panel = _run(qtbot, window, "the")
    made = []
    real = search_mod._snippet
    monkeypatch.setattr(search_mod, "_snippet", lambda text, s, e: made.append((s, e)) or real(text, s, e))
    panel.results.viewport().repaint()
    assert 0 < len(set(made)) < len(panel.hits) / 4
    # and only the texts of the sources on screen were read (the index gave the hits)
    texts = {id(t): t for t in (tuple.__getitem__(h, 5) for h in panel.hits)}.values()
    read = sum(1 for t in texts if t._text is not None)  # noqa: SLF001 - the laziness is the point
    assert 0 < read < len(texts) == len({h.source_id for h in panel.hits})


def test_code_selected_rows_in_one_step(qtbot, window):
    panel = _run(qtbot, window, "practice")
    sel = panel.results.selectionModel()
    for row in (0, 2, 3):
        sel.select(panel.model.index(row), QItemSelectionModel.Select)
    assert panel.selected_rows() == [0, 2, 3]
    with qtbot.waitSignal(panel.codeHitsRequested) as blocker:
        panel.code_selected.click()
    assert blocker.args[0] == [(panel.hits[r].source_id, panel.hits[r].start, panel.hits[r].end) for r in (0, 2, 3)]


def test_activating_a_row_opens_the_hit(qtbot, window):
    panel = _run(qtbot, window, "practice")
    h = panel.hits[1]
    with qtbot.waitSignal(window.ctx.sourceRequested) as blocker:
        panel.results.activated.emit(panel.model.index(1))
    assert blocker.args == [h.source_id, h.start, h.end]


def test_bad_or_empty_query_clears_and_says_why(qtbot, window):
    panel = _run(qtbot, window, "practice")
    assert panel.hits
    _run(qtbot, window, '"" *')
    assert panel.hits == [] and panel.model.rowCount() == 0
    assert "no words to look for" in panel.status.text()
    _run(qtbot, window, "   ")
    assert panel.hits == [] and panel.status.text() == ""
    with qtbot.assertNotEmitted(panel.codeHitsRequested):
        panel.code_all.click()
        panel.code_selected.click()
