"""File ▸ Import sources asks about files already in the project, named as the import
would name them (a file's stem with the spaces around it dropped)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from qualcoder_lite.gui import import_sources


def test_a_stem_with_spaces_around_it_is_found_already_imported(window, tmp_path, monkeypatch):
    again = tmp_path / " GP01 .txt"  # the import names it 'GP01', which the demo has
    again.write_text("P1: another text.\n", encoding="utf-8")
    new = tmp_path / "NEW01.txt"
    new.write_text("P1: a new text.\n", encoding="utf-8")
    asked = []

    def question(_parent, _title, text, *_rest):
        asked.append(text)
        return QMessageBox.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    assert import_sources._without_duplicates(window, [again, new]) == [new]
    assert asked == [" GP01 .txt is already in the project.\nSkip and import the others?"]
