"""The margin's lanes kept by ``Lanes.patch`` are the lanes a full greedy pass gives."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from qualcoder_lite.core.model import Coding
from qualcoder_lite.gui.lanes import MAX_LANES, Lanes, assign_lanes


def _coding(i: int, start: int, length: int, code: int, coder: str) -> Coding:
    return Coding(i, f"g{i}", 1, code, coder, start, start + length)


codings = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 25), st.integers(1, 3), st.sampled_from("ab")),
                   max_size=40)
steps = st.lists(st.tuples(st.lists(st.integers(0, 80), max_size=3),
                           st.lists(st.tuples(st.integers(0, 60), st.integers(1, 25), st.integers(1, 3),
                                              st.sampled_from("ab")), max_size=3)), max_size=8)


def _in_core_order(items) -> list[Coding]:
    return sorted(items, key=lambda c: (c.start, c.end, c.code_id, c.coder))


@settings(deadline=None, max_examples=300)
@given(codings, steps)
def test_patched_lanes_are_a_full_pass(first, changes):
    seen: dict[tuple, Coding] = {}
    next_id = 0
    for start, length, code, coder in first:
        next_id += 1
        seen.setdefault((start, start + length, code, coder), _coding(next_id, start, length, code, coder))
    shown = _in_core_order(seen.values())
    lanes = Lanes(shown)
    assert lanes.lane_of == assign_lanes(shown)
    for gone_at, new in changes:
        removed = {shown[i % len(shown)].id for i in gone_at} if shown else set()
        kept = [c for c in shown if c.id not in removed]
        taken = {(c.start, c.end, c.code_id, c.coder) for c in kept}
        added = []
        for start, length, code, coder in new:
            if (start, start + length, code, coder) not in taken:
                next_id += 1
                taken.add((start, start + length, code, coder))
                added.append(_coding(next_id, start, length, code, coder))
        before = dict(lanes.lane_of)
        touched = lanes.patch(removed, added)
        shown = _in_core_order(kept + added)
        full = assign_lanes(shown)
        assert touched is not None
        assert lanes.lane_of == full
        assert set(touched) == {i for i, lane in full.items() if before.get(i) != lane}
        assert lanes.ends_before == Lanes(shown).ends_before


def test_more_overlaps_than_lanes_share_the_last_lane_and_patch_as_a_full_pass():
    shown = [_coding(i, 0, 50 + i, 1, f"c{i:02}") for i in range(MAX_LANES + 3)]
    lanes = Lanes(_in_core_order(shown))
    assert max(lanes.lane_of.values()) == MAX_LANES - 1
    touched = lanes.patch({shown[0].id}, [_coding(99, 1, 5, 2, "z")])
    rest = _in_core_order(shown[1:] + [_coding(99, 1, 5, 2, "z")])
    assert lanes.lane_of == assign_lanes(rest)
    assert touched is not None and 99 in touched


def test_two_codings_in_one_place_are_not_patched():
    same = [_coding(1, 0, 5, 1, "a"), _coding(2, 0, 5, 1, "a")]
    lanes = Lanes(same)
    assert not lanes.exact
    assert lanes.patch({1}, []) is None
    assert lanes.lane_of == assign_lanes(same)
