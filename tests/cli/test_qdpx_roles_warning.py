"""A .qdpx export says that speakers marked interviewer are not in the archive (REFI-QDA has
no speaker roles): a project made from it would autocode and quote their turns unless the
roles are marked again."""

from __future__ import annotations

from qualcoder_lite.cli import main


def test_export_warns_of_interviewers_the_archive_cannot_carry(tmp_path, capsys):
    path, text = tmp_path / "p.qlite", tmp_path / "a.txt"
    text.write_text("Interviewer: How is it?\n\nP1: Quality improvement matters.\n", encoding="utf-8")
    assert main(["new", str(path)]) == 0
    assert main(["import", str(path), str(text)]) == 0
    capsys.readouterr()
    assert main(["export-qdpx", str(path), str(tmp_path / "before.qdpx")]) == 0
    assert "speaker roles" not in capsys.readouterr().err  # no roles marked: nothing to say
    assert main(["speakers", str(path), "--interviewer", "Interviewer"]) == 0
    capsys.readouterr()
    assert main(["export-qdpx", str(path), str(tmp_path / "after.qdpx")]) == 0
    err = capsys.readouterr().err
    assert "warning: 1 speaker marked interviewer ('Interviewer'): REFI-QDA has no speaker roles" in err
    assert (tmp_path / "after.qdpx").stat().st_size > 0
