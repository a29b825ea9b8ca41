"""Reading the word index in place: a source's stored index as ``memoryview``s, and the spans
of a term's hits (the index is built by ``store.word_index``)."""

from __future__ import annotations

import re
import zlib
from array import array
from itertools import accumulate, compress, repeat
from operator import add, sub

from ...store.word_index import (  # noqa: F401  (build_word_index, word_index_is_current: re-exported)
    _AFTER, _BEFORE, _FAR, _FORMAT, _HEADER, _LITTLE, _SCAN, _U32, _UNICODE, _unpack, build_word_index, word_index_is_current,
)
from ...store.word_index import _HEAD, lean_layout as _lean
from .query import Term



class _WordIndex:
    """A source's word index, read in place (``memoryview``s over the stored bytes)."""

    __slots__ = ("_blob", "_va", "_vb", "narrow", "wide", "gaps", "under", "far")

    def __init__(self, blob: bytes, vocab: tuple[int, int], narrow, wide, gaps, under: dict, far: dict):
        self._blob = blob  # the vocabulary is blob[_va:_vb], searched as UTF-8 (decoded line by line)
        self._va, self._vb = vocab
        self.narrow = narrow
        self.wide = wide
        self.gaps = gaps
        self.under = under  # start -> (flags, end of the \w run)
        self.far = far  # start -> gap

    @classmethod
    def load(cls, blob: bytes | None, raw: bytes | None, facts: tuple[int, int] | None = None) -> "_WordIndex | None":
        """The index if it holds the tokens and was built from exactly ``raw`` (the UTF-8
        text: its length and CRC-32 are checked) or, without ``raw``, from the text whose
        ``facts`` are given (its length in characters and CRC-32, kept beside it by the store:
        schema 7); None means: scan this source."""
        if not isinstance(blob, bytes) or len(blob) < 4 * _HEADER:
            return None
        (fmt, uni, n_bytes, crc, flags, chars, n_tokens, n_vocab, n_narrow, n_wide, n_under,
         n_far) = _HEAD.unpack_from(blob)
        if fmt != _FORMAT or uni != _UNICODE or flags & _SCAN:
            return None
        if raw is not None and (n_bytes != len(raw) or crc != zlib.crc32(raw)):
            return None
        if raw is None and (facts is None or (chars, crc) != facts):
            return None
        p = 4 * _HEADER + n_vocab
        q = p + 4 * (n_wide + 3 * n_under + 2 * n_far)
        if len(blob) != q + 2 * n_narrow + n_tokens:
            return None
        view = memoryview(blob)
        wide = _unpack(_U32, view[p:p + 4 * n_wide]) if n_wide else ()
        p += 4 * n_wide
        under = {}
        if n_under:
            u = _unpack(_U32, view[p:p + 12 * n_under])
            under = {u[i]: (u[i + 1], u[i + 2]) for i in range(0, 3 * n_under, 3)}
        p += 12 * n_under
        far = {}
        if n_far:
            f = _unpack(_U32, view[p:q])
            far = {f[i]: f[i + 1] for i in range(0, 2 * n_far, 2)}
        return cls(blob, (4 * _HEADER, 4 * _HEADER + n_vocab), _unpack("H", view[q:q + 2 * n_narrow]), wide,
                   view[q + 2 * n_narrow:], under, far)

    def _starts(self, line: str) -> tuple[int, list[int], int]:
        """(key length, starts, gap offset) from a vocabulary line."""
        key, where, count, goff = line.split("\t")
        off = int(where[1:])
        n = int(count)
        if where[0] == "h":
            return len(key), list(accumulate(self.narrow[off:off + n])), int(goff)
        return len(key), list(self.wide[off:off + n]), int(goff)

    @property
    def vocab(self) -> str:
        """The vocabulary ("\n" + one line per key + "\n", NUL-padded)."""
        return str(self._blob[self._va:self._vb], "utf-8")

    def positions(self, key: str) -> tuple[list[int], int]:
        """Starts of the tokens whose key is ``key`` (ascending), and their gap offset."""
        v, b = self._blob, self._vb
        needle = b"\n" + key.encode("utf-8") + b"\t"  # UTF-8 is searched as its text would be
        i = v.find(needle, self._va, b)
        if i < 0:
            return [], 0
        i += len(needle)  # the rest of the line: where, count, gap offset
        where, count, goff = str(v[i:v.find(b"\n", i, b)], "utf-8").split("\t")
        off = int(where[1:])
        n = int(count)
        if where[0] == "h":
            return list(accumulate(self.narrow[off:off + n])), int(goff)
        return list(self.wide[off:off + n]), int(goff)

    def prefixed(self, key: str) -> list[tuple[int, list[int]]]:
        """(token length, starts) for every key that begins with ``key``."""
        v, a, b = self._blob, self._va, self._vb
        k = key.encode("utf-8")  # a UTF-8 prefix is the UTF-8 of a prefix
        out = []
        i = v.find(b"\n" + k, a, b)  # keys are sorted: the ones with this prefix are adjacent
        while i >= 0 and v.startswith(k, i + 1, b):
            j = v.find(b"\n", i + 1, b)
            n, starts, _goff = self._starts(str(v[i + 1:j], "utf-8"))
            out.append((n, starts))
            i = j
        return out

    def _following(self, key: str) -> dict[int, int]:
        """start -> gap to the next token, for the tokens whose key is ``key``."""
        starts, goff = self.positions(key)
        return dict(zip(starts, self.gaps[goff:goff + len(starts)]))

    def spans(self, term: Term, keys: tuple[str, ...]) -> list[tuple[int, int]]:
        """What ``term.regex().finditer`` finds in the text, from the index."""
        if len(keys) > 1:
            return self._phrase_spans(term, keys)
        under = self.under
        if not term.prefix:
            n = len(keys[0])
            starts = self.positions(keys[0])[0]
            if not under:
                return [(s, s + n) for s in starts]
            # an underscore before fails (?<!\w), one after fails (?!\w)
            return [(s, s + n) for s in starts if s not in under]
        out: list[tuple[int, int]] = []
        for n, starts in self.prefixed(keys[0]):
            if not under:
                out += [(s, s + n) for s in starts]
                continue
            for s in starts:
                u = under.get(s)
                if u is None:
                    out.append((s, s + n))
                elif not u[0] & _BEFORE:
                    out.append((s, u[1]))  # \w* runs on over the underscore to the run's end
        return out

    def _phrase_spans(self, term: Term, keys: tuple[str, ...]) -> list[tuple[int, int]]:
        """``spans`` of a phrase: consecutive tokens (whatever separates them is [\\W_]+)."""
        under = self.under
        first, goff = self.positions(keys[0])
        if not first:
            return []
        if len(keys) == 2 and not term.prefix and not under and not self.far and keys[0] != keys[1]:
            # the common two-word phrase: the token after each first one (a gap of 0, no next
            # token, points at the first token's end, where no token starts), and no overlap
            # to skip (a match's second token is never a first one)
            second = self.positions(keys[1])[0]
            if not second:
                return []
            after = list(map(add, map(add, first, repeat(len(keys[0]))), self.gaps[goff:goff + len(first)]))
            keep = list(map(set(second).__contains__, after))  # one pass in C per step
            return list(zip(compress(first, keep), map(add, compress(after, keep), repeat(len(keys[1])))))
        middle = [self._following(k) for k in keys[1:-1]]
        length_at: dict[int, int] = {}  # with a prefix: start -> length of the last token
        last: dict[int, int] | set[int]
        if term.prefix:
            last = length_at = {s: n for n, starts in self.prefixed(keys[-1]) for s in starts}
        else:
            last = set(self.positions(keys[-1])[0])
        if not last or not all(middle):
            return []
        lengths = [len(k) for k in keys]
        n_last = lengths[-1]
        far = self.far
        out = []
        prev_end = -1
        for s, gap in zip(first, self.gaps[goff:goff + len(first)]):
            if s < prev_end:  # finditer goes on after the previous match
                continue
            if under and s in under and under[s][0] & _BEFORE:
                continue
            t = s
            for d, follow in enumerate(middle):
                if not gap:
                    break
                t += lengths[d] + (far[t] if gap == _FAR else gap)
                gap = follow.get(t)
                if gap is None:
                    break
            else:
                if not gap:
                    continue
                t += lengths[-2] + (far[t] if gap == _FAR else gap)
                if t not in last:
                    continue
                u = under.get(t) if under else None
                if term.prefix:
                    end = u[1] if u is not None and u[0] & _AFTER else t + length_at[t]
                elif u is not None and u[0] & _AFTER:
                    continue
                else:
                    end = t + n_last
                out.append((s, end))
                prev_end = end
        return out




# ----------------------------------------------------------------------------- lean reads
# A query of one word or of the common two-word phrase reads a few hundred bytes of each
# source's index: these answer it from the stored bytes without building a ``_WordIndex``
# (no views, no dicts; numbers read as ``array``s, whose items are read ~10x faster than a
# cast ``memoryview``'s), when the index is one ``load`` would take (same checks) and has no
# token beside an underscore and no far gap. None means: take ``load`` and ``spans`` (which
# give the same answer, or the one of a damaged index); so do big-endian machines.

# the rest of a vocabulary line as ``build_word_index`` writes it: ("h" | "i") offset TAB count
# TAB gap offset, in ASCII digits ("\n" ends it)
_LINE = re.compile(rb"([hi])([0-9]+)\t([0-9]+)\t([0-9]+)\n")


def _line(blob: bytes, at: tuple[int, int, int, int], needle: bytes) -> tuple[array, bool, int] | None:
    """(numbers, narrow?, gap offset) of the key whose vocabulary line starts with ``needle``:
    narrow numbers are differences (``positions`` adds them up), wide ones starts. None: no
    such key."""
    vb, w, q, g = at
    i = blob.find(needle, 4 * _HEADER, vb)
    if i < 0:
        return None
    m = _LINE.match(blob, i + len(needle), vb)
    if m is None:  # not a line as the index writes it: ``positions`` reads it (or refuses it)
        raise ValueError("an unusual vocabulary line")
    where, off, n, goff = m.groups()
    off = int(off)
    end = off + int(n)
    if where == b"h":  # ``narrow[off:off + n]`` (a slice past the end stops at it)
        if q + 2 * end > g:
            off, end = _clip(off, end - off, (g - q) >> 1)
        return array("H", blob[q + 2 * off:q + 2 * end]), True, int(goff)
    if vb + 4 * end > w:
        off, end = _clip(off, end - off, (w - vb) >> 2)
    return array(_U32, blob[vb + 4 * off:vb + 4 * end]), False, int(goff)


def _clip(off: int, n: int, size: int) -> tuple[int, int]:
    """(first, end) of ``range(size)[off:off + n]`` (a sequence's slice)."""
    r = range(size)[off:off + n]
    return (r.start, r.stop) if len(r) else (0, 0)


def word_needle(key: str) -> bytes:
    """What a vocabulary line starts with for ``key``."""
    return b"\n" + key.encode("utf-8") + b"\t"


def lean_word(blob, facts: tuple[int, int], needle: bytes) -> tuple[array, bool] | None:
    """One word's hits: (numbers, narrow?) as ``_line`` gives them (an empty array: none),
    or None: use ``_WordIndex``."""
    at = _lean(blob, facts, False)
    if at is None:
        return None
    found = _line(blob, at, needle)
    return (array("H"), True) if found is None else found[:2]


def lean_pair_spans(blob, facts: tuple[int, int], needles: tuple[bytes, bytes],
                    lengths: tuple[int, int]) -> tuple[list[int], list[int]] | None:
    """(starts, ends) of a two-word phrase of two different keys (``_WordIndex.spans``'s
    first path), or None: use ``_WordIndex``. A first token's hit is where the token after it
    (its start + gap, + the first word's length) is a second one."""
    at = _lean(blob, facts, True)
    if at is None:
        return None
    found = _line(blob, at, needles[0])
    if found is None or not found[0]:
        return [], []
    numbers, narrow, goff = found
    found = _line(blob, at, needles[1])
    if found is None or not found[0]:
        return [], []
    g = at[3] + goff  # ``gaps[goff:goff + len(first)]`` (the gaps end the index: no clipping)
    return pair_spans((numbers, narrow, blob[g:g + len(numbers)]), found[:2], lengths)


def pair_spans(first: tuple[array, bool, bytes], second: tuple[array, bool], lengths: tuple[int, int]
               ) -> tuple[list[int], list[int]]:
    """(starts, ends) of a two-word phrase in one source from each word's numbers as an
    index keeps them ((numbers, narrow?) and the first word's gaps): a first token's hit is
    where the token after it (its start + gap, + the first word's length) is a second one."""
    numbers, narrow, gaps = first
    n0 = lengths[0]
    # the second word's starts less the first word's length (with the differences: one more,
    # -n0, that no start + gap equals)
    second_at = set(accumulate(second[0], initial=-n0)) if second[1] else set(map(sub, second[0], repeat(n0)))
    after = list(map(add, accumulate(numbers) if narrow else numbers, gaps))  # start + gap
    keep = list(map(second_at.__contains__, after))
    after = list(compress(after, keep))
    return list(map(sub, after, compress(gaps, keep))), list(map(add, after, repeat(n0 + lengths[1])))
