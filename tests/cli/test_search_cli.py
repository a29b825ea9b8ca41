"""``search`` prints exactly what it printed before the word index (JSON and text)."""

from __future__ import annotations

import pytest

from qualcoder_lite.core.project import open_project
from tests.core.test_search_index import _reference_search


@pytest.mark.parametrize("query", ["practice", "contract*", '"quality improvement"', "GP OR nurse",
                                   "funding NOT contract", "well-being", "the", "中文"])
def test_search_json_and_text_output_unchanged(cli, demo_file, query):
    with open_project(demo_file, read_only=True) as p:
        ref = _reference_search(p, query)
    out = cli("search", demo_file, query, "--json")
    assert out.code == 0
    assert out.json() == [{"source": h.source, "case": h.case, "start": h.start, "end": h.end,
                           "snippet": h.snippet} for h in ref]
    text = cli("search", demo_file, query, "--limit", "5")
    assert text.code == 0
    assert text.out.splitlines() == [f"{h.source} ({h.case or '-'}) {h.start}-{h.end}: {h.snippet}" for h in ref[:5]]


def test_search_without_words_is_a_usage_error_not_a_traceback(cli, demo_file):
    out = cli("search", demo_file, '"" * -', "--json")
    assert out.code == 2
    assert "no words to look for" in out.err and "Traceback" not in out.err


def test_search_limit_counts_the_sources_of_every_hit_not_only_those_shown(cli, demo_file):
    with open_project(demo_file, read_only=True) as p:
        ref = _reference_search(p, "practice")
    sources = {h.source for h in ref}
    assert len(sources) > 1  # else the test shows nothing
    out = cli("search", demo_file, "practice", "--limit", "1")
    assert out.code == 0 and len(out.out.splitlines()) == 1
    assert out.err.strip() == f"1 of {len(ref):,} hits in {len(sources)} sources"
