"""Markdown transcripts are read as Markdown (issue 13, item 1): the stored text is what a
reader of the rendered page sees, speaker labels still make turns, lines and paragraphs
stay where they were, time markers and transcriber notes are kept as written, and no
typographic replacement happens.

The turn counts of the real fixtures were taken from each file's own labels with grep,
one pattern per style, independently of the importer's regular expressions:

* Otter ``Name  M:SS  `` lines: ``grep -cE '^[^ ].*[^ ]  [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?  $'``
  (Legends of Astravia adds 5 lines written with one space, ``Jaiden Alemni 6:51  ``);
* ``Name  `` lines (Get-A-Grip Chip): ``grep -cE '^[A-Z][^:]*[^ ]  $'``;
* bold ``**Name:**`` lines: ``grep -c '^\\*\\*[^*]*:\\*\\*'`` minus ``grep -c '^\\*\\*Break:\\*\\*'``;
  request-for-commits-15 has two more speakers written without bold
  (``grep -cE '^[A-Z][a-z]+ [A-Z][a-z]+: '`` = 2: ``Adam Stacoviak: Up next …``), which the
  plain-text reading of the raw file missed (the bold style won there) and the rendered
  text finds.
"""

from __future__ import annotations

import pytest

from qualcoder_lite.core.formats.markdown import markdown_to_text
from qualcoder_lite.core.formats.readers import read_source
from qualcoder_lite.core.marks import find_marks, turn_time
from qualcoder_lite.core.services.sources.importing import import_files
from qualcoder_lite.core.services.search.search import search
from qualcoder_lite.core.units import detect_turns

HITSAVE_TURNS = {
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
CHANGELOG_TURNS = {
    "request-for-commits-1.md": 128, "request-for-commits-2.md": 127, "request-for-commits-3.md": 107,
    "request-for-commits-4.md": 101, "request-for-commits-5.md": 89, "request-for-commits-6.md": 84,
    "request-for-commits-7.md": 52, "request-for-commits-8.md": 67, "request-for-commits-9.md": 80,
    "request-for-commits-10.md": 135, "request-for-commits-11.md": 48, "request-for-commits-12.md": 100,
    "request-for-commits-13.md": 67, "request-for-commits-14.md": 124,
    "request-for-commits-15.md": 59,  # 57 bold + 2 plain "Adam Stacoviak:" (see the module doc)
    "request-for-commits-16.md": 94, "request-for-commits-17.md": 110, "request-for-commits-18.md": 88,
    "request-for-commits-19.md": 58, "request-for-commits-20.md": 102,
    "request-for-commits-behind-season-one.md": 191,
}
#: every Markdown fixture, by path under shared/fixtures, with its speaker turns once imported
MARKDOWN_TURNS = {
    **{f"hitsave-interviews/files/{n}": k for n, k in HITSAVE_TURNS.items()},
    **{f"changelog-rfc/files/rfc/{n}": k for n, k in CHANGELOG_TURNS.items()},
}

# A podcast transcript as Changelog publishes it (bold labels, escaped brackets, links,
# emphasis, a sponsor break), with the conventions issue 13 found in real files.
PODCAST = """\
# Episode 12: Funding open source

## Details

Recorded on 3 May. Transcript by [Changelog](https://changelog.com/) & friends.

**Nadia Eghbal:** \\[00:00:12\\] Welcome back. It's the _funding_ episode... \\[laughs\\]

**Mikeal Rogers:**\\[31:58\\] What I did was **just** ask. Honestly, it's an a\\*\\*.
You \\*insert goal\\* and hope -- "it works".

**Break:** \\[22:46\\]

**Nadia Eghbal**: So \\[inaudible 00:12\\] the `npm` money went where?

> **Mikeal Rogers:** To the [Node Foundation](https://nodejs.org "Node"), mostly. \\[crosstalk\\]

- first, pay the maintainers
- second, (pause) pay the *infrastructure*

2016. That was the year it changed. \\[unclear\\] <b>Really</b> &amp; truly.
"""

# An Otter export: "Name  M:SS" label lines and "Name  " lines end in two spaces (a
# Markdown hard break), a time at a line start, an emoji and CJK before a note.
OTTER = """\
Transcript

Ann Smith  0:22  
Hello 😀 and welcome [laughter] to the show.

Ben Jones  0:41  
Thanks. 00:01:02.500 is when it started (0:22) or so, 漢字 [coughs]

Ann Smith  1:02:03  
1:02:05 Right.
"""


def test_markdown_markup_becomes_plain_text():
    text = markdown_to_text(PODCAST)
    # headings, links, emphasis, strong, inline code, escapes, block quotes, list markers
    assert text.startswith("Episode 12: Funding open source\n\nDetails\n\n"
                           "Recorded on 3 May. Transcript by Changelog & friends.\n\n")
    assert "Nadia Eghbal: [00:00:12] Welcome back. It's the funding episode... [laughs]\n" in text
    assert "Mikeal Rogers: [31:58] What I did was just ask. Honestly, it's an a**.\n" in text
    assert 'You *insert goal* and hope -- "it works".\n' in text
    assert "Break: [22:46]\n" in text
    assert "Nadia Eghbal: So [inaudible 00:12] the npm money went where?\n" in text
    assert "Mikeal Rogers: To the Node Foundation, mostly. [crosstalk]\n" in text
    assert "\nfirst, pay the maintainers\nsecond, (pause) pay the infrastructure\n" in text
    # an ordered list item keeps its number as written; raw HTML stays literal text
    assert "\n2016. That was the year it changed. [unclear] <b>Really</b> & truly.\n" in text
    for markup in ("**N", "**M", "**B", "**just", "\\[", "\\*", "](", "# ", "\n> ", "- first", "`", "&amp;", "_funding_"):
        assert markup not in text, markup


def test_no_typographic_replacement():
    text = markdown_to_text('He said "so..." -- and \'yes\' (c) +- 1/2 ---\n')
    assert text == 'He said "so..." -- and \'yes\' (c) +- 1/2 ---\n'


def test_raw_html_is_literal_text():
    # html off: a tag alone on its line is no HTML block, and no tag is interpreted
    src = "Ann: hello\n\n<inaudible>\n\n<div class=x>\nBob: <i>yes</i> &lt;3\n</div>\n"
    assert markdown_to_text(src) == "Ann: hello\n\n<inaudible>\n\n<div class=x>\nBob: <i>yes</i> <3\n</div>\n"


def test_line_structure_is_kept_line_for_line():
    for src in (PODCAST, OTTER, "a\n\n\n\nb\nc  \nd\\\ne\n\n---\n\n```\nx  y\n```\n\nSetext\n===\nz\n"):
        text = markdown_to_text(src)
        assert text.count("\n") == src.count("\n")
        assert text.split("\n")[-2] == markdown_to_text(src.split("\n")[-2] + "\n").rstrip("\n")
    # a soft break stays a line break; trailing spaces of a hard break stay (Otter's "Name  ")
    assert markdown_to_text("Anna Smith  \nHello there.\nsecond line\n") == "Anna Smith  \nHello there.\nsecond line\n"
    assert markdown_to_text("one\\\ntwo\n") == "one\ntwo\n"


def test_bold_labels_still_make_turns():
    text = markdown_to_text(PODCAST)
    turns = detect_turns(text)
    assert [t.speaker for t in turns] == ["Nadia Eghbal", "Mikeal Rogers", "Nadia Eghbal", "Mikeal Rogers"]
    first, second, third, fourth = (text[t.start:t.end] for t in turns)
    assert first == "Welcome back. It's the funding episode... [laughs]"
    # the label's time is the turn's; the sponsor break ends the turn before it
    assert [t.timestamp for t in turns] == ["00:00:12", "31:58", None, None]
    assert second.endswith('hope -- "it works".')
    assert third == "So [inaudible 00:12] the npm money went where?"
    assert fourth.startswith("To the Node Foundation, mostly. [crosstalk]\n\nfirst, pay")  # quoted: still a turn
    assert [turn_time(text, t) for t in turns] == [12, 31 * 60 + 58, None, None]


def test_otter_labels_keep_their_turns_and_times():
    text = markdown_to_text(OTTER)
    assert text == OTTER  # nothing in it is Markdown markup
    turns = detect_turns(text)
    assert [(t.speaker, t.timestamp) for t in turns] == [("Ann Smith", "0:22"), ("Ben Jones", "0:41"),
                                                          ("Ann Smith", "1:02:03")]
    assert [turn_time(text, t) for t in turns] == [22, 41, 3723]


@pytest.mark.parametrize(("raw", "kind", "seen"), [
    ("\\[12:21\\]", "time", "[12:21]"), ("\\[00:12:21\\]", "time", "[00:12:21]"), ("(0:22)", "time", "(0:22)"),
    ("00:01:02.500", "time", "00:01:02.500"), ("\\[laughs\\]", "note", "[laughs]"),
    ("\\[laughter\\]", "note", "[laughter]"), ("\\[inaudible 00:12\\]", "note", "[inaudible 00:12]"),
    ("\\[crosstalk\\]", "note", "[crosstalk]"), ("(pause)", "note", "(pause)"), ("\\[unclear\\]", "note", "[unclear]"),
    ("[laughs]", "note", "[laughs]"),  # unescaped: no link without a destination, kept as written
])
def test_each_convention_survives_markdown(raw, kind, seen):
    text = markdown_to_text(f"**Ann:** It was {raw} fine, we met at 10:30.\n")
    assert text == f"Ann: It was {seen} fine, we met at 10:30.\n"
    assert [(m.kind, m.text) for m in find_marks(text)] == [(kind, seen)]


def test_a_time_at_a_line_start_stays_a_marker():
    text = markdown_to_text("Talk\n\n0:22 Ann: well\n")
    assert [(m.kind, m.text) for m in find_marks(text)] == [("time", "0:22")]


def test_import_stores_what_a_reader_sees(project, tmp_path):
    path = tmp_path / "E12.md"
    path.write_text(PODCAST, encoding="utf-8")
    report = import_files(project, [path])
    assert report.turns == 4
    src = project.sources.by_name("E12")
    text = project.sources.text(src.id)
    assert text == markdown_to_text(PODCAST)
    assert project.conn.execute("SELECT file_format FROM sources WHERE id = ?", (src.id,)).fetchone()[0] == "md"
    turns = project.sources.turns(src.id)
    assert [t.speaker for t in turns] == ["Nadia Eghbal", "Mikeal Rogers", "Nadia Eghbal", "Mikeal Rogers"]
    # search offsets point at plain text: no markup inside a hit
    hits = search(project, '"insert goal"')
    assert [text[h.start - 1:h.end + 1] for h in hits] == ["*insert goal*"]
    hits = search(project, '"Node Foundation"')
    assert [text[h.start - 7:h.end] for h in hits] == ["To the Node Foundation"]


def test_a_file_of_markup_only_has_no_text(tmp_path):
    from qualcoder_lite.core.errors import InputError

    path = tmp_path / "empty.md"
    path.write_text("---\n\n***\n", encoding="utf-8")
    with pytest.raises(InputError, match="contains no text"):
        read_source(path)


def test_txt_is_not_read_as_markdown(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("**Ann:** a\\*\\* [laughs]\n", encoding="utf-8")
    assert read_source(path).text == "**Ann:** a\\*\\* [laughs]\n"


@pytest.mark.parametrize("name,expected", sorted(MARKDOWN_TURNS.items()))
def test_fixture_turns_read_in_place(fixtures_dir, name, expected):
    path = fixtures_dir / name
    raw = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    text = read_source(path).text
    turns = detect_turns(text)
    assert len(turns) == expected
    # no markup is left where the speakers are; lines stay where they were in the file
    assert not any(text[t.label_start:t.label_end].startswith("**") for t in turns)
    assert "\\[" not in text and "**" not in text
    assert text.rstrip().count("\n") == raw.rstrip().count("\n")
    # the same speakers as the raw file's labels, in the same order (the two unbolded
    # labels of request-for-commits-15 aside)
    raw_turns = detect_turns(raw)
    if "request-for-commits-15" not in name:
        assert [(t.speaker, t.timestamp) for t in turns] == [(t.speaker, t.timestamp) for t in raw_turns]
        for r, t in zip(raw_turns, turns):  # the same turn, read at the same line
            assert raw.count("\n", 0, r.label_start) == text.count("\n", 0, t.label_start)


def test_sponsor_breaks_end_turns(fixtures_dir):
    text = read_source(fixtures_dir / "changelog-rfc/files/rfc/request-for-commits-1.md").text
    turns = detect_turns(text)
    breaks = [i for i in range(len(text)) if text.startswith("Break: [", i)]
    assert len(breaks) == 2
    for b in breaks:
        assert not any(t.start <= b < t.end for t in turns)
    said = [text[t.start:t.end] for t in turns]
    assert any("[laughter] The Producing Open Source Software first edition" in s for s in said)


def test_plain_break_markers_end_turns_and_numbers_are_no_speakers():
    # what "**Break:** \[22:46\]" and a stray "4:" read as once the Markdown is rendered
    text = ("Ann: one\n\nBob: two\n\nBreak: [22:46]\n\nAnn: three\n4: a numbered point\n\n"
            "Bob: four\nBreak: [00:20:18:08] to [00:21:13:00]\nNote: recording paused.\n\nAnn: five\n")
    turns = detect_turns(text)
    assert [(t.speaker, text[t.start:t.end]) for t in turns] == [
        ("Ann", "one"), ("Bob", "two"), ("Ann", "three\n4: a numbered point"), ("Bob", "four"), ("Ann", "five"),
    ]
