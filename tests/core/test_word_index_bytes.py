"""``store.word_index.build_word_index`` is byte for byte the layout its comment describes.

``_reference`` below builds ``sources.word_index`` the plain way - every token found with
``re.finditer``, its case key, a sort by (key, start), each field written out one value at a
time - from the layout comment in ``store/word_index.py`` alone. The fast build (C-level
splits and maps, a cheaper separator pattern for texts without ``_``, pieces) must give
the same bytes for random and hostile texts: underscores, gaps of 255+ and starts 65,536+
apart, case-folding oddities (U+0345, ß, ſ, Turkish İ/ı, the Kelvin sign), emoji, RTL text,
combining marks, CJK, superscript digits, and in pieces of every size.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcoder_lite.core.store import word_index as W
from qualcoder_lite.core.store.casekeys import iscased, word_key

_TOKEN = re.compile(r"[^\W_]+")
_WORD_RUN = re.compile(r"\w*")


def _reference(text: str) -> bytes:
    raw = text.encode("utf-8")
    unicode = int("".join(f"{int(x):02d}" for x in unicodedata.unidata_version.split(".")))
    header = [0x51575832, unicode, len(raw), zlib.crc32(raw), 0, len(text)]
    if any(iscased(ord(ch)) and not ch.isalnum() for ch in text):  # scanned, no tokens
        header[4] = 1
        return struct.pack("<12I", *header, 0, 0, 0, 0, 0, 0)
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    gap_of = [nxt[0] - e for (_, e), nxt in zip(tokens, tokens[1:])] + [0] * bool(tokens)
    far = [x for (s, _), g in zip(tokens, gap_of) if g >= 255 for x in (s, g)]
    under = []
    for s, e in tokens:
        flags = (1 if s > 0 and text[s - 1] == "_" else 0) | (2 if text[e:e + 1] == "_" else 0)
        if flags:
            under += [s, flags, _WORD_RUN.match(text, e).end()]
    by_key: dict[str, list[int]] = {}
    for i, (s, e) in enumerate(tokens):
        by_key.setdefault(word_key(text[s:e]), []).append(i)
    lines, narrow, wide, gaps, done = [], [], [], [], 0
    for key in sorted(by_key):
        ordinals = by_key[key]
        starts = [tokens[i][0] for i in ordinals]
        diffs = [b - a for a, b in zip([0] + starts, starts)]
        if max(diffs) < 65536:
            lines.append(f"{key}\th{len(narrow)}\t{len(ordinals)}\t{done}")
            narrow += diffs
        else:
            lines.append(f"{key}\ti{len(wide)}\t{len(ordinals)}\t{done}")
            wide += starts
        gaps += [min(gap_of[i], 255) for i in ordinals]
        done += len(ordinals)
    if not tokens:
        narrow = [0]  # the layout's one quirk: a text without tokens has one narrow 0
    vocab = ("\n" + "\n".join(lines) + "\n").encode("utf-8")
    vocab += b"\0" * (-len(vocab) % 4)
    header += [len(tokens), len(vocab), len(narrow), len(wide), len(under) // 3, len(far) // 2]
    return b"".join([struct.pack(f"<{len(header)}I", *header), vocab, struct.pack(f"<{len(wide)}I", *wide),
                     struct.pack(f"<{len(under)}I", *under), struct.pack(f"<{len(far)}I", *far),
                     struct.pack(f"<{len(narrow)}H", *narrow), bytes(gaps)])


HOSTILE = ["a", "A", "the", "The", "THE", " ", " ", "  ", "\n", "\n\n", "\t", "_", "__", "a_b", "-", "'", "’", "—",
           "…", ".", "?", "a?b", "é?", "1", "42", "²", "x²", "s", "S", "ſ", "ß", "SS", "ss", "ẞ", "İ", "ı", "i", "I", "İstanbul",
           "\u212a", "k", "é", "e\u0301", "\u0301", "ï", "Ñ", "😀", "👍🏽", "中文", "ﬁ", "Ǆ", "ǅ", "ǆ", "ι", "ͅ",
           "Ⓐ", "שלום", "مرحبا", "\u200f", "\u200d", "Ω", "\u2126", "µ", "μ", "ς", "σ", "Σ", " " * 254,
           " " * 255, "." * 256, "-" * 300, "\x00", "\U0010ffff"]
hostile_texts = st.lists(st.sampled_from(HOSTILE), max_size=80).map("".join)
any_texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(hostile_texts, any_texts), st.sampled_from([1, 7, 64, W.PIECE_CHARS]))
def test_index_bytes_equal_the_plain_build(text, piece_chars):
    assert W.build_word_index(text, piece_chars=piece_chars) == _reference(text)


def _far_apart() -> list[str]:
    filler = " ".join(f"w{i % 89}" for i in range(14_000))
    return [
        "Rare " + filler + " rare_x " + "." * 70_000 + " RARE ſo ß İ 😀 e\u0301 end",  # one key 65,536+ apart
        "x" + " " * 70_000 + "x y_ _y",  # a gap of 65,536+ and only far keys
        filler + "\n" * 300 + filler.upper() + " " * 65_536 + "w1",
        "", "   ", "_", "a", "😀 ' —",
    ]


@pytest.mark.parametrize("i", range(len(_far_apart())))
def test_long_texts_bytes_equal_the_plain_build(i):
    text = _far_apart()[i]
    want = _reference(text)
    for piece_chars in (W.PIECE_CHARS, 997, 5_000, 65_536):
        assert W.build_word_index(text, piece_chars=piece_chars) == want


@pytest.mark.parametrize("text", [
    "s ſ s S ſ",  # mostly outside ASCII: split by the regex, tokens as they are written
    "The the THE tHe the " + "é ü " * 5,
    "k " * 40 + "\u212a k K \u212a kelvin \u212aelvin Kelvin",  # mostly ASCII: lower-cased bytes, and the Kelvin sign
    "Ǆ ǅ ǆ dž Ǆ " + "x " * 40,
    "straße STRASSE ſtraße Straße " * 3 + "a " * 200,
])
def test_tokens_of_one_key_written_differently_interleave(text):
    """Tokens written differently with one case key (``The``/``the``, ``s``/``ſ``, ``k``/the
    Kelvin sign) take turns in the text: their starts are merged in order under the key."""
    for piece_chars in (W.PIECE_CHARS, 7):
        assert W.build_word_index(text, piece_chars=piece_chars) == _reference(text)
