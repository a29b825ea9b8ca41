"""Framework matrix, comparison and coding query, checked against counts computed here
independently from the coded segments."""

from __future__ import annotations

import re

import pytest

from qualcoder_lite.core.errors import UsageError
from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.sources.filters import parse_where
from qualcoder_lite.core.services.matrix.matrix import build_matrix, cell_segments, coding_query, compare
from qualcoder_lite.core.services.quotes.segments import segments


@pytest.fixture
def demo(demo_file):
    with open_project(demo_file) as p:
        yield p


def _case_attrs(p):
    vals = p.attributes.case_values()
    return {c.name: vals.get(c.id, {}) for c in p.cases.all()}


def _under(p, code):
    """The code and its sub-codes, by path prefix (independent of the core's tree walk)."""
    return {c.id for c in p.codes.all() if c.path[: len(code.path)] == code.path}


def test_cells_count_quotes_with_and_without_roll_up(demo):
    themes = [c for c in demo.codes.all() if c.parent_id is None]
    segs = segments(demo)
    m = build_matrix(demo, [t.id for t in themes], roll_up=True)
    for r, row in enumerate(m.rows):
        for c, theme in enumerate(themes):
            ids = _under(demo, theme)
            expected = sum(1 for s in segs if s.case == row.name and s.code_id in ids)
            assert m.cell(r, c).quotes == expected
    flat = build_matrix(demo, [t.id for t in themes], roll_up=False)
    assert all(cell.quotes == 0 for cell in flat.cells.values())  # the demo codes only below themes


def test_summaries_and_to_chart(demo):
    m = build_matrix(demo)
    summaries = demo.matrix.summaries()
    shown = {(m.rows[r].id, m.columns[c].id): m.cell(r, c).summary
             for r in range(len(m.rows)) for c in range(len(m.columns)) if m.cell(r, c).summary}
    assert shown == {k: v for k, v in summaries.items() if k[1] in {c.id for c in m.columns}}
    assert any(cell.to_chart for cell in m.cells.values())
    assert all(not cell.to_chart for cell in m.cells.values() if cell.summary)


def test_group_sort_and_filter(demo):
    m = build_matrix(demo, group_by="wave", sort_by="years_in_post")
    attrs = _case_attrs(demo)
    groups = [r.group for r in m.rows]
    assert groups == sorted(groups, key=float)  # numbers in numeric order, 2019 before 2023
    for g in set(groups):
        ys = [attrs[r.name].get("years_in_post") for r in m.rows if r.group == g]
        present = [float(y) for y in ys if y]
        assert present == sorted(present) and ys[len(present):] == [None] * (len(ys) - len(present))
    only = build_matrix(demo, where=parse_where(demo, ["role=GP", "role=Practice manager"]))
    assert {r.name for r in only.rows} == {n for n, a in attrs.items() if a.get("role") in ("GP", "Practice manager")}
    with pytest.raises(UsageError):
        build_matrix(demo, group_by="nope")


def test_compare_matches_independent_counts(demo):
    attrs = _case_attrs(demo)
    segs = segments(demo)
    codes = demo.codes.all()
    rows = compare(demo, "wave", roll_up=True)
    for r in rows:
        code = next(c for c in codes if c.id == r.code_id)
        ids = _under(demo, code)
        cases_with_value = {n for n, a in attrs.items() if a.get("wave") == r.value}
        coded = {s.case for s in segs if s.code_id in ids and s.case in cases_with_value}
        assert r.cases_total == len(cases_with_value)
        assert r.cases == len(coded)
        assert r.codings == sum(1 for s in segs if s.code_id in ids and s.case in cases_with_value)
    covid = next(r for r in rows if r.code.endswith("COVID-19 impact") and r.value == "2019")
    assert covid.cases == 0  # the 2019 interviews predate the pandemic


def test_compare_leaves_out_cases_without_the_value(demo):
    rows = compare(demo, "years_in_post")
    totals = {r.value: r.cases_total for r in rows}
    assert sum(totals.values()) == 7  # one of the 8 demo cases has no years_in_post


def test_coding_query_counts(demo):
    attrs = _case_attrs(demo)
    segs = segments(demo)
    cols, values, cells = coding_query(demo, "role")
    assert values == sorted({a["role"] for a in attrs.values()}, key=str.casefold)
    for col in cols:
        for v in values:
            mine = [s for s in segs if s.code_id == col.id and attrs[s.case].get("role") == v]
            cell = cells.get((col.id, v))
            if not mine:
                assert cell is None
                continue
            assert (cell.cases, cell.codings) == (len({s.case for s in mine}), len(mine))
            assert cell.words == sum(len(re.findall(r"\w+", s.text)) for s in mine)


def test_cell_segments(demo):
    theme = demo.codes.find("Working with practices")
    case = demo.cases.id_of("GP01")
    segs = cell_segments(demo, "case", case, theme.id)
    assert segs and all(s.case == "GP01" for s in segs)
    assert cell_segments(demo, "case", case, theme.id, roll_up=False) == []


def test_two_coders_same_passage_quoted_once_and_excel_limit(tmp_path, demo):
    import openpyxl

    from qualcoder_lite.core.formats import matrix_export as mx
    from qualcoder_lite.core.services.matrix.cell_quotes import matrix_quotes
    from qualcoder_lite.core.services.coding.coding import ApplyCode

    demo_path = demo.path
    demo.close()
    with open_project(demo_path) as p:
        seg = segments(p)[0]
        p.execute(ApplyCode(seg.source_id, seg.code_id, seg.start, seg.end, coder="zoe"))
        theme = p.codes.get(seg.code_id)
        m = build_matrix(p, [theme.id], roll_up=False)
        quotes = matrix_quotes(p, m)
        key = (p.cases.id_of(seg.case), theme.id)
        texts = [q.line for q in quotes[key]]
        assert len(texts) == len(set(texts))  # the passage coded by two coders appears once
        assert any(set(q.passage.coders) == {seg.coder, "zoe"} for q in quotes[key])
        # a cell over Excel's limit is cut, marked and reported
        from qualcoder_lite.core.services.quotes.quote_render import render_passage
        from qualcoder_lite.core.services.quotes.quoting import CitedQuote, Passage

        words = "word " * 8000
        big = CitedQuote(Passage(seg, 0, len(words), (seg.coder,), (seg.coding_id,)),
                         render_passage(words, 0, len(words)), "(GP01)", seg.case)
        long = {key: [big]}
        warnings = []
        out = mx.write_xlsx(m, tmp_path / "m.xlsx", long, warnings=warnings)
        cell = [c.value for c in openpyxl.load_workbook(out).active[2 + [r.id for r in m.rows].index(key[0])]][1]
        assert len(cell) <= mx.EXCEL_CELL_LIMIT and "more characters: see the Word export" in cell
        assert warnings and "32,767" in warnings[0]


def test_cells_when_a_source_is_in_two_cases_and_a_case_has_two_sources(demo):
    """A coding counts once in every case of its source; a case adds up its sources."""
    from qualcoder_lite.core.services.sources.sources import SetSourceCases

    sources = sorted(demo.sources.all(), key=lambda s: s.name)
    cases = sorted(demo.cases.all(), key=lambda c: c.name)
    demo.execute(SetSourceCases(sources[0].id, [cases[0].name, cases[1].name]))
    demo.execute(SetSourceCases(sources[2].id, [cases[1].name]))
    links: dict[int, set[int]] = {}
    for source_id, case_id in demo.conn.execute("SELECT source_id, case_id FROM case_sources"):
        links.setdefault(source_id, set()).add(case_id)
    assert any(len(v) > 1 for v in links.values())
    themes = [c for c in demo.codes.all() if c.parent_id is None]
    codings = list(demo.conn.execute("SELECT source_id, code_id FROM codings"))
    for where in (None, parse_where(demo, ["role=GP"])):
        m = build_matrix(demo, [t.id for t in themes], roll_up=True, where=where)
        assert m.rows
        for r, row in enumerate(m.rows):
            for c, theme in enumerate(themes):
                ids = _under(demo, theme)
                expected = sum(1 for sid, cid in codings if row.id in links.get(sid, ()) and cid in ids)
                assert m.cell(r, c).quotes == expected
        assert all(cell.quotes for cell in m.cells.values())
