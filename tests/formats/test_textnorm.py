"""normalise(): BOM and line ends only."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qualcoder_lite.core.formats.textnorm import normalise


def test_drops_leading_bom_only() -> None:
    assert normalise("\ufeffabc") == "abc"
    assert normalise("a\ufeffb") == "a\ufeffb"  # a zero-width no-break space inside stays


def test_line_ends() -> None:
    assert normalise("a\r\nb\rc\nd\r\n\r\ne") == "a\nb\nc\nd\n\ne"
    assert normalise("\r\r\n") == "\n\n"


def test_unicode_normalisation_untouched() -> None:
    decomposed = "cafe\u0301 \U0001F600 \u4e2d"
    assert normalise(decomposed) == decomposed


@given(st.text())
def test_no_cr_and_idempotent(text: str) -> None:
    once = normalise(text)
    assert "\r" not in once
    assert normalise(once) == once or once.startswith("\ufeff")
