"""read_srt() / read_vtt(): cue parsing, paragraph joining, voices as turns."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.formats.result import ReaderTurn, ReadResult
from qualcoder_lite.core.formats.subtitles import MAX_PARAGRAPH_CHARS, read_srt, read_vtt
from tests.helpers import FIXTURES

HITSAVE = FIXTURES / "hitsave-interviews" / "files"
GOODBOY = HITSAVE / "2023" / "Goodboy Galaxy" / "Goodboy Galaxy - Rik Nicol"
KEITAI = HITSAVE / "2025" / "Keitai update Spring 2025" / "Keitai update Spring 2025"


def _write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _paragraphs_match_turns(result: ReadResult) -> None:
    """Every paragraph is exactly one turn, and offsets point at it."""
    assert result.turns is not None
    paragraphs = result.text.split("\n\n")
    assert len(paragraphs) == len(result.turns)
    pos = 0
    for paragraph, turn in zip(paragraphs, result.turns):
        assert turn.label_start == pos
        assert result.text[turn.label_start : turn.end] == paragraph
        assert turn.end - turn.start > 0
        pos = turn.end + 2


# -- real files ---------------------------------------------------------------------


def test_goodboy_srt() -> None:
    assert b"\r\n" in Path(f"{GOODBOY}.srt").read_bytes()
    result = read_srt(f"{GOODBOY}.srt")
    assert result.format == "srt"
    assert result.warnings == []
    assert "\r" not in result.text
    assert result.text.startswith(
        "Hello everyone and welcome to yet another Hit Save podcast. I'm here with Rick Nickel of "
        "Good Boy Galaxy and you just saw the Good Boy Galaxy trailer that just came out like two "
        "weeks ago here. The latest one.\n\nIt's really, really fun. Really fun game, first of all."
    )
    assert result.turns is not None
    assert len(result.turns) == 150
    assert result.turns[0] == ReaderTurn(None, 0, 0, 0, 209, "00:00:43")
    assert result.turns[1] == ReaderTurn(None, 211, 211, 211, 446, "00:00:59")
    _paragraphs_match_turns(result)


def test_goodboy_vtt_matches_srt() -> None:
    srt, vtt = read_srt(f"{GOODBOY}.srt"), read_vtt(f"{GOODBOY}.vtt")  # VTT uses mm:ss.ttt
    assert vtt.format == "vtt"
    assert vtt.text == srt.text
    assert vtt.turns == srt.turns


def test_keitai_unpunctuated_paragraphs_stay_readable() -> None:
    result = read_vtt(f"{KEITAI}.vtt")
    assert result.text == read_srt(f"{KEITAI}.srt").text
    assert result.text.startswith("hello everyone and welcome to yet another hit save podcast this time")
    _paragraphs_match_turns(result)
    longest_cue = 200  # a paragraph breaks at the first cue after MAX_PARAGRAPH_CHARS
    assert max(len(p) for p in result.text.split("\n\n")) < MAX_PARAGRAPH_CHARS + longest_cue


# -- voices, markup and tolerance ---------------------------------------------------------

VTT = """\ufeffWEBVTT - Interview SH01\r
Kind: captions\r
\r
NOTE transcribed by hand\r
with two lines\r
\r
STYLE\r
::cue { color: yellow }\r
\r
intro\r
00:01.000 --> 00:03.500 align:start position:10%\r
<v Interviewer>How did the <i>cluster</i> start?</v>\r
\r
00:03.600 --> 00:06.000\r
<v Interviewer>Tell me &amp; take your time.\r
\r
00:06.100 --> 00:09.000\r
<v.loud Dr Smith>It was &lt;2016&gt;, <c.yellow>I think</c>.\r
\r
00:09.200 --> 00:10.000\r
<v Dr Smith>- Honestly.\r
\r
00:13.000 --> 00:14.000\r
<v Dr Smith>Later, <00:13.500>after a pause.\r
"""


def test_vtt_voices_become_labelled_turns(tmp_path: Path) -> None:
    result = read_vtt(_write(tmp_path, VTT, "sh01.vtt"))
    assert result.text == (
        "Interviewer: How did the cluster start? Tell me & take your time.\n\n"
        "Dr Smith: It was <2016>, I think. Honestly.\n\n"
        "Dr Smith: Later, after a pause."
    )
    assert result.warnings == []
    first, second, third = result.turns or []
    assert first == ReaderTurn("Interviewer", 0, 12, 13, 65, "00:00:01")
    assert result.text[first.label_start : first.label_end] == "Interviewer:"
    assert result.text[first.start : first.end] == "How did the cluster start? Tell me & take your time."
    assert second.speaker == "Dr Smith" and second.timestamp == "00:00:06"
    assert result.text[second.label_start : second.label_end] == "Dr Smith:"
    assert result.text[second.start : second.end] == "It was <2016>, I think. Honestly."
    assert third.timestamp == "00:00:13"  # a gap of 3 s starts a new paragraph
    _paragraphs_match_turns(result)


def test_two_voices_in_one_cue(tmp_path: Path) -> None:
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v A>Hi.</v> <v B>Hello.</v>\n"
    result = read_vtt(_write(tmp_path, vtt, "two.vtt"))
    assert result.text == "A: Hi.\n\nB: Hello."
    assert [t.speaker for t in result.turns or []] == ["A", "B"]


SRT = """1
00:00:01,000 --> 00:00:02,000
<i>First</i> cue,
on two lines

00:00:02,500 --> 00:00:03,000
without a number

3
00:00:03,000 -> 00:00:04,000
bad arrow

4
00:00:04,000 --> 00:00:xx,000
bad time

5
00:00:04,500 --> 00:00:05,000
{\\an8}<font color="red">fine</font> again.
6
00:00:05,100 --> 00:00:06,000
no blank line before this cue

7
00:00:09,000 --> 00:00:10,000
- after a gap
"""


def test_srt_tolerance_and_malformed_cues(tmp_path: Path) -> None:
    result = read_srt(_write(tmp_path, SRT, "p3.srt"))
    assert result.text == (
        "First cue, on two lines without a number fine again. no blank line before this cue\n\n"
        "after a gap"
    )
    assert result.warnings == ["2 malformed cues skipped"]
    assert result.turns == [
        ReaderTurn(None, 0, 0, 0, 82, "00:00:01"),
        ReaderTurn(None, 84, 84, 84, 95, "00:00:09"),
    ]


def _cues(texts: list[str], starts: list[float], length: float = 1.0) -> str:
    def ts(sec: float) -> str:
        ms = round(sec * 1000)
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    return "\n".join(
        f"{i}\n{ts(s)} --> {ts(s + length)}\n{t}\n" for i, (t, s) in enumerate(zip(texts, starts), 1)
    )


def test_gap_rule(tmp_path: Path) -> None:
    srt = _cues(["one", "two", "three"], [0.0, 2.9, 5.1])  # gaps of 1.9 s and 1.2 s
    assert read_srt(_write(tmp_path, srt, "a.srt")).text == "one two three"
    srt = _cues(["one", "two", "three"], [0.0, 3.1, 4.5])  # gap of 2.1 s after "one"
    assert read_srt(_write(tmp_path, srt, "b.srt")).text == "one\n\ntwo three"


def test_sentence_rule_needs_200_characters(tmp_path: Path) -> None:
    short = "A short sentence."
    long = "word " * 40 + "end."  # 204 characters
    srt = _cues([short, "next", long, "after"], [0, 1, 2, 3])
    assert read_srt(_write(tmp_path, srt, "s.srt")).text == f"{short} next {long}\n\nafter"


def test_hours_beyond_99_minutes_and_timestamps(tmp_path: Path) -> None:
    srt = _cues(["late"], [3 * 3600 + 25 * 60 + 7.9])
    assert read_srt(_write(tmp_path, srt, "late.srt")).turns == [ReaderTurn(None, 0, 0, 0, 4, "03:25:07")]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("WEBVTT\n\nNOTE nothing here\n", "no subtitle cues found"),
        ("just some text\n\nand more\n", "no subtitle cues found"),
        ("1\n00:00:01,000 --> 00:00:02,000\n<i></i>\n", "contains no text"),
        ("", "the file is empty"),
    ],
)
def test_refusals(tmp_path: Path, content: str, reason: str) -> None:
    path = _write(tmp_path, content, "x.srt")
    with pytest.raises(InputError) as err:
        read_srt(path)
    assert err.value.reason == reason
    assert str(path) in str(err.value)


def test_forced_encoding(tmp_path: Path) -> None:
    path = tmp_path / "greek.srt"
    path.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nΚαλημέρα\n".encode("cp1253"))
    assert read_srt(path, encoding="cp1253").text == "Καλημέρα"
