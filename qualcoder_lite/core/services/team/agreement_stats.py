"""The arithmetic under coder agreement: disjoint intervals (merge, intersect, subtract, map
into unit index space) and the statistics over them (percentage agreement, Cohen's kappa,
Krippendorff's alpha; see ``agreement`` for the definitions and degenerate cases)."""

from __future__ import annotations

import bisect
from typing import Iterable, Sequence

Interval = tuple[int, int]


# --------------------------------------------------------------------------- intervals
def merge_intervals(spans: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint intervals covering the same points as ``spans`` (empty ones dropped)."""
    out: list[Interval] = []
    for s, e in sorted(spans):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def total_length(intervals: Sequence[Interval]) -> int:
    return sum(e - s for s, e in intervals)


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Intersection of two sorted disjoint interval lists (one linear sweep)."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        s = max(a[i][0], b[j][0])
        e = min(a[i][1], b[j][1])
        if s < e:
            out.append((s, e))
        if a[i][1] <= b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """``a`` minus ``b`` (both sorted and disjoint)."""
    out: list[Interval] = []
    j = 0
    for s, e in a:
        cur = s
        while j < len(b) and b[j][1] <= cur:
            j += 1
        k = j
        while k < len(b) and b[k][0] < e:
            if b[k][0] > cur:
                out.append((cur, b[k][0]))
            cur = max(cur, b[k][1])
            if cur >= e:
                break
            k += 1
        if cur < e:
            out.append((cur, e))
    return out


def intersection_length(a: Sequence[Interval], b: Sequence[Interval]) -> int:
    total = 0
    i = j = 0
    while i < len(a) and j < len(b):
        s = max(a[i][0], b[j][0])
        e = min(a[i][1], b[j][1])
        if s < e:
            total += e - s
        if a[i][1] <= b[j][1]:
            i += 1
        else:
            j += 1
    return total


def coverage_histogram(per_coder: Sequence[Sequence[Interval]], units: int) -> list[int]:
    """``h[k]`` = number of units covered by exactly ``k`` of the coders' interval lists
    (each list sorted and disjoint, within ``[0, units)``); ``h[0]`` = the rest."""
    m = len(per_coder)
    events: list[tuple[int, int]] = []
    for ivs in per_coder:
        for s, e in ivs:
            events.append((s, 1))
            events.append((e, -1))
    events.sort()
    hist = [0] * (m + 1)
    depth = 0
    prev = 0
    for pos, delta in events:
        if pos > prev and depth:
            hist[depth] += pos - prev
        depth += delta
        prev = pos
    hist[0] = units - sum(hist[1:])
    return hist


def to_unit_space(intervals: Sequence[Interval], starts: Sequence[int], ends: Sequence[int]) -> list[Interval]:
    """Character intervals -> intervals of unit indices they overlap (units sorted, disjoint)."""
    out: list[Interval] = []
    for s, e in intervals:
        i = bisect.bisect_right(ends, s)  # first unit ending after s
        j = bisect.bisect_left(starts, e)  # first unit starting at or after e
        if i < j:
            if out and i <= out[-1][1]:
                if j > out[-1][1]:
                    out[-1] = (out[-1][0], j)
            else:
                out.append((i, j))
    return out


# --------------------------------------------------------------------------- statistics
def percent_agreement(both: int, a_only: int, b_only: int, units: int) -> float | None:
    if units <= 0:
        return None
    return 100.0 * (units - a_only - b_only) / units


def cohen_kappa(both: int, a_only: int, b_only: int, units: int) -> float | None:
    """Cohen's kappa of a 2 x 2 coded / not-coded table; None when undefined (pe == 1).

    Exact integer arithmetic up to the last division:
    ``kappa = (N * agree - E) / (N * N - E)`` with ``E = A B + (N - A)(N - B)`` = ``N**2 pe``.
    """
    n = units
    if n <= 0:
        return None
    a = both + a_only
    b = both + b_only
    agree = n - a_only - b_only
    expected = a * b + (n - a) * (n - b)
    denom = n * n - expected
    if denom == 0:
        return None
    return (n * agree - expected) / denom


def krippendorff_alpha(hist: Sequence[int]) -> float | None:
    """Krippendorff's alpha (nominal, binary coded / not coded, no missing values) from
    ``hist[k]`` = number of units coded by exactly ``k`` of ``m = len(hist) - 1`` coders."""
    m = len(hist) - 1
    if m < 2:
        raise ValueError("Krippendorff's alpha needs at least two coders")
    units = sum(hist)
    n = m * units
    n1 = sum(k * h for k, h in enumerate(hist))
    n0 = n - n1
    if n0 * n1 == 0:
        return None
    # o01 * (m - 1) = sum_k hist[k] * k * (m - k)
    disagree = sum(h * k * (m - k) for k, h in enumerate(hist))
    return 1.0 - (n - 1) * disagree / ((m - 1) * n0 * n1)
