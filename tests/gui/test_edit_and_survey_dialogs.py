"""Edit ▸ Edit transcript and File ▸ Import survey on the real main window (pytest-qt,
offscreen): reached through their menu actions, driven through their widgets' object names."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QListWidget, QPlainTextEdit

from qualcoder_lite.core.services.coding.speakers import speakers
from qualcoder_lite.core.units import detect_turn_rows
from tests.core.test_survey import LIKE, ROWS, write_csv, write_xlsx
from tests.gui.conftest import open_source


def _coded(project, sid):
    text = project.sources.text(sid)
    return sorted((text[k.start:k.end], k.coder) for k in project.codings.for_source(sid))


def test_edit_transcript_moves_codings_lists_changed_and_undoes(window, wb, qtbot):
    p = window.ctx.project
    sid = open_source(wb, "GP01")
    old = p.sources.text(sid)
    before = _coded(p, sid)
    target = next(t for t, _c in before if len(t) > 20)
    word = target.split()[1]
    assert window.actionEditTranscript.isEnabled()
    window.actionEditTranscript.trigger()
    dlg = window._edit_transcript_dialog
    editor = dlg.findChild(QPlainTextEdit, "transcriptEditor")
    assert editor.toPlainText() == old
    # a typo fixed inside a coded passage, a note added at the top, with a no-break space and an emoji
    new = "Checked\u00a0against audio 😀\n\n" + old.replace(target, target.replace(word, word + "x", 1), 1)
    editor.setPlainText(new)
    dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: getattr(window, "_edit_results_dialog", None) is not None)
    assert p.sources.text(sid) == new  # every character as typed (no-break space kept)
    results = window._edit_results_dialog
    listed = [results.findChild(QListWidget, "changedCodingsList").item(i).text()
              for i in range(results.findChild(QListWidget, "changedCodingsList").count())]
    assert listed and all(word + "x" in line for line in listed)
    after = _coded(p, sid)
    assert sorted(t.replace(word + "x", word, 1) for t, _c in after) == sorted(t for t, _c in before)
    assert wb.view.text == new  # the coding view shows the new text
    results.close()
    window.actionUndo.trigger()
    assert p.sources.text(sid) == old and _coded(p, sid) == before


def test_edit_transcript_asks_before_removing_deleted_codings(window, wb, qtbot):
    p = window.ctx.project
    sid = open_source(wb, "GP01")
    old = p.sources.text(sid)
    k = max(p.codings.for_source(sid), key=lambda k: k.end - k.start)
    cut = old[:k.start] + old[k.end:]
    window.actionEditTranscript.trigger()
    dlg = window._edit_transcript_dialog
    asked = []
    dlg.ask_remove = lambda exc: asked.append(exc) or False  # "go back to the text"
    dlg.editor.setPlainText(cut)
    dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()
    assert asked and dlg.isVisible() and p.sources.text(sid) == old  # nothing changed, still editing
    dlg.ask_remove = lambda exc: True  # "Remove"
    dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not dlg.isVisible())
    assert p.sources.text(sid) == cut
    assert dlg.report.changes and {c.status for c in dlg.report.changes} >= {"removed"}


def test_edit_transcript_renames_a_speaker_and_undo_brings_the_name_back(window, wb, qtbot):
    """Every "GP01:" label corrected to "Dr Hart:": the turns are those of the new text (the
    speaker list, autocode by speaker and citations use the new name); Undo restores them."""
    p = window.ctx.project
    sid = open_source(wb, "GP01")
    old, turns = p.sources.text(sid), p.sources.turns(sid)
    new = old.replace("GP01:", "Dr Hart:")
    window.actionEditTranscript.trigger()
    dlg = window._edit_transcript_dialog
    dlg.editor.setPlainText(new)
    dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not dlg.isVisible())
    assert p.sources.text(sid) == new
    rows = [(t.speaker, t.label_start, t.label_end, t.start, t.end, t.timestamp) for t in p.sources.turns(sid)]
    assert rows == detect_turn_rows(new)
    names = {s["speaker"] for s in speakers(p)}
    assert "Dr Hart" in names and "GP01" not in names
    assert "speaker 'GP01' is now 'Dr Hart'" in dlg.report.summary()
    window.actionUndo.trigger()
    assert p.sources.text(sid) == old and p.sources.turns(sid) == turns


def test_import_survey_dialog_picks_columns_previews_and_imports(window, qtbot, tmp_path, monkeypatch):
    from qualcoder_lite.gui.survey_dialog import open_survey

    p = window.ctx.project
    path = write_xlsx(tmp_path / "wave2.xlsx", ROWS)
    assert window.actionImportSurvey.isEnabled()
    dlg = open_survey(window, str(path))
    preview = dlg.findChild(type(dlg.table), "surveyPreview")
    assert preview.rowCount() == 3 and preview.item(0, 4).text() == ROWS[1][4]
    assert dlg.idColumn.currentText() == "id"
    texts = dlg.findChild(QListWidget, "surveyTextColumns")
    checked = [texts.item(i).text() for i in range(texts.count()) if texts.item(i).checkState() == Qt.Checked]
    assert checked == [LIKE]  # the long answers were guessed as text
    dlg.set_roles("id", [LIKE, "What would you change?"], ["age", "consented", "start"])
    cases = len(p.cases.all())
    dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: dlg.result() == QDialog.Accepted)
    assert dlg.report.sources_added and len(p.cases.all()) == cases + 3
    assert {a.name: a.type for a in p.attributes.all("case")}["consented"] == "boolean"
    guids = sorted(r[0] for r in p.conn.execute("SELECT guid FROM sources"))
    # the same file again: nothing new
    dlg = open_survey(window, str(path))
    dlg.set_roles("id", [LIKE, "What would you change?"], ["age", "consented", "start"])
    dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: dlg.result() == QDialog.Accepted)
    assert dlg.report.sources_unchanged == 4 and not dlg.report.sources_added
    assert sorted(r[0] for r in p.conn.execute("SELECT guid FROM sources")) == guids
    window.actionUndo.trigger()  # the first import, undone as one step
    window.actionUndo.trigger()
    assert len(p.cases.all()) == cases


def test_import_survey_bad_file_is_reported(window, tmp_path, monkeypatch):
    from qualcoder_lite.gui.survey_dialog import open_survey

    shown = []
    monkeypatch.setattr(window, "show_error", lambda title, text: shown.append(text))
    bad = write_csv(tmp_path / "bad.csv", [["id", "", "Q"], ["R1", "x", "y"]])
    assert open_survey(window, str(bad)) is None
    assert shown and "bad.csv" in shown[0] and "column 2" in shown[0]
