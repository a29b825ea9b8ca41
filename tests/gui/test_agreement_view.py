"""Tools ▸ Coder comparison…, Show coders…, Merge a colleague's copy…, driven through the real widgets."""

from __future__ import annotations

import csv
import shutil

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QDialog, QMessageBox, QPlainTextEdit, QPushButton, QTableView

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.team.agreement import compare
from qualcoder_lite.core.services.coding.coding import ApplyCode
from qualcoder_lite.gui.agreement_view import A_COLOR, B_COLOR, BOTH_COLOR
from tests.gui.conftest import finished


def _action(window, name) -> QAction:
    action = window.findChild(QAction, name)
    assert action is not None, name
    return action


def _open_view(qtbot, window):
    action = _action(window, "actionCoderComparison")
    assert action in window.menuTools.actions() and action.isEnabled()
    action.trigger()
    view = window.findChild(QDialog, "agreementView")
    assert view is not None and view.isVisible()
    qtbot.waitExposed(view)
    _settled(qtbot, view)
    return view


def _settled(qtbot, view) -> None:
    """Wait until the comparison (computed as a job, off the GUI thread) is shown."""
    qtbot.waitUntil(lambda: not view.busy, timeout=30000)


def _choose(combo: QComboBox, data=None, text=None) -> None:
    idx = combo.findData(data) if data is not None else combo.findText(text)
    assert idx >= 0
    combo.setCurrentIndex(idx)


def test_comparison_lists_codes_by_kappa_lowest_first(qtbot, window, qtmodeltester):
    view = _open_view(qtbot, window)
    model = view.table.model()
    qtmodeltester.check(model)
    assert view.coder_a.currentText() == "alex" and view.coder_b.currentText() == "sam"
    rows = [model.row(i) for i in range(model.rowCount())]
    assert rows[-1].overall
    kappas = [r.kappa for r in rows[:-1]]
    defined = [k for k in kappas if k is not None]
    assert defined == sorted(defined)
    assert kappas[len(defined):] == [None] * (len(kappas) - len(defined))  # undefined last
    assert model.headerData(3, Qt.Horizontal) == "alex only"
    # the table shows the same numbers as the core
    expected = compare(window.ctx.project, ["alex", "sam"], "character")
    assert [r.code for r in rows[:-1]] == [r.code for r in expected.by_kappa()]
    assert model.data(model.index(0, 1)) == f"{expected.by_kappa()[0].kappa:.3f}"


def test_changing_unit_and_coders_recomputes(qtbot, window, qtmodeltester):
    view = _open_view(qtbot, window)
    _choose(view.findChild(QComboBox, "unitChoice"), data="sentence")
    _settled(qtbot, view)
    model = view.model
    qtmodeltester.check(model)
    expected = compare(window.ctx.project, ["alex", "sam"], "sentence")
    assert model.row(model.rowCount() - 1).units == expected.overall.units
    assert model.data(model.index(0, 6)) == f"{expected.rows[0].units:,}"
    _choose(view.coder_a, text="sam")
    _choose(view.coder_b, text="alex")
    _settled(qtbot, view)
    assert model.headerData(3, Qt.Horizontal) == "sam only"
    assert model.row(0).a_only == compare(window.ctx.project, ["sam", "alex"], "sentence").by_kappa()[0].a_only


def test_a_comparison_shows_its_first_code_then_its_source_in_the_next_turn(qtbot, window):
    """When a comparison comes back, the lowest-kappa code is selected with its sources listed
    in one turn of the event loop and its most disputed source's text and differences come
    in the next (one turn for all of it kept the window still ~30 ms at 10x); the view is
    busy until then, and ends as it did in one turn."""
    from PySide6.QtCore import QTimer

    view = _open_view(qtbot, window)
    project = window.ctx.project
    old_diffs = view.diffs
    states = []
    poll = QTimer()
    poll.setInterval(0)  # every turn of the event loop
    poll.timeout.connect(lambda: states.append((view.busy, view.code_id, view.source.count(), view.diffs is old_diffs)))
    view.set_choice("sam", "alex")
    poll.start()
    _settled(qtbot, view)
    poll.stop()
    # a turn with the code selected and its sources listed, its differences not shown yet
    assert (True, view.code_id, view.source.count(), True) in states
    first = view.model.row(0)
    assert view.code_id == first.code_id and view.table.currentIndex().row() == 0
    disputed = min((x for x in view.comparison.by_source if x.code_id == first.code_id),
                   key=lambda x: (-(x.a_only + x.b_only), x.source))
    assert view.source_id == disputed.source_id == view.source.currentData()
    assert view.pane_a.toPlainText() == project.sources.text(disputed.source_id) == view.pane_b.toPlainText()
    assert view.diffs and view.position.text().endswith(f"of {len(view.disagreements() or view.diffs)}")


def test_selecting_a_code_shows_differences_side_by_side(qtbot, window):
    view = _open_view(qtbot, window)
    project = window.ctx.project
    code = project.codes.find("Referral pathways/Quality of referrals")
    row = view.model.row_of(code.id)
    table = view.findChild(QTableView, "agreementTable")
    idx = view.model.index(row, 0)
    table.scrollTo(idx)
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=table.visualRect(idx).center())
    assert view.code_id == code.id
    source_box = view.findChild(QComboBox, "diffSource")
    names = [source_box.itemText(i).split(" — ")[0] for i in range(source_box.count())]
    assert set(names) == {"GP01", "GP04", "LW01"}
    # most disputed first (the rows are grouped by code in the job, off the GUI thread)
    disputed = sorted((x for x in view.comparison.by_source if x.code_id == code.id),
                      key=lambda x: (-(x.a_only + x.b_only), x.source))
    assert [source_box.itemData(i) for i in range(source_box.count())] == [x.source_id for x in disputed]
    _choose(source_box, data=project.sources.by_name("LW01").id)
    pane_a = view.findChild(QPlainTextEdit, "diffPaneA")
    pane_b = view.findChild(QPlainTextEdit, "diffPaneB")
    text = project.sources.text(project.sources.by_name("LW01").id)
    assert pane_a.toPlainText() == text == pane_b.toPlainText()
    assert pane_a.isReadOnly() and pane_b.isReadOnly()
    colors_a = {s.format.background().color().name() for s in pane_a.extraSelections()}
    colors_b = {s.format.background().color().name() for s in pane_b.extraSelections()}
    assert colors_a == {BOTH_COLOR, A_COLOR}  # alex coded more than sam; sam's words are within alex's
    assert colors_b == {BOTH_COLOR}
    assert B_COLOR not in colors_a
    # the highlighted text is exactly where the coders agreed / differed
    both = [d for d in view.diffs if d.who == "both"]
    assert both and "triage form" in text[both[0].start:both[0].end]
    # stepping through the differences moves both panes
    qtbot.mouseClick(view.findChild(QPushButton, "nextDifference"), Qt.LeftButton)
    d = view.disagreements()[view._diff_index]
    assert pane_a.textCursor().position() == d.start == pane_b.textCursor().position()
    assert view.position.text().endswith(f"of {len(view.disagreements())}")


def test_differences_after_emoji_are_highlighted_on_the_coded_characters(qtbot, window, tmp_path):
    """The panes count UTF-16 units; the differences are code points. Every highlight and
    the stepping cursor must land on the stored characters (counted here independently)."""
    from qualcoder_lite.core.services.sources.importing import CaseRule, import_files
    from tests.gui.conftest import utf16

    project = window.ctx.project
    text = ("Q: 😀😀 how was it?\nA: 👩\u200d💻 the triage form 🎉 was slow.\n"
            "Then e\u0301 中文 it improved 👍🏽 a lot.\n")
    f = tmp_path / "emoji.txt"
    f.write_text(text, encoding="utf-8")
    import_files(project, [f], CaseRule())
    sid = project.sources.by_name("emoji").id
    assert project.sources.text(sid) == text
    code = project.codes.find("Referral pathways/Quality of referrals")
    spans = {"alex": [("the triage", " was slow"), ("it improved", " a lot")], "sam": [("triage", " form")]}
    for coder, pairs in spans.items():
        for first, last in pairs:
            window.ctx.run(ApplyCode(sid, code.id, text.index(first), text.index(last) + len(last), coder=coder))
    view = _open_view(qtbot, window)
    assert view.select_code(code.id)
    _choose(view.source, data=sid)
    assert {d.who for d in view.diffs} == {"a", "both"}
    for pane, mine in ((view.pane_a, "a"), (view.pane_b, "b")):
        shown = [d for d in view.diffs if d.who in ("both", mine)]
        sels = pane.extraSelections()
        assert len(sels) == len(shown)
        for s, d in zip(sels, shown):
            assert (s.cursor.selectionStart(), s.cursor.selectionEnd()) == (utf16(text, d.start), utf16(text, d.end))
            assert s.cursor.selectedText().replace("\u2029", "\n") == text[d.start:d.end]
    assert "triage form" in [text[d.start:d.end] for d in view.diffs if d.who == "both"]
    for _ in view.disagreements():
        qtbot.mouseClick(view.findChild(QPushButton, "nextDifference"), Qt.LeftButton)
        d = view.disagreements()[view._diff_index]
        assert view.pane_a.textCursor().position() == utf16(text, d.start) == view.pane_b.textCursor().position()


def test_sentence_units_mark_whole_sentences(qtbot, window):
    view = _open_view(qtbot, window)
    _choose(view.unit, data="sentence")
    _settled(qtbot, view)
    project = window.ctx.project
    code = project.codes.find("Referral pathways/Quality of referrals")
    assert view.select_code(code.id)
    _choose(view.source, data=project.sources.by_name("LW01").id)
    text = project.sources.text(project.sources.by_name("LW01").id)
    for d in view.diffs:
        piece = text[d.start:d.end]
        assert piece[-1] in ".!?…\"'”’)" or d.end == len(text.rstrip())


def test_export_csv_and_docx(qtbot, window, tmp_path):
    view = _open_view(qtbot, window)
    out = finished(qtbot, view.export_to(tmp_path / "table.csv"))
    assert out is not None
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == "Code" and len(rows) == view.model.rowCount() + 1
    assert finished(qtbot, view.export_to(tmp_path / "table.docx")) is not None
    from docx import Document

    assert Document(str(tmp_path / "table.docx")).tables[0].rows[1].cells[0].text == " › ".join(view.model.row(0).code_path)
    assert finished(qtbot, view.export_to(tmp_path / "table.xyz")) is None
    assert "csv or .docx" in view.summary.text()
    assert not (tmp_path / "table.xyz").exists()


def test_view_follows_new_codings(qtbot, window):
    view = _open_view(qtbot, window)
    project = window.ctx.project
    code = project.codes.find("Patient outcomes/Community assets and gaps")
    before = view.model.row(view.model.row_of(code.id)).b_only
    sid = project.sources.by_name("GP02").id
    window.ctx.run(ApplyCode(sid, code.id, 0, 30, coder="sam"))
    _settled(qtbot, view)
    assert view.model.row(view.model.row_of(code.id)).b_only == before + 30
    window.actionUndo.trigger()
    _settled(qtbot, view)
    assert view.model.row(view.model.row_of(code.id)).b_only == before


def test_show_only_mine_and_stripes_by_coder(qtbot, window):
    wb = window.workbench
    sid = window.ctx.project.sources.by_name("LW01").id
    wb.open_source(sid)
    assert {c.coder for c in wb.view.codings} == {"alex", "sam"}
    _action(window, "actionShowCoders").trigger()
    dlg = window.findChild(QDialog, "showCodersDialog")
    assert dlg is not None and dlg.isVisible()
    dlg.mine_radio.setChecked(True)
    dlg.by_coder.setChecked(True)
    dlg.accept()
    assert window.ctx.visible_coders == ["alex"]
    assert {c.coder for c in wb.view.codings} == {"alex"}
    coder_colors = {c.name: c.color for c in window.ctx.project.coders.all()}
    assert {s.color for s in wb.view._stripes} == {coder_colors["alex"]}
    # a chosen set
    tools = window.findChild(QObject, "teamTools")
    tools.set_visible_coders(["sam"], by_coder=False)
    assert {c.coder for c in wb.view.codings} == {"sam"}
    code_colors = {c.id: c.color for c in window.ctx.project.codes.all()}
    assert {s.color for s in wb.view._stripes} == {code_colors[c.code_id] for c in wb.view.codings}
    # back to all
    _action(window, "actionShowCoders").trigger()
    dlg = window.findChildren(QDialog, "showCodersDialog")[-1]
    dlg.all_radio.setChecked(True)
    dlg.accept()
    assert window.ctx.visible_coders is None
    assert {c.coder for c in wb.view.codings} == {"alex", "sam"}


@pytest.fixture
def colleague_copy(demo_template, tmp_path):
    theirs = tmp_path / "colleague.qlite"
    shutil.copy(demo_template, theirs)
    with open_project(theirs, coder="kim") as p:
        sid = p.sources.by_name("GP03").id
        code = p.codes.find("Referral pathways/Quality of referrals")
        p.execute(ApplyCode(sid, code.id, 20, 90))
        p.execute(ApplyCode(sid, code.id, 120, 200))
    return theirs


def test_merge_a_colleagues_copy_and_undo(qtbot, window, colleague_copy):
    project = window.ctx.project
    before = project.codings.count()
    tools = window.findChild(QObject, "teamTools")
    assert _action(window, "actionMergeCopy").isEnabled()
    job = tools.merge_file(colleague_copy)
    qtbot.waitUntil(lambda: job.reported, timeout=30000)
    report = job.report
    assert report is not None and report.counts["codings_added"] == 2
    assert project.codings.count() == before + 2
    dlg = window.findChild(QDialog, "mergeReport")
    assert dlg is not None and dlg.isVisible()
    assert "2 codings added" in dlg.findChild(QPlainTextEdit, "mergeReportText").toPlainText()
    assert window.actionUndo.text() == "&Undo Merge colleague"
    window.actionUndo.trigger()
    assert project.codings.count() == before and project.coders.id_of("kim") is None
    window.actionRedo.trigger()
    assert project.codings.count() == before + 2


def test_merge_failure_leaves_project_unchanged(qtbot, window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]) or QMessageBox.Ok)
    bad = tmp_path / "broken.qlite"
    bad.write_text("not a project")
    before = window.ctx.project.codings.count()
    tools = window.findChild(QObject, "teamTools")
    job = tools.merge_file(bad)
    qtbot.waitUntil(lambda: job.reported, timeout=30000)
    assert job.report is None
    assert window.ctx.project.codings.count() == before
    assert shown and str(bad) in shown[0]
    assert not window.ctx.undo_stack.canUndo()


def test_actions_need_a_project(qtbot, window):
    for name in ("actionCoderComparison", "actionShowCoders", "actionMergeCopy"):
        assert _action(window, name).isEnabled()
    window.close_project()
    for name in ("actionCoderComparison", "actionShowCoders", "actionMergeCopy"):
        assert not _action(window, name).isEnabled()
