"""The search panel: a lazy list model over the hits (snippets made for the rows on screen)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt

from qualcoder_lite.core.services.search import hits as hits_mod
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
    real = hits_mod._snippet
    monkeypatch.setattr(hits_mod, "_snippet", lambda text, s, e: made.append((s, e)) or real(text, s, e))
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


def test_first_page_at_once_then_the_rest_on_the_event_loop(qtbot, window, monkeypatch):
    """The first hits are shown before the rest are read; when the last source is read the
    list and the status line are those of the whole search."""
    from qualcoder_lite.gui import search_panel

    expected = search(window.ctx.project, "the")
    assert len({h.source_id for h in expected}) > 2
    monkeypatch.setattr(search_panel, "FIRST_PAGE", 3)
    monkeypatch.setattr(search_mod, "_FIRST_CHUNK", 1)  # one source read at first
    monkeypatch.setattr(search_panel, "STEP_SECONDS", 0)  # one source a step
    panel = _run(qtbot, window, "the")
    first = len(panel.hits)
    assert panel.searching and 3 <= first < len(expected)
    assert panel.hits == expected[:first]
    assert panel.status.text() == f"{first}+ hits, searching…"
    qtbot.waitUntil(lambda: not panel.searching)
    assert panel.hits == expected
    n_sources = len({h.source_id for h in expected})
    assert panel.status.text() == f"{len(expected)} hits in {n_sources} sources"


def test_code_all_hits_while_searching_codes_every_hit(qtbot, window, monkeypatch):
    from qualcoder_lite.gui import search_panel

    expected = search(window.ctx.project, "the")
    monkeypatch.setattr(search_panel, "FIRST_PAGE", 3)
    monkeypatch.setattr(search_mod, "_FIRST_CHUNK", 1)
    panel = _run(qtbot, window, "the")
    assert panel.searching
    with qtbot.waitSignal(panel.codeHitsRequested) as blocker:
        panel.code_all.click()
    assert not panel.searching
    assert blocker.args[0] == [(h.source_id, h.start, h.end) for h in expected]


def test_hits_source_by_source_are_the_search(window, monkeypatch):
    from qualcoder_lite.core.services.sources.sources import RenameSource

    project = window.ctx.project
    ids = [r[0] for r in project.conn.execute("SELECT id FROM sources ORDER BY id")]
    window.ctx.run(RenameSource(ids[0], "zz last by name"))  # id order is not name order
    window.ctx.run(RenameSource(ids[-1], "aa first by name"))
    monkeypatch.setattr(search_mod, "_FIRST_CHUNK", 1)  # sources read in several steps
    monkeypatch.setattr(search_mod, "_CHUNK", 2)
    for query in ("the", "practice OR contract*", '"quality improvement"', "zzzqqq"):
        by_source = list(search_mod.search_by_source(project, query))
        assert all(by_source)  # only sources with hits
        flat = [h for in_source in by_source for h in in_source]
        assert flat == search(project, query) == sorted(flat, key=lambda h: (h.source, h.start, h.end))
        assert [s[0].source for s in by_source] == sorted({h.source for h in search(project, query)})
