"""Quotes in the screens: the matrix view's quote panel, the retrieval table and its exports
and the report preview show the same quotes as the files (tests/formats/test_quotes_agree.py);
a quote is edited from the retrieval table (context menu and the quote cell) and from the
report preview, undoably; the quote style is chosen in the report dialog and remembered."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QAbstractItemView, QDialog

from qualcoder_lite.core.project import new_project, open_project
from qualcoder_lite.core.services.quotes.quoting import Quoter
from qualcoder_lite.core.services.quotes.segments import segments
from qualcoder_lite.gui import quote_edit_dialog
from tests import quote_study as qs
from tests.gui.conftest import finished


@pytest.fixture
def study_file(tmp_path):
    path = tmp_path / "study.qlite"
    with new_project(path, coder="ann") as p:
        qs.build(p)
    return path


@pytest.fixture
def window(qtbot, study_file):
    from qualcoder_lite.gui.main_window import MainWindow

    w = MainWindow(coder="ann")
    qtbot.addWidget(w)
    assert w.open_path(study_file, coder="ann")
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close_project()


def _code_ids(project) -> list[int]:
    return [project.codes.find(c).id for c in qs.CODES]


def _expected_cells() -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for code, rows in qs.EXPECTED.items():
        for quote, cite in rows:
            out.setdefault((cite.strip("()").split(",")[0], code.split("/")[-1]), []).append(f"{quote} {cite}")
    return out


def _show_retrieval(window):
    wb = window.workbench
    window.show_view("workbench")
    wb.tabs.setCurrentWidget(wb.retrieval)
    wb.retrieval.show_codes(_code_ids(window.ctx.project))
    return wb.retrieval


def test_the_screens_show_the_quotes_the_files_print(qtbot, window, tmp_path):
    project = window.ctx.project
    # -- the matrix view's quote panel (columns per code, sub-codes not rolled up) ------
    window.actionViewMatrix.trigger()
    m = window.matrix
    m.roll.setChecked(False)
    m.set_columns(_code_ids(project))
    shown: dict[tuple[str, str], list[str]] = {}
    for line in range(m.model.rowCount()):
        row = m.model.row_of(line)
        for col in range(m.model.columnCount()):
            m.table.setCurrentIndex(m.model.index(line, col))
            lines = [m.quotes.item(i).text().split("\n")[0] for i in range(m.quotes.count())]
            if lines:
                shown[(row.name, m.model.matrix.columns[col].name)] = lines
    assert shown == _expected_cells()

    # -- the retrieval table and its three exports ----------------------------------
    panel = _show_retrieval(window)
    model = panel.model
    segs = [model.segment(r) for r in range(model.rowCount())]
    assert sorted(s.coding_id for s in segs) == sorted(s.coding_id for s in segments(project))
    per_coding = {s.coding_id: Quoter(project).coding_quote(s) for s in segs}
    table = [model.index(r, 3).data() for r in range(model.rowCount())]
    assert table == [per_coding[s.coding_id].text for s in segs]
    assert qs.C_TEXT in table and qs.D_TEXT in table and qs.E_TEXT in table  # as the report prints them
    # the tooltip keeps the coded text, exactly
    assert [model.index(r, 3).data(Qt.ToolTipRole).split("Coded text:\n")[-1] for r in range(len(segs))] == [
        s.text for s in segs]
    expected_rows = [(s.display_path, s.start, s.end, per_coding[s.coding_id].text) for s in segs]
    for ext in ("csv", "xlsx"):
        out = finished(qtbot, panel.export(str(tmp_path / f"segments.{ext}"), confirmed=True))
        assert qs.segments_table(out) == expected_rows
    out = finished(qtbot, panel.export(str(tmp_path / "segments.docx"), confirmed=True))
    docx_rows = qs.segments_docx(out)
    assert [(c, q) for c, q, _ in docx_rows] == [(s.display_path, per_coding[s.coding_id].quote.quoted) for s in segs]
    assert all(set(i) == {n for n in qs.NOTES if n in q} for _c, q, i in docx_rows)

    # -- the report dialog's preview --------------------------------------------------
    from qualcoder_lite.gui.report_dialog import open_report_dialog

    dlg = open_report_dialog(window)
    qtbot.addWidget(dlg)
    for path, item in dlg.code_items.items():
        item.setCheckState(0, Qt.Checked if path == "Money" else Qt.Unchecked)
    dlg.refresh_preview()
    preview = dlg.preview.toPlainText()
    for quote, cite in qs.EXPECTED["Money"]:
        assert quote in preview and cite in preview
    assert _italic_fragments(dlg.preview.document()) == ["[laughs]"]  # the note, and nothing else
    dlg.reject()


def _italic_fragments(doc) -> list[str]:
    out = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().fontItalic():
                out.append(fragment.text())
            it += 1
        block = block.next()
    return out


def _accept_with(text: str, monkeypatch, qtbot, seen: dict):
    """Let the quote editor run offscreen: type ``text`` into it and press OK."""

    def exec_(dialog):
        seen["original"] = dialog.original.toPlainText()
        seen["start"] = dialog.editor.toPlainText()
        dialog.editor.selectAll()
        qtbot.keyClick(dialog.editor, Qt.Key_Delete)
        qtbot.keyClicks(dialog.editor, text)
        seen["preview"] = dialog.preview.text()
        return QDialog.Accepted

    monkeypatch.setattr(quote_edit_dialog.QuoteEditDialog, "exec", exec_)


def test_edit_a_quote_from_the_retrieval_table_context_menu_and_undo(qtbot, window, monkeypatch):
    project = window.ctx.project
    panel = _show_retrieval(window)
    model = panel.model
    row = next(r for r in range(model.rowCount()) if model.index(r, 3).data() == qs.E_TEXT)
    seg = model.segment(row)
    seen: dict = {}
    _accept_with("It's the contract [for link workers] [...] Nobody knows.", monkeypatch, qtbot, seen)
    pos = panel.table.visualRect(model.index(row, 3)).center()
    menu = panel.context_menu(pos)
    (action,) = [a for a in menu.actions() if a.text() == "Edit quote…"]
    action.trigger()
    # the editor showed the coded text and started from it (no style applied to what is stored)
    assert seen["original"] == seg.text and seen["start"] == "It's the contract, isn't it? Nobody knows what happens " \
                                                              "in March."
    assert seen["preview"] == "‘It’s the contract [for link workers] […] Nobody knows.’"  # bjgp, as printed
    stored = "It's the contract [for link workers] [...] Nobody knows."  # as typed; printed with […]
    assert project.codings.get(seg.coding_id).quote_edit == stored
    assert project.sources.text(seg.source_id)[seg.start:seg.end] == seg.text  # the original is kept
    qtbot.waitUntil(lambda: model.index(row, 3).data() == "It’s the contract [for link workers] […] Nobody knows.")
    assert model.index(row, 3).data(Qt.ToolTipRole).startswith("Edited quote")
    # the matrix and the report print the edited form too
    from qualcoder_lite.core.services.quotes.quotes import ReportOptions
    from qualcoder_lite.core.services.quotes.report_build import build_report

    report = build_report(project, ReportOptions(codes=["Money"], quote_style="bjgp"))
    assert "‘It’s the contract [for link workers] […] Nobody knows.’" in [q.quoted for q in report.tables[0].quotes]
    assert window.actionUndo.text() == "&Undo Edit quote"
    window.actionUndo.trigger()
    assert project.codings.get(seg.coding_id).quote_edit is None
    qtbot.waitUntil(lambda: model.index(row, 3).data() == qs.E_TEXT)
    window.actionRedo.trigger()
    assert project.codings.get(seg.coding_id).quote_edit == stored


def test_edit_a_quote_in_its_cell_with_f2_and_double_click_still_jumps(qtbot, window):
    project = window.ctx.project
    panel = _show_retrieval(window)
    model, table = panel.model, panel.table
    row = next(r for r in range(model.rowCount()) if model.index(r, 3).data() == qs.C_TEXT)
    seg = model.segment(row)
    idx = model.index(row, 3)
    table.setFocus()
    table.setCurrentIndex(idx)
    qtbot.keyClick(table, Qt.Key_F2)
    editor = table.focusWidget()
    assert editor is not table and table.state() == QAbstractItemView.EditingState
    # the cell's editor starts from the coded passage with the structure applied, no style
    assert editor.text() == "And the GPs--they came round, eventually. [inaudible 00:12] We got there."
    editor.selectAll()
    qtbot.keyClicks(editor, "And the GPs [in the cluster] came round [...]")
    qtbot.keyClick(editor, Qt.Key_Return)  # the delegate commits a moment later
    qtbot.waitUntil(lambda: project.codings.get(seg.coding_id).quote_edit == "And the GPs [in the cluster] came "
                                                                             "round [...]")
    qtbot.waitUntil(lambda: model.index(row, 3).data() == "And the GPs [in the cluster] came round […]")
    window.actionUndo.trigger()
    assert project.codings.get(seg.coding_id).quote_edit is None
    # a double-click on the quote cell opens the passage, not an editor
    other = model.index(0, 3)
    pos = table.visualRect(other).center()
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=pos)
    qtbot.mouseDClick(table.viewport(), Qt.LeftButton, pos=pos)
    s0 = model.segment(0)
    assert table.state() != QAbstractItemView.EditingState
    assert window.workbench.view.source_id == s0.source_id
    assert window.workbench.view.selection_cp() == (s0.start, s0.end)


def test_edit_a_quote_from_the_report_preview(qtbot, window, monkeypatch):
    from qualcoder_lite.gui.report_dialog import open_report_dialog

    project = window.ctx.project
    dlg = open_report_dialog(window)
    qtbot.addWidget(dlg)
    for path, item in dlg.code_items.items():
        item.setCheckState(0, Qt.Checked if path == "Change/Reforms" else Qt.Unchecked)
    dlg.refresh_preview()
    (quote,) = dlg._preview_quotes.values()
    assert f"quote:{quote.coding_id}" in dlg.preview.toHtml()
    seen: dict = {}
    _accept_with("Honestly? It was \"chaos\" at first [...] But the link workers held it together.",
                 monkeypatch, qtbot, seen)
    dlg.preview.anchorClicked.emit(QUrl(f"quote:{quote.coding_id}"))
    # the merged passage (two coders) was the starting point, interviewer turn cut
    assert seen["start"].endswith("They did. […] And the GPs--they came round, eventually. [inaudible 00:12] "
                                  "We got there.")
    qtbot.waitUntil(lambda: "‘Honestly? It was “chaos” at first […] But the link workers held it together.’"
                    in dlg.preview.toPlainText())
    assert project.codings.get(quote.coding_id).quote_edit is not None
    window.actionUndo.trigger()
    assert project.codings.get(quote.coding_id).quote_edit is None
    dlg.reject()


def test_the_quote_style_is_chosen_in_the_report_dialog_and_remembered(qtbot, window, study_file):
    from qualcoder_lite.gui.report_dialog import open_report_dialog

    panel = _show_retrieval(window)
    model = panel.model
    row = next(r for r in range(model.rowCount()) if model.index(r, 3).data() == qs.C_TEXT)
    dlg = open_report_dialog(window)
    qtbot.addWidget(dlg)
    assert dlg.quote_style.currentData() == "bjgp"  # the project's remembered choice
    dlg.quote_style.setCurrentIndex(dlg.quote_style.findData("apa"))
    dlg.keep_times.setChecked(True)
    dlg.refresh_preview()
    assert "“" in dlg.preview.toPlainText()
    dlg.reject()  # closing remembers the choice ...
    with open_project(study_file, read_only=True) as p:
        saved = p.settings.get("report_options")
    assert saved["quote_style"] == "apa" and saved["keep_times"] is True
    # ... and every screen prints quotes that way at once
    qtbot.waitUntil(lambda: model.index(row, 3).data() == "And the GPs – they came round, eventually. "
                                                          "[inaudible 00:12] We got there.")
    again = open_report_dialog(window)
    qtbot.addWidget(again)
    assert again.quote_style.currentData() == "apa" and again.keep_times.isChecked()
    again.reject()
