"""Coder agreement: kappa, percentage agreement and Krippendorff's alpha.

Expected values are computed here independently of the service: by hand for small tables,
and by brute force over characters / units (sets of coded positions, the textbook formulas
po, pe from each coder's marginals, and the coincidence matrix for alpha) for random cases.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoder_lite.core.errors import UsageError
from qualcoder_lite.core.project import memory_project
from qualcoder_lite.core.services.team.agreement import (cohen_kappa, compare, coverage_histogram,
    differences, intersect, krippendorff_alpha, merge_intervals, percent_agreement, subtract, to_unit_space)
from qualcoder_lite.core.services.coding.codes import AddCode
from qualcoder_lite.core.services.coding.coding import ApplyCode
from qualcoder_lite.core.units import detect_turns, units
from tests.helpers import add_text_source


# --------------------------------------------------------------------------- textbook references
def textbook_kappa(a: list[bool], b: list[bool]) -> float | None:
    """Cohen (1960): po observed agreement, pe from each coder's own marginals."""
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    if math.isclose(pe, 1.0):
        return None
    return (po - pe) / (1 - pe)


def textbook_alpha(values: list[list[int]]) -> float | None:
    """Krippendorff's alpha, nominal, from the coincidence matrix (no missing values).

    ``values[u]`` holds the m coders' values for unit u. o[c][k] = sum over units of the
    ordered pairs of different coders with values (c, k), each divided by (m_u - 1)."""
    cats = sorted({v for unit in values for v in unit})
    o = {(c, k): 0.0 for c in cats for k in cats}
    for unit in values:
        m = len(unit)
        for i in range(m):
            for j in range(m):
                if i != j:
                    o[(unit[i], unit[j])] += 1 / (m - 1)
    n_c = {c: sum(o[(c, k)] for k in cats) for c in cats}
    n = sum(n_c.values())
    d_o = sum(o[(c, k)] for c in cats for k in cats if c != k)
    d_e = sum(n_c[c] * n_c[k] for c in cats for k in cats if c != k)
    if d_e == 0:
        return None
    return 1 - (n - 1) * d_o / d_e


# --------------------------------------------------------------------------- hand-computed tables
def test_kappa_hand_computed_table():
    # 10 units: both 3, A only 1, B only 2, neither 4.
    # po = 7/10; pA = 4/10, pB = 5/10; pe = .4*.5 + .6*.5 = .5; kappa = (.7 - .5) / (1 - .5) = .4
    assert cohen_kappa(3, 1, 2, 10) == pytest.approx(0.4)
    assert percent_agreement(3, 1, 2, 10) == pytest.approx(70.0)


def test_kappa_second_hand_computed_table():
    # 50 units: both 20, A only 5, B only 10, neither 15 (a classic 2 x 2 example)
    # po = 35/50 = .7; pA = 25/50 = .5; pB = 30/50 = .6; pe = .5*.6 + .5*.4 = .5; kappa = .4
    assert cohen_kappa(20, 5, 10, 50) == pytest.approx(0.4)
    # 100 units: both 45, A only 15, B only 25, neither 15
    # po = .6; pA = .6, pB = .7; pe = .42 + .12 = .54; kappa = .06 / .46
    assert cohen_kappa(45, 15, 25, 100) == pytest.approx(0.06 / 0.46)


def test_alpha_krippendorff_textbook_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", binary example:
    # A: 0 1 0 0 0 0 0 0 1 0 ; B: 1 1 1 0 0 1 0 0 0 0  ->  alpha = 1 - 19 * 4 / (14 * 6) = 0.095
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    hist = [0, 0, 0]
    for x, y in zip(a, b):
        hist[x + y] += 1
    assert krippendorff_alpha(hist) == pytest.approx(1 - 19 * 4 / (14 * 6))
    assert round(krippendorff_alpha(hist), 3) == 0.095
    assert textbook_alpha([[x, y] for x, y in zip(a, b)]) == pytest.approx(krippendorff_alpha(hist))


# --------------------------------------------------------------------------- degenerate cases
def test_no_coding_at_all():
    assert cohen_kappa(0, 0, 0, 100) is None  # pe == 1: undefined
    assert percent_agreement(0, 0, 0, 100) == 100.0
    assert krippendorff_alpha([100, 0, 0]) is None


def test_everything_coded_by_both():
    assert cohen_kappa(100, 0, 0, 100) is None
    assert percent_agreement(100, 0, 0, 100) == 100.0
    assert krippendorff_alpha([0, 0, 100]) is None


def test_full_agreement_on_some_units():
    assert cohen_kappa(30, 0, 0, 100) == 1.0
    assert krippendorff_alpha([70, 0, 30]) == 1.0


def test_one_coder_empty():
    # A coded 20 of 100 units, B nothing: po = .8 = pe -> kappa 0 (chance level)
    assert cohen_kappa(0, 20, 0, 100) == 0.0
    assert percent_agreement(0, 20, 0, 100) == pytest.approx(80.0)
    alpha = krippendorff_alpha([80, 20, 0])
    assert alpha is not None and alpha <= 0
    assert alpha == pytest.approx(textbook_alpha([[1, 0]] * 20 + [[0, 0]] * 80))


def test_no_units():
    assert cohen_kappa(0, 0, 0, 0) is None
    assert percent_agreement(0, 0, 0, 0) is None


def test_total_disagreement():
    assert cohen_kappa(0, 50, 50, 100) == pytest.approx(-1.0)


# --------------------------------------------------------------------------- interval arithmetic
spans = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)).map(lambda t: (min(t), max(t))), max_size=8)


def _points(ivs):
    return {p for s, e in ivs for p in range(s, e)}


# No deadline: each example takes well under a millisecond of work, but on a loaded machine
# (other test runs sharing the cores) one example was once paused past Hypothesis's default
# 200 ms and failed; 20,000 examples (and 200,000 random pairs) found no wrong result.
@settings(deadline=None)
@given(spans, spans)
def test_interval_operations_match_sets(a, b):
    ma, mb = merge_intervals(a), merge_intervals(b)
    assert _points(ma) == _points(a)
    assert all(s < e for s, e in ma) and all(ma[i][1] < ma[i + 1][0] for i in range(len(ma) - 1))
    assert _points(intersect(ma, mb)) == _points(a) & _points(b)
    assert _points(subtract(ma, mb)) == _points(a) - _points(b)


@settings(deadline=None)  # as above: a pause on a loaded machine is not a wrong result
@given(st.lists(spans, min_size=2, max_size=4))
def test_coverage_histogram_matches_counting(per_coder):
    merged = [merge_intervals(x) for x in per_coder]
    hist = coverage_histogram(merged, 60)
    depth = [sum(p in _points(m) for m in merged) for p in range(60)]
    assert hist == [depth.count(k) for k in range(len(per_coder) + 1)]


def test_to_unit_space_overlap_rule():
    starts, ends = [0, 10, 20], [5, 15, 25]  # units 0:5, 10:15, 20:25
    assert to_unit_space([(4, 11)], starts, ends) == [(0, 2)]  # overlaps units 0 and 1
    assert to_unit_space([(5, 10)], starts, ends) == []  # only the gap between units
    assert to_unit_space([(0, 1), (3, 4), (24, 30)], starts, ends) == [(0, 1), (2, 3)]


# --------------------------------------------------------------------------- projects
def _project_with(text: str, codings: dict[str, list[tuple[int, int, str]]], codes=("C1", "C2")):
    """A memory project with one source; ``codings[coder]`` = [(start, end, code), ...]."""
    p = memory_project(coder="a")
    sid = add_text_source(p, "S1", text, case="S1")
    ids = {}
    for c in codes:
        p.execute(AddCode(c))
        ids[c] = p.codes.find(c).id
    for coder, items in codings.items():
        p.execute(ApplyCode(sid, ids[codes[0]], 0, 1, spans=[], coder=coder))  # registers the coder
        for s, e, code in items:
            p.execute(ApplyCode(sid, ids[code], s, e, coder=coder))
    return p, sid, ids


def test_character_counts_on_a_tiny_project():
    text = "abcdefghijklmnopqrst"  # 20 characters
    p, sid, ids = _project_with(text, {"a": [(0, 10, "C1")], "b": [(5, 15, "C1")]})
    r = compare(p, ["a", "b"], "character")
    row = r.rows[0]
    assert (row.code, row.units, row.both, row.a_only, row.b_only, row.neither) == ("C1", 20, 5, 5, 5, 5)
    # po = 10/20; pA = pB = 1/2; pe = 1/2 -> kappa 0
    assert row.kappa == pytest.approx(0.0)
    assert row.agreement == pytest.approx(50.0)
    assert r.overall.units == 20  # only C1 was used by anyone
    p.close()


def test_overlapping_codings_of_one_coder_are_merged():
    text = "x" * 30
    p, sid, ids = _project_with(text, {"a": [(0, 10, "C1"), (5, 12, "C1")], "b": [(0, 12, "C1")]})
    row = compare(p, ["a", "b"]).rows[0]
    assert (row.both, row.a_only, row.b_only) == (12, 0, 0)
    assert row.kappa == 1.0
    p.close()


@settings(max_examples=40, deadline=None)
@given(
    st.integers(5, 40),
    st.lists(st.tuples(st.integers(0, 39), st.integers(1, 12), st.sampled_from(["C1", "C2"])), max_size=6),
    st.lists(st.tuples(st.integers(0, 39), st.integers(1, 12), st.sampled_from(["C1", "C2"])), max_size=6),
)
def test_character_kappa_matches_textbook_by_brute_force(length, raw_a, raw_b):
    text = "".join("abcdefg hij."[i % 12] for i in range(length))

    def clip(items):
        out = []
        for s, n, code in items:
            s = min(s, length - 1)
            out.append((s, min(length, s + n), code))
        return out

    ca, cb = clip(raw_a), clip(raw_b)
    p, sid, ids = _project_with(text, {"a": ca, "b": cb})
    result = compare(p, ["a", "b"], "character", code_ids=[ids["C1"], ids["C2"]])
    pooled_a: list[bool] = []
    pooled_b: list[bool] = []
    for row in result.rows:
        va = [any(s <= i < e for s, e, c in ca if c == row.code) for i in range(length)]
        vb = [any(s <= i < e for s, e, c in cb if c == row.code) for i in range(length)]
        pooled_a += va
        pooled_b += vb
        assert row.both == sum(x and y for x, y in zip(va, vb))
        assert row.a_only == sum(x and not y for x, y in zip(va, vb))
        assert row.b_only == sum(y and not x for x, y in zip(va, vb))
        assert row.units == length
        expected = textbook_kappa(va, vb)
        assert (row.kappa is None) == (expected is None)
        if expected is not None:
            assert row.kappa == pytest.approx(expected)
        assert row.agreement == pytest.approx(100 * sum(x == y for x, y in zip(va, vb)) / length)
        alpha = textbook_alpha([[int(x), int(y)] for x, y in zip(va, vb)])
        assert (row.alpha is None) == (alpha is None)
        if alpha is not None:
            assert row.alpha == pytest.approx(alpha)
    expected = textbook_kappa(pooled_a, pooled_b)
    if expected is None:
        assert result.overall.kappa is None
    else:
        assert result.overall.kappa == pytest.approx(expected)
    p.close()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(0, 29), st.integers(1, 8)), max_size=4), min_size=3, max_size=4))
def test_alpha_across_more_coders_matches_coincidence_matrix(per_coder):
    length = 30
    names = [f"k{i}" for i in range(len(per_coder))]
    codings = {n: [(s, min(length, s + w), "C1") for s, w in items] for n, items in zip(names, per_coder)}
    p, sid, ids = _project_with("y" * length, codings)
    r = compare(p, names, "character", code_ids=[ids["C1"]])
    row = r.rows[0]
    values = [[int(any(s <= i < e for s, e, _c in codings[n])) for n in names] for i in range(length)]
    expected = textbook_alpha(values)
    assert (row.alpha is None) == (expected is None)
    if expected is not None:
        assert row.alpha == pytest.approx(expected)
    p.close()


TRANSCRIPT = (
    "Interviewer: How did the change go? Tell me.\n\n"
    "P1: It was hard. Dr. Smith helped a lot! We had no room.\n\n"
    "Interviewer: And now?\n\n"
    "P1: Better. The team meets on Tuesdays. Funding is short.\n"
)


@pytest.mark.parametrize("unit", ["sentence", "paragraph", "turn"])
def test_units_come_from_the_one_segmenter(unit):
    text = TRANSCRIPT
    w = text.index

    def at(phrase):
        s = w(phrase)
        return s, s + len(phrase)

    a = [(*at("It was hard"), "C1"), (*at("Funding"), "C1"), (*at("room"), "C2")]
    b = [(*at("hard. Dr. Smith"), "C1"), (*at("Tuesdays"), "C1"), (*at("Interviewer: And"), "C2")]
    p, sid, ids = _project_with(text, {"a": a, "b": b})
    turns = p.sources.turns(sid)
    assert turns == detect_turns(text)
    spans = units(text, turns, unit)
    result = compare(p, ["a", "b"], unit, code_ids=[ids["C1"], ids["C2"]])
    for row in result.rows:
        va = [any(s < ue and e > us for s, e, c in a if c == row.code) for us, ue in spans]
        vb = [any(s < ue and e > us for s, e, c in b if c == row.code) for us, ue in spans]
        assert row.units == len(spans)
        assert (row.both, row.a_only, row.b_only) == (
            sum(x and y for x, y in zip(va, vb)), sum(x and not y for x, y in zip(va, vb)),
            sum(y and not x for x, y in zip(va, vb)))
        expected = textbook_kappa(va, vb)
        assert row.kappa == (None if expected is None else pytest.approx(expected))
    p.close()


def test_sentence_units_known_counts():
    text = TRANSCRIPT
    p, sid, ids = _project_with(text, {"a": [(text.index("Dr."), text.index("Dr.") + 9, "C1")],
                                       "b": [(text.index("We had"), text.index("We had") + 6, "C1")]})
    r = compare(p, ["a", "b"], "sentence", code_ids=[ids["C1"]])
    row = r.rows[0]
    # sentences: 2 in turn 1, 3 in turn 2 ("It was hard." "Dr. Smith helped a lot!" "We had no room."),
    # 1 in turn 3, 3 in turn 4 -> 9; A coded "Dr. Smith ...", B "We had ..." -> 1 A only, 1 B only
    assert (row.units, row.a_only, row.b_only, row.both) == (9, 1, 1, 0)
    turn = compare(p, ["a", "b"], "turn", code_ids=[ids["C1"]]).rows[0]
    assert (turn.units, turn.both, turn.a_only, turn.b_only) == (4, 1, 0, 0)
    assert turn.kappa == 1.0
    p.close()


def test_codings_between_units_count_for_none():
    text = TRANSCRIPT
    label = text.index("Interviewer: And")
    p, sid, ids = _project_with(text, {"a": [(label, label + len("Interviewer:"), "C1")], "b": []})
    row = compare(p, ["a", "b"], "turn", code_ids=[ids["C1"]]).rows[0]
    assert (row.a_only, row.b_only, row.both) == (0, 0, 0)  # a speaker label is in no turn
    assert row.kappa is None and row.agreement == 100.0
    p.close()


def test_differences_side_by_side():
    text = "abcdefghijklmnopqrst"
    p, sid, ids = _project_with(text, {"a": [(0, 10, "C1")], "b": [(5, 15, "C1")]})
    d = differences(p, sid, ids["C1"], ["a", "b"], "character")
    assert [(x.start, x.end, x.who) for x in d] == [(0, 5, "a"), (5, 10, "both"), (10, 15, "b")]
    p.close()


def test_differences_in_sentence_units_are_whole_sentences():
    text = TRANSCRIPT
    s = text.index("Dr.")
    p, sid, ids = _project_with(text, {"a": [(s, s + 3, "C1")], "b": []})
    d = differences(p, sid, ids["C1"], ["a", "b"], "sentence")
    assert [(text[x.start:x.end], x.who) for x in d] == [("Dr. Smith helped a lot!", "a")]
    p.close()


def test_per_source_rows_sum_to_the_code_row():
    p = memory_project(coder="a")
    s1 = add_text_source(p, "S1", "one two three four five six", case="S1")
    s2 = add_text_source(p, "S2", "seven eight nine ten", case="S2")
    p.execute(AddCode("C"))
    c = p.codes.find("C").id
    p.execute(ApplyCode(s1, c, 0, 7, coder="a"))
    p.execute(ApplyCode(s1, c, 4, 13, coder="b"))
    p.execute(ApplyCode(s2, c, 0, 5, coder="b"))
    r = compare(p, ["a", "b"])
    assert [x.source for x in r.by_source] == ["S1", "S2"]
    assert sum(x.units for x in r.by_source) == r.rows[0].units == 27 + 20
    for key in ("both", "a_only", "b_only"):
        assert sum(getattr(x, key) for x in r.by_source) == getattr(r.rows[0], key)
    only_s2 = compare(p, ["a", "b"], source_ids=[s2]).rows[0]
    assert (only_s2.units, only_s2.b_only, only_s2.a_only) == (20, 5, 0)
    p.close()


def test_per_source_rows_by_code_path_then_source_name():
    """Sources and codes made in an order unlike their names': the rows still come by code
    path, then by source name (built a code at a time; it was one sort of all rows)."""
    p = memory_project(coder="a")
    sources = [add_text_source(p, name, f"one two three four five {name}") for name in ("S3", "S1", "S2")]
    for path in ("Zeta", "Alpha", "Alpha/Beta"):
        p.execute(AddCode(path))
    codes = [p.codes.find(path).id for path in ("Zeta", "Alpha/Beta", "Alpha")]
    for i, sid in enumerate(sources):
        for j, cid in enumerate(codes):
            p.execute(ApplyCode(sid, cid, i, 7 + j, coder="a"))
            p.execute(ApplyCode(sid, cid, j, 9, coder="b"))
    rows = compare(p, ["a", "b"]).by_source
    assert [(x.code, x.source) for x in rows] == [
        (code, source) for code in ("Alpha", "Alpha/Beta", "Zeta") for source in ("S1", "S2", "S3")]
    assert rows == sorted(rows, key=lambda r: (r.code_path, r.source or ""))
    p.close()


def test_json_never_has_nan_and_overall_is_last():
    p, sid, ids = _project_with("z" * 10, {"a": [], "b": []})
    r = compare(p, ["a", "b"], code_ids=[ids["C1"], ids["C2"]])
    rows = r.as_json()
    text = json.dumps(rows, allow_nan=False)  # raises on NaN / inf
    assert "NaN" not in text
    assert [x["code"] for x in rows] == ["C1", "C2", "(overall)"]
    assert rows[-1]["overall"] is True
    assert all(x["kappa"] is None and x["agreement"] == 100.0 for x in rows)
    for key in ("code", "kappa", "agreement", "a_only", "b_only", "units"):
        assert key in rows[0]
    p.close()


def test_codes_nobody_used_are_left_out_unless_named():
    p, sid, ids = _project_with("z" * 10, {"a": [(0, 3, "C1")], "b": []})
    assert [x.code for x in compare(p, ["a", "b"]).rows] == ["C1"]
    assert [x.code for x in compare(p, ["a", "b"], code_ids=[ids["C2"]]).rows] == ["C2"]
    p.close()


def test_lowest_kappa_first_and_undefined_last():
    text = "q" * 40
    p, sid, ids = _project_with(text, {"a": [(0, 10, "C1"), (0, 10, "C2")], "b": [(0, 10, "C1"), (20, 30, "C2")]},
                                codes=("C1", "C2", "C3"))
    r = compare(p, ["a", "b"], code_ids=list(ids.values()))
    assert [x.code for x in r.by_kappa()] == ["C2", "C1", "C3"]
    assert r.by_kappa()[-1].kappa is None
    p.close()


def test_unknown_coder_and_unit_are_usage_errors():
    p, sid, ids = _project_with("z" * 10, {"a": [], "b": []})
    with pytest.raises(UsageError, match="'nobody'"):
        compare(p, ["a", "nobody"])
    with pytest.raises(UsageError, match="word"):
        compare(p, ["a", "b"], unit="word")
    with pytest.raises(UsageError, match="two coders"):
        compare(p, ["a"])
    with pytest.raises(UsageError, match="twice"):
        compare(p, ["a", "a"])
    p.close()


def test_demo_project_comparison(demo_file):
    from qualcoder_lite.core.project import open_project

    with open_project(demo_file) as p:
        for unit in ("character", "sentence", "paragraph", "turn"):
            r = compare(p, ["alex", "sam"], unit)
            assert r.rows and r.overall.units == sum(x.units for x in r.rows)
            ks = [x.kappa for x in r.by_kappa() if x.kappa is not None]
            assert ks == sorted(ks)
            assert all(-1 <= k <= 1 for k in ks)


def test_readme_worked_example():
    """The worked example in README: 10 sentences, A codes 1-4, B codes 2-6."""
    sentences = [f"Sentence number {i} is here." for i in range(1, 11)]
    text = " ".join(sentences) + "\n"
    starts = [text.index(s) for s in sentences]

    def sent(i):  # 1-based
        return starts[i - 1], starts[i - 1] + len(sentences[i - 1])

    a = [(sent(1)[0], sent(4)[1], "C1")]
    b = [(sent(2)[0], sent(6)[1], "C1")]
    p, sid, ids = _project_with(text, {"a": a, "b": b}, codes=("C1",))
    row = compare(p, ["a", "b"], "sentence").rows[0]
    assert (row.units, row.both, row.a_only, row.b_only, row.neither) == (10, 3, 1, 2, 4)
    assert row.agreement == pytest.approx(70.0)
    assert row.kappa == pytest.approx(0.40)
    assert row.alpha == pytest.approx(1 - 19 * 3 / (11 * 9))  # 0.4242
    p.close()
