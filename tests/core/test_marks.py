"""Time markers and transcriber notes are recognised in every usual form, and nothing
that is speech (a time in a sentence) or the analyst's own (``[the reforms]``, ``[…]``) is."""

from __future__ import annotations

import pytest

from qualcoder_lite.core.marks import clock_seconds, find_marks, first_time, is_note


@pytest.mark.parametrize(("text", "marker", "seconds"), [
    ("[12:21] Ann: Yes.", "[12:21]", 741),
    ("Ann: Yes. [00:12:21] No.", "[00:12:21]", 741),
    ("Ann: (0:22) Yes.", "(0:22)", 22),
    ("00:01:02.500 --> 00:01:04,000", "00:01:02.500 --> 00:01:04,000", 62.5),  # a range: one marker
    ("1\n00:01:02,500 text", "00:01:02,500", 62.5),
    ("Talk\n0:22 Ann: well", "0:22", 22),
    ("Talk\n  1:02:03 Ann: well", "1:02:03", 3723),
    # Whisper output (hitsave Goodboy Galaxy .txt, Artemio Urbina .md): a range is one marker
    ("[00:43.810 --> 00:47.850]  Hello everyone", "[00:43.810 --> 00:47.850]", 43.81),
    ("00:00.000 --> 00:27.640\nHello, everyone", "00:00.000 --> 00:27.640", 0),
    ("1\n00:01:02,500 --> 00:01:04,000\ntext", "00:01:02,500 --> 00:01:04,000", 62.5),
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


def test_a_window_that_starts_mid_line_has_no_line_start_there():
    # a coding or a turn that starts at "10:30" after a label: the speaker said the time
    text = "Ann: 10:30 is when we met.\n10:31 Bob: yes"
    start = text.index("10:30")
    assert [m.text for m in find_marks(text, start, len(text))] == ["10:31"]
    assert find_marks(text, start, text.index("\n")) == []
    assert first_time(text, start, text.index("\n")) is None


def test_turn_time_is_the_labels_time_else_the_first_marker():
    from qualcoder_lite.core.marks import turn_time
    from qualcoder_lite.core.units import detect_turns

    otter = "Ann Smith  0:22  \nWell [00:01:00] yes.\n\nBob Jones  1:02:03  \nNo.\n"
    assert [turn_time(otter, t) for t in detect_turns(otter)] == [22, 3723]
    colon = "Ann: [00:00:05] hello\n\nBob: well [00:00:09] yes\n\nAnn: at 10:30 we met\n\nBob: ok\n"
    assert [turn_time(colon, t) for t in detect_turns(colon)] == [5, 9, None, None]
