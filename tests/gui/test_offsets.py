"""The GUI's UTF-16 <-> code-point map (``gui/offsets.py``) against an independent count.

The count here is Python's own UTF-16 encoder (``len(text[:i].encode("utf-16-le")) // 2``),
not the map's astral-character bookkeeping, so a map that converts nothing (or converts
wrongly) fails on any text with a character outside the Basic Multilingual Plane."""

from __future__ import annotations

from hypothesis import example, given, settings, strategies as st

from qualcoder_lite.gui.offsets import Utf16Positions

# pieces a transcript really holds: plain words, astral emoji, emoji with a skin tone,
# ZWJ sequences, combining marks, CJK, CRLF and LF, astral CJK extension characters
PIECES = ["a", "word ", " ", "\n", "\r\n", "\r", "😀", "👍🏽", "👩\u200d💻", "👨\u200d👩\u200d👧",
          "e\u0301", "\u0301", "中文", "𠀋", "\u200d", "\ufe0f", "é"]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.characters(codec="utf-8")), max_size=40).map("".join)


def utf16_count(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


def independent_to_cp(text: str, u16: int) -> int:
    """The code point whose UTF-16 span holds position ``u16`` (a position inside a
    surrogate pair belongs to the pair's start)."""
    cp = 0
    while cp < len(text) and utf16_count(text, cp + 1) <= u16:
        cp += 1
    return cp


@settings(max_examples=300, deadline=None)
@given(texts)
@example("P1: 😀 with emoji\r\nsecond é\u0301 中文 😀😀 👩\u200d💻 end.")
def test_code_points_to_utf16_match_an_independent_count(text):
    m = Utf16Positions(text)
    assert [m.to_utf16(i) for i in range(len(text) + 1)] == [utf16_count(text, i) for i in range(len(text) + 1)]
    assert m.utf16_length() == len(text.encode("utf-16-le")) // 2


@settings(max_examples=300, deadline=None)
@given(texts)
@example("😀x👍🏽\r\n👩\u200d💻")
def test_utf16_to_code_points_match_an_independent_count(text):
    m = Utf16Positions(text)
    n16 = len(text.encode("utf-16-le")) // 2
    assert [m.to_cp(u) for u in range(n16 + 1)] == [independent_to_cp(text, u) for u in range(n16 + 1)]


@settings(max_examples=300, deadline=None)
@given(texts, st.data())
def test_round_trip_keeps_every_code_point_and_the_selected_text(text, data):
    m = Utf16Positions(text)
    for cp in range(len(text) + 1):
        assert m.to_cp(m.to_utf16(cp)) == cp
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    # a selection made in Qt's units and read back gives exactly the stored characters
    encoded = text.encode("utf-16-le")
    a, b = m.to_utf16(start), m.to_utf16(end)
    assert encoded[2 * a:2 * b].decode("utf-16-le") == text[start:end]
    assert text[m.to_cp(a):m.to_cp(b)] == text[start:end]
