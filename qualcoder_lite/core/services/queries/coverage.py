"""Coverage (NVivo's node summary): per code and source, the references (codings), the coded
characters (the union of the code's codings there, overlaps counted once) and coverage =
coded characters / the source's characters. Interval arithmetic over spans, no per-character
arrays."""

from __future__ import annotations

from dataclasses import dataclass

from ..sources.filters import Where
from ..quotes.segments import segments


def union_length(spans) -> int:
    """Characters covered by ``spans`` ((start, end) pairs), overlaps counted once."""
    total, cur_s, cur_e = 0, None, None
    for s, e in sorted(spans):
        if e <= s:
            continue
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        elif e > cur_e:
            cur_e = e
    if cur_e is not None:
        total += cur_e - cur_s
    return total


@dataclass(frozen=True)
class CoverageRow:
    code: str  # escaped path
    code_path: tuple[str, ...]
    code_id: int
    source: str
    source_id: int
    references: int
    characters: int
    source_characters: int

    @property
    def coverage(self) -> float | None:
        return self.characters / self.source_characters if self.source_characters else None

    def as_dict(self) -> dict:
        return {"code": self.code, "source": self.source, "references": self.references,
                "characters": self.characters, "coverage": self.coverage}


def coverage(project, code_ids: list[int] | None = None, where: Where | None = None,
             coders: list[str] | None = None) -> list[CoverageRow]:
    """One row per code–source pair with at least one coding, sorted by code then source."""
    groups: dict[tuple[int, int], list] = {}
    for s in segments(project, code_ids, where, coders=coders):
        groups.setdefault((s.code_id, s.source_id), []).append(s)
    lengths = project.sources.lengths()  # characters (code points), like our offsets
    rows = []
    for (_cid, sid), segs in groups.items():
        first = segs[0]
        rows.append(CoverageRow(first.code, tuple(first.code_path), first.code_id, first.source, sid, len(segs),
                                union_length((s.start, s.end) for s in segs), lengths[sid]))
    rows.sort(key=lambda r: (r.code, r.source))
    return rows


def code_summary(project, code_id: int) -> dict:
    """A code's header numbers: references, sources, cases and its coverage rows."""
    rows = coverage(project, [code_id])
    cases = set()
    for (sid,) in project.conn.execute(
        "SELECT DISTINCT cs.case_id FROM codings k JOIN case_sources cs ON cs.source_id = k.source_id "
        "WHERE k.code_id = ?", (code_id,)
    ):
        cases.add(sid)
    return {"references": sum(r.references for r in rows), "sources": len(rows), "cases": len(cases), "rows": rows}


@dataclass(frozen=True)
class CoverageTotal:
    references: int  # codings
    sources: int  # sources with at least one
    characters: int  # coded characters, the union over the codes asked for, per source
    source_characters: int  # the characters of those sources

    @property
    def coverage(self) -> float | None:
        return self.characters / self.source_characters if self.source_characters else None


def coverage_by_source(project, code_ids: list[int], source_ids: set[int] | None = None,
                       coders: list[str] | None = None,
                       only: set[int] | None = None) -> dict[int, tuple[int, int, int]]:
    """source id -> (references, coded characters, source characters) for the codes shown,
    from spans only (no text read); sources without such codings are left out. ``only``:
    just these sources (a view that keeps the others' figures asks for the changed ones)."""
    if not code_ids or (coders is not None and not coders) or (only is not None and not only):
        return {}
    sql = ('SELECT k.source_id, k.start, k."end" FROM codings k JOIN coders c ON c.id = k.coder_id '
           f"WHERE k.code_id IN ({','.join('?' for _ in code_ids)})")
    params: list = list(code_ids)
    if coders is not None:
        sql += f" AND c.name IN ({','.join('?' for _ in coders)})"
        params += list(coders)
    if only is not None:
        sql += f" AND k.source_id IN ({','.join('?' for _ in only)})"
        params += sorted(only)
    spans: dict[int, list[tuple[int, int]]] = {}
    cur = project.conn.cursor()
    cur.row_factory = None  # plain tuples: no Row object per coding
    for sid, s, e in cur.execute(sql, params):
        if source_ids is None or sid in source_ids:
            spans.setdefault(sid, []).append((s, e))
    if not spans:
        return {}
    lengths = project.sources.lengths(spans)
    return {sid: (len(v), union_length(v), lengths.get(sid, 0)) for sid, v in spans.items()}


def coverage_of_sorted(project, keys) -> dict[int, tuple[int, int, int]]:
    """``coverage_by_source``'s figures from spans already read and sorted: ``keys`` are
    ``(source name, start, end, ...)`` in order (``store.codings.keyed_for_codes``'s keys).
    A table that has just read a code's 50,000 codings counts them without reading them
    again (one pass, no sort)."""
    if not keys:
        return {}
    ids = dict(project.conn.execute("SELECT name, id FROM sources"))
    out: dict[int, tuple[int, int, int]] = {}
    name, n, total, cur_s, cur_e = keys[0][0], 0, 0, keys[0][1], keys[0][1]
    for k in keys:
        s, e = k[1], k[2]
        if k[0] != name:  # the next source: close this one
            out[ids[name]] = (n, total + cur_e - cur_s, 0)
            name, n, total, cur_s, cur_e = k[0], 0, 0, s, s
        n += 1
        if s > cur_e:  # a gap: the run so far is counted
            total += cur_e - cur_s
            cur_s, cur_e = s, e
        elif e > cur_e:
            cur_e = e
    out[ids[name]] = (n, total + cur_e - cur_s, 0)
    lengths = project.sources.lengths(out)
    return {sid: (v[0], v[1], lengths.get(sid, 0)) for sid, v in out.items()}


def total_of(per_source: dict[int, tuple[int, int, int]]) -> CoverageTotal:
    """The ``CoverageTotal`` of ``coverage_by_source``'s figures."""
    return CoverageTotal(sum(v[0] for v in per_source.values()), len(per_source),
                         sum(v[1] for v in per_source.values()), sum(v[2] for v in per_source.values()))


def coverage_total(project, code_ids: list[int], source_ids: set[int] | None = None,
                   coders: list[str] | None = None) -> CoverageTotal:
    """The retrieval header's numbers for the codes shown, from spans only (no text read)."""
    return total_of(coverage_by_source(project, code_ids, source_ids, coders))
