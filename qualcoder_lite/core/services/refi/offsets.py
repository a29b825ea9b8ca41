"""Selection offsets as vendors really count them, converted to our code points.

The REFI-QDA standard says ``startPosition``/``endPosition`` are Unicode code points from
0 into the plain-text file. Measured on real exports, vendors differ:

* **NVivo for Windows** (12, 14) counts UTF-16 code units of the .txt as stored: an
  emoji or other character outside the Basic Multilingual Plane counts 2, CRLF counts 2,
  the BOM is not counted ("utf16").
* **ATLAS.ti** reportedly counts a CRLF line break as one character ("codepoints-lf").
* Spec-conforming tools (QualCoder, qc, our own exports) count code points of the file
  as stored, CRLF as 2 ("codepoints").
* UTF-16 units with CRLF as one ("utf16-lf") and UTF-8 bytes ("utf8", tools that store
  byte offsets) are also tried, last.

``detect`` picks a convention for the whole project: the one the ``origin`` attribute
suggests, unless another one puts more selections inside their texts or clearly more
selection ends on word boundaries (and selection names equal to the quoted text): by at
least ``max(3, 20 %)`` of the checked selections, so that a few coincidences in randomly
placed selections cannot overrule the exporter. Our own exports are trusted as written.
Sources whose text is pure ASCII without CR give no evidence: there every convention
counts the same.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from typing import Iterable
from dataclasses import dataclass

CONVENTIONS = ("codepoints", "codepoints-lf", "utf16", "utf16-lf", "utf8")
DESCRIPTIONS = {
    "codepoints": "Unicode code points, CRLF as two (the REFI-QDA standard)",
    "codepoints-lf": "Unicode code points, CRLF as one (ATLAS.ti)",
    "utf16": "UTF-16 code units, CRLF as two (NVivo for Windows)",
    "utf16-lf": "UTF-16 code units, CRLF as one",
    "utf8": "UTF-8 bytes",
}
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_LINE_BREAK = re.compile(r"\r\n?")


TRUSTED = ("qualcoder lite",)  # exporters whose convention is known exactly: no override


def hint_for(origin: str) -> str:
    """The convention the exporting program is known to use, from ``origin``."""
    o = (origin or "").casefold()
    if "nvivo" in o and "mac" not in o:
        return "utf16"
    if "atlas" in o:
        return "codepoints-lf"
    return "codepoints"


def crlf_positions(raw: str) -> list[int]:
    """Positions in the normalised text of the LF that replaced each CRLF of ``raw``."""
    out = []
    removed = 0
    for m in _LINE_BREAK.finditer(raw):
        out.append(m.start() - removed)
        if m.end() - m.start() == 2:
            removed += 1
        else:  # a lone CR became LF: one unit either way
            out.pop()
    return out


class VendorUnitsToCodePoints:
    """Maps offsets counted in one convention over the raw text to code points in the
    normalised text. Only characters counting more than one unit are stored."""

    def __init__(self, norm: str, crlfs: list[int], convention: str):
        unit_lf = convention.endswith("-lf")
        weights: dict[int, int] = {}
        if convention.startswith("utf16"):
            weights = {m.start(): 2 for m in _ASTRAL.finditer(norm)}
        elif convention == "utf8":
            weights = {m.start(): len(m.group().encode("utf-8")) for m in _NON_ASCII.finditer(norm)}
        if not unit_lf:
            for p in crlfs:
                weights[p] = weights.get(p, 1) + 1
        self.length = len(norm)
        self.pos: list[int] = sorted(weights)  # code point of each wide character
        self.widths: list[int] = [weights[p] for p in self.pos]
        before = list(itertools.accumulate((w - 1 for w in self.widths), initial=0))
        self.starts: list[int] = [p + e for p, e in zip(self.pos, before)]  # its first unit
        self.total_units = self.length + before[-1]
        self.crlf = set(crlfs) if not unit_lf else set()

    def to_cp(self, unit: int, is_end: bool) -> tuple[int | None, bool]:
        """(code point or None when outside the text, True when it fell between characters)."""
        if unit < 0 or unit > self.total_units:
            return None, False
        k = bisect.bisect_right(self.starts, unit) - 1  # last wide char starting at or before
        if k < 0:
            return unit, True
        s, w, p = self.starts[k], self.widths[k], self.pos[k]
        if unit == s:
            return p, True
        if unit < s + w:  # inside a wide character: snap outwards (CRLF: before the LF)
            if p in self.crlf:
                return p, False
            return (p + 1 if is_end else p), False
        extra = s + w - (p + 1)
        return unit - extra, True


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or unicodedata.category(ch).startswith("M")


def on_boundary(text: str, pos: int) -> bool:
    if pos <= 0 or pos >= len(text):
        return True
    return not (_is_word(text[pos - 1]) and _is_word(text[pos]))


def _squash(s: str) -> str:
    return " ".join(s.split())


def name_matches(name: str, quote: str) -> bool:
    """True when a selection's ``name`` is (the start of) the quoted text (ATLAS.ti names
    quotations by their first words, ending in an ellipsis when cut)."""
    n = _squash(name).rstrip("…").rstrip(".").strip()
    q = _squash(quote)
    return len(n) >= 4 and len(q) >= 4 and (q.startswith(n) or n.startswith(q))


@dataclass
class Score:
    total: int = 0  # selections checked
    inside: int = 0  # ... inside the text
    boundary: int = 0  # ... with both ends on word boundaries
    named: int = 0  # ... whose name is the start of the quoted text

    def add(self, other: "Score") -> None:
        self.total += other.total
        self.inside += other.inside
        self.boundary += other.boundary
        self.named += other.named


@dataclass
class Detection:
    convention: str
    hint: str
    scores: dict[str, Score]
    evidence: int  # selections in sources where the conventions differ
    trusted: bool = False  # our own export: read as written, not scored

    def explain(self) -> str:
        s = self.scores[self.convention]
        what = DESCRIPTIONS[self.convention]
        if self.trusted:
            return f"offsets read as {what}, as QualCoder Lite writes them"
        if not self.evidence:
            return (f"offsets read as {what}, as the exporting program suggests; no text could tell the "
                    "conventions apart (plain ASCII without CRLF, or texts missing)")
        if self.convention == self.hint:
            return (f"offsets read as {what}, as the exporting program suggests; {s.boundary} of {s.total} "
                    "checked selections start and end on word boundaries that way")
        h = self.scores[self.hint]
        return (f"offsets read as {what}: {s.boundary} of {s.total} checked selections start and end on word "
                f"boundaries that way ({s.inside} inside their texts), against {h.boundary} ({h.inside}) as "
                f"{DESCRIPTIONS[self.hint]}, which the exporting program suggests")


#: Enough selections to tell the conventions apart; later sources are not scored.
MAX_EVIDENCE = 3000


def _signature(conv: str, crlf: bool, astral: bool, non_ascii: bool) -> tuple[bool, bool, bool]:
    """Conventions with one signature map a given text identically (scored once)."""
    return (crlf and not conv.endswith("-lf"), astral and conv.startswith("utf16"), non_ascii and conv == "utf8")


def detect(texts: Iterable[tuple[str, str, list[tuple[int, int, str]]]], origin: str) -> Detection:
    """Choose the convention for a project.

    ``texts``: (raw text, normalised text, [(start, end, name)]) for every source whose
    text is present (read only as far as the evidence goes).
    """
    hint = hint_for(origin)
    scores = {c: Score() for c in CONVENTIONS}
    evidence = 0
    if (origin or "").casefold().startswith(TRUSTED):
        return Detection(hint, hint, scores, 0, trusted=True)
    for raw, norm, sels in texts:
        if evidence >= MAX_EVIDENCE:
            break  # enough evidence: the rest is not read
        crlf, non_ascii = "\r" in raw, not raw.isascii()
        if not sels or not (crlf or non_ascii):
            continue
        evidence += len(sels)
        crlfs = crlf_positions(raw)
        astral = non_ascii and _ASTRAL.search(norm) is not None
        done: dict[tuple[bool, bool, bool], Score] = {}
        for conv in CONVENTIONS:
            sig = _signature(conv, crlf, astral, non_ascii)
            if sig not in done:
                done[sig] = _score(VendorUnitsToCodePoints(norm, crlfs, conv), norm, sels)
            scores[conv].add(done[sig])
    best = hint
    if evidence:
        margin = max(3, -(-scores[hint].total // 5))
        for conv in CONVENTIONS:
            s, b = scores[conv], scores[best]
            fit_s, fit_b = s.boundary + s.named, b.boundary + b.named
            if s.inside > b.inside or (s.inside == b.inside and fit_s >= fit_b + margin):
                best = conv
    return Detection(best, hint, scores, evidence)


def _score(m: VendorUnitsToCodePoints, norm: str, sels: list[tuple[int, int, str]]) -> Score:
    sc = Score()
    for start, end, name in sels:
        sc.total += 1
        a, a_ok = m.to_cp(start, False)
        b, b_ok = m.to_cp(end, True)
        if a is None or b is None or a >= b:
            continue
        sc.inside += 1
        if a_ok and b_ok and on_boundary(norm, a) and on_boundary(norm, b):
            sc.boundary += 1
        if name and name_matches(name, norm[a:b]):
            sc.named += 1
    return sc
