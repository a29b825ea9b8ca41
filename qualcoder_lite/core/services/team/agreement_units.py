"""The units a coder comparison counts over: each source's unit spans (sentences,
paragraphs, turns; memoised per text) or its length in characters, loaded once per
comparison (``_SourceUnits``), and the mapping of coded intervals into unit space and back."""

from __future__ import annotations

from collections import OrderedDict

from ...model import Turn
from ...units import units as unit_spans
from .agreement_stats import Interval, to_unit_space

_CACHE_CHARS = 64_000_000
_unit_cache: "OrderedDict[tuple, tuple[list[int], list[int]]]" = OrderedDict()
_unit_cache_chars = 0


def source_units(text: str, turns: list[Turn], kind: str) -> tuple[list[int], list[int]]:
    """(starts, ends) of the source's units of ``kind`` (sorted, disjoint), memoised per text.

    The memo is a pure-function cache keyed by the text itself and its turns, so an edited
    text or changed turns can never get stale units."""
    global _unit_cache_chars
    key = (kind, text, tuple((t.label_start, t.label_end, t.start, t.end) for t in turns))
    hit = _unit_cache.get(key)
    if hit is not None:
        _unit_cache.move_to_end(key)
        return hit
    spans = sorted(unit_spans(text, turns, kind))
    starts: list[int] = []
    ends: list[int] = []
    for s, e in spans:
        if ends and s < ends[-1]:  # overlapping units (odd turn data): keep them disjoint
            s = ends[-1]
            if s >= e:
                continue
        starts.append(s)
        ends.append(e)
    value = (starts, ends)
    _unit_cache[key] = value
    _unit_cache_chars += len(text)
    while _unit_cache_chars > _CACHE_CHARS and len(_unit_cache) > 1:
        old, _ = _unit_cache.popitem(last=False)
        _unit_cache_chars -= len(old[1])
    return value


def clear_unit_cache() -> None:
    """Forget memoised unit spans (benchmarks time the cold path with it)."""
    global _unit_cache_chars
    _unit_cache.clear()
    _unit_cache_chars = 0



class _SourceUnits:
    """Loads each source's unit spans (or its length, for characters) once per comparison."""

    def __init__(self, project, unit: str, source_ids: set[int] | None):
        self.project = project
        self.unit = unit
        self.names: dict[int, str] = {}
        self.lengths: dict[int, int] = {}
        self.spans: dict[int, tuple[list[int], list[int]]] = {}
        sql, params = "SELECT id, name FROM sources", []
        if source_ids is not None:
            params = sorted(source_ids)
            sql += f" WHERE id IN ({','.join('?' for _ in params)})"
        lengths = project.sources.lengths(source_ids)  # without reading the texts
        for sid, name in project.conn.execute(sql + " ORDER BY id", params).fetchall():
            self.names[sid] = name
            self.lengths[sid] = lengths[sid]
        if unit != "character":
            turns: dict[int, list[Turn]] = {}
            if len(self.names) <= 20:  # a few sources (e.g. the differences in one): ask for theirs only
                turns = {sid: project.sources.turns(sid) for sid in self.names}
            else:
                for r in project.conn.execute(
                    'SELECT source_id, speaker, label_start, label_end, start, "end", timestamp FROM speaker_turns '
                    "ORDER BY source_id, start"
                ):
                    turns.setdefault(r[0], []).append(Turn(r[1], r[2], r[3], r[4], r[5], r[6]))
            for sid in self.names:
                text = project.sources.text(sid)
                self.spans[sid] = source_units(text, turns.get(sid, []), unit)

    def count(self, sid: int) -> int:
        if self.unit == "character":
            return self.lengths[sid]
        return len(self.spans[sid][0])

    def to_units(self, sid: int, merged: list[Interval]) -> list[Interval]:
        if self.unit == "character":
            return merged
        starts, ends = self.spans[sid]
        return to_unit_space(merged, starts, ends)

    def to_chars(self, sid: int, unit_intervals: list[Interval]) -> list[Interval]:
        """Unit-index intervals back to the character spans of each unit."""
        if self.unit == "character":
            return list(unit_intervals)
        starts, ends = self.spans[sid]
        return [(starts[i], ends[i]) for s, e in unit_intervals for i in range(s, e)]
