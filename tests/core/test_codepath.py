import pytest
from hypothesis import given, strategies as st

from qualcoder_lite.core import codepath
from qualcoder_lite.core.errors import UsageError


def test_escapes():
    assert codepath.join(["A/B", "C\\D"]) == "A\\/B/C\\\\D"
    assert codepath.split("A\\/B/C\\\\D") == ["A/B", "C\\D"]


@pytest.mark.parametrize("bad", ["", "A//B", "A/", "/A", "A\\x", "A\\"])
def test_bad_paths(bad):
    with pytest.raises(UsageError):
        codepath.split(bad)


@given(st.lists(st.text(min_size=1).filter(lambda s: s.strip() == s and s), min_size=1, max_size=4))
def test_round_trip(levels):
    assert codepath.split(codepath.join(levels)) == levels
