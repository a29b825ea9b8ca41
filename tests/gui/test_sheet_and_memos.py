"""The attribute sheet and the journal/memos dialog, driven through their widgets."""

from __future__ import annotations

import openpyxl


def test_attribute_sheet_edit_add_import_undo(qtbot, qtmodeltester, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from qualcoder_lite.gui.attribute_sheet import open_sheet

    window.actionAttributeSheet.trigger()
    sheet = window._attribute_sheet
    qtmodeltester.check(sheet.model)
    project = window.ctx.project
    m = sheet.model
    col = [a.name for a in m.attributes].index("years_in_post")
    row = [name for _id, name in m.rows].index("LW04")
    idx = m.index(row, col)
    assert m.data(idx) == ""  # the demo leaves it empty
    assert m.setData(idx, "3")
    assert project.attributes.case_values()[project.cases.id_of("LW04")]["years_in_post"] == "3"
    assert not m.setData(m.index(row, col), "three")  # not a number: refused, message shown
    assert "not a valid number" in sheet.status.text()
    window.actionUndo.trigger()
    assert "years_in_post" not in project.attributes.case_values()[project.cases.id_of("LW04")]
    assert sheet.add_attribute("interview_date", "date")
    assert "interview_date" in [a.name for a in sheet.model.attributes]
    # import an Excel sheet
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["case", "consented"])
    ws.append(["LW01", True])
    ws.append(["NEW01", False])
    wb.save(tmp_path / "extra.xlsx")
    asked = []  # NEW01 is no case of the demo: the app asks before creating it
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.Yes)
    assert sheet.import_file(str(tmp_path / "extra.xlsx"))
    assert len(asked) == 1 and "NEW01" in asked[0]
    assert project.cases.id_of("NEW01") is not None
    assert {a.name: a.type for a in project.attributes.all()}["consented"] == "boolean"
    sheet.kind.setCurrentIndex(1)  # attributes of sources
    assert sheet.model.rowCount() == 8
    assert open_sheet(window) is not None


def test_journal_and_memos(qtbot, window):
    window.actionMemos.trigger()
    dlg = window._memos_dialog
    project = window.ctx.project
    n = len(project.memos.list("journal"))
    assert dlg.list.count() == n >= 3  # the demo journal
    dlg.new_memo()
    qtbot.keyClicks(dlg.title, "2026-11-23")
    qtbot.keyClicks(dlg.body, "Merged the two referral codes after talking to Sam.")
    assert dlg.save()
    assert len(project.memos.list("journal")) == n + 1
    dlg.kind.setCurrentIndex(dlg.kind.findData("case"))
    dlg.target.setCurrentIndex(dlg.target.findText("GP03"))
    dlg.new_memo()
    qtbot.keyClicks(dlg.body, "Talks about three link workers in five years.")
    assert dlg.save()
    (memo,) = project.memos.list("case")
    assert memo.target_id == project.cases.id_of("GP03") and memo.coder == "alex"
    dlg.list.setCurrentRow(0)
    dlg.body.setPlainText("Edited memo.")
    assert dlg.save()
    assert project.memos.list("case")[0].body == "Edited memo."
    window.actionUndo.trigger()
    assert project.memos.list("case")[0].body.startswith("Talks about")
