"""Issue 18 queries on the command line, each number checked against an independent
computation from ``segments --json`` (per-character sets, hand-listed units)."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from tests.queries_project import CODES, TEXTS, build, unit_spans


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


# -- 2. coverage ---------------------------------------------------------------------

def test_coverage_against_character_sets(cli, qproj, segs):
    r = cli("coverage", qproj, "--json")
    assert r.code == 0, r.err
    chars: dict = defaultdict(set)
    refs: dict = defaultdict(int)
    for s in segs:
        chars[(s["code"], s["source"])] |= set(range(s["start"], s["end"]))
        refs[(s["code"], s["source"])] += 1
    expected = [{"code": c, "source": src, "references": refs[(c, src)], "characters": len(chars[(c, src)]),
                 "coverage": len(chars[(c, src)]) / len(TEXTS[src])} for c, src in sorted(chars)]
    assert r.json() == expected
    # Access/Waiting in P2: 27 + 42 characters overlapping by 27, plus 19: 42 + 19 = 61
    row = next(x for x in r.json() if x["code"] == "Access/Waiting" and x["source"] == "P2")
    assert (row["references"], row["characters"]) == (3, 61)


def test_coverage_codes_descendants_where_and_files(cli, qproj, segs, tmp_path):
    only = cli("coverage", qproj, "--codes", "Access", "--json").json()
    assert {x["code"] for x in only} == {"Access"}
    subs = cli("coverage", qproj, "--codes", "Access", "--descendants", "--json").json()
    assert {x["code"] for x in subs} == {"Access", "Access/Referrals", "Access/Waiting"}
    wave = cli("coverage", qproj, "--where", "wave=2021", "--json").json()
    assert {x["source"] for x in wave} == {"P2"}
    assert cli("coverage", qproj, "--where", "nosuch=1").code == 2
    assert cli("coverage", qproj, "--codes", "No/Such").code == 2
    out = tmp_path / "cov.csv"
    assert cli("coverage", qproj, "--out", out).code == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["code", "source", "references", "characters", "coverage"]
    assert len(rows) == 1 + len(cli("coverage", qproj, "--json").json())
    assert cli("coverage", qproj, "--out", out).code == 1  # exists: the output guard refuses
    assert cli("coverage", qproj, "--out", tmp_path / "cov.txt").code == 2
    x = tmp_path / "cov.xlsx"
    assert cli("coverage", qproj, "--out", x).code == 0
    import openpyxl

    ws = openpyxl.load_workbook(x).active
    assert [c.value for c in ws[1]] == ["code", "source", "references", "characters", "coverage"]


# -- 3. co-occurrence -----------------------------------------------------------------

def _expected_overlap(segs):
    pairs: dict = {}
    by_src = defaultdict(list)
    for s in segs:
        by_src[s["source"]].append(s)
    for ss in by_src.values():
        for i, x in enumerate(ss):
            for y in ss[i + 1:]:
                if x["code"] == y["code"]:
                    continue
                if set(range(x["start"], x["end"])) & set(range(y["start"], y["end"])):
                    key = tuple(sorted((x["code"], y["code"])))
                    p = pairs.setdefault(key, [0, set()])
                    p[0] += 1
                    p[1] |= set(x["cases"])
    return [{"a": a, "b": b, "passages": n, "cases": len(c)} for (a, b), (n, c) in sorted(pairs.items())]


def _expected_units(segs, unit):
    pairs: dict = {}
    for src in TEXTS:
        for us, ue in unit_spans(unit, src):
            here = {s["code"] for s in segs if s["source"] == src and s["start"] < ue and s["end"] > us}
            cases = {c for s in segs if s["source"] == src for c in s["cases"]}
            for a in here:
                for b in here:
                    if a < b:
                        p = pairs.setdefault((a, b), [0, set()])
                        p[0] += 1
                        p[1] |= cases
    return [{"a": a, "b": b, "passages": n, "cases": len(c)} for (a, b), (n, c) in sorted(pairs.items())]


@pytest.mark.parametrize("unit", ["overlap", "sentence", "paragraph", "turn"])
def test_cooccurrence_every_unit(cli, qproj, segs, unit):
    r = cli("cooccurrence", qproj, "--unit", unit, "--json")
    assert r.code == 0, r.err
    expected = _expected_overlap(segs) if unit == "overlap" else _expected_units(segs, unit)
    assert r.json() == expected
    assert all(x["a"] < x["b"] and x["passages"] > 0 for x in r.json())


def test_cooccurrence_by_hand_and_options(cli, qproj, segs, tmp_path):
    rows = {(x["a"], x["b"]): x for x in cli("cooccurrence", qproj, "--json").json()}
    # P1 (alice's long Referrals holds Waiting) and P2 (one passage at both): 2 passages, 2 cases
    assert rows[("Access/Referrals", "Access/Waiting")] == {"a": "Access/Referrals", "b": "Access/Waiting",
                                                           "passages": 2, "cases": 2}
    # the escaped path of a name with a slash, as segments --json gives it
    assert ("Roles \\/ tasks", "Roles \\/ tasks/Pharmacist") in rows
    # paragraphs: NOTES (no case) adds a passage but no case
    para = {(x["a"], x["b"]): x for x in cli("cooccurrence", qproj, "--unit", "paragraph", "--json").json()}
    assert para[("Access/Waiting", "Roles \\/ tasks/Pharmacist")]["passages"] == 3
    assert para[("Access/Waiting", "Roles \\/ tasks/Pharmacist")]["cases"] == 2
    some = cli("cooccurrence", qproj, "--codes", "Access", "Workload", "--descendants", "--json").json()
    assert {x["a"] for x in some} | {x["b"] for x in some} <= {"Access", "Access/Referrals", "Access/Waiting",
                                                               "Workload"}
    wave = cli("cooccurrence", qproj, "--where", "wave=2016", "--json").json()
    assert wave == _expected_overlap([s for s in segs if s["source"] == "P1"])
    for ext in ("csv", "xlsx", "docx"):
        assert cli("cooccurrence", qproj, "--out", tmp_path / f"co.{ext}").code == 0
    import docx

    table = docx.Document(tmp_path / "co.docx").tables[0]
    assert [c.text for c in table.rows[0].cells] == ["a", "b", "passages", "cases"]
    assert len(table.rows) == 1 + len(rows)
    with pytest.raises(SystemExit) as exc:
        cli("cooccurrence", qproj, "--unit", "page")
    assert exc.value.code == 2


# -- 4. word frequency ----------------------------------------------------------------

def test_words_counts_by_hand(cli, qproj):
    r = cli("words", qproj, "--top", "4", "--json")
    assert r.code == 0, r.err
    # "waiting" in the interviewer's question is left out by default; "the" is a stop word
    assert r.json() == [{"word": "pharmacist", "count": 5, "sources": 3}, {"word": "waiting", "count": 3, "sources": 2},
                        {"word": "practices", "count": 2, "sources": 2}, {"word": "referrals", "count": 2, "sources": 1}]
    every = cli("words", qproj, "--top", "1000", "--include-interviewer", "--json").json()
    counts = {x["word"]: x["count"] for x in every}
    assert counts["waiting"] == 4 and counts["referrals"] == 3 and "interviewer" not in counts
    assert every == sorted(every, key=lambda x: (-x["count"], x["word"]))
    stem = {x["word"]: x for x in cli("words", qproj, "--stem", "--json").json()}
    assert stem["waiting"]["count"] == 4  # waiting ×3 + waited
    user = cli("words", qproj, "--stop-word", "Pharmacist", "--json").json()
    assert "pharmacist" not in {x["word"] for x in user}


def test_words_in_a_codes_passages_and_a_group(cli, qproj, segs):
    import re

    r = cli("words", qproj, "--code", "Access/Waiting", "--top", "1000", "--json").json()
    chars = defaultdict(set)
    for s in segs:
        if s["code"] == "Access/Waiting":
            chars[s["source"]] |= set(range(s["start"], s["end"]))
    expected: dict = defaultdict(lambda: [0, set()])
    stops = {"the", "was", "for", "a", "we"}
    for src, cs in chars.items():
        text = TEXTS[src]
        for m in re.finditer(r"[A-Za-z]+", text):
            w = m.group().lower()
            if m.start() in cs and len(w) >= 3 and w not in stops:
                expected[w][0] += 1
                expected[w][1].add(src)
    assert {x["word"]: (x["count"], x["sources"]) for x in r} == {w: (n, len(s)) for w, (n, s) in expected.items()}
    wave = {x["word"] for x in cli("words", qproj, "--where", "wave=2016", "--json").json()}
    assert "referrals" in wave and "stayed" not in wave


# -- 5. summaries and matrix --json ---------------------------------------------------

def test_summary_set_clear_undo_and_matrix_json(cli, qproj, segs):
    r = cli("summary", qproj, "--case", "P1", "--code", "Access", "--text", "Slow referrals", "--coder", "alice")
    assert r.code == 0, r.err
    cells = cli("matrix", qproj, "--json").json()
    quotes = defaultdict(int)
    for s in segs:
        for c in s["cases"]:
            quotes[(c, s["code"])] += 1
    expected = [{"case": c, "code": k, "code_path": k.replace("\\/", "\0").split("/") and
                 [p.replace("\0", "/") for p in k.replace("\\/", "\0").split("/")],
                 "quotes": n, "summary": None} for (c, k), n in quotes.items()]
    expected.append({"case": "P1", "code": "Access", "code_path": ["Access"], "quotes": 0,
                     "summary": "Slow referrals"})
    assert cells == sorted(expected, key=lambda d: (d["case"], d["code"]))
    rolled = {(x["case"], x["code"]): x for x in cli("matrix", qproj, "--json", "--descendants").json()}
    assert rolled[("P1", "Access")]["quotes"] == sum(n for (c, k), n in quotes.items()
                                                    if c == "P1" and _under(k, "Access"))
    # the command line runs one command (one undoable step in the app): undone, the cell is gone
    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.matrix.summaries import SetCellSummary

    with open_project(qproj) as p:
        case, code = p.cases.by_name("P1").id, p.codes.resolve("Access").id
        cmd = SetCellSummary(case, code, "Changed")
        p.execute(cmd)
        assert p.matrix.summaries("case")[(case, code)] == "Changed"
        p.undo(cmd)
        assert p.matrix.summaries("case")[(case, code)] == "Slow referrals"
    assert cli("summary", qproj, "--case", "P1", "--code", "Access", "--text", "x").code == 0
    assert cli("summary", qproj, "--case", "P1", "--code", "Access", "--clear").code == 0
    assert ("P1", "Access") not in {(x["case"], x["code"]) for x in cli("matrix", qproj, "--json").json()}
    assert cli("summary", qproj, "--case", "P9", "--code", "Access", "--text", "x").code == 2
    assert cli("summary", qproj, "--case", "P1", "--code", "No", "--text", "x").code == 2
    assert cli("summary", qproj, "--case", "P1", "--code", "Access").code == 2
    assert cli("matrix", qproj).code == 2  # neither --out nor --json
