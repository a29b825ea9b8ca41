"""Issue 18 in the desktop app: aggregate counts in the code tree, the coverage,
co-occurrence and word-frequency views (found by object name), counts that agree."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from qualcoder_lite.cli import main
from tests.queries_project import build

# screenshots of the views, to look at (QUALCODER_LITE_SHOTS=folder keeps them)
SHOTS = Path(os.environ.get("QUALCODER_LITE_SHOTS") or "/tmp/qualcoder-lite-shots")
SHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
def qpath(tmp_path):
    return build(tmp_path / "q.qlite")


@pytest.fixture
def cli_json(qpath, capsys):
    """The command line's JSON for the same project (read-only: the window may hold it)."""

    def run(*args):
        capsys.readouterr()
        assert main([args[0], str(qpath), *args[1:]]) == 0
        return json.loads(capsys.readouterr().out)

    return run


@pytest.fixture
def qwin(qtbot, qpath):
    from qualcoder_lite.gui.main_window import MainWindow

    path = qpath
    w = MainWindow(coder="alice")
    qtbot.addWidget(w)
    assert w.open_path(path, coder="alice")
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close_project()


def _row(model, name, parent=None):
    from PySide6.QtCore import QModelIndex

    parent = parent or QModelIndex()
    for r in range(model.rowCount(parent)):
        if model.index(r, 0, parent).data() == name:
            return r
    raise AssertionError(name)


def test_code_tree_aggregate_toggle(qwin, qtbot, qtmodeltester):
    from qualcoder_lite.core.services.sources.info import codes_table

    panel = qwin.workbench.codes
    model = panel.model
    access = model.index(_row(model, "Access"), 0)
    assert access.siblingAtColumn(1).data() == 1  # own codings
    toggle = panel.findChild(type(panel.aggregateToggle), "aggregateToggle")
    qtbot.mouseClick(toggle, Qt.LeftButton)
    assert model.aggregate
    rows = {r["code"]: r for r in codes_table(qwin.workbench.ctx.project)}
    assert access.siblingAtColumn(1).data() == rows["Access"]["codings_aggregate"] == 9
    assert access.siblingAtColumn(2).data() == rows["Access"]["sources_aggregate"] == 3
    assert model.headerData(1, Qt.Horizontal) == "Σ Codings"
    qtmodeltester.check(model)
    panel.grab().save(str(SHOTS / "codeTreeAggregate.png"))
    qtbot.mouseClick(toggle, Qt.LeftButton)
    assert access.siblingAtColumn(1).data() == 1


def _open(qwin, tab):
    from PySide6.QtWidgets import QWidget

    action = qwin.findChild(QAction, ["actionQueryCoverage", "actionQueryCooccurrence", "actionQueryWords"][tab])
    assert action is not None and action.isEnabled()
    action.trigger()
    win = qwin.query_tools.view
    name = ["coverageView", "cooccurrenceView", "wordFrequencyView"][tab]
    view = win.findChild(QWidget, name)
    assert view is not None and win.tabs.currentWidget() is view
    return view


def test_coverage_view_matches_the_command_line(qwin, qtbot, qtmodeltester, cli_json, tmp_path):
    view = _open(qwin, 0)
    view.set_code(qwin.workbench.ctx.project.codes.resolve("Access/Waiting").id)
    qtmodeltester.check(view.model)
    expected = [r for r in cli_json("coverage", "--json") if r["code"] == "Access/Waiting"]
    shown = [(view.model.index(r, 0).data(), view.model.index(r, 1).data(), view.model.index(r, 2).data(),
              view.model.index(r, 3).data()) for r in range(view.model.rowCount())]
    assert shown == [(r["source"], r["references"], r["characters"], f"{100 * r['coverage']:.2f}%") for r in expected]
    assert "5 references in 3 sources, 2 cases" in view.header.text()
    # activating a source opens its first passage in the transcript
    with qtbot.waitSignal(qwin.workbench.ctx.sourceRequested):
        view.table.activated.emit(view.model.index(1, 0))
    view.window().resize(900, 420)
    view.grab().save(str(SHOTS / "coverageView.png"))


def test_cooccurrence_view_cell_opens_its_passages(qwin, qtbot, qtmodeltester, cli_json):
    view = _open(qwin, 1)
    qtmodeltester.check(view.model)
    for unit in ("overlap", "paragraph"):
        view.unit.setCurrentIndex(view.unit.findData(unit))
        expected = {(r["a"], r["b"]): r["passages"] for r in cli_json("cooccurrence", "--unit", unit, "--json")}
        m = view.model
        paths = [c[1] for c in m.codes]
        shown = {}
        for r in range(m.rowCount()):
            for c in range(m.columnCount()):
                v = m.index(r, c).data()
                if isinstance(v, int):
                    assert m.index(c, r).data() == v  # symmetric
                    shown[tuple(sorted((paths[r], paths[c])))] = v
        assert shown == expected
    view.unit.setCurrentIndex(view.unit.findData("overlap"))
    m = view.model
    paths = [c[1] for c in m.codes]
    r, c = paths.index("Access/Referrals"), paths.index("Access/Waiting")
    view.table.setCurrentIndex(m.index(r, c))
    view.table.activated.emit(m.index(r, c))
    assert view.passages.count() == 2
    assert "2 passages, 2 cases" in view.caption.text()
    assert "Access › Referrals × Access › Waiting" in view.caption.text()  # names, not escaped paths
    with qtbot.waitSignal(qwin.workbench.ctx.sourceRequested):
        view.passages.itemActivated.emit(view.passages.item(0))
    view.window().resize(1000, 460)
    view.grab().save(str(SHOTS / "cooccurrenceView.png"))


def test_word_frequency_view_table_chart_and_search(qwin, qtbot, qtmodeltester, cli_json):
    view = _open(qwin, 2)
    qtmodeltester.check(view.model)
    expected = cli_json("words", "--json")
    assert [(view.model.index(r, 0).data(), view.model.index(r, 1).data(), view.model.index(r, 2).data())
            for r in range(view.model.rowCount())] == [(x["word"], x["count"], x["sources"]) for x in expected]
    view.interviewer.setChecked(True)
    assert view.model.rows[1].word == "waiting" and view.model.rows[1].count == 4
    view.interviewer.setChecked(False)
    view.set_scope("where:wave=2021")
    assert [r.word for r in view.model.rows] == [x["word"] for x in cli_json("words", "--where", "wave=2021", "--json")]
    view.set_scope(None)
    assert view.chart.rows and view.chart.rows[0].word == "pharmacist"
    # a word's row opens its hits in Search
    view.table.activated.emit(view.model.index(0, 0))
    search = qwin.workbench.search
    assert search.query.text() == "pharmacist"
    assert qwin.workbench.tabs.currentWidget() is search
    assert len(search.hits) == 5  # the count the table shows (the interviewer never says it)
    view.window().resize(1000, 520)
    view.grab().save(str(SHOTS / "wordFrequencyView.png"))


# -- 7. counts that agree -------------------------------------------------------------

def test_retrieval_header_follows_the_rows(qwin, qtbot):
    from tests.gui.conftest import open_source, select_text
    from tests.queries_project import P1, span

    wb = qwin.workbench
    project = wb.ctx.project
    code = project.codes.resolve("Workload")
    wb.codes.select_code(code.id)
    wb.ctx.codeSelected.emit([code.id])
    rows = wb.retrieval.model.rowCount()
    assert rows == 2
    assert wb.retrieval.count.text().startswith("2 segments · 2 sources · ")
    open_source(wb, "P1")
    s, e = span(P1, "The pharmacist knew the patients.")
    select_text(wb.view, s, e)
    wb.codes.set_aggregate(True)  # Σ counts follow a new coding too
    tree = wb.codes.model
    assert tree.index_of(code.id, 1).data() == 2
    assert wb.apply_codes([code.id])
    assert tree.index_of(code.id, 1).data() == 3
    assert wb.retrieval.model.rowCount() == 3  # inserted in place, no reset
    assert wb.retrieval.count.text().startswith("3 segments · 2 sources · ")
    qwin.actionUndo.trigger()
    assert wb.retrieval.model.rowCount() == 2 and wb.retrieval.count.text().startswith("2 segments")


def test_retrieval_header_in_a_new_project(qtbot, tmp_path):
    from qualcoder_lite.core.services.coding.codes import AddCode
    from qualcoder_lite.gui.main_window import MainWindow
    from tests.gui.conftest import select_text
    from tests.helpers import add_text_source

    from qualcoder_lite.core.project import new_project

    path = tmp_path / "new.qlite"
    p = new_project(path, coder="alice")
    add_text_source(p, "A", "One sentence here. Another one there.\n", case="A")
    p.execute(AddCode("Theme"))
    p.close()
    w = MainWindow(coder="alice")
    qtbot.addWidget(w)
    assert w.open_path(path, coder="alice")
    wb = w.workbench
    assert wb.retrieval.count.text() == "0 segments"
    code = wb.ctx.project.codes.resolve("Theme")
    wb.codes.select_code(code.id)
    wb.ctx.codeSelected.emit([code.id])
    select_text(wb.view, 0, 18)
    assert wb.apply_codes([code.id])
    assert wb.retrieval.model.rowCount() == 1
    # 18 of 38 characters
    assert wb.retrieval.count.text() == "1 segment · 1 source · 47.4% coverage"
    w.close_project()


def test_matrix_badge_and_quote_panel_say_what_they_count(qwin):
    qwin.actionViewMatrix.trigger()
    m = qwin.matrix
    project = qwin.ctx.project
    waiting = project.codes.resolve("Access/Waiting").id
    m.set_columns([waiting])
    line = next(i for i in range(m.model.rowCount()) if m.model.row_of(i) and m.model.row_of(i).name == "P2")
    idx = m.model.index(line, 0)
    # three codings in P2 (alice's and bob's overlap): badge [3]; the panel merges them into 2 quotes
    assert m.model.data(idx).startswith("[3]")
    assert "3 codings linked" in m.model.data(idx, Qt.ToolTipRole)
    m.table.setCurrentIndex(idx)
    assert m.quotes.count() == 2
    assert "2 quotes from 3 codings" in m.cell_title.text()


def test_merge_into_has_no_preselected_target(qwin, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    codes = qwin.workbench.codes
    project = qwin.ctx.project
    a = project.codes.resolve("Workload")
    codes.select_code(a.id)
    seen = {}

    def enter(_parent, _title, _label, items, current, _editable):  # the user only presses Enter
        seen["first"] = items[current]
        return items[current], True

    monkeypatch.setattr(QInputDialog, "getItem", enter)
    codes.merge_current()
    assert project.codes.resolve("Workload").id == a.id  # nothing merged
    assert "choose" in seen["first"]


# -- 6. keyboard parity in the code tree ----------------------------------------------

def test_cut_and_paste_moves_a_code_with_keys_alone(qwin, qtbot):
    panel = qwin.workbench.codes
    project = qwin.ctx.project
    workload = project.codes.resolve("Workload")
    panel.select_code(workload.id)
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key_X, Qt.ControlModifier)
    panel.select_code(project.codes.resolve("Access").id)
    qtbot.keyClick(panel.tree, Qt.Key_V, Qt.ControlModifier)
    assert project.codes.get(workload.id).path == ("Access", "Workload")
    qwin.actionUndo.trigger()
    assert project.codes.get(workload.id).path == ("Workload",)


def test_move_to_dialog_and_its_refusals(qwin, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    panel = qwin.workbench.codes
    project = qwin.ctx.project
    roles = project.codes.resolve("Roles \\/ tasks")
    panel.select_code(roles.id)
    offered = {}

    def pick(_p, _t, _l, items, current, _e):
        offered["items"] = items
        return "Access › Waiting", True

    monkeypatch.setattr(QInputDialog, "getItem", pick)
    qwin.actionMoveCode.trigger()
    # not under itself or its own sub-code; the first entry chooses nothing
    assert "Roles / tasks" not in offered["items"] and "Roles / tasks › Pharmacist" not in offered["items"]
    assert offered["items"][1] == "(top level)"
    assert project.codes.get(roles.id).path == ("Access", "Waiting", "Roles / tasks")
    monkeypatch.setattr(QInputDialog, "getItem", lambda _p, _t, _l, items, cur, _e: (items[cur], True))
    panel.select_code(roles.id)
    qwin.actionMoveCode.trigger()  # Enter alone: nothing moves
    assert project.codes.get(roles.id).path == ("Access", "Waiting", "Roles / tasks")


def test_shift_f10_opens_the_context_menu(qwin, qtbot, monkeypatch):
    panel = qwin.workbench.codes
    panel.select_code(qwin.ctx.project.codes.resolve("Workload").id)
    panel.tree.setFocus()
    shown = []
    monkeypatch.setattr(panel, "show_menu", lambda menu, _pos: shown.append([x.text() for x in menu.actions()]))
    qtbot.keyClick(panel.tree, Qt.Key_F10, Qt.ShiftModifier)
    assert shown and "Move to…" in shown[0] and "Cut (to move)" in shown[0]


def test_search_finds_emoji(qwin):
    from qualcoder_lite.core.services.sources.importing import ImportSources, PreparedSource  # noqa: F401
    from tests.helpers import add_text_source

    project = qwin.ctx.project
    text = "It was 😀 great. Thumbs 👍🏽 up.\n"
    add_text_source(project, "EMO", text, case="EMO")
    search = qwin.workbench.search
    for q, s, e in (("😀", 7, 8), ("👍🏽", 23, 25)):  # code points: the skin tone is a second one
        assert text[s:e] == q
        search.query.setText(q)
        search.run()
        assert [(h.source, h.start, h.end) for h in search.hits] == [("EMO", s, e)], q
