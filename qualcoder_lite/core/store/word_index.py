"""Building the word index (``sources.word_index``): the start of every word token of a
source's text, grouped by case key, so a term's hits are read instead of scanned (layout
below). The store keeps this derived column current when a project opens, so the build lives
here; ``services.search.word_index`` reads it."""

from __future__ import annotations

import re
import sys
import unicodedata
import zlib
from array import array
from collections import defaultdict
from itertools import accumulate, repeat
from operator import sub
from typing import Literal

from .casekeys import iscased, word_key

_WORDS = re.compile(r"[^\W_]+")  # a word token (as ``services.search.query``)


# --------------------------------------------------------------------------- the word index
# Layout of ``sources.word_index`` (little-endian; offsets and lengths in code points):
#   header  12 x uint32: _FORMAT, Unicode version of the case keys, UTF-8 length of the text,
#           its CRC-32, flags, length in code points, tokens, vocabulary bytes, 16-bit units,
#           32-bit units, underscore entries, far gaps
#   vocab   UTF-8, NUL-padded to 4: "\n" + one line per case key, sorted by key:
#           key TAB ("h" | "i") offset TAB count TAB gap offset, + "\n"
#   wide    uint32: starts of the keys whose occurrences lie >= 65,536 apart ("i" keys)
#   under   3 x uint32 per token next to an underscore: start, _BEFORE|_AFTER, end of its \w run
#   far     2 x uint32 per gap >= 255: token start, gap
#   narrow  uint16: the other keys' starts as differences (first from 0) ("h" keys)
#   gaps    uint8 per occurrence, in vocabulary order: characters from the token's end to the
#           next token's start (0: no next token, 255: see far) - phrases follow tokens by it
# About 3 bytes per token; a term costs one ``find`` in the vocabulary and one slice.
_FORMAT = 0x51575832  # 'QWX2': a new layout takes a new number (opening rebuilds old ones)
# case keys follow the running Python's Unicode tables: built under others, an index is rebuilt
_UNICODE = int("".join(f"{int(x):02d}" for x in unicodedata.unidata_version.split(".")))
_HEADER = 12
_SCAN = 1  # flags: scan this text (see _needs_scan); the index holds no tokens
_BEFORE, _AFTER = 1, 2  # under: an underscore right before / right after the token
_FAR = 255
_Code = Literal["H", "I", "L"]  # array type codes the index packs with
_U32: _Code = "I" if array("I").itemsize == 4 else "L"
_LITTLE = sys.byteorder == "little"
_UNDERSCORE_RUN = re.compile(r"(?<!\w)\w*_\w*")  # a whole \w run with an underscore (linear: no retry inside a run)
_SPLIT = re.compile(r"([^\W_]+)")


def _pack(code: _Code, values) -> bytes:
    a = array(code, values)
    if not _LITTLE:  # pragma: no cover - big-endian machines
        a.byteswap()
    return a.tobytes()


def _unpack(code: _Code, view: memoryview):
    if _LITTLE:
        return view.cast(code)
    a = array(code, view.tobytes())  # pragma: no cover - big-endian machines
    a.byteswap()  # pragma: no cover
    return a  # pragma: no cover


def _needs_scan(text: str) -> bool:
    """A character outside words that ``re.IGNORECASE`` may equate with a letter (U+0345,
    the circled letters): a term can then match where the tokens say it cannot."""
    return any(iscased(ord(ch)) and not ch.isalnum() for ch in set(text))


def _separators_need_scan(separators: list[str]) -> bool:
    """``_needs_scan`` given the text between the words (every character there is no word
    character): the same answer, reading a sixth of the characters."""
    return any(iscased(ord(ch)) for ch in set("".join(separators)))


def build_word_index(text: str) -> bytes:
    """The ``sources.word_index`` value for ``text`` (deterministic: same text, same bytes)."""
    raw = text.encode("utf-8")
    header = [_FORMAT, _UNICODE, len(raw), zlib.crc32(raw), 0, len(text), 0, 0, 0, 0, 0, 0]
    parts = _SPLIT.split(text)  # separator, token, separator, token, ..., separator
    if _separators_need_scan(parts[0::2]):
        header[4] = _SCAN
        return _pack(_U32, header)
    tokens = parts[1::2]
    ends = list(accumulate(map(len, parts)))
    starts = ends[0:-1:2]  # a token starts where the separator before it ends
    gaps = list(map(len, parts[2::2]))  # the separator after each token ...
    if gaps:
        gaps[-1] = 0  # ... but the last one leads to no token
    if not gaps or max(gaps) < _FAR:
        gap_of, far = bytes(gaps), []
    else:
        gap_of = bytes(map(min, gaps, repeat(_FAR)))
        far = [x for i, g in enumerate(gaps) if g >= _FAR for x in (starts[i], g)]
    ordinals: defaultdict[str, list[int]] = defaultdict(list)
    for i, tok in enumerate(tokens):
        ordinals[tok].append(i)
    by_key: dict[str, list[int]] = {}
    for tok, where in ordinals.items():
        key = word_key(tok)
        have = by_key.get(key)
        if have is None:
            by_key[key] = where
        else:
            have.extend(where)
            have.sort()
    keys = sorted(by_key)
    order: list[int] = []  # token ordinals by key, then by position
    for key in keys:
        order += by_key[key]
    at = list(map(starts.__getitem__, order))
    gap_bytes = bytes(map(gap_of.__getitem__, order))
    lines, narrow, wide = _vocabulary(keys, by_key, at)
    vocab = ("\n" + "\n".join(lines) + "\n").encode("utf-8")
    vocab += b"\0" * (-len(vocab) % 4)
    under = _underscores(text)
    header[6:] = [len(tokens), len(vocab), len(narrow), len(wide), len(under) // 3, len(far) // 2]
    return (_pack(_U32, header) + vocab + _pack(_U32, wide) + _pack(_U32, under) + _pack(_U32, far)
            + _pack("H", narrow) + gap_bytes)


def _vocabulary(keys: list[str], by_key: dict[str, list[int]], at: list[int]) -> tuple[list[str], list[int], list[int]]:
    """The vocabulary lines and the 16-bit and 32-bit start arrays for ``keys`` (sorted), whose
    token starts are ``at`` (by key, then by position)."""
    diffs = [0, *map(sub, at[1:], at)]
    lines: list[str] = []
    narrow: list[int] = []
    wide: list[int] = []
    off = 0
    for key in keys:
        n = len(by_key[key])
        diffs[off] = at[off]  # each key's first start counts from 0
        off += n
    if not diffs or max(diffs) < 65536:  # every key in 16 bits (always for texts < 64 K characters)
        narrow = diffs
        off = 0
        for key in keys:
            n = len(by_key[key])
            lines.append(f"{key}\th{off}\t{n}\t{off}")
            off += n
    else:
        off = 0
        for key in keys:
            n = len(by_key[key])
            part = diffs[off:off + n]
            if max(part) < 65536:
                lines.append(f"{key}\th{len(narrow)}\t{n}\t{off}")
                narrow += part
            else:
                lines.append(f"{key}\ti{len(wide)}\t{n}\t{off}")
                wide += at[off:off + n]
            off += n
    return lines, narrow, wide


def _underscores(text: str) -> list[int]:
    """(start, _BEFORE|_AFTER, end of its \\w run) of every token next to an underscore."""
    under: list[int] = []
    if "_" in text:
        for run in _UNDERSCORE_RUN.finditer(text):
            a, b = run.span()
            for m in _WORDS.finditer(text, a, b):
                s, e = m.span()
                flags = (_BEFORE if s > a else 0) | (_AFTER if e < b else 0)
                if flags:
                    under += (s, flags, b)
    return under


def word_index_is_current(blob: bytes | None) -> bool:
    """Whether ``blob`` has this version's layout and case keys (not whether it fits its text:
    search checks that)."""
    if not isinstance(blob, bytes) or len(blob) < 4 * _HEADER:
        return False
    fmt, uni = _unpack(_U32, memoryview(blob)[:8])
    return fmt == _FORMAT and uni == _UNICODE
