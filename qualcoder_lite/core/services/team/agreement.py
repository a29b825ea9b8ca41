"""Coder comparison: Cohen's kappa, percentage agreement and Krippendorff's alpha.

Every statistic is computed per code over *units*; the user chooses the unit:

* ``character`` — each character of a source is a unit (as NVivo does);
* ``sentence``, ``paragraph``, ``turn`` — the spans of the one segmenter (``core.units``).
  A unit counts as coded by a coder when any of that coder's codings of the code overlaps it
  (shares at least one character with it). Codings that touch no unit (e.g. only a speaker
  label) count for no unit.

For two coders A and B and one code, every unit falls in one cell of a 2 x 2 table::

                    B coded    B not coded
    A coded         both       a_only
    A not coded     b_only     neither          units N = both + a_only + b_only + neither

* percentage agreement ``po = (both + neither) / N`` (reported x 100);
* Cohen's kappa ``(po - pe) / (1 - pe)`` with chance agreement from each coder's own
  marginals: ``pe = pA * pB + (1 - pA) * (1 - pB)``, ``pA = (both + a_only) / N``,
  ``pB = (both + b_only) / N``;
* Krippendorff's alpha (nominal; the value of a unit is coded / not coded) for m >= 2 coders,
  from the coincidence matrix: with no missing values, a unit coded by k of the m coders adds
  ``k (m - k) / (m - 1)`` to each off-diagonal cell ``o01 = o10``; ``n = m N`` values, of which
  ``n1`` are "coded" and ``n0 = n - n1``. Then ``alpha = 1 - (n - 1) o01 / (n0 n1)``.

A code's table pools its units over the sources compared (the sums of the per-source tables);
the overall row pools the tables of every code listed.

Conventions for degenerate cases (an undefined statistic is ``None``, JSON ``null``, never NaN):

* no units at all (no sources, or empty ones): agreement, kappa and alpha are ``None``;
* ``pe == 1`` — neither coder coded anything, or both coded every unit: the coders agree on
  every unit (agreement 100 %) but kappa is ``None`` (0 / 0: no variation to agree about);
  alpha is ``None`` for the same reason (``n0 n1 == 0``);
* one coder coded nothing while the other coded some units: kappa is 0 (agreement no better
  than chance); alpha is negative or zero, as its formula gives;
* full agreement on some but not all units: kappa = alpha = 1 up to the alpha small-sample
  term (alpha is exactly 1 whenever ``o01 == 0`` and both values occur).

Speed: the work is proportional to the number of codings, not to the text length. Each
coder's codings of a code in a source are merged into disjoint intervals, mapped into unit
index space with two binary searches per interval, and compared with linear interval sweeps;
the sources' unit spans are computed once per call (and memoised per text).
"""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Sequence

from ...errors import UsageError
from .agreement_units import _SourceUnits, clear_unit_cache, source_units  # noqa: F401 (public here)
from .agreement_stats import (Interval, cohen_kappa, coverage_histogram, intersect,  # noqa: F401 (public here)
                              intersection_length, krippendorff_alpha, merge_intervals, percent_agreement, subtract,
                              to_unit_space, total_length)

UNITS = ("character", "sentence", "paragraph", "turn")
OVERALL = "(overall)"


# --------------------------------------------------------------------------- results
@dataclass
class Tally:
    """A 2 x 2 table for coders A and B plus the coverage histogram over all m coders."""

    units: int = 0
    a_only: int = 0
    b_only: int = 0
    both: int = 0
    hist: list[int] = field(default_factory=list)  # hist[k]: units coded by exactly k coders (k >= 1)

    @property
    def neither(self) -> int:
        return self.units - self.a_only - self.b_only - self.both

    def add(self, other: "Tally") -> None:
        self.units += other.units
        self.a_only += other.a_only
        self.b_only += other.b_only
        self.both += other.both
        if len(self.hist) < len(other.hist):
            self.hist.extend([0] * (len(other.hist) - len(self.hist)))
        for k, h in enumerate(other.hist):
            self.hist[k] += h

    def full_hist(self, m: int) -> list[int]:
        h = list(self.hist) + [0] * (m + 1 - len(self.hist))
        h[0] = self.units - sum(h[1:])
        return h


@dataclass(frozen=True)
class AgreementRow:
    code: str  # the code path string, or "(overall)"
    code_path: tuple[str, ...]
    code_id: int | None
    source: str | None
    source_id: int | None
    units: int
    a_only: int
    b_only: int
    both: int
    neither: int
    kappa: float | None
    agreement: float | None
    alpha: float | None

    @property
    def overall(self) -> bool:
        return self.code_id is None

    def as_dict(self, digits: int = 6) -> dict:
        r = (lambda v: None if v is None else round(v, digits))
        return {
            "code": self.code,
            "code_path": list(self.code_path),
            "source": self.source,
            "kappa": r(self.kappa),
            "agreement": r(self.agreement),
            "alpha": r(self.alpha),
            "a_only": self.a_only,
            "b_only": self.b_only,
            "both": self.both,
            "neither": self.neither,
            "units": self.units,
            "overall": self.overall,
        }


def make_row(tally: Tally, m: int, code: str, code_path: tuple[str, ...], code_id: int | None,
             source: str | None = None, source_id: int | None = None) -> AgreementRow:
    return AgreementRow(
        code=code, code_path=code_path, code_id=code_id, source=source, source_id=source_id,
        units=tally.units, a_only=tally.a_only, b_only=tally.b_only, both=tally.both, neither=tally.neither,
        kappa=cohen_kappa(tally.both, tally.a_only, tally.b_only, tally.units),
        agreement=percent_agreement(tally.both, tally.a_only, tally.b_only, tally.units),
        alpha=krippendorff_alpha(tally.full_hist(m)) if tally.units else None,
    )


def _source_order(row: AgreementRow) -> str:
    return row.source or ""


def kappa_order(row: AgreementRow) -> tuple:
    """Sort key: lowest kappa first, undefined kappa last, then by code and source."""
    return (row.kappa is None, row.kappa if row.kappa is not None else 0.0, row.code.casefold(),
            row.source or "")


@dataclass
class Comparison:
    coders: list[str]
    unit: str
    rows: list[AgreementRow]  # one per code, code-tree order
    overall: AgreementRow
    sources: int
    # (source id, code id) -> tally, for the per-source rows (built when first asked for)
    source_tallies: dict[tuple[int, int], Tally] = field(default_factory=dict, repr=False)
    source_names: dict[int, str] = field(default_factory=dict, repr=False)
    _by_source: list[AgreementRow] | None = field(default=None, repr=False)

    @property
    def by_source(self) -> list[AgreementRow]:
        """One row per (code, source) where any coder applied the code, by code path and source."""
        if self._by_source is None:
            m = len(self.coders)
            codes = {r.code_id: r for r in self.rows}
            per_path: dict[tuple[str, ...], list[AgreementRow]] = {}
            for (sid, cid), t in self.source_tallies.items():
                if cid in codes:
                    c = codes[cid]
                    per_path.setdefault(c.code_path, []).append(
                        make_row(t, m, c.code, c.code_path, cid, self.source_names[sid], sid))
            # sorted by (code path, source) as one sort would, a code at a time: one sort of
            # 80,000 rows at 10x is a single C call that held the GIL for up to 0.4 s
            out: list[AgreementRow] = []
            for path in sorted(per_path):
                out.extend(sorted(per_path[path], key=_source_order))
            self._by_source = out
        return self._by_source

    def by_kappa(self) -> list[AgreementRow]:
        return sorted(self.rows, key=kappa_order)

    def as_json(self, by_source: bool = False) -> list[dict]:
        """Rows in code-tree order (per source after each code with ``by_source``), overall last."""
        out: list[dict] = []
        per: dict[int | None, list[AgreementRow]] = {}
        for r in self.by_source if by_source else ():
            per.setdefault(r.code_id, []).append(r)  # already sorted by source
        for row in self.rows:
            out.append(row.as_dict())
            out.extend(x.as_dict() for x in per.get(row.code_id, ()))
        out.append(self.overall.as_dict())
        return out


def check_unit(unit: str) -> str:
    if unit not in UNITS:
        raise UsageError(f"unknown unit {unit!r} (choose from {', '.join(UNITS)})")
    return unit


def check_coders(project, coders: Sequence[str]) -> list[int]:
    """Ids of the named coders; UsageError naming an unknown or repeated coder."""
    names = list(coders)
    if len(names) < 2:
        raise UsageError("name at least two coders to compare")
    ids = []
    seen = set()
    for name in names:
        if name in seen:
            raise UsageError(f"coder {name!r} is named twice")
        seen.add(name)
        cid = project.coders.id_of(name)
        if cid is None:
            known = ", ".join(c.name for c in project.coders.all()) or "none"
            raise UsageError(f"unknown coder {name!r} (coders in this project: {known})")
        ids.append(cid)
    return ids


def _coded_spans(project, coder_ids: list[int], code_ids: list[int] | None,
                 source_ids: set[int] | None) -> dict[tuple[int, int], list[list[Interval]]]:
    """(source id, code id) -> per coder (in ``coder_ids`` order) the merged coded intervals."""
    return dict(_coded_groups(project, coder_ids, code_ids, source_ids))


def _coded_groups(project, coder_ids: list[int], code_ids: list[int] | None,
                  source_ids: set[int] | None) -> Iterator[tuple[tuple[int, int], list[list[Interval]]]]:
    """``_coded_spans`` one (source id, code id) at a time, by source and code: per coder the
    merged intervals (what ``merge_intervals`` gives). The rows come sorted from the covering UNIQUE index
    (``+coder_id`` keeps SQLite off the coder index, whose table look-ups took longer), so
    each coder's intervals are merged as they arrive."""
    index = {cid: i for i, cid in enumerate(coder_ids)}
    sql = (f'SELECT source_id, code_id, coder_id, start, "end" FROM codings '
           f"WHERE +coder_id IN ({','.join('?' for _ in coder_ids)})")
    params: list = list(coder_ids)
    if code_ids is not None:
        sql += f" AND code_id IN ({','.join('?' for _ in code_ids)})"
        params += list(code_ids)
    if source_ids is not None and len(source_ids) <= _FEW_SOURCES:  # one source's differences: its rows only
        sql += f" AND source_id IN ({','.join('?' for _ in source_ids)})"
        params += sorted(source_ids)
    sql += ' ORDER BY source_id, code_id, coder_id, start, "end"'
    n = len(coder_ids)
    for key, group in groupby(project.conn.execute(sql, params), key=_SOURCE_CODE):
        if source_ids is not None and key[0] not in source_ids:
            continue
        per: list[list[Interval]] = [[] for _ in range(n)]
        for _sid, _code, coder_id, start, end in group:
            if end <= start:
                continue
            ivs = per[index[coder_id]]
            if ivs and start <= ivs[-1][1]:
                if end > ivs[-1][1]:
                    ivs[-1] = (ivs[-1][0], end)
            else:
                ivs.append((start, end))
        yield key, per


_SOURCE_CODE = itemgetter(0, 1)
_FEW_SOURCES = 100  # up to this many sources asked for, SQLite seeks them in the UNIQUE index


def _step(progress, done: int, total: int, label: str) -> None:
    """Report a step; a progress callback that says stop (Cancel) ends the work here."""
    if progress is not None and not progress(done, total, label):
        raise InterruptedError("comparison cancelled")


def compare(project, coders: Sequence[str], unit: str = "character", code_ids: Sequence[int] | None = None,
            source_ids: Iterable[int] | None = None, progress=None) -> Comparison:
    """Compare two or more coders' codings per code (kappa etc. for the first two, alpha for all).

    ``code_ids`` None compares every code any of the coders applied (in the compared sources);
    given ids are all listed, used or not. ``source_ids`` None compares every source.
    ``progress(done, total, label)`` is told the steps; False stops (InterruptedError)."""
    check_unit(unit)
    coder_ids = check_coders(project, coders)
    m = len(coder_ids)
    wanted_sources = None if source_ids is None else set(source_ids)
    _step(progress, 0, 3, "Dividing the sources into units")
    srcs = _SourceUnits(project, unit, wanted_sources)
    total_units = sum(srcs.count(sid) for sid in srcs.names)
    _step(progress, 1, 3, "Reading the codings")
    coded = _coded_groups(project, coder_ids, None if code_ids is None else list(code_ids), set(srcs.names))

    _step(progress, 2, 3, "Counting agreement")
    per_code, by_source = (_tallies_of_two if m == 2 else _tallies)(coded, srcs, m)

    wanted_codes = per_code if code_ids is None else set(code_ids)
    listed = [c for c in project.codes.all() if c.id in wanted_codes]
    rows: list[AgreementRow] = []
    overall = Tally()
    for c in listed:
        t = per_code.get(c.id, Tally())
        t = Tally(total_units, t.a_only, t.b_only, t.both, list(t.hist))
        overall.add(t)
        rows.append(make_row(t, m, c.path_str, c.path, c.id))
    return Comparison(
        coders=list(coders), unit=unit, rows=rows, overall=make_row(overall, m, OVERALL, (), None),
        sources=len(srcs.names), source_tallies=by_source, source_names=srcs.names,
    )


def _tallies(coded, srcs: _SourceUnits, m: int) -> tuple[dict[int, Tally], dict[tuple[int, int], Tally]]:
    """Per code and per (source, code): the tallies of ``coded``."""
    per_code: dict[int, Tally] = {}
    by_source: dict[tuple[int, int], Tally] = {}
    for (sid, code_id), per_coder in coded:
        in_units = [srcs.to_units(sid, ivs) for ivs in per_coder]
        t = _tally(in_units, srcs.count(sid), m)
        by_source[(sid, code_id)] = t
        agg = per_code.setdefault(code_id, Tally())
        agg.add(t)
    return per_code, by_source


def _tallies_of_two(coded, srcs: _SourceUnits, m: int) -> tuple[dict[int, Tally], dict[tuple[int, int], Tally]]:
    """``_tallies`` for two coders, inlined (what ``_tally`` and ``Tally.add`` give: 80,000
    (source, code) pairs took 2 s through them)."""
    sums: dict[int, list[int]] = {}  # code -> [a_only, b_only, both]
    by_source: dict[tuple[int, int], Tally] = {}
    chars = srcs.unit == "character"
    count = srcs.count
    for key, (a, b) in coded:
        sid = key[0]
        if not chars:
            a, b = srcs.to_units(sid, a), srcs.to_units(sid, b)
        both = intersection_length(a, b) if a and b else 0
        a_only = -both
        for s, e in a:
            a_only += e - s
        b_only = -both
        for s, e in b:
            b_only += e - s
        by_source[key] = Tally(count(sid), a_only, b_only, both, [0, a_only + b_only, both])
        acc = sums.get(key[1])
        if acc is None:
            sums[key[1]] = [a_only, b_only, both]
        else:
            acc[0] += a_only
            acc[1] += b_only
            acc[2] += both
    per_code = {cid: Tally(0, x, y, z, [0, x + y, z]) for cid, (x, y, z) in sums.items()}
    return per_code, by_source


def _tally(per_coder_units: list[list[Interval]], units: int, m: int) -> Tally:
    a, b = per_coder_units[0], per_coder_units[1]
    both = intersection_length(a, b)
    a_only = total_length(a) - both
    b_only = total_length(b) - both
    if m == 2:
        hist = [0, a_only + b_only, both]
    else:
        hist = coverage_histogram(per_coder_units, units)
    return Tally(units, a_only, b_only, both, hist)


# --------------------------------------------------------------------------- differences
@dataclass(frozen=True)
class DiffSpan:
    start: int
    end: int
    who: str  # "both", "a" (first coder only) or "b" (second coder only)


def differences(project, source_id: int, code_id: int, coders: Sequence[str],
                unit: str = "character") -> list[DiffSpan]:
    """Where two coders agreed and differed on ``code_id`` in one source, as character spans
    (whole units for sentence / paragraph / turn), sorted by position."""
    check_unit(unit)
    if len(coders) != 2:
        raise UsageError("differences are shown for exactly two coders")
    coder_ids = check_coders(project, coders)
    srcs = _SourceUnits(project, unit, {source_id})
    if source_id not in srcs.names:
        raise UsageError(f"no source with id {source_id}")
    coded = _coded_spans(project, coder_ids, [code_id], {source_id}).get((source_id, code_id))
    if coded is None:
        return []
    a, b = (srcs.to_units(source_id, ivs) for ivs in coded)
    out = [DiffSpan(s, e, "both") for s, e in srcs.to_chars(source_id, intersect(a, b))]
    out += [DiffSpan(s, e, "a") for s, e in srcs.to_chars(source_id, subtract(a, b))]
    out += [DiffSpan(s, e, "b") for s, e in srcs.to_chars(source_id, subtract(b, a))]
    out.sort(key=lambda d: (d.start, d.end))
    return out


def coder_table(project) -> list[dict]:
    """``coders --json``: every coder with coding and source counts, by name."""
    counts = {
        r[0]: (r[1], r[2])
        for r in project.conn.execute(
            "SELECT coder_id, count(*), count(DISTINCT source_id) FROM codings GROUP BY coder_id")
    }
    out = []
    for c in project.coders.all():
        n = counts.get(c.id, (0, 0))
        out.append({"coder": c.name, "color": c.color, "codings": n[0], "sources": n[1],
                    "current": c.name == project.coder})
    return out
