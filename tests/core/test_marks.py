"""Time markers and transcriber notes are recognised in every usual form, and nothing
that is speech (a time in a sentence) or the analyst's own (``[the reforms]``, ``[…]``) is."""

from __future__ import annotations

import pytest

from qualcoder_lite.core.marks import clock_seconds, find_marks, first_time, is_note


@pytest.mark.parametrize(("text", "marker", "seconds"), [
    ("[12:21] Ann: Yes.", "[12:21]", 741),
    ("Ann: Yes. [00:12:21] No.", "[00:12:21]", 741),
    ("Ann: (0:22) Yes.", "(0:22)", 22),
    ("00:01:02.500 --> 00:01:04,000", "00:01:02.500", 62.5),
    ("1\n00:01:02,500 text", "00:01:02,500", 62.5),
    ("Talk\n0:22 Ann: well", "0:22", 22),
    ("Talk\n  1:02:03 Ann: well", "1:02:03", 3723),
])
def test_time_markers(text, marker, seconds):
    marks = [m for m in find_marks(text) if m.kind == "time"]
    assert [m.text for m in marks][:1] == [marker]
    assert text[marks[0].start:marks[0].end] == marker
    assert marks[0].seconds == pytest.approx(seconds)


def test_a_time_that_was_said_is_no_marker():
    assert find_marks("We met at 10:30 and left by 11:15 sharp.") == []


@pytest.mark.parametrize("note", ["[laughs]", "[laughter]", "[Laughter]", "[inaudible 00:12]", "[crosstalk]",
                                  "(pause)", "[unclear]", "[both laugh]", "[phone rings]", "(long pause)",
                                  "[coughs]", "[inaudible]"])
def test_transcriber_notes(note):
    text = f"Ann: It was fine {note} really."
    marks = find_marks(text)
    assert [(m.kind, m.text) for m in marks] == [("note", note)]


@pytest.mark.parametrize("insertion", ["[the reforms]", "[…]", "[...]", "[sic]", "(PCS_02)", "(see above)",
                                       "[Dr Smith]"])
def test_analyst_insertions_are_not_notes(insertion):
    assert find_marks(f"It was {insertion} fine.") == []
    assert not is_note(insertion.strip("[]()"))


def test_first_time_of_a_turn():
    text = "Ann: hello\n[00:00:05] Bob: [laughs] at [00:00:09] yes"
    start = text.index("Bob")
    assert first_time(text, start - 11, len(text)).seconds == 5
    assert first_time(text, start, len(text)).seconds == 9
    assert clock_seconds("1:00:00,25") == 3600.25
