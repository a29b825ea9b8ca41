"""The transcript view shows time markers dimmed and transcriber notes in grey italics
(issue 13, item 1), as character formats laid over the text at the offsets
``core.marks.find_marks`` gives, converted to Qt's UTF-16 positions by the one helper.
Emoji (two UTF-16 units each) before a marker must not shift its format."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QTextCharFormat

from qualcoder_lite.core.formats.markdown import markdown_to_text
from qualcoder_lite.core.marks import find_marks
from qualcoder_lite.core.units import detect_turns
from qualcoder_lite.gui.transcript_view import NOTE_COLOR, TIME_COLOR, TranscriptView
from tests.gui.conftest import open_source


def _view(qtbot, text):
    view = TranscriptView()
    qtbot.addWidget(view)
    view.resize(700, 400)
    view.show_source(1, text, detect_turns(text), [], {}, {})
    view.show()
    qtbot.waitExposed(view)
    return view


def _format_at(view, cp):
    """The highlighter's character format covering code point ``cp`` (None: plain text)."""
    pos = view.map.to_utf16(cp)
    block = view.document().findBlock(pos)
    inside = pos - block.position()
    for r in block.layout().formats():
        if r.start <= inside < r.start + r.length:
            return QTextCharFormat(r.format)  # a copy: the range's own dies with the list
    return None


def _range_at(view, cp):
    pos = view.map.to_utf16(cp)
    block = view.document().findBlock(pos)
    inside = pos - block.position()
    for r in block.layout().formats():
        if r.start <= inside < r.start + r.length:
            return block.position() + r.start, block.position() + r.start + r.length
    return None


def _dimmed(fmt):
    return fmt is not None and fmt.foreground().color() == QColor(TIME_COLOR) and not fmt.fontItalic()


def _note(fmt):
    return fmt is not None and fmt.foreground().color() == QColor(NOTE_COLOR) and fmt.fontItalic()


TEXT = ("Ann: 😀😀 Hello 🎉 [laughs] it began at [00:01:02], 漢字 (pause) and we met at 10:30.\n\n"
        "Bob: e\u0301 😀 [inaudible 00:12] yes (0:22)\n00:01:05.250 Bob: [the reforms] done\n")


def test_times_are_dimmed_and_notes_italic_after_emoji(qtbot):
    view = _view(qtbot, TEXT)
    marks = find_marks(TEXT)
    assert [(m.kind, m.text) for m in marks] == [
        ("note", "[laughs]"), ("time", "[00:01:02]"), ("note", "(pause)"), ("note", "[inaudible 00:12]"),
        ("time", "(0:22)"), ("time", "00:01:05.250"),
    ]
    for m in marks:
        fmt = _format_at(view, m.start)
        assert (_dimmed if m.kind == "time" else _note)(fmt), m
        # the format covers exactly the marker: its UTF-16 span, no more, no less
        assert _range_at(view, m.start) == (view.map.to_utf16(m.start), view.map.to_utf16(m.end)), m
        assert _range_at(view, m.end - 1) == _range_at(view, m.start)
    # what was said stays plain: the emoji, the words around, a time of day, an insertion
    for word in ("Hello", "began", "10:30", "漢字", "[the reforms]", "done"):
        assert _format_at(view, TEXT.index(word)) is None, word
    # the speaker label is bold, not dimmed
    label = _format_at(view, TEXT.index("Ann"))
    assert label is not None and label.fontWeight() == QFont.Bold and not _dimmed(label)


def test_otter_label_time_is_dimmed_in_the_bold_label(qtbot):
    text = "Ann Smith  0:22  \nHello 😀 [laughter] there.\n\nBen Jones  1:02:03  \nThanks.\n"
    view = _view(qtbot, text)
    fmt = _format_at(view, text.index("0:22"))
    assert fmt.foreground().color() == QColor(TIME_COLOR) and fmt.fontWeight() == QFont.Bold
    name = _format_at(view, text.index("Ann Smith"))
    assert name.fontWeight() == QFont.Bold and name.foreground().color() != QColor(TIME_COLOR)
    assert _note(_format_at(view, text.index("[laughter]")))
    assert _format_at(view, text.index("Thanks")) is None


def test_markdown_transcript_in_the_window(qtbot, window, tmp_path):
    """A Markdown transcript imported through the project opens with no markup and its
    conventions marked; the picture is saved for a person to look at."""
    from qualcoder_lite.core.services.sources.importing import ImportSources, prepare

    src = tmp_path / "E12.md"
    src.write_text(
        "# Episode 12\n\n**Nadia Eghbal:** \\[00:00:12\\] Welcome back 😀 to the _funding_ episode... \\[laughs\\]\n\n"
        "**Mikeal Rogers:** \\[31:58\\] What I did was **just** ask. It's an a\\*\\*. \\[crosstalk\\]\n"
        "You \\*insert goal\\* and hope -- \"it works\".\n\n**Break:** \\[22:46\\]\n\n"
        "**Nadia Eghbal:** So \\[inaudible 00:12\\] the money went to the [Node Foundation](https://nodejs.org)?\n",
        encoding="utf-8")
    wb = window.workbench
    wb.ctx.run(ImportSources(prepare([src])))
    open_source(wb, "E12")
    view = wb.view
    text = view.text
    assert text == markdown_to_text(src.read_text(encoding="utf-8"))
    assert view.toPlainText() == text
    for m in find_marks(text):
        assert (_dimmed if m.kind == "time" else _note)(_format_at(view, m.start)), m
    assert _dimmed(_format_at(view, text.index("[22:46]")))
    out = tmp_path / "markdown_transcript.png"
    assert window.grab().save(str(out))
