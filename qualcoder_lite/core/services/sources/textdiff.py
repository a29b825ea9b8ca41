"""Where each offset of a text goes when the text is replaced by a corrected version.

``TextDiff(old, new)`` finds what changed with ``difflib.SequenceMatcher``, line by line
first, then by sentence, word and character inside the changed blocks (a
character-level matcher over a whole transcript is quadratic, and its "junk" heuristic
ignores spaces and common letters in texts over 200 characters). Every offset is a Unicode
code point, as stored.

A word carries the white space after it and words are matched by their text alone: a lone
space is no token, so it cannot anchor the match (deleting "be " before "ben" would pair
"be" with "ben" through the space between them), and a word whose white space changed
still matches, the white space being diffed on its own.

A span ``[start, end)`` follows its text: unchanged text keeps its characters exactly. The
rules at the edges of a change, which decide what a coding holds afterwards:

* text inserted right before ``start`` or right after ``end`` stays outside the span
  (inserting a sentence between two coded passages grows neither);
* text inserted strictly inside the span becomes part of it;
* when the first (last) character of the span was replaced, the span starts (ends) with the
  replacement: a redacted name inside a coding is replaced inside the coding;
* a word changed into a similar word (a typo) changes character by character; other changed
  words are replaced as a whole;
* when the whole span was deleted it collapses to a point (``start == end``), the place
  where its text was (or to the white space left there: ``anchors`` counts both as deleted).
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass

_LINES = re.compile(r"[^\n]*\n*")
_SENTENCES = re.compile(r"[^.!?]*(?:[.!?]+\s*|$)")
# a word or a punctuation mark with the white space after it; white space only at the start
_WORDS = re.compile(r"\s+|(?:\w+|[^\w\s])\s*")
_WORD = re.compile(r"\w+|[^\w\s]")
# Token counts above which difflib's "popular token" heuristic is switched on.
_MAX_REFINE = 4_000


@dataclass(frozen=True)
class Edit:
    """Old text ``[i1, i2)`` became new text ``[j1, j2)`` (a deletion has ``j1 == j2``,
    an insertion ``i1 == i2``)."""

    i1: int
    i2: int
    j1: int
    j2: int


def _lines(text: str) -> list[str]:
    """Lines with the blank lines after them: a lone blank line matches every other one."""
    return [t for t in _LINES.findall(text) if t]


def _sentences(text: str) -> list[str]:
    return [t for t in _SENTENCES.findall(text) if t]


def _chars(text: str) -> list[str]:
    return list(text)


_WORD_LEVEL, _CHAR_LEVEL = 2, 3
_SPLIT = {0: _lines, 1: _sentences, _CHAR_LEVEL: _chars}  # the word level: _diff_words


def _similar(a: str, b: str) -> bool:
    """One word for a similar word (a typo: "wrtitten" -> "written") changes character by
    character; "John Smith" -> "[tutor]" stays one replacement."""
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.6


def _positions(tokens: list[str]) -> list[int]:
    pos = [0]
    for t in tokens:
        pos.append(pos[-1] + len(t))
    return pos


def _diff_words(old: str, new: str, io: int, jo: int, out: list[Edit]) -> None:
    """The word level of ``_diff``: tokens are words (or punctuation marks) with the white
    space after them, matched by the word alone."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    # the word without its white space; white space at the start is one token of its own
    wa = [m.end() if (m := _WORD.match(t)) else 0 for t in a]
    wb = [m.end() if (m := _WORD.match(t)) else 0 for t in b]
    ka = [t[:w] or " " for t, w in zip(a, wa)]
    kb = [t[:w] or " " for t, w in zip(b, wb)]
    apos, bpos = _positions(a), _positions(b)
    matcher = difflib.SequenceMatcher(None, ka, kb, autojunk=len(ka) + len(kb) > _MAX_REFINE)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":  # the same words; the white space after one may differ
            for i, j in zip(range(i1, i2), range(j1, j2)):
                if a[i] != b[j]:
                    _diff(a[i][wa[i]:], b[j][wb[j]:], _CHAR_LEVEL, io + apos[i] + wa[i],
                          jo + bpos[j] + wb[j], out)
            continue
        o1, o2, n1, n2 = apos[i1], apos[i2], bpos[j1], bpos[j2]
        if tag == "replace" and i2 - i1 == 1 and j2 - j1 == 1 and _similar(ka[i1], kb[j1]):
            _diff(old[o1:o2], new[n1:n2], _CHAR_LEVEL, io + o1, jo + n1, out)
        else:
            out.append(Edit(io + o1, io + o2, jo + n1, jo + n2))


def _diff(old: str, new: str, level: int, io: int, jo: int, out: list[Edit]) -> None:
    """Append the edits turning ``old`` into ``new`` (offsets shifted by ``io``/``jo``):
    changed lines and sentences are diffed again one level down."""
    if level == _WORD_LEVEL:
        _diff_words(old, new, io, jo, out)
        return
    a, b = _SPLIT[level](old), _SPLIT[level](new)
    apos, bpos = _positions(a), _positions(b)
    # exact matching of every token is quadratic in the frequent ones (spaces, "the"): a huge
    # block (a transcript with few line breaks) lets difflib skip them while anchoring
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=len(a) + len(b) > _MAX_REFINE)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        o1, o2, n1, n2 = apos[i1], apos[i2], bpos[j1], bpos[j2]
        if tag == "replace" and level < _CHAR_LEVEL:
            _diff(old[o1:o2], new[n1:n2], level + 1, io + o1, jo + n1, out)
        else:
            out.append(Edit(io + o1, io + o2, jo + n1, jo + n2))


def diff_edits(old: str, new: str) -> list[Edit]:
    """The edits turning ``old`` into ``new``, sorted and disjoint, no two adjacent."""
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    # the shared ends are cut at line breaks: cut inside a word, "bo bon" -> "bon" would
    # keep "bo" and lose the "n" of "bon"
    prefix = old.rfind("\n", 0, prefix) + 1
    if suffix:
        cut = old.find("\n", len(old) - suffix)
        suffix = len(old) - cut - 1 if cut >= 0 else 0
    raw: list[Edit] = []
    if old != new:
        _diff(old[prefix:len(old) - suffix], new[prefix:len(new) - suffix], 0, prefix, prefix, raw)
    raw = _slide(raw, old, new)
    merged: list[Edit] = []
    for e in raw:  # edits from neighbouring refined blocks may touch: one edit then
        if merged and merged[-1].i2 == e.i1 and merged[-1].j2 == e.j1:
            last = merged.pop()
            e = Edit(last.i1, e.i2, last.j1, e.j2)
        merged.append(e)
    return [_trim(e, old, new) for e in merged]


def _trim(e: Edit, old: str, new: str) -> Edit:
    """White space that a replacement keeps at its ends stays outside it ("John Smith " ->
    "[tutor] " replaces the name only): a span ending before that space does not grow."""
    i1, i2, j1, j2 = e.i1, e.i2, e.j1, e.j2
    while i1 < i2 and j1 < j2 and old[i2 - 1] == new[j2 - 1] and old[i2 - 1].isspace():
        i2, j2 = i2 - 1, j2 - 1
    while i1 < i2 and j1 < j2 and old[i1] == new[j1] and old[i1].isspace():
        i1, j1 = i1 + 1, j1 + 1
    return Edit(i1, i2, j1, j2)


def _boundary(text: str, a: int, b: int) -> int:
    """How well ``text[a:b]`` (a deleted or inserted run) sits on boundaries: line, then
    sentence or speaker label, then word."""
    def before(x: int) -> int:
        if x == 0 or text[x - 1] == "\n":
            return 3
        if text[x - 1].isspace():
            return 2 if x >= 2 and text[x - 2] in ".!?:;]" else 1
        return 0

    def after(x: int) -> int:
        if x == len(text) or text[x] == "\n":
            return 3
        if x > a and text[x - 1].isspace():
            return 2 if x - 2 >= a and text[x - 2] in ".!?:;" else 1
        return 1 if text[x].isspace() else 0

    return before(a) + after(b)


def _slide(edits: list[Edit], old: str, new: str, limit: int = 200) -> list[Edit]:
    """A deletion or insertion of text that repeats at its edge could sit in several places
    (deleting "slides. I " or "I am ... slides. "): put it where it sits best on boundaries,
    so the spans around it keep their own words."""
    out: list[Edit] = []
    for k, e in enumerate(edits):
        if (e.i1 == e.i2) == (e.j1 == e.j2):  # a replacement (or nothing): stays
            out.append(e)
            continue
        text, a, b = (old, e.i1, e.i2) if e.j1 == e.j2 else (new, e.j1, e.j2)
        lo = out[-1].i2 + 1 if out else 1  # keep equal text between edits
        hi = edits[k + 1].i1 - 1 if k + 1 < len(edits) else len(old)
        if e.j1 != e.j2:  # insertion: the bounds are in the new text
            lo = out[-1].j2 + 1 if out else 1
            hi = edits[k + 1].j1 - 1 if k + 1 < len(edits) else len(new)
        best, best_score = 0, _boundary(text, a, b)
        d = 0
        while d > -limit and a + d - 1 >= lo - 1 and a + d > 0 and text[a + d - 1] == text[b + d - 1]:
            d -= 1
            score = _boundary(text, a + d, b + d)
            if score > best_score:
                best, best_score = d, score
        d = 0
        while d < limit and b + d < hi and text[a + d] == text[b + d]:
            d += 1
            score = _boundary(text, a + d, b + d)
            if score > best_score:
                best, best_score = d, score
        out.append(Edit(e.i1 + best, e.i2 + best, e.j1 + best, e.j2 + best))
    return out


class TextDiff:
    """Maps offsets of ``old`` to offsets of ``new`` (see the module notes for the edges)."""

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new
        self.edits = diff_edits(old, new)
        self._i1 = [e.i1 for e in self.edits]
        self._shift: list[int] = []  # total length change up to and including edit k
        shift = 0
        for e in self.edits:
            shift += (e.j2 - e.j1) - (e.i2 - e.i1)
            self._shift.append(shift)

    def __bool__(self) -> bool:
        return bool(self.edits)

    def start(self, p: int) -> int:
        """Where a span starting at ``p`` starts now."""
        k = bisect.bisect_right(self._i1, p) - 1
        if k < 0:
            return p
        e = self.edits[k]
        if p < e.i2:  # the character at p was replaced or deleted
            return e.j1
        return p + self._shift[k]

    def end(self, q: int) -> int:
        """Where a span ending at ``q`` (exclusive) ends now."""
        k = bisect.bisect_left(self._i1, q) - 1  # the last edit starting before q
        if k < 0:
            return q
        e = self.edits[k]
        if q <= e.i2:  # the character before q was replaced or deleted
            return e.j2
        return q + self._shift[k]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The new ``(start, end)`` of a span; ``start == end`` when all of it was deleted."""
        s, e = self.start(start), self.end(end)
        return (s, max(s, e))

    def touches(self, start: int, end: int) -> bool:
        """Whether an edit changed text inside ``[start, end)`` (insertions at its edges
        do not count: they stay outside)."""
        k = bisect.bisect_left(self._i1, end) - 1
        while k >= 0 and self.edits[k].i2 >= start:
            e = self.edits[k]
            if e.i1 < end and (e.i2 > start or (e.i1 == e.i2 and e.i1 > start)):
                return True
            k -= 1
        return False
