"""File ▸ Project properties sets the study's title and authors (one undoable step); the
title pages of the exports use them (issue 14, item 3)."""

from __future__ import annotations

import docx


def test_project_properties_title_on_the_title_page(window, qtbot, tmp_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from qualcoder_lite.core.services.sources.study import study
    from qualcoder_lite.gui.export_jobs import export_codebook

    seen = []

    def fill():
        dlg = QApplication.activeModalWidget()
        seen.append(dlg)
        dlg.titleEdit.setText("Link workers in  general practice")
        dlg.authorsEdit.setText("A. Author, B. Author")
        dlg.accept()

    QTimer.singleShot(0, fill)
    window.actionProjectProperties.trigger()
    assert seen, "the dialog did not open"
    s = study(window.ctx.project)
    assert (s.title, s.authors) == ("Link workers in general practice", "A. Author, B. Author")
    out = tmp_path / "codebook.docx"
    export_codebook(window, out)
    qtbot.waitUntil(out.exists, timeout=30_000)
    text = "\n".join(p.text for p in docx.Document(out).paragraphs[:6])
    assert "Link workers in general practice" in text and "A. Author, B. Author" in text
    window.actionUndo.trigger()
    assert study(window.ctx.project).title == ""
