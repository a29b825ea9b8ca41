"""Building the word index (``sources.word_index``): the start of every word token of a
source's text, grouped by case key, so a term's hits are read instead of scanned (layout
below). The store keeps this derived column current when a project opens, so the build lives
here; ``services.search.word_index`` reads it."""

from __future__ import annotations

import contextlib
import re
import struct
import sys
import unicodedata
import zlib
from array import array
from bisect import bisect_right
from collections import defaultdict, deque
from itertools import accumulate, chain, repeat
from operator import add, rshift, sub
from typing import Callable, Generator, Literal, MutableSequence, Sequence

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
_FAR_BYTE = bytes([_FAR])
_Code = Literal["H", "I", "L"]  # array type codes the index packs with
_U32: _Code = "I" if array("I").itemsize == 4 else "L"
_LITTLE = sys.byteorder == "little"
_UNDERSCORE_RUN = re.compile(r"(?<!\w)\w*_\w*")  # a whole \w run with an underscore (linear: no retry inside a run)
_SPLIT = re.compile(r"([^\W_]+)")
# the runs between tokens, written "x x*" rather than "x+" so that a search skips to a run's
# first character by the class alone (a group that starts with a repeat has no such prefix)
_SEPARATORS = re.compile(r"([\W_][\W_]*)")
# the same runs in a text without "_" (where [\W_] is [^\w]): the class's bitmap turns ASCII
# letters and digits away before the Unicode word test (with the prefix, ~20 % fewer instructions)
_SEPARATORS_NO_UNDERSCORE = re.compile(r"([^A-Za-z0-9\w][^A-Za-z0-9\w]*)")


def _pack(code: _Code, values) -> bytes:
    if _LITTLE and isinstance(values, array) and values.typecode == code:
        return values.tobytes()
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
    return any(iscased(ord(ch)) for ch in set("".join(set(separators))))


#: A text longer than this is indexed in pieces of about this many characters (each piece
#: ends right after a white-space character, so no token, separator run or underscore run
#: is cut); between pieces ``build_word_index`` reports progress and may be cancelled.
PIECE_CHARS = 1 << 20
_SPACE = re.compile(r"\s")


class _Piece:
    """The tokens of ``text[a:b]`` by case key (keys sorted, then by position): each token's
    start (code points in the whole text) and gap (characters to the next token; the
    piece's last token's gap is only its trailing separator until ``_join`` knows the next
    piece). ``span[key]`` is ``(offset, count)`` of the key's tokens in ``at`` / ``gap``."""

    __slots__ = ("scan", "keys", "span", "at", "gap", "far", "last_key", "first", "last_end", "under")
    at: array  # 4 bytes a start (_U32)
    gap: bytearray  # min(gap, _FAR) (the exact gaps of _FAR+ are in ``far``)

    def __init__(self, text: str, a: int, b: int):
        piece = text[a:b]
        got = _split_bytes(piece, a)
        if got is None:  # a text mostly outside ASCII
            got = _split_regex(piece, a)
        self.scan = got is _NEEDS_SCAN
        if got is _NEEDS_SCAN:
            return
        tokens, starts, gaps = got
        try:
            small = bytes(gaps)  # in token order; a gap of 256+ characters raises
        except ValueError:
            small = bytes(map(min, gaps, repeat(_FAR)))
        by_key = _group(tokens, starts, small)  # each key's starts and gap bytes, in turn
        self.keys = sorted(by_key)
        runs = list(map(by_key.__getitem__, self.keys))
        counts = list(map(rshift, map(len, runs), repeat(1)))  # two numbers a token
        self.span = dict(zip(self.keys, zip(accumulate(counts, initial=0), counts)))
        self.at, self.gap = _starts_and_gaps(runs)
        # (start, gap) of the tokens but the last with a gap >= _FAR, in token order (the
        # last one's is known in ``set_last_gap``)
        self.far = [] if small.find(_FAR_BYTE, 0, len(small) - 1) == -1 else [
            x for s, g in zip(starts[:-1], gaps[:-1]) if g >= _FAR for x in (s, g)]
        self.last_key = _key(tokens[-1]) if tokens else None
        self.first = starts[0] if tokens else None
        self.last_end = b - gaps[-1] if tokens else None
        self.under = _underscores(text, a, b)

    def set_last_gap(self, gap: int) -> None:
        assert self.last_key is not None  # a piece with tokens
        if gap >= _FAR:
            assert self.last_end is not None
            self.far += (self.last_end - len(self.last_key), gap)
        off, n = self.span[self.last_key]
        self.gap[off + n - 1] = min(gap, _FAR)


def _parts(text: str) -> list[str]:
    """``_SPLIT.split(text)``: separator, token, ..., token, separator (the first and last
    separators may be empty). Split at the separators, which is faster than at the tokens."""
    if not text:
        return [""]
    split = (_SEPARATORS if "_" in text else _SEPARATORS_NO_UNDERSCORE).split
    parts = split(text)  # token, separator, ..., separator, token (end tokens may be empty)
    if parts[0]:
        parts.insert(0, "")
    else:
        del parts[0]
    if parts[-1]:
        parts.append("")
    else:
        parts.pop()
    return parts


Split = tuple[list, list[int], list[int]]  # tokens (str or UTF-8), their starts, their gaps
_NEEDS_SCAN: Split = ([], [], [])  # a separator ``re.IGNORECASE`` may equate with a letter (see _needs_scan)


def _split_regex(piece: str, a: int) -> Split:
    """The tokens of ``piece`` (which starts at ``a``), their starts, and the gaps after them
    (the last one's to the end of the piece)."""
    parts = _parts(piece)  # separator, token, separator, token, ..., separator
    if _separators_need_scan(parts[0::2]):
        return _NEEDS_SCAN
    lengths = list(map(len, parts))
    return parts[1::2], list(accumulate(lengths, initial=a))[1:-1:2], lengths[2::2]


# ``_split_bytes`` reads a text as one byte a character: ASCII letters (in lower case: their
# case key) and digits,
# "?" for any other character (``encode``'s replacement: the text's own "?" are "!" by then),
# every other ASCII character as a space; the "?" of a character outside words becomes a space.
_MARK_ASCII = bytes(ord(chr(c).lower()) if chr(c).isalnum() and c < 128 else 0x20 for c in range(256))
_MARK = _MARK_ASCII[:0x3F] + b"?" + _MARK_ASCII[0x40:]
_GAPS = bytes(0x78 if c == 0x20 else 0x20 for c in range(256))  # separators as "x", the rest as spaces
_MOSTLY_ASCII = 16  # at most one character in this many outside ASCII, or the regex splits


class _Chars(dict):
    """``ch -> 0`` (a character outside words), ``1`` (inside words), ``2`` (outside words, and
    ``re.IGNORECASE`` may equate it with a letter: the text is scanned)."""

    def __missing__(self, ch: str) -> int:
        self[ch] = kind = 1 if ch.isalnum() else 2 if iscased(ord(ch)) else 0
        return kind


_CHARS = _Chars()


def _split_bytes(piece: str, a: int) -> Split | None:
    """``_split_regex(piece, a)`` from C-level splits of bytes (tokens as UTF-8, those in ASCII
    in lower case); None for a text with many characters outside ASCII (the per-character
    step here is Python)."""
    if piece.isascii():
        marks = piece.encode("ascii").translate(_MARK_ASCII)
        inside: list[int] = []
    else:
        raw = piece.replace("?", "!").encode("ascii", "replace")
        if raw.count(b"?") * _MOSTLY_ASCII > len(piece):
            return None
        marked = bytearray(raw.translate(_MARK))
        inside = []  # where characters outside ASCII are inside words
        at = marked.find(b"?")
        while at != -1:
            kind = _CHARS[piece[at]]
            if kind == 1:
                inside.append(at)
            elif kind == 0:
                marked[at] = 0x20
            else:
                return _NEEDS_SCAN
            at = marked.find(b"?", at + 1)
        marks = bytes(marked)
    tokens = marks.split()
    if not tokens:
        return [], [], []
    gaps = list(map(len, marks.translate(_GAPS).split()))
    if marks[0] != 0x20:
        gaps.insert(0, 0)
    if marks[-1] != 0x20:
        gaps.append(0)
    lengths = list(map(len, tokens))
    starts = list(accumulate(map(add, gaps, chain((a,), lengths))))  # separator + token before
    starts.pop()  # the end of the piece
    last = -1
    for at in inside:  # the tokens with characters outside ASCII, as UTF-8
        i = bisect_right(starts, a + at) - 1
        if i != last:
            s = starts[i] - a
            tokens[i] = piece[s:s + lengths[i]].encode("utf-8")
            last = i
    del gaps[0]
    return tokens, starts, gaps


def _group(tokens: list, starts: list[int], small: bytes) -> dict[str, list[int]]:
    """Each case key's tokens as ``[start, gap byte, start, gap byte, ...]`` (by position)."""
    runs: defaultdict[str | bytes, list[int]] = defaultdict(list)
    deque(map(list.extend, map(runs.__getitem__, tokens), zip(starts, small)), 0)  # in C (zip reuses its pair)
    keys = _keys(list(runs))
    if len(set(keys)) == len(keys):  # each key written one way (always in a text in ASCII)
        return dict(zip(keys, runs.values()))
    by_key: dict[str, list[int]] = {}
    for key, run in zip(keys, runs.values()):
        have = by_key.get(key)
        if have is None:
            by_key[key] = run
        else:  # tokens that differ in case outside ASCII (or in a text the regex split)
            have[:] = chain.from_iterable(sorted(zip(have[0::2] + run[0::2], have[1::2] + run[1::2])))
    return by_key


def _keys(tokens: list) -> list[str]:
    """The case keys of distinct ``tokens`` (``_split_bytes``'s UTF-8, its ASCII in lower
    case: their own keys, decoded in one go; or ``str``)."""
    if not tokens or isinstance(tokens[0], str):
        return list(map(word_key, tokens))
    words = b"\n".join(tokens).decode("utf-8").split("\n")
    return [w if w.isascii() else word_key(w) for w in words]


def _key(token: str | bytes) -> str:
    """A token's case key (``_split_bytes`` gives ASCII tokens in lower case: their own key)."""
    if isinstance(token, bytes):
        return token.decode("ascii") if token.isascii() else word_key(token.decode("utf-8"))
    return word_key(token)


def _starts_and_gaps(runs: list[list[int]]) -> tuple[array, bytearray]:
    """The starts (``_U32``) and the gap bytes of ``runs`` (``_group``'s), in order."""
    flat = list(chain.from_iterable(runs))
    return array(_U32, flat[0::2]), bytearray(flat[1::2])


def _piece_bounds(text: str, size: int) -> list[tuple[int, int]]:
    """``[(a, b), ...]`` covering ``text``; every ``b`` but the last follows white space."""
    out, a, n = [], 0, len(text)
    while n - a > size:
        m = _SPACE.search(text, a + size)
        if m is None:
            break
        out.append((a, m.end()))
        a = m.end()
    out.append((a, n))
    return out


def index_piece(text: str, a: int, b: int) -> _Piece:
    """The tokens of ``text[a:b]`` (a piece from ``build_word_index``'s ``map_pieces``)."""
    return _Piece(text, a, b)


IndexPiece = _Piece
MapPieces = Callable[[str, list[tuple[int, int]]], Generator[_Piece, None, None]]


def build_word_index(text: str, progress=None, piece_chars: int = PIECE_CHARS,
                     map_pieces: MapPieces | None = None, *, utf8: bytes | None = None) -> bytes:
    """The ``sources.word_index`` value for ``text`` (deterministic: same text, same bytes,
    whatever the piece size). ``progress(done, total)`` (characters) is called after each
    piece of a long text; when it returns False, ``InterruptedError`` is raised.
    ``map_pieces(text, bounds)``, if given, yields ``index_piece(text, a, b)`` for each of
    several ``(a, b)`` in order (e.g. made in worker processes); it is closed when done.
    ``utf8``: the text's UTF-8, when the caller has it (else it is encoded here)."""
    raw = text.encode("utf-8") if utf8 is None else utf8
    header = [_FORMAT, _UNICODE, len(raw), zlib.crc32(raw), 0, len(text), 0, 0, 0, 0, 0, 0]
    pieces: list[_Piece] = []
    bounds = _piece_bounds(text, piece_chars)
    made = (map_pieces(text, bounds) if map_pieces is not None and len(bounds) > 1
            else (_Piece(text, a, b) for a, b in bounds))
    with contextlib.closing(made):
        for (_a, b), piece in zip(bounds, made):
            if piece.scan:
                header[4] = _SCAN
                return _pack(_U32, header)
            pieces.append(piece)
            if progress is not None and not progress(b, len(text)):
                raise InterruptedError("indexing cancelled")
    keys, counts, at, gaps = _join(pieces)
    far = [x for p in pieces for x in p.far]  # none unless a gap is _FAR+
    lines, narrow, wide = _vocabulary(keys, counts, at)
    vocab = ("\n" + "\n".join(lines) + "\n").encode("utf-8")
    vocab += b"\0" * (-len(vocab) % 4)
    under = [x for p in pieces for x in p.under]
    header[6:] = [len(at), len(vocab), len(narrow), len(wide), len(under) // 3, len(far) // 2]
    return (_pack(_U32, header) + vocab + _pack(_U32, wide) + _pack(_U32, under) + _pack(_U32, far)
            + _pack("H", narrow) + gaps)


def _join(pieces: list[_Piece]) -> tuple[list[str], list[int], Sequence[int], bytearray]:
    """The sorted keys, each key's count, and every token's start and gap in key order
    (then by position)."""
    for i, p in enumerate(pieces):  # a piece's last gap reaches the next token, if any
        if p.last_key is None or p.last_end is None:
            continue
        nxt = next((q.first for q in pieces[i + 1:] if q.first is not None), None)
        p.set_last_gap(0 if nxt is None else nxt - p.last_end)
    if len(pieces) == 1:
        p = pieces[0]
        return p.keys, [p.span[k][1] for k in p.keys], p.at, p.gap
    keys = sorted({k for p in pieces for k in p.keys})
    counts: list[int] = []
    at = array(_U32)
    gaps = bytearray()
    for key in keys:
        total = 0
        for p in pieces:
            got = p.span.get(key)
            if got is not None:
                off, n = got
                at.extend(p.at[off:off + n])
                gaps += p.gap[off:off + n]
                total += n
        counts.append(total)
    return keys, counts, at, gaps


def _vocabulary(keys: list[str], counts: list[int], at: Sequence[int]):
    """The vocabulary lines and the starts of each key's tokens: as 16-bit differences
    ("h" keys) where they fit, else as 32-bit starts ("i" keys)."""
    firsts = list(accumulate(counts, initial=0))[:-1]  # each key's first place in ``at``
    lanes = _lanes(at, firsts)
    if lanes is None:  # no starts, or a big-endian machine
        diffs = _differences(at, firsts)
        with contextlib.suppress(OverflowError):
            return [f"{k}\th{o}\t{n}\t{o}" for k, o, n in zip(keys, firsts, counts)], array("H", diffs), []
        return _split_wide(keys, counts, firsts, at, diffs)
    low = bytearray(len(lanes) // 2)  # each difference's low 16 bits, and below its high 16 bits
    low[0::2] = lanes[0::4]
    low[1::2] = lanes[1::4]
    high = bytearray(len(lanes) // 2)
    high[0::2] = lanes[2::4]
    high[1::2] = lanes[3::4]
    narrow = array("H")
    if not high.strip(b"\0"):  # every key in 16 bits (always for texts < 64 K characters)
        narrow.frombytes(low)
        return [f"{k}\th{o}\t{n}\t{o}" for k, o, n in zip(keys, firsts, counts)], narrow, []
    # a key is wide when one of its differences has high bits: found, and copied, as bytes
    lines: list[str] = []
    parts: list[bytearray] = []
    done = 0  # 16-bit units in ``parts``
    wide = array(_U32)
    for key, off, n in zip(keys, firsts, counts):
        if high.count(0, 2 * off, 2 * (off + n)) != 2 * n:
            lines.append(f"{key}\ti{len(wide)}\t{n}\t{off}")
            wide.extend(at[off:off + n])
        else:
            lines.append(f"{key}\th{done}\t{n}\t{off}")
            parts.append(low[2 * off:2 * (off + n)])
            done += n
    narrow.frombytes(b"".join(parts))
    return lines, narrow, wide


def _split_wide(keys: list[str], counts: list[int], firsts: list[int], at: Sequence[int],
                diffs: MutableSequence[int]):
    """``_vocabulary``'s lines, narrow and wide from the differences as numbers."""
    lines: list[str] = []
    narrow = array("H")
    wide = array(_U32)
    for key, off, n in zip(keys, firsts, counts):
        part = diffs[off:off + n]
        if max(part) < 65536:
            lines.append(f"{key}\th{len(narrow)}\t{n}\t{off}")
            narrow.extend(iter(part))  # an array of another type code is read value by value
        else:
            lines.append(f"{key}\ti{len(wide)}\t{n}\t{off}")
            wide.extend(at[off:off + n])
    return lines, narrow, wide


def _lanes(at: Sequence[int], firsts: list[int]) -> bytes | None:
    """``_differences(at, firsts)`` as little-endian 32-bit lanes, or None when there are no
    starts or the machine is big-endian. Computed on bytes: the starts as 32-bit lanes of
    one big number, less the lanes of the starts before them (0 at ``firsts``); no lane
    borrows, as a key's starts ascend."""
    if not at or not _LITTLE:
        return None
    starts = at if isinstance(at, array) and at.typecode == _U32 else array(_U32, at)
    now = starts.tobytes()
    before = array(_U32, bytes(4))
    before += starts[:-1]
    for off in firsts:
        before[off] = 0  # an array's item: a fifth of the time of 4 bytes of a bytearray
    return (int.from_bytes(now, "little") - int.from_bytes(before.tobytes(), "little")).to_bytes(len(now), "little")


def _differences(at: Sequence[int], firsts: list[int]) -> MutableSequence[int]:
    """Each start in ``at`` less the one before it, or less 0 at ``firsts``; ``[0]`` for no
    starts."""
    if isinstance(at, list) and at:  # one piece (< 1 M characters): lists are quickest
        prev = [0]
        prev += at[:-1]
        for off in firsts:
            prev[off] = 0
        return list(map(sub, at, prev))
    diffs = array("l", [0])  # 8 bytes a number (a long text has millions), not a list's 40
    diffs.extend(map(sub, at[1:], at))
    for off in firsts:
        diffs[off] = at[off]
    return diffs


def _underscores(text: str, lo: int = 0, hi: int | None = None) -> list[int]:
    """3 x uint32 per token next to an underscore (in ``text[lo:hi]``): start, _BEFORE|_AFTER,
    end of its \\w run."""
    under: list[int] = []
    hi = len(text) if hi is None else hi
    if text.find("_", lo, hi) != -1:
        for run in _UNDERSCORE_RUN.finditer(text, lo, hi):
            a, b = run.span()
            for m in _WORDS.finditer(text, a, b):
                s, e = m.span()
                flags = (_BEFORE if s > a else 0) | (_AFTER if e < b else 0)
                if flags:
                    under += (s, flags, b)
    return under


_HEAD = struct.Struct("<%dI" % _HEADER)  # the header's numbers (little-endian, as ``_unpack`` reads)


def lean_layout(blob, facts: tuple[int | None, int | None], pair: bool) -> tuple[int, int, int, int] | None:
    """(end of the vocabulary = offset of wide, end of wide, offset of narrow, offset of
    gaps) of an index whose numbers can be read straight from its bytes: this layout and
    Unicode version, built from the text whose (length, CRC-32) are ``facts``, no token
    beside an underscore, and (for a phrase: ``pair``) no gap of 255+ characters; else None
    (also on big-endian machines). Search's lean reads and the word postings take these."""
    if not _LITTLE or not isinstance(blob, bytes) or len(blob) < 4 * _HEADER:
        return None
    (fmt, uni, _n_bytes, crc, flags, chars, n_tokens, n_vocab, n_narrow, n_wide, n_under,
     n_far) = _HEAD.unpack_from(blob)
    if fmt != _FORMAT or uni != _UNICODE or flags & _SCAN or n_under or (n_far and pair) or (chars, crc) != facts:
        return None
    vb = 4 * _HEADER + n_vocab
    q = vb + 4 * (n_wide + 2 * n_far)
    if len(blob) != q + 2 * n_narrow + n_tokens:
        return None
    return vb, vb + 4 * n_wide, q, q + 2 * n_narrow


def word_index_is_current(blob: bytes | None) -> bool:
    """Whether ``blob`` has this version's layout and case keys (not whether it fits its text:
    search checks that)."""
    if not isinstance(blob, bytes) or len(blob) < 4 * _HEADER:
        return False
    fmt, uni = _unpack(_U32, memoryview(blob)[:8])
    return fmt == _FORMAT and uni == _UNICODE


def index_tokens(blob: bytes) -> int | None:
    """How many word tokens ``blob`` holds; None for a text that is scanned instead."""
    header = _unpack(_U32, memoryview(blob)[:4 * _HEADER])
    return None if header[4] & _SCAN else int(header[6])


def index_text_crc(blob: bytes | None) -> int | None:
    """The CRC-32 of the UTF-8 text ``blob`` was built from (None: not an index)."""
    if not isinstance(blob, bytes) or len(blob) < 4 * _HEADER:
        return None
    return int(_unpack(_U32, memoryview(blob)[:4 * _HEADER])[3])
