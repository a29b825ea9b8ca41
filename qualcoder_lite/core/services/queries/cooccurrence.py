"""Code co-occurrence: for each unordered pair of codes, how many passages have both and how
many cases have at least one such passage.

``unit="overlap"``: two codings of different codes co-occur when they share at least one
character; ``passages`` counts such pairs of codings (a sweep over spans sorted by start, no
per-character arrays). ``unit`` sentence / paragraph / turn (the one segmenter in
``core.units``): a unit co-occurs for two codes when codings of both share a character with it;
``passages`` counts such units. Pairs are keyed by the escaped code paths with ``a < b``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from ...errors import UsageError
from ...model import Segment
from ...units import units as unit_spans
from ..sources.filters import Where
from ..quotes.segments import segments

UNITS = ("overlap", "sentence", "paragraph", "turn")


@dataclass
class Pair:
    a: str
    b: str
    a_id: int
    b_id: int
    passages: int = 0
    cases: set = field(default_factory=set)
    # where they co-occur: (source_id, start, end) — the union of the two codings, or the unit
    spans: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "passages": self.passages, "cases": len(self.cases)}


def _units_hit(spans: list[tuple[int, int]], starts: list[int], s: int, e: int) -> list[int]:
    """Indexes of the (sorted, disjoint) units sharing at least one character with [s, e)."""
    i = max(bisect.bisect_right(starts, s) - 1, 0)
    out = []
    while i < len(spans) and spans[i][0] < e:
        if spans[i][1] > s:
            out.append(i)
        i += 1
    return out


def cooccurrence(project, code_ids: list[int] | None = None, unit: str = "overlap",
                 where: Where | None = None, coders: list[str] | None = None) -> list[Pair]:
    if unit not in UNITS:
        raise UsageError(f"unknown unit {unit!r} (choose from {', '.join(UNITS)})")
    pairs: dict[tuple[str, str], Pair] = {}

    def pair(x, y) -> Pair:
        if x.code > y.code:
            x, y = y, x
        p = pairs.get((x.code, y.code))
        if p is None:
            p = pairs[(x.code, y.code)] = Pair(x.code, y.code, x.code_id, y.code_id)
        return p

    by_source: dict[int, list] = {}
    for s in segments(project, code_ids, where, coders=coders):
        if s.end > s.start:
            by_source.setdefault(s.source_id, []).append(s)
    for sid, segs in by_source.items():
        if unit == "overlap":
            segs.sort(key=lambda s: (s.start, s.end))
            active: list = []
            for s in segs:
                active = [x for x in active if x.end > s.start]
                for x in active:
                    if x.code_id != s.code_id:
                        p = pair(x, s)
                        p.passages += 1
                        p.cases.update(s.cases)
                        p.spans.append((sid, min(x.start, s.start), max(x.end, s.end)))
                active.append(s)
            continue
        spans = [(u[0], u[1]) for u in unit_spans(project.sources.text(sid), project.sources.turns(sid), unit)]
        starts = [u[0] for u in spans]
        present: dict[int, dict[int, Segment]] = {}  # unit index -> code id -> a segment of it
        for s in segs:
            for i in _units_hit(spans, starts, s.start, s.end):
                present.setdefault(i, {}).setdefault(s.code_id, s)
        for i, codes in sorted(present.items()):
            segs_here = sorted(codes.values(), key=lambda x: x.code)
            for j, x in enumerate(segs_here):
                for y in segs_here[j + 1:]:
                    p = pair(x, y)
                    p.passages += 1
                    p.cases.update(x.cases)
                    p.spans.append((sid, spans[i][0], spans[i][1]))
    return sorted(pairs.values(), key=lambda p: (p.a, p.b))
