"""The output guard's refusals name what is really wrong with the path given."""

from __future__ import annotations

import pytest

from qualcoder_lite.core import outfile


def test_a_dangling_link_names_its_target_folder_not_its_own(tmp_path):
    link = tmp_path / "report.docx"
    link.symlink_to(tmp_path / "gone" / "report.docx")
    with pytest.raises(outfile.OutputRefused) as err:
        outfile.check(link)
    assert str(err.value) == (f"{link}: is a link to {tmp_path / 'gone' / 'report.docx'}, whose folder "
                              f"{tmp_path / 'gone'} does not exist")
    assert list(tmp_path.iterdir()) == [link]


def test_a_missing_folder_is_still_named_as_given(tmp_path):
    out = tmp_path / "no" / "report.docx"
    with pytest.raises(outfile.OutputRefused, match=f"^{out}: the folder {tmp_path / 'no'} does not exist$"):
        outfile.check(out)


@pytest.mark.parametrize("err, words", [(28, "the disk holding {folder} is full"),
                                        (30, "the disk or medium holding {folder} is read-only")])
def test_a_disk_problem_with_a_relative_path_names_the_folder_in_full(tmp_path, monkeypatch, err, words):
    from qualcoder_lite.core.store.db_errors import io_cause

    monkeypatch.chdir(tmp_path)
    assert io_cause("study.qlite", OSError(err, "x")).startswith(words.format(folder=tmp_path))
