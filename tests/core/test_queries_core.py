"""Issue 18 core pieces without Qt: interval arithmetic against per-character sets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qualcoder_lite.core.services.queries.coverage import union_length
from qualcoder_lite.core.services.queries.wordfreq import _intersect, _merge, stem

spans = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)).map(lambda t: (min(t), max(t))), max_size=12)


@given(spans)
def test_union_length_is_the_size_of_the_character_set(ss):
    assert union_length(ss) == len({i for s, e in ss for i in range(s, e)})


@given(spans, spans)
def test_intersect_of_merged_spans(a, b):
    got = {i for s, e in _intersect(_merge(a), _merge(b)) for i in range(s, e)}
    assert got == {i for s, e in a for i in range(s, e)} & {i for s, e in b for i in range(s, e)}


def test_light_stemming_groups_inflections():
    assert stem("referrals") == stem("referral") == "referral" and stem("referred") == "refer"
    assert stem("waiting") == stem("waited") == stem("waits") == "wait"
    assert stem("patients") == "patient" and stem("class") == "class" and stem("status") == "status"
