"""A cancel is a cancel: ``InterruptedError`` is an ``OSError``, so the output guard must let
it through as itself, not report it as a failed write ("cannot be written")."""

from __future__ import annotations

import pytest

from qualcoder_lite.core import outfile
from qualcoder_lite.core.project import open_project


def _cancelled_write(tmp):
    tmp.write_bytes(b"half")
    raise InterruptedError("export cancelled")


@pytest.mark.parametrize("save", [lambda path, write: outfile.write_file(outfile.Output(path, force=True), write),
                                  outfile.save_own_file], ids=["export", "own file"])
def test_a_cancel_inside_a_write_comes_out_as_the_cancel(tmp_path, save):
    out = tmp_path / "out.csv"
    out.write_bytes(b"previous")
    with pytest.raises(InterruptedError, match="export cancelled") as err:
        save(out, _cancelled_write)
    assert not isinstance(err.value, outfile.OutputError)
    assert out.read_bytes() == b"previous"  # the previous file as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]  # no temporary file left


def test_a_failed_write_is_still_a_failed_write(tmp_path):
    def full_disk(tmp):
        raise OSError(28, "No space left on device")

    with pytest.raises(outfile.OutputError, match="cannot be written \\(No space left on device\\)"):
        outfile.write_file(tmp_path / "out.csv", full_disk)
    assert list(tmp_path.iterdir()) == []


def test_a_refi_export_cancelled_while_writing_is_a_cancel(demo_file, tmp_path):
    from qualcoder_lite.core.services.refi.interop import export_qdpx

    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "out.qdpx"
    labels = []

    def progress(done, total, label):
        labels.append(label)
        return not label.startswith("Writing")  # Cancel pressed while the archive is written

    with open_project(demo_file) as p, pytest.raises(InterruptedError) as err:
        export_qdpx(p, out, progress)
    assert not isinstance(err.value, outfile.OutputError) and "cannot be written" not in str(err.value)
    assert any(label.startswith("Writing") for label in labels)
    assert list(folder.iterdir()) == []
