"""Speaker turns, paragraphs and sentences.

Expected turn counts were taken from each fixture's own markers (counted with grep, one
pattern per style, independently of the importer): changelog '**Name:**' lines minus
'**Break:**'; hitsave Otter 'Name  M:SS' lines, 'Name  ' lines, '**Name:**' lines.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from qualcoder_lite.core.units import detect_turns, paragraphs, sentences, unit_at, units

CHANGELOG = {
    "request-for-commits-1.md": 128, "request-for-commits-2.md": 127, "request-for-commits-3.md": 107,
    "request-for-commits-4.md": 101, "request-for-commits-5.md": 89, "request-for-commits-6.md": 84,
    "request-for-commits-7.md": 52, "request-for-commits-8.md": 67, "request-for-commits-9.md": 80,
    "request-for-commits-10.md": 135, "request-for-commits-11.md": 48, "request-for-commits-12.md": 100,
    "request-for-commits-13.md": 67, "request-for-commits-14.md": 124, "request-for-commits-15.md": 57,
    "request-for-commits-16.md": 94, "request-for-commits-17.md": 110, "request-for-commits-18.md": 88,
    "request-for-commits-19.md": 58, "request-for-commits-20.md": 102,
    "request-for-commits-behind-season-one.md": 191,
}
HITSAVE = {
    "2020/Lantana Games/Interview with Danny Silvers of Lantana Games - 2020-11-19.md": 59,
    "2021/Redstart Interactive/Get-A-Grip Chip transcription.md": 191,
    "2021/Wintermoor Tactics Club/Wintermoor Tactics Club interview transcription.md": 290,
    "2022/13AM Games/Dawn of the Monsters - interview with Alex Rushdy, 13AM Games.md": 75,
    "2022/Betty & Earl/Interview with Matthew Brelsford, creator of Betty & Earl.md": 54,
    "2022/GigaSword/GigaSword - Interview with Jack Breen.md": 84,
    "2022/Legends of Astravia/Legends of Astravia - Interview with Jaiden Alemni, Studio Alemni.md": 100,
    "2022/Q-Cubed/ Q-Cubed - Interview with Carolyn Lu at Cludosian Games.md": 53,
    "2022/Super Marxist Twins/Super Marxist Twins - Interview with Eric Kesterson, Saun Conlin, "
    "Jim Bochanski, and Nick Zaleski.md": 213,
    "2023/Artemio Urbina/interview-with-artemio-urbina.md": 0,  # Whisper output: no speaker labels
}


def _read(path):
    return path.read_text(encoding="utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize("name,expected", sorted(CHANGELOG.items()))
def test_changelog_turns(fixtures_dir, name, expected):
    text = _read(fixtures_dir / "changelog-rfc/files/rfc" / name)
    turns = detect_turns(text)
    assert len(turns) == expected
    assert all(t.speaker != "Break" for t in turns)
    for t in turns:  # the label is the bold name, the turn text never starts with it
        assert text[t.label_start:t.label_end] == f"**{t.speaker}:**"
        assert not text[t.start:t.end].startswith("**")


@pytest.mark.parametrize("name,expected", sorted(HITSAVE.items()))
def test_hitsave_turns(fixtures_dir, name, expected):
    text = _read(fixtures_dir / "hitsave-interviews/files" / name)
    turns = detect_turns(text)
    assert len(turns) == expected
    for t in turns:
        assert text[t.label_start:t.label_end].lstrip("*").startswith(t.speaker)
        assert t.speaker in ("Jonas Rosland", "Unknown Speaker") or "Rosland" not in t.speaker


def test_otter_timestamps_and_bodies(fixtures_dir):
    text = _read(fixtures_dir / "hitsave-interviews/files/2022/GigaSword/GigaSword - Interview with Jack Breen.md")
    turns = detect_turns(text)
    first = turns[0]
    assert (first.speaker, first.timestamp) == ("Jonas Rosland", "0:21")
    assert text[first.start:first.end].startswith("Hello everyone and welcome")
    assert text[turns[1].start:turns[1].end] == "Hi everyone. I'm Jack Breen, and I'm making GigaSword."


def test_bracket_ids(fixtures_dir):
    text = _read(fixtures_dir / "qualcoder-examples/files/Examples/transcript.txt")
    turns = detect_turns(text)
    assert [t.speaker for t in turns] == ["id1", "id2", "id3", "id1", "id3", "id1", "id2"]


def test_false_positives_are_not_speakers():
    text = (
        "Interview notes\n\nLocation: Glasgow\n\nInterviewer: Shall we start?\n\n"
        "P3: We met at 10:30 on Monday.\nNote: recording paused.\nhttp://example.org is where it is.\n\n"
        "Interviewer: And then?\n\n10:45: the fire alarm\n\nP3: Then nothing.\n\n**Break:** [22:46]\n\n"
        "[laughter] that was funny\n\n[laughter] again\n"
    )
    turns = detect_turns(text)
    assert [t.speaker for t in turns] == ["Interviewer", "P3", "Interviewer", "P3"]
    said = text[turns[1].start:turns[1].end]
    assert said.startswith("We met at 10:30") and "Note: recording paused." in said


def test_name_without_timestamp_style():
    text = "Header line\n\nAnna Smith  \nHello there.\n\nBen Jones  \nHi Anna.\n\nAnna Smith  \nBye.\n"
    turns = detect_turns(text)
    assert [(t.speaker, text[t.start:t.end]) for t in turns] == [
        ("Anna Smith", "Hello there."), ("Ben Jones", "Hi Anna."), ("Anna Smith", "Bye."),
    ]


def test_text_before_first_label_is_no_turn():
    text = "Preamble here.\nInterviewer 1: Hello.\nP3: Hi.\nInterviewer 1: Bye.\nP3: Bye."
    turns = detect_turns(text)
    assert turns[0].label_start == text.index("Interviewer 1")
    assert [t.speaker for t in turns] == ["Interviewer 1", "P3", "Interviewer 1", "P3"]


def test_sentences_respect_abbreviations_turns_and_paragraphs():
    text = "P1: Dr. Smith said no, e.g. twice. Then \u201cfine!\u201d she left\n\nP2: unpunctuated words here\n\nP1: Wait… what? Yes."
    turns = detect_turns(text)
    got = [text[s:e] for s, e in sentences(text, turns)]
    assert got == [
        "Dr. Smith said no, e.g. twice.", "Then \u201cfine!\u201d", "she left", "unpunctuated words here",
        "Wait…", "what?", "Yes.",
    ]


def test_paragraphs_without_blank_lines_are_lines():
    text = "one line\ntwo line\n  three  \n"
    assert [text[s:e] for s, e in paragraphs(text, [])] == ["one line", "two line", "three"]


def test_paragraphs_drop_otter_label_lines():
    text = "Ann Lee  0:01\nHello there.\nMore from Ann.\n\nBo Ek  0:05\nHi.\n"
    turns = detect_turns(text)
    assert [text[s:e] for s, e in paragraphs(text, turns)] == ["Hello there.\nMore from Ann.", "Hi."]
    assert [text[s:e] for s, e in units(text, turns, "turn")] == ["Hello there.\nMore from Ann.", "Hi."]


def test_unit_at():
    spans = [(0, 5), (7, 10)]
    assert unit_at(spans, 0) == (0, 5)
    assert unit_at(spans, 5) is None
    assert unit_at(spans, 9) == (7, 10)


def test_no_ends_a_sentence_and_q_a_transcripts_have_turns():
    text = "Q: Did it help?\nA: No. Then I left.\nQ: Why?\nA: Money, e.g. travel.\n"
    turns = detect_turns(text)
    assert [t.speaker for t in turns] == ["Q", "A", "Q", "A"]
    got = [text[s:e] for s, e in sentences(text, turns)]
    assert got == ["Did it help?", "No.", "Then I left.", "Why?", "Money, e.g. travel."]


# ----------------------------------------------------------------------------- reported speech
@pytest.mark.parametrize("text, expected", [
    ('I was like "Obviously. Amazing." Then we left.', ['I was like "Obviously. Amazing."', "Then we left."]),
    ("She said “Stop. Now. Please.” He didn't.", ["She said “Stop. Now. Please.”", "He didn't."]),
    # (a sentence may end after the closing mark that follows its end mark, as the units rule says)
    ("And 'no. never.' Fine.", ["And 'no. never.'", "Fine."]),
    ("He says ‘go. go on!’ and I go.", ["He says ‘go. go on!’", "and I go."]),
    # a mark that never closes is no quotation: sentences end as usual
    ('An "unclosed. Quote here. Yes.', ['An "unclosed.', "Quote here.", "Yes."]),
    # apostrophes are no quotation marks
    ("It's the nurses' job. We can't. Really.", ["It's the nurses' job.", "We can't.", "Really."]),
])
def test_sentences_do_not_end_inside_a_quotation_that_goes_on(text, expected):
    assert [text[s:e] for s, e in sentences(text)] == expected


def test_no_sentence_opens_with_an_unbalanced_quotation_mark():
    text = ('P1: I was like "Obviously. Amazing." And then "no way. Not again." she said. '
            "We had “three. Four. Five.” weeks.\n")
    for s, e in sentences(text, detect_turns(text)):
        unit = text[s:e]
        assert unit.count('"') % 2 == 0 and unit.count("“") == unit.count("”"), unit


_LONG_BLANK_LINES = [
    "x\nab" + " " * 60_000 + "c\n",  # a blank run inside a line (prefilter)
    ("Name" + " " * 60_000 + "\n") * 3,  # a bare label with a huge run (the Otter pattern fails on it)
    ("Name" + " " * 60_000 + "1\n") * 3,  # ends with a digit: no time stamp
]


def test_lines_with_huge_blank_runs_are_read_in_linear_time():
    """A badly converted transcript (a PDF's layout spaces) must not freeze the import: the
    label patterns retried every split of a blank run, so one line of 8,000 spaces took 25 s
    and 60,000 would take hours. Run in a child process that is killed after 60 s (the fixed
    patterns take milliseconds); the labels found are checked too."""
    code = ("import sys, json\nfrom qualcoder_lite.core.units import detect_turns\n"
            "texts = json.loads(sys.stdin.read())\n"
            "print(json.dumps([[(t.speaker, t.start) for t in detect_turns(x)] for x in texts]))\n")
    try:
        out = subprocess.run([sys.executable, "-c", code], input=json.dumps(_LONG_BLANK_LINES), capture_output=True,
                             text=True, timeout=60, check=True).stdout
    except subprocess.TimeoutExpired:
        pytest.fail("detect_turns backtracked on a long run of blanks (killed after 60 s)")
    found = json.loads(out)
    assert found[0] == []
    assert [s for s, _ in found[1]] == ["Name"] * 3  # "Name" + blanks alone on a line is a bare label
    assert found[2] == []
