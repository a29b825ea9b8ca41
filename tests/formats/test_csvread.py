"""The one CSV reader (attribute tables and codebooks): what a spreadsheet saves reads
back cell for cell, our formula guards come off, a broken file is named with its row."""

from __future__ import annotations

import types

import pytest

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.formats.csvread import iter_rows, read_rows


@pytest.mark.parametrize("text, rows", [
    ("Barriers/Time,Lack of time\nBarriers/Cost,\n", [["Barriers/Time", "Lack of time"], ["Barriers/Cost", ""]]),
    ("case;wave\nP1;2016\n", [["case", "wave"], ["P1", "2016"]]),  # European Excel
    ("case\twave\nP1\t2016\n", [["case", "wave"], ["P1", "2016"]]),
    ("case,role,role\nP1,PCS,CQL\n", [["case", "role", "role"], ["P1", "PCS", "CQL"]]),  # repeated names kept
    ("[case],wave\nP1,2016\n", [["[case]", "wave"], ["P1", "2016"]]),  # not JSON
    ("case,note\nP1,\"two\nlines, quoted\"\n", [["case", "note"], ["P1", "two\nlines, quoted"]]),
])
def test_rows_as_a_spreadsheet_wrote_them(text, rows):
    assert read_rows("t.csv", text) == rows


def test_guarded_cells_read_back_and_the_apostrophe_is_no_quote():
    text = "case,note,memo\nP1,'=A1,'+B2\nP2,'=C3,'-D4\n"
    assert read_rows("t.csv", text) == [["case", "note", "memo"], ["P1", "=A1", "+B2"], ["P2", "=C3", "-D4"]]


def test_rows_come_one_at_a_time_and_an_error_names_file_and_row():
    rows = iter_rows("people.csv", "case,note\nP1,ok\nP2," + "x" * 200_000 + "\n")  # over csv's field limit
    assert isinstance(rows, types.GeneratorType)
    assert next(rows) == ["case", "note"]
    with pytest.raises(InputError, match=r"people\.csv: row \d+: is not a readable CSV"):
        list(rows)
