"""File ▸ Export: the quote-table dialog (live preview, remembered choices, background export),
the codebook and the coded transcript, driven through the real widgets offscreen."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QProgressDialog

from qualcoder_lite.gui import report_dialog
from qualcoder_lite.gui.jobs import Worker, project_task
from qualcoder_lite.gui.report_dialog import ReportDialog


def _action(window, name):
    (action,) = [a for a in window.menuExport.actions() if a.objectName() == name]
    return action


def _open_dialog(window, qtbot) -> ReportDialog:
    _action(window, "actionExportQuoteTables").trigger()
    dlg = window._report_dialog
    qtbot.addWidget(dlg)
    qtbot.waitUntil(dlg.isVisible)
    return dlg


def _wait_preview(qtbot, dlg, text: str) -> None:
    qtbot.waitUntil(lambda: text in dlg.preview.toPlainText() or text in dlg.status.text(), timeout=3000)


def _type(qtbot, line_edit, text: str) -> None:
    line_edit.selectAll()
    qtbot.keyClick(line_edit, Qt.Key_Delete)
    qtbot.keyClicks(line_edit, text)


def test_export_menu_entries_need_a_project(qtbot):
    from qualcoder_lite.gui.main_window import MainWindow

    w = MainWindow(coder="alex")
    qtbot.addWidget(w)
    names = ["actionExportQuoteTables", "actionExportCodebook", "actionExportTranscript"]
    texts = {a.objectName(): a.text().replace("&", "") for a in w.menuExport.actions()}
    assert texts["actionExportQuoteTables"] == "Quote tables…"
    assert texts["actionExportCodebook"] == "Codebook…"
    assert texts["actionExportTranscript"] == "Coded transcript…"
    assert not any(_action(w, n).isEnabled() for n in names)


def test_entries_are_enabled_with_a_project(window):
    assert all(_action(window, n).isEnabled()
               for n in ("actionExportQuoteTables", "actionExportCodebook", "actionExportTranscript"))


def test_preview_follows_the_choices(window, qtbot):
    dlg = _open_dialog(window, qtbot)
    assert "Table S2.1 Referral pathways" in dlg.preview.toPlainText()
    assert "(GP02)" in dlg.preview.toPlainText()
    _type(qtbot, dlg.cite, "({case}, {board_type})")
    _wait_preview(qtbot, dlg, "(GP02, remote and rural)")
    dlg.group_by.setCurrentIndex(dlg.group_by.findData("wave"))
    _wait_preview(qtbot, dlg, "Wave: 2019")
    # checking a code makes it the first table
    dlg.code_items["Patient outcomes/Community assets and gaps"].setCheckState(0, Qt.Checked)
    _wait_preview(qtbot, dlg, "Table S2.1 Patient outcomes › Community assets and gaps")
    _type(qtbot, dlg.prefix, "S4.")
    _wait_preview(qtbot, dlg, "Table S4.1")
    assert dlg.status.text().startswith("Table S4.1: 5 quotes from 5 participants")
    assert dlg.export_button.isEnabled()


def test_bad_template_or_empty_selection_is_explained_and_blocks_export(window, qtbot):
    dlg = _open_dialog(window, qtbot)
    _type(qtbot, dlg.cite, "({case}, {health_board})")
    _wait_preview(qtbot, dlg, "unknown attribute 'health_board'")
    assert not dlg.export_button.isEnabled()
    _type(qtbot, dlg.cite, "({case})")
    _wait_preview(qtbot, dlg, "Table S2.1")
    assert dlg.export_button.isEnabled()
    dlg.filter_items["wave=2019"].setCheckState(0, Qt.Checked)
    dlg.code_items["Change over time/COVID-19 impact"].setCheckState(0, Qt.Checked)
    dlg.descendants.setChecked(False)
    _wait_preview(qtbot, dlg, "nothing to export")
    assert not dlg.export_button.isEnabled()


def test_choices_are_remembered_per_project(window, qtbot):
    dlg = _open_dialog(window, qtbot)
    _type(qtbot, dlg.cite, "({case}, {wave})")
    dlg.code_items["Sustaining the role"].setCheckState(0, Qt.Checked)
    dlg.group_by.setCurrentIndex(dlg.group_by.findData("role"))
    dlg.landscape.setChecked(True)
    dlg.standard_note.setChecked(False)
    dlg.method_note.setPlainText("Selected by two analysts.")
    dlg.reject()
    saved = window.ctx.project.settings.get("report_options")
    assert saved["cite"] == "({case}, {wave})" and saved["codes"] == ["Sustaining the role"]
    assert saved["group_by"] == "role" and saved["landscape"] is True
    assert saved["method_note"] == "Selected by two analysts."
    again = _open_dialog(window, qtbot)
    assert again is not dlg
    assert again.cite.text() == "({case}, {wave})"
    assert again.code_items["Sustaining the role"].checkState(0) == Qt.Checked
    assert again.group_by.currentData() == "role" and again.landscape.isChecked()
    assert again.method_note.toPlainText() == "Selected by two analysts." and not again.standard_note.isChecked()
    assert again.options() == dlg.options()


def test_columns_can_be_chosen_reordered_and_renamed(window, qtbot):
    dlg = _open_dialog(window, qtbot)
    items = {dlg.columns.item(i).data(report_dialog.KEY_ROLE): dlg.columns.item(i) for i in range(dlg.columns.count())}
    items["subtheme"].setCheckState(Qt.Unchecked)
    items["wave"].setCheckState(Qt.Checked)
    items["quote"].setText("Illustrative quote")
    assert dlg.options().columns == ["quote=Illustrative quote", "participant", "wave"]
    _wait_preview(qtbot, dlg, "Illustrative quote")


def test_export_runs_in_the_background_and_writes_the_report(window, qtbot, tmp_path, monkeypatch):
    out = tmp_path / "S2"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "Word document (*.docx)"))
    dlg = _open_dialog(window, qtbot)
    _type(qtbot, dlg.cite, "({case}, {board_type})")
    _wait_preview(qtbot, dlg, "(GP02, remote and rural)")
    qtbot.mouseClick(dlg.export_button, Qt.LeftButton)
    worker = dlg.worker
    assert isinstance(worker, Worker)
    assert isinstance(window._export_progress, QProgressDialog)
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=20000)
    written = out.with_suffix(".docx")
    doc = docx.Document(written)
    assert len(doc.tables) == 6
    assert "6 tables, 62 quotes from 8 participants" in window.statusBar().currentMessage()
    cites = {r.cells[2].text for t in doc.tables for r in t.rows[1:]}
    assert "(GP02, remote and rural)" in cites
    assert window.ctx.project.settings.get("report_options")["cite"] == "({case}, {board_type})"


def test_a_cancelled_worker_writes_nothing(window, tmp_path):
    from qualcoder_lite.core.services.quotes.exports import write_report
    from qualcoder_lite.core.services.quotes.quotes import ReportOptions

    out = tmp_path / "S2.docx"
    worker = Worker(project_task(window.ctx.project,
                                 lambda p, progress: write_report(p, ReportOptions(), out, progress=progress),
                                 writes=False, cancelled=lambda: False))
    seen = []
    worker.signals.cancelled.connect(lambda: seen.append("cancelled"))
    worker.signals.finished.connect(lambda r: seen.append("finished"))
    worker.cancel()
    worker.run()  # in this thread: the signals are delivered at once
    assert seen == ["cancelled"] and not out.exists()


def test_worker_reports_failures_as_one_line(window, tmp_path):
    from qualcoder_lite.core.services.quotes.exports import write_report
    from qualcoder_lite.core.services.quotes.quotes import ReportOptions

    worker = Worker(project_task(window.ctx.project,
                                 lambda p, progress: write_report(p, ReportOptions(where=["wave=1999"]),
                                                                  tmp_path / "x.docx", progress=progress),
                                 writes=False, cancelled=lambda: False))
    messages = []
    worker.signals.failed.connect(messages.append)
    worker.run()
    assert len(messages) == 1 and messages[0].startswith("nothing to export") and "\n" not in messages[0]


def test_codebook_action(window, qtbot, tmp_path, monkeypatch):
    out = tmp_path / "codebook.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "CSV for spreadsheets (*.csv)"))
    _action(window, "actionExportCodebook").trigger()
    qtbot.waitUntil(out.exists, timeout=20000)
    qtbot.waitUntil(lambda: "27 codes in 6 themes" in window.statusBar().currentMessage(), timeout=5000)
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].startswith("code,level,name")


def test_coded_transcript_action_offers_the_open_source(window, qtbot, tmp_path, monkeypatch):
    from tests.gui.conftest import open_source

    open_source(window.workbench, "LW03")
    offered = {}

    def get_item(parent, title, label, items, current, editable):
        offered["items"], offered["current"] = list(items), items[current]
        return items[current], True

    out = tmp_path / "LW03-coded.docx"
    monkeypatch.setattr(QInputDialog, "getItem", get_item)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "Word document (*.docx)"))
    _action(window, "actionExportTranscript").trigger()
    assert offered["current"] == "LW03" and "GP01" in offered["items"]
    qtbot.waitUntil(lambda: "LW03 with" in window.statusBar().currentMessage(), timeout=20000)
    doc = docx.Document(out)
    project = window.ctx.project
    n_passages = len({(k.start, k.end, k.coder) for k in project.codings.for_source(project.sources.by_name("LW03").id)})
    assert len(list(doc.comments)) == n_passages > 0
    assert doc.paragraphs[0].text == "LW03"


def test_cancelling_the_file_dialog_does_nothing(window, qtbot, monkeypatch, tmp_path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert report_dialog.export_codebook(window) is None
    dlg = _open_dialog(window, qtbot)
    assert dlg.export() is None and dlg.isVisible()
    assert list(Path(tmp_path).glob("*.docx")) == []


@pytest.mark.parametrize("name", ["reportPreview", "reportCodes", "reportCite", "reportGroupBy", "reportLandscape"])
def test_widgets_have_object_names(window, qtbot, name):
    dlg = _open_dialog(window, qtbot)
    assert dlg.findChild(type(getattr(dlg, {
        "reportPreview": "preview", "reportCodes": "codes", "reportCite": "cite", "reportGroupBy": "group_by",
        "reportLandscape": "landscape"}[name])), name) is not None
