"""The coding workbench driven through real widgets (offscreen)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import QColorDialog, QInputDialog, QMessageBox, QTableView, QTreeView

from qualcoder_lite.core.changes import Changes
from qualcoder_lite.core.project import open_project
from tests.gui.conftest import finished, open_source, select_text, utf16


def _codings(path):
    with open_project(path) as p:
        return {(c.source_id, c.code_id, c.start, c.end, c.coder) for s in p.sources.all()
                for c in p.codings.for_source(s.id)}


def test_object_names_and_shortcuts(window):
    for name in ("sourceList", "transcriptView", "codeTree", "segmentTable"):
        assert window.findChild(QTreeView, name) or window.findChild(QTableView, name) or window.findChild(
            object, name), name
    for name in ("actionApplyCode", "actionNewCodeFromSelection", "actionUndo", "actionRedo"):
        action = getattr(window, name)
        assert action.objectName() == name
        assert not action.shortcut().isEmpty(), name
    assert window.actionUndo.shortcut().toString() == "Ctrl+Z"
    assert "Ctrl+Shift+Z" in [s.toString() for s in window.actionRedo.shortcuts()]


def test_title_and_saved_state(window, demo_file):
    assert window.windowTitle().startswith("demo")
    assert not window.isWindowModified()


def test_click_a_code_applies_it_and_undo_redo(qtbot, window, demo_file):
    wb = window.workbench
    project = wb.ctx.project
    sid = open_source(wb, "LW01")
    text = project.sources.text(sid)
    start = text.index("LW01:") + len("LW01: ")
    end = text.index("\n", start)
    select_text(wb.view, start, end)
    code = project.codes.find("Referral pathways/Quality of referrals")
    idx = wb.codes.proxy.mapFromSource(wb.codes.model.index_of(code.id))
    wb.codes.tree.scrollTo(idx)
    before = _codings(demo_file)
    qtbot.mouseClick(wb.codes.tree.viewport(), Qt.LeftButton, pos=wb.codes.tree.visualRect(idx).center())
    after = _codings(demo_file)  # written to the file at once
    new = after - before
    assert new == {(sid, code.id, start, end, "alex")}
    assert window.actionUndo.text().startswith("&Undo Apply")
    assert not window.isWindowModified()
    window.actionUndo.trigger()
    assert _codings(demo_file) == before
    window.actionRedo.trigger()
    assert _codings(demo_file) == after
    # the view shows the new coding as a highlight and a stripe
    assert any(c.start == start and c.end == end for c in wb.view.codings)


def test_double_click_codes_when_click_to_code_is_off(qtbot, window, demo_file):
    wb = window.workbench
    window.actionClickToCode.trigger()  # off
    assert wb.codes.click_to_code is False
    sid = open_source(wb, "GP01")
    select_text(wb.view, 10, 30)
    code = wb.ctx.project.codes.find("Data and evaluation/Recording activity")
    idx = wb.codes.proxy.mapFromSource(wb.codes.model.index_of(code.id))
    pos = wb.codes.tree.visualRect(idx).center()
    before = len(_codings(demo_file))
    qtbot.mouseClick(wb.codes.tree.viewport(), Qt.LeftButton, pos=pos)
    assert len(_codings(demo_file)) == before  # a plain click only selects
    qtbot.mouseDClick(wb.codes.tree.viewport(), Qt.LeftButton, pos=pos)
    text = wb.ctx.project.sources.text(sid)
    s, e = 10, 30
    while text[s].isspace():
        s += 1
    assert (sid, code.id, s, e, "alex") in _codings(demo_file)


def test_drag_selection_onto_code_via_mime(window, demo_file):
    wb = window.workbench
    sid = open_source(wb, "GP02")
    select_text(wb.view, 100, 150)
    mime = wb.view.createMimeDataFromSelection()
    code = wb.ctx.project.codes.find("Patient outcomes/Social prescribing successes") or \
        wb.ctx.project.codes.all()[1]
    target = wb.codes.model.index_of(code.id)
    assert wb.codes.model.canDropMimeData(mime, Qt.CopyAction, -1, -1, target)
    assert wb.codes.model.dropMimeData(mime, Qt.CopyAction, -1, -1, target)
    starts = {(c[0], c[1], c[2], c[3]) for c in _codings(demo_file)}
    sel = wb.view.selection_cp()
    assert (sid, code.id, sel[0], sel[1]) in starts


def test_pinned_key_and_quick_code(qtbot, window, demo_file):
    wb = window.workbench
    sid = open_source(wb, "LW02")
    code = wb.ctx.project.codes.find("Sustaining the role/Training and supervision")
    wb.codes.select_code(code.id)
    wb.codes.pin_current(3)
    assert wb.codes.model.pinned()[2] == code.id
    select_text(wb.view, 200, 240)
    wb.view.setFocus()
    qtbot.keyClick(wb.view, Qt.Key_3)
    sel = wb.view.selection_cp()
    assert (sid, code.id, sel[0], sel[1], "alex") in _codings(demo_file)
    # Ctrl+K: type to filter, Enter applies
    select_text(wb.view, 300, 340)
    dlg = window.quick_code()
    qtbot.keyClicks(dlg.edit, "burnout")
    assert dlg.list.count() >= 1
    qtbot.keyClick(dlg.edit, Qt.Key_Return)
    burnout = wb.ctx.project.codes.find("Sustaining the role/Burnout and wellbeing")
    sel = wb.view.selection_cp()
    assert (sid, burnout.id, sel[0], sel[1], "alex") in _codings(demo_file)


def test_quick_code_creates_a_new_code(qtbot, window, demo_file):
    wb = window.workbench
    open_source(wb, "LW02")
    select_text(wb.view, 400, 450)
    dlg = window.quick_code()
    qtbot.keyClicks(dlg.edit, "Brand new idea")
    assert "New code" in dlg.list.item(dlg.list.count() - 1).text()
    dlg.list.setCurrentRow(dlg.list.count() - 1)
    qtbot.keyClick(dlg.edit, Qt.Key_Return)
    new = wb.ctx.project.codes.find(["Brand new idea"])
    assert new is not None
    assert any(c[1] == new.id for c in _codings(demo_file))


def test_new_code_from_selection_in_vivo_and_undo(window, demo_file):
    wb = window.workbench
    sid = open_source(wb, "GP03")
    text = wb.ctx.project.sources.text(sid)
    phrase = "permanent post"
    start = text.index(phrase)
    select_text(wb.view, start, start + len(phrase))
    before_codes = wb.ctx.project.codes.count()
    window.actionNewCodeFromSelection.trigger()
    code = wb.ctx.project.codes.find([phrase])
    assert code is not None
    assert (sid, code.id, start, start + len(phrase), "alex") in _codings(demo_file)
    window.actionUndo.trigger()  # one step removes both the code and the coding
    assert wb.ctx.project.codes.count() == before_codes
    assert wb.ctx.project.codes.find([phrase]) is None


def test_emoji_and_newline_selection_round_trip(tmp_path, qtbot, window):
    from qualcoder_lite.core.services.sources.importing import CaseRule, import_files

    text = "P1: Line one 😀 with emoji\nsecond line é\u0301 中文 😀😀 end.\n\nP2: other 👍🏽 words.\n"
    f = tmp_path / "emoji.txt"
    f.write_text(text, encoding="utf-8")
    project = window.ctx.project
    import_files(project, [f], CaseRule())
    window.ctx.changed.emit(Changes(tables={"sources"}))
    wb = window.workbench
    sid = open_source(wb, "emoji")
    start = text.index("😀 with")
    end = text.index(" end.")
    select_text(wb.view, start, end)
    assert wb.view.selection_cp() == (start, end)
    # what Qt thinks is selected (UTF-16, U+2029 for newlines) is not what we store
    assert wb.view.textCursor().selectedText() != text[start:end]
    wb.codes.select_code(project.codes.all()[0].id)
    window.actionApplyCode.trigger()
    stored = [c for c in project.codings.for_source(sid)]
    assert len(stored) == 1
    # the selected text as stored: the project's own text cut at the stored code points
    stored_text = project.sources.text(sid)
    assert stored_text == text
    assert (stored[0].start, stored[0].end) == (start, end)
    assert stored_text[stored[0].start:stored[0].end] == "😀 with emoji\nsecond line é\u0301 中文 😀😀"
    from qualcoder_lite.core.services.quotes.segments import segments

    (seg,) = segments(project, source_ids={sid})
    assert seg.text == "😀 with emoji\nsecond line é\u0301 中文 😀😀"
    # the highlight covers exactly the coded characters in Qt's units
    sels = wb.view.extraSelections()
    cur = sels[-1].cursor
    assert (cur.selectionStart(), cur.selectionEnd()) == (utf16(text, start), utf16(text, end))
    assert cur.selectedText().replace("\u2029", "\n") == text[start:end]


def test_snap_to_words(window):
    wb = window.workbench
    sid = open_source(wb, "LW01")
    text = wb.ctx.project.sources.text(sid)
    i = text.index("referral")
    window.actionSnapWords.trigger()
    select_text(wb.view, i + 2, i + 5)
    s, e = wb.view.selection_cp()
    assert text[s:e] == text[i:e] and not text[e].isalnum() and text[s:e].startswith("referral")


def test_remove_and_adjust_coding_from_context_menu(window, demo_file):
    wb = window.workbench
    sid = open_source(wb, "LW01")
    coding = wb.view.codings[0]
    mid = (coding.start + coding.end) // 2
    select_text(wb.view, coding.start, coding.end + 5)
    pos = wb.view.cursorRect(wb.view._cursor(mid, mid)).center()
    menu = wb.build_view_menu(pos)
    sub = [a for a in menu.actions() if a.menu() and a.text().startswith("Coding:")][0].menu()
    adjust = [a for a in sub.actions() if a.text().startswith("Set boundaries")][0]
    adjust.trigger()
    assert (sid, coding.code_id, coding.start, coding.end + 5 if not wb.ctx.project.sources.text(sid)[
        coding.end + 4].isspace() else coding.end + 4, coding.coder) in _codings(demo_file) or any(
        c[2] == coding.start and c[1] == coding.code_id and c[3] > coding.end for c in _codings(demo_file))
    menu = wb.build_view_menu(pos)
    sub = [a for a in menu.actions() if a.menu() and a.text().startswith("Coding:")][0].menu()
    [a for a in sub.actions() if a.text() == "Remove coding"][0].trigger()
    assert not any(c[1] == coding.code_id and c[2] == coding.start and c[0] == sid and c[4] == coding.coder
                   for c in _codings(demo_file))
    window.actionUndo.trigger()
    window.actionUndo.trigger()
    assert (sid, coding.code_id, coding.start, coding.end, coding.coder) in _codings(demo_file)


def test_stripes_hover_and_click(qtbot, window):
    wb = window.workbench
    open_source(wb, "LW03")
    qtbot.wait(10)
    stripes = wb.view.visible_stripes(wb.view.margin.height())
    assert stripes, "codings in view draw stripes"
    stripe, rect = stripes[0]
    assert wb.view.stripe_at(rect.center()).coding.id == stripe.coding.id
    assert stripe.label.startswith(wb.view.code_names[stripe.coding.code_id])
    qtbot.mouseClick(wb.view.margin, Qt.LeftButton, pos=rect.center())
    assert wb.view.selected_coding_id == stripe.coding.id
    assert wb.view.selection_cp() == (stripe.coding.start, stripe.coding.end)


def test_overlapping_codings_get_two_lanes(window):
    from qualcoder_lite.core.services.coding.coding import ApplyCode

    wb = window.workbench
    sid = open_source(wb, "GP01")
    codes = wb.ctx.project.codes.all()
    window.ctx.run(ApplyCode(sid, codes[1].id, 50, 120))
    window.ctx.run(ApplyCode(sid, codes[2].id, 80, 160))
    lanes = {}
    for s in wb.view._stripes:
        if (s.coding.start, s.coding.end) in ((50, 120), (80, 160)):
            lanes[s.coding.start] = s.lane
    assert len(lanes) == 2 and lanes[50] != lanes[80]


def test_find_in_text(qtbot, window):
    wb = window.workbench
    sid = open_source(wb, "LW03")
    window.actionFind.trigger()
    assert wb.find_bar.isVisible()
    qtbot.keyClicks(wb.find_bar.edit, "Siobh")  # QTest cannot type non-ASCII keys
    wb.find_bar.edit.insert("án")
    qtbot.keyClick(wb.find_bar.edit, Qt.Key_Return)
    s, e = wb.view.selection_cp()
    assert wb.ctx.project.sources.text(sid)[s:e] == "Siobhán"


def test_code_tree_create_rename_recolour_describe_memo(qtbot, window, monkeypatch):
    codes = window.workbench.codes
    project = window.ctx.project
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Fresh theme", True))
    codes.new_code(None)
    fresh = project.codes.find(["Fresh theme"])
    assert fresh is not None
    # rename through the tree's editor (F2, type, Enter)
    codes.select_code(fresh.id)
    codes.tree.setFocus()
    qtbot.keyClick(codes.tree, Qt.Key_F2)
    editor = codes.tree.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "Renamed theme")
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.waitUntil(lambda: project.codes.get(fresh.id).name == "Renamed theme")  # the editor commits
    from PySide6.QtGui import QColor

    monkeypatch.setattr(QColorDialog, "getColor", lambda *a, **k: QColor("#123456"))
    codes.recolor_current()
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("A description", True))
    codes.describe_current()
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("The code summary", True))
    codes.memo_current()
    c = project.codes.get(fresh.id)
    assert (c.name, c.color, c.description, c.memo) == ("Renamed theme", "#123456", "A description",
                                                         "The code summary")
    for _ in range(5):
        window.actionUndo.trigger()
    assert project.codes.find(["Fresh theme"]) is None and project.codes.find(["Renamed theme"]) is None


def test_move_code_by_drag_and_drop(window):
    model = window.workbench.codes.model
    project = window.ctx.project
    leaf = project.codes.find("Referral pathways/Waiting lists and triage")
    target = project.codes.find("Sustaining the role")
    mime = model.mimeData([model.index_of(leaf.id)])
    assert model.dropMimeData(mime, Qt.MoveAction, -1, -1, model.index_of(target.id))
    assert project.codes.find("Sustaining the role/Waiting lists and triage").id == leaf.id
    window.actionUndo.trigger()
    assert project.codes.find("Referral pathways/Waiting lists and triage").id == leaf.id


def test_merge_and_delete_ask_and_undo(window, monkeypatch, demo_file):
    codes = window.workbench.codes
    project = window.ctx.project
    a = project.codes.find("Referral pathways/Quality of referrals")
    b = project.codes.find("Referral pathways/Routes into the service")
    n_a = len(project.codings.ids_for_codes([a.id]))
    n_b = len(project.codings.ids_for_codes([b.id]))
    codes.select_code(a.id)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a_, **k: (b.display_path, True))
    codes.merge_current()
    assert project.codes.find("Referral pathways/Quality of referrals") is None
    assert len(project.codings.ids_for_codes([b.id])) == n_a + n_b  # no identical pairs in the demo
    window.actionUndo.trigger()
    assert project.codes.find("Referral pathways/Quality of referrals") is not None
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a_, **k: asked.append(a_[2]) or QMessageBox.No)
    codes.select_code(a.id)
    codes.delete_current()
    assert asked and "coding" in asked[0]
    assert project.codes.find("Referral pathways/Quality of referrals") is not None
    monkeypatch.setattr(QMessageBox, "question", lambda *a_, **k: QMessageBox.Yes)
    codes.delete_current()
    assert project.codes.find("Referral pathways/Quality of referrals") is None
    window.actionUndo.trigger()
    assert len(project.codings.ids_for_codes([a.id])) == n_a


def test_code_counts_and_filter(window):
    codes = window.workbench.codes
    project = window.ctx.project
    counts = project.codes.counts()
    code = project.codes.find("Sustaining the role/Burnout and wellbeing")
    idx = codes.model.index_of(code.id)
    assert int(codes.model.data(idx.siblingAtColumn(1))) == counts[code.id][0]
    assert int(codes.model.data(idx.siblingAtColumn(2))) == counts[code.id][1]
    codes.filter.setText("burnout")
    visible = []

    def walk(parent):
        for r in range(codes.proxy.rowCount(parent)):
            i = codes.proxy.index(r, 0, parent)
            visible.append(i.data(Qt.EditRole))
            walk(i)

    walk(QModelIndex())
    assert "Burnout and wellbeing" in visible and "Referral pathways" not in visible
    # the filter matches the name as the tree shows it, with its pinned key
    codes.select_code(code.id)
    codes.pin_current(3)
    codes.filter.setText("[3]")
    visible.clear()
    walk(QModelIndex())
    assert "Burnout and wellbeing" in visible and "Referral pathways" not in visible


def test_retrieval_filter_jump_and_memo(qtbot, window):
    wb = window.workbench
    project = window.ctx.project
    code = project.codes.find("Working with practices/Relationships with GPs")
    wb.codes.select_code(code.id)
    table = wb.retrieval.table
    n = len(project.codings.ids_for_codes([code.id]))
    assert wb.retrieval.model.rowCount() == n
    headers = [wb.retrieval.model.headerData(i, Qt.Horizontal) for i in range(wb.retrieval.model.columnCount())]
    assert headers[:4] == ["Case", "Source", "Code", "Quote"] and "wave" in headers
    # filter by attribute
    i = wb.retrieval.filter.findData("wave=2023")
    wb.retrieval.filter.setCurrentIndex(i)
    wave_col = headers.index("wave")
    rows = wb.retrieval.model.rowCount()
    assert 0 < rows < n
    assert all(wb.retrieval.model.index(r, wave_col).data() == "2023" for r in range(rows))
    # double-click jumps to the passage
    idx = wb.retrieval.model.index(0, 3)
    seg = wb.retrieval.model.segment(0)
    table.scrollTo(idx)
    pos = table.visualRect(idx).center()
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=pos)  # a double-click starts with a press
    qtbot.mouseDClick(table.viewport(), Qt.LeftButton, pos=pos)
    assert wb.view.source_id == seg.source_id
    assert wb.view.selection_cp() == (seg.start, seg.end)
    # the memo is editable there (and undoable)
    memo = wb.retrieval.model.index(0, 5)
    assert wb.retrieval.model.setData(memo, "check with sam")
    assert project.codings.get(seg.coding_id).memo == "check with sam"
    window.actionUndo.trigger()
    assert project.codings.get(seg.coding_id).memo == seg.memo


def test_search_and_code_all_hits_in_one_step(qtbot, window, demo_file):
    wb = window.workbench
    project = window.ctx.project
    window.actionSearchAll.trigger()
    qtbot.keyClicks(wb.search.query, "contract*")
    qtbot.keyClick(wb.search.query, Qt.Key_Return)
    hits = wb.search.hits
    assert len(hits) >= 3
    for h in hits:
        assert project.sources.text(h.source_id)[h.start:h.end].lower().startswith("contract")
    code = project.codes.find("Sustaining the role/Funding and job security/Short-term contracts")
    wb.codes.select_code(code.id)
    before = len(_codings(demo_file))
    wb.search.code_all.click()
    added = len(_codings(demo_file)) - before
    assert 0 < added <= len(hits)
    window.actionUndo.trigger()  # one step
    assert len(_codings(demo_file)) == before
    # selected hits only
    wb.search.results.selectionModel().select(wb.search.model.index(0), QItemSelectionModel.Select)
    wb.search.code_selected.click()
    assert len(_codings(demo_file)) == before + 1


def test_sources_grouped_and_filtered_by_attribute(window):
    panel = window.workbench.sources
    project = window.ctx.project
    panel.group.setCurrentIndex(panel.group.findData("attr:wave"))
    heads = [panel.model.item(r, 0).text() for r in range(panel.model.rowCount())]
    assert heads == ["2019", "2023"]
    panel.group.setCurrentIndex(panel.group.findData("case"))
    panel.show_only.setCurrentIndex(panel.show_only.findData("wave=2023"))
    shown = {project.sources.get(i).name for i in panel.visible_source_ids()}
    assert shown == {"LW03", "LW04", "GP03", "GP04"}
    # coding counts beside each source
    first = panel.model.item(0, 0).child(0, 1)
    name = panel.model.item(0, 0).child(0, 0).text()
    assert int(first.text()) == project.sources.by_name(name).codings


def test_keyboard_only_select_code_retrieve(qtbot, window, demo_file):
    wb = window.workbench
    sid = open_source(wb, "LW04")
    view = wb.view
    # go to the transcript, move and select with the keyboard
    qtbot.keyClick(window, Qt.Key_2, Qt.AltModifier)
    assert view.hasFocus()
    qtbot.keyClick(view, Qt.Key_Home, Qt.ControlModifier)
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key_Down)
    qtbot.keyClick(view, Qt.Key_End, Qt.ShiftModifier)
    sel = view.selection_cp()
    assert sel is not None
    # Ctrl+K, type, Enter
    qtbot.keyClick(view, Qt.Key_K, Qt.ControlModifier)
    dlg = window._quick
    qtbot.keyClicks(dlg.edit, "Reported reality")
    qtbot.keyClick(dlg.edit, Qt.Key_Return)
    code = window.ctx.project.codes.find("Change over time/Expectations vs reality/Reported reality")
    assert (sid, code.id, sel[0], sel[1], "alex") in _codings(demo_file)
    # retrieve: go to the code tree, pick the code with arrow keys; the table follows
    qtbot.keyClick(window, Qt.Key_3, Qt.AltModifier)
    assert wb.codes.tree.hasFocus()
    wb.codes.select_code(code.id)
    qtbot.keyClick(window, Qt.Key_4, Qt.AltModifier)
    table = wb.retrieval.table
    assert table.hasFocus()
    assert wb.retrieval.model.rowCount() == len(window.ctx.project.codings.ids_for_codes([code.id]))
    table.setCurrentIndex(wb.retrieval.model.index(0, 3))
    qtbot.keyClick(table, Qt.Key_Return)
    seg = wb.retrieval.model.segment(0)
    assert view.selection_cp() == (seg.start, seg.end)


def test_model_testers(qtmodeltester, window):
    wb = window.workbench
    qtmodeltester.check(wb.codes.model)
    wb.codes.select_code(window.ctx.project.codes.find("Working with practices/Relationships with GPs").id)
    qtmodeltester.check(wb.retrieval.model)
    qtmodeltester.check(wb.sources.model)
    window.show_view("matrix")
    qtmodeltester.check(window.matrix.model)


def test_source_context_actions_rename_cases_kind_delete(window, monkeypatch):
    panel = window.workbench.sources
    project = window.ctx.project
    sid = open_source(window.workbench, "GP01")
    panel.select_source(sid)
    assert panel.rename_current("GP01 interview")
    assert project.sources.get(sid).name == "GP01 interview"
    assert panel.set_cases_current(["GP01", "Practice A"])
    assert project.sources.get(sid).cases == ("GP01", "Practice A")
    assert panel.set_kind_current("notes") and project.sources.get(sid).kind == "notes"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    panel.select_source(sid)
    n = project.sources.get(sid).codings
    assert n > 0 and panel.delete_current()
    assert project.sources.get(sid) is None
    assert window.workbench.view.source_id is None  # the open transcript is closed
    window.actionUndo.trigger()
    assert project.sources.get(sid).codings == n


def test_retrieval_export_and_split(tmp_path, window, qtbot):
    import openpyxl

    wb = window.workbench
    project = window.ctx.project
    code = project.codes.find("Working with practices/Relationships with GPs")
    wb.codes.select_code(code.id)
    n = wb.retrieval.model.rowCount()
    out = finished(qtbot, wb.retrieval.export(str(tmp_path / "segments.xlsx")))
    ws = openpyxl.load_workbook(out).active
    assert ws.max_row == n + 1 and ws["A1"].value == "Case" and ws["F1"].value == "Quote"
    assert ws["F2"].value == wb.retrieval.model.quote(0).text  # as the table shows it (the renderer)
    assert ws["F2"].value == wb.retrieval.model.index(0, 3).data()
    assert finished(qtbot, wb.retrieval.export(str(tmp_path / "segments.docx")))
    # split the first two segments into a new sub-code
    wb.retrieval.table.selectRow(0)
    from PySide6.QtCore import QItemSelectionModel

    wb.retrieval.table.selectionModel().select(wb.retrieval.model.index(1, 0),
                                               QItemSelectionModel.Select | QItemSelectionModel.Rows)
    assert wb.retrieval.split_selected("GPs as gatekeepers")
    new = project.codes.find("Working with practices/Relationships with GPs/GPs as gatekeepers")
    assert len(project.codings.ids_for_codes([new.id])) == 2
    assert len(project.codings.ids_for_codes([code.id])) == n - 2
    window.actionUndo.trigger()
    assert len(project.codings.ids_for_codes([code.id])) == n


def test_drops_from_another_project_window_are_refused(qtbot, window, tmp_path, demo_template):
    import shutil

    from qualcoder_lite.gui.main_window import MainWindow

    other_path = tmp_path / "other.qlite"
    shutil.copy(demo_template, other_path)
    other = MainWindow(coder="alex")
    qtbot.addWidget(other)
    assert other.open_path(other_path)
    open_source(other.workbench, "GP01")
    select_text(other.workbench.view, 0, 30)
    mime = other.workbench.view.createMimeDataFromSelection()
    model = window.workbench.codes.model
    before = window.ctx.project.codings.count()
    code = window.ctx.project.codes.all()[1]
    assert not model.dropMimeData(mime, Qt.CopyAction, -1, -1, model.index_of(code.id))
    assert window.ctx.project.codings.count() == before
    codes_mime = other.workbench.codes.model.mimeData([other.workbench.codes.model.index_of(code.id)])
    assert not model.dropMimeData(codes_mime, Qt.MoveAction, -1, -1, model.index_of(window.ctx.project.codes.all()[0].id))
    from PySide6.QtCore import QMimeData

    junk = QMimeData()
    junk.setData("application/x-qualcoder-lite-code", b"not json")
    assert not model.dropMimeData(junk, Qt.MoveAction, -1, -1, QModelIndex())
    other.close_project()


def test_codebook_view_model(qtmodeltester, window):
    window.actionViewCodebook.trigger()
    qtmodeltester.check(window.codebook.model)
    names = []

    def walk(item):
        for r in range(item.rowCount()):
            names.append(item.child(r, 0).text())
            walk(item.child(r, 0))

    walk(window.codebook.model.invisibleRootItem())
    assert names == [c.name for c in window.ctx.project.codes.all()]
