"""Issue 18 queries on the command line, each number checked against an independent
computation from ``segments --json`` (per-character sets, hand-listed units)."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from tests.queries_project import CODES, TEXTS, build


@pytest.fixture
def qproj(tmp_path):
    return build(tmp_path / "q.qlite")


@pytest.fixture
def segs(cli, qproj):
    r = cli("segments", qproj, "--json")
    assert r.code == 0, r.err
    return r.json()


def _under(code: str, theme: str) -> bool:
    return code == theme or code.startswith(theme + "/")


# -- 1. aggregate counts --------------------------------------------------------------

def test_codes_list_aggregates_count_a_passage_once(cli, qproj, segs):
    rows = {r["code"]: r for r in cli("codes", qproj, "list", "--json").json()}
    assert sorted(rows) == sorted(CODES)
    cases_of = {s["source"]: set(s["cases"]) for s in segs}
    for code in CODES:
        own = [s for s in segs if s["code"] == code]
        under = [s for s in segs if _under(s["code"], code)]
        passages = {(s["source"], s["start"], s["end"], s["coder"]) for s in under}
        sources = {s["source"] for s in under}
        cases = set().union(*(cases_of[x] for x in sources)) if sources else set()
        r = rows[code]
        assert (r["codings"], r["sources"], r["cases"]) == (
            len(own), len({s["source"] for s in own}), len(set().union(*(set(s["cases"]) for s in own)) if own else 0))
        assert (r["codings_aggregate"], r["sources_aggregate"], r["cases_aggregate"]) == (
            len(passages), len(sources), len(cases)), code
    # by hand: Access has 1 + 4 (Referrals) + 5 (Waiting) codings, one passage at both sub-codes
    assert rows["Access"]["codings_aggregate"] == 9
    assert rows["Access"]["cases_aggregate"] == 2 and rows["Access"]["sources_aggregate"] == 3


def test_codebook_csv_counts_aggregates_by_the_same_rule(cli, qproj, tmp_path):
    out = tmp_path / "cb.csv"
    assert cli("codebook", qproj, "--out", out).code == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        book = {r["code"]: r for r in csv.DictReader(fh)}
    rows = {r["code"]: r for r in cli("codes", qproj, "list", "--json").json()}
    for code, r in rows.items():
        assert int(book[code]["codings_with_subcodes"]) == r["codings_aggregate"], code
        assert int(book[code]["cases_with_subcodes"]) == r["cases_aggregate"], code
