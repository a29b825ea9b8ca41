"""Quote selection for reports: text, citations, order, grouping, filters (no Qt, no Word)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcoder_lite.core.errors import UsageError
from qualcoder_lite.core.services.sources.attributes import AttributeTable, ImportAttributes
from qualcoder_lite.core.services.coding.codebook import codebook_rows
from qualcoder_lite.core.services.coding.codes import AddCode
from qualcoder_lite.core.services.coding.coding import ApplyCode, SetQuoteEdit
from qualcoder_lite.core.services.quotes.quote_render import render_passage, whole_words
from qualcoder_lite.core.services.quotes.quotes import CitationTemplate, ReportOptions, table_rows
from qualcoder_lite.core.services.quotes.report_build import build_report
from qualcoder_lite.core.services.coding.speakers import SetSpeakerRole
from tests.helpers import add_text_source

P1 = (
    "Interviewer: How do referrals reach you?\n\n"
    "P1: Mostly from the GPs.   The template is\nquite basic, honestly.\n\n"
    "Interviewer: And self-referral?\n\n"
    "P1: I worry we would be swamped. It would be \"chaos\" within weeks, I'd say.\n"
)
P2 = (
    "Interviewer: Tell me about funding.\n\n"
    "P2: The contract ends in March and nobody knows what happens next.\n\n"
    "Interviewer: How does that feel?\n\n"
    "P2: Exhausting, to be honest. We lost two link workers last year.\n"
)
P10 = (
    "Interviewer: What changed?\n\n"
    "P10: Everything moved to the phone during the pandemic. It never really came back.\n"
)


def _code(project, path):
    return project.codes.find(path).id


def _apply(project, source, phrase, code, coder=None, end_phrase=None):
    sid = project.sources.by_name(source).id
    text = project.sources.text(sid)
    start = text.index(phrase)
    end = text.index(end_phrase) + len(end_phrase) if end_phrase else start + len(phrase)
    cmd = ApplyCode(sid, _code(project, code), start, end, coder=coder)
    project.execute(cmd)
    return cmd.result[0]


def build_study(project):
    """Three participants (P1, P2, P10) with attributes, an interviewer, a small code tree
    and codings by two coders. Returns the project."""
    for name, text in (("P1", P1), ("P2", P2), ("P10", P10)):
        add_text_source(project, name, text, case=name)
    project.execute(SetSpeakerRole("Interviewer", "interviewer"))
    rows = [("P1", {"wave": "2021", "health_board": "urban"}),
            ("P2", {"wave": "2016", "health_board": ""}),
            ("P10", {"wave": "", "health_board": "rural"})]
    project.execute(ImportAttributes(AttributeTable(Path("cases.csv"), ["wave", "health_board"],
                                                    {"wave": "number", "health_board": "text"}, rows)))
    for path in ("Demand/Referrals", "Demand/Workload", "Funding/Contracts", "Change"):
        project.execute(AddCode(path))
    _apply(project, "P1", "Mostly from the GPs.", "Demand/Referrals", coder="ann",
           end_phrase="quite basic, honestly.")
    _apply(project, "P1", "I worry we would be swamped.", "Demand/Workload", coder="ann",
           end_phrase="I'd say.")
    _apply(project, "P2", "Exhausting, to be honest.", "Demand/Workload", coder="ann")
    _apply(project, "P2", "The contract ends in March", "Funding/Contracts", coder="ann",
           end_phrase="what happens next.")
    _apply(project, "P10", "Everything moved to the phone", "Demand/Workload", coder="bob",
           end_phrase="during the pandemic.")
    _apply(project, "P10", "Everything moved to the phone", "Change", coder="bob",
           end_phrase="never really came back.")
    return project


@pytest.fixture
def study(project):
    return build_study(project)


def _quotes(report, table=0):
    return [(q.text, q.citation) for q in report.tables[table].quotes]


# ----------------------------------------------------------------------------- text
def test_white_space_is_collapsed_and_labels_never_appear(study):
    report = build_report(study, ReportOptions(codes=["Demand/Referrals"]))
    (q,) = report.tables[0].quotes
    assert q.text == "Mostly from the GPs. The template is quite basic, honestly."
    assert q.quoted == "“Mostly from the GPs. The template is quite basic, honestly.”"


def test_quotes_are_trimmed_to_whole_words():
    text = "We need a shared triage form, honestly."
    start = text.index("eed a")  # coding starts inside "need"
    end = text.index("form") + 2  # and ends inside "form"
    assert text[slice(*whole_words(text, start, end))] == "a shared triage"
    assert render_passage(text, start, end).text == "a shared triage"
    # a coding inside one word keeps what was coded rather than printing nothing
    inside = text.index("need") + 1
    assert render_passage(text, inside, inside + 2).text == "ee"
    assert render_passage(text, text.index("shared"), text.index("shared") + 6).text == "shared"


def test_stray_punctuation_at_the_edges_is_dropped():
    text = "It was hard, and then it got worse; really."
    start = text.index(", and")
    end = text.index("worse;") + len("worse;")
    assert render_passage(text, start, end).text == "and then it got worse"
    # verbatim changes no character: the stray punctuation stays
    assert render_passage(text, start, end, style="verbatim").text == ", and then it got worse;"


def test_straight_inner_quotes_become_single_quotes_in_the_table(study):
    report = build_report(study, ReportOptions(codes=["Demand/Workload"]))
    texts = [q.text for q in report.tables[0].quotes]
    assert "I worry we would be swamped. It would be ‘chaos’ within weeks, I’d say." in texts


def test_edited_quote_is_used_and_the_original_kept(study):
    sid = study.sources.by_name("P2").id
    (coding,) = [k for k in study.codings.for_source(sid) if k.code_id == _code(study, "Funding/Contracts")]
    study.execute(SetQuoteEdit(coding.id, "The contract ends in March and […] [the staff] don't know what happens next."))
    report = build_report(study, ReportOptions(codes=["Funding/Contracts"]))
    (q,) = report.tables[0].quotes
    assert q.text == "The contract ends in March and […] [the staff] don’t know what happens next."
    assert [(p.kind, p.text) for p in q.rendered.pieces if p.kind != "text"] == [
        ("omission", "[…]"), ("insertion", "[the staff]")]
    assert q.original == "The contract ends in March and nobody knows what happens next."
    assert q.edited and q.shortened and report.tables[0].has_edits


def test_interviewer_turns_are_left_out_with_an_ellipsis(study):
    sid = study.sources.by_name("P2").id
    text = study.sources.text(sid)
    start = text.index("The contract ends")
    end = text.index("to be honest.") + len("to be honest.")
    study.execute(ApplyCode(sid, _code(study, "Change"), start, end, coder="ann"))
    report = build_report(study, ReportOptions(codes=["Change"], coders=["ann"]))
    (q,) = report.tables[0].quotes
    assert q.text == "The contract ends in March and nobody knows what happens next. […] Exhausting, to be honest."
    assert q.shortened and not q.edited
    kept = build_report(study, ReportOptions(codes=["Change"], coders=["ann"], include_interviewer=True))
    assert "How does that feel?" in kept.tables[0].quotes[0].text


def test_a_coding_inside_an_interviewer_turn_is_not_quoted(study):
    sid = study.sources.by_name("P1").id
    text = study.sources.text(sid)
    start = text.index("And self-referral?")
    study.execute(ApplyCode(sid, _code(study, "Change"), start, start + len("And self-referral?"), coder="ann"))
    report = build_report(study, ReportOptions(codes=["Change"], coders=["ann"]))
    assert report.tables == [] and report.empty_codes == ["Change"]
    kept = build_report(study, ReportOptions(codes=["Change"], coders=["ann"], include_interviewer=True))
    assert _quotes(kept) == [("And self-referral?", "(P1)")]


# ----------------------------------------------------------------------------- citations
def test_citation_leaves_out_missing_values_cleanly():
    t = CitationTemplate("({case}, {wave})", ["case", "wave"])
    assert t.render({"case": "PCS_02", "wave": "2016"}) == "(PCS_02, 2016)"
    assert t.render({"case": "PCS_02", "wave": ""}) == "(PCS_02)"
    assert t.render({"case": "PCS_02"}) == "(PCS_02)"
    three = CitationTemplate("({case}, {wave}; {board})", ["case", "wave", "board"])
    assert three.render({"case": "P1", "board": "urban"}) == "(P1; urban)"
    assert three.render({"wave": "2016", "board": "urban"}) == "(2016; urban)"
    assert three.render({}) == ""


def test_citations_in_the_report(study):
    report = build_report(study, ReportOptions(codes=["Demand/Workload"], cite="({case}, {health_board})"))
    assert [q.citation for q in report.tables[0].quotes] == ["(P1, urban)", "(P2)", "(P10, rural)"]


@pytest.mark.parametrize("template, name", [("({case}, {health})", "health"), ("{participant}", "participant")])
def test_unknown_attribute_in_citation_is_a_usage_error_naming_it(study, template, name):
    with pytest.raises(UsageError, match=f"unknown attribute '{name}' in citation template"):
        build_report(study, ReportOptions(cite=template))


def test_malformed_citation_template_is_a_usage_error(study):
    with pytest.raises(UsageError, match="citation template"):
        build_report(study, ReportOptions(cite="({case"))
    with pytest.raises(UsageError, match="empty"):
        build_report(study, ReportOptions(cite="({})"))


# ----------------------------------------------------------------------------- selection
def test_default_is_one_table_per_theme_with_its_sub_codes(study):
    report = build_report(study, ReportOptions())
    assert [t.caption for t in report.tables] == ["Table S2.1 Demand", "Table S2.2 Funding", "Table S2.3 Change"]
    assert [q.subtheme for q in report.tables[0].quotes] == ["Referrals", "Workload", "Workload", "Workload"]
    assert report.quote_count == 6 and report.participants == ["P1", "P2", "P10"]


def test_codes_without_descendants_take_only_that_code(study):
    report = build_report(study, ReportOptions(codes=["Demand"]))
    assert report.tables == [] and report.empty_codes == ["Demand"]
    report = build_report(study, ReportOptions(codes=["Demand"], descendants=True))
    assert len(report.tables[0].quotes) == 4


def test_unknown_code_is_a_usage_error(study):
    with pytest.raises(UsageError, match="unknown code 'Nope'"):
        build_report(study, ReportOptions(codes=["Nope"]))


def test_prefix_and_start_number_the_tables(study):
    report = build_report(study, ReportOptions(prefix="S3.", start=4, codes=["Funding/Contracts", "Change"]))
    assert [t.label for t in report.tables] == ["Table S3.4", "Table S3.5"]
    assert report.tables[0].title == "Funding › Contracts"
    titled = build_report(study, ReportOptions(codes=["Change"], table_title="Quotes on {code}"))
    assert titled.tables[0].caption == "Table S2.1 Quotes on Change"


def test_where_filters_by_attribute_and_unknown_attribute_names_it(study):
    report = build_report(study, ReportOptions(codes=["Demand/Workload"], where=["wave=2016", "wave=2021"]))
    assert [q.case for q in report.tables[0].quotes] == ["P1", "P2"]  # P10 has no wave: never matches
    with pytest.raises(UsageError, match="unknown attribute 'region'"):
        build_report(study, ReportOptions(where=["region=north"]))


def test_coder_filter(study):
    report = build_report(study, ReportOptions(coders=["bob"]))
    assert [(t.title, [q.case for q in t.quotes]) for t in report.tables] == [("Demand", ["P10"]), ("Change", ["P10"])]
    with pytest.raises(UsageError, match="unknown coder 'zed'"):
        build_report(study, ReportOptions(coders=["zed"]))


def test_overlapping_codings_of_two_coders_show_once(study):
    sid = study.sources.by_name("P1").id
    text = study.sources.text(sid)
    a = text.index("I worry")
    study.execute(ApplyCode(sid, _code(study, "Demand/Workload"), a, a + len("I worry we would be swamped."),
                            coder="bob"))
    merged = build_report(study, ReportOptions(codes=["Demand/Workload"]))
    assert [q.case for q in merged.tables[0].quotes] == ["P1", "P2", "P10"] and merged.merged == 1
    p1 = merged.tables[0].quotes[0]
    assert p1.coder == "ann, bob" and p1.text.startswith("I worry") and p1.text.endswith("I’d say.")
    separate = build_report(study, ReportOptions(codes=["Demand/Workload"], merge_overlaps=False))
    assert [q.case for q in separate.tables[0].quotes] == ["P1", "P1", "P2", "P10"]


# ----------------------------------------------------------------------------- order and groups
def test_order_by_case_is_natural(study):
    report = build_report(study, ReportOptions(codes=["Demand/Workload"]))
    assert [q.case for q in report.tables[0].quotes] == ["P1", "P2", "P10"]


def test_order_by_attribute_puts_missing_values_last(study):
    report = build_report(study, ReportOptions(codes=["Demand/Workload"], order="attribute:wave"))
    assert [q.case for q in report.tables[0].quotes] == ["P2", "P1", "P10"]


def test_order_by_position(study):
    sid = study.sources.by_name("P1").id
    text = study.sources.text(sid)
    later = text.index("I worry")
    earlier = text.index("Mostly")
    for a in (later, earlier):
        study.execute(ApplyCode(sid, _code(study, "Change"), a, a + 7, coder="ann"))
    report = build_report(study, ReportOptions(codes=["Change"], order="position"))
    assert [q.text for q in report.tables[0].quotes] == ["Mostly", "I worry", "Everything moved to the phone during the pandemic. It never really came back."]


def test_unknown_order_and_group_attribute(study):
    with pytest.raises(UsageError, match="unknown attribute 'age' in --order"):
        build_report(study, ReportOptions(order="attribute:age"))
    with pytest.raises(UsageError, match="unknown order 'random'"):
        build_report(study, ReportOptions(order="random"))
    with pytest.raises(UsageError, match="unknown attribute 'age' in --group-by"):
        build_report(study, ReportOptions(group_by="age"))


def test_grouping_by_attribute_makes_sub_heading_rows(study):
    report = build_report(study, ReportOptions(codes=["Demand"], descendants=True, group_by="wave",
                                               group_label="{value} interviews"))
    table = report.tables[0]
    assert [(g.label, [q.case for q in g.quotes]) for g in table.groups] == [
        ("2016 interviews", ["P2"]), ("2021 interviews", ["P1", "P1"]), ("not recorded interviews", ["P10"])]
    rows = list(table_rows(table, report.columns))
    kinds = [k for k, _ in rows]
    assert kinds == ["group", "quote", "group", "quote", "quote", "group", "quote"]
    # the sub-theme is printed on the first row of its run only
    assert [r[1][1][0] for r in rows if r[0] == "quote"] == ["Workload", "Referrals", "Workload", "Workload"]
    default_label = build_report(study, ReportOptions(codes=["Change"], group_by="wave"))
    assert default_label.tables[0].groups[0].label == "Wave: not recorded"


def test_columns_can_name_attributes_and_headers(study):
    report = build_report(study, ReportOptions(codes=["Demand/Workload"],
                                               columns=["quote=Illustrative quote", "case", "health_board"]))
    assert [c.header for c in report.columns] == ["Illustrative quote", "Case", "Health board"]
    rows = [r[1][1] for r in table_rows(report.tables[0], report.columns)]
    assert rows[0] == ["“I worry we would be swamped. It would be ‘chaos’ within weeks, I’d say.”", "P1", "urban"]
    assert rows[1][2] == ""
    with pytest.raises(UsageError, match="unknown column 'age'"):
        build_report(study, ReportOptions(columns=["quote", "age"]))


# ----------------------------------------------------------------------------- options, codebook
def test_options_round_trip_and_ignore_junk():
    opts = ReportOptions(codes=["A/B"], cite="({case}, {wave})", landscape=True, start=3, method_note="")
    assert ReportOptions.from_dict(opts.to_dict()) == opts
    odd = ReportOptions.from_dict({"start": "x", "landscape": "yes", "codes": [1], "nope": 1, "font_size": 11})
    assert odd.start == 1 and odd.landscape is False and odd.codes == [] and odd.font_size == 11.0
    assert ReportOptions.from_dict(None) == ReportOptions()


def test_method_note_default_mentions_citation_example(study):
    report = build_report(study, ReportOptions(cite="({case}, {wave})"))
    assert "for example (P1, 2021)" in report.method_note
    assert "Interviewer turns are left out." in report.method_note
    assert build_report(study, ReportOptions(method_note="")).method_note == ""


def test_codebook_rows_roll_up_counts(study):
    rows = {r.code: r for r in codebook_rows(study)}
    assert (rows["Demand"].codings, rows["Demand"].codings_total, rows["Demand"].cases_total) == (0, 4, 3)
    assert (rows["Demand/Workload"].codings, rows["Demand/Workload"].cases) == (3, 3)
    assert rows["Demand/Workload"].level == 2 and rows["Change"].cases_total == 1


@pytest.mark.parametrize("few", [0, 2, 64])
def test_a_few_quotes_read_their_own_edits_and_attributes_and_match_a_quoter_that_read_all(demo_file, monkeypatch,
                                                                                            few):
    """``coding_quote`` (a retrieval row) reads just its coding's edit and its case's
    attributes until many are asked for: every quote and citation is what a quoter that read
    every edit and attribute first gives."""
    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.quotes import quoting
    from qualcoder_lite.core.services.quotes.segments import segment_rows

    monkeypatch.setattr(quoting, "_FEW_CASES", few)
    project = open_project(demo_file, coder="alex")
    try:
        ids = [r[0] for r in project.conn.execute("SELECT id FROM codings ORDER BY id")]
        project.execute(SetQuoteEdit(ids[1], "an edited [...] quote"))
        segs = segment_rows(project, ids)
        eager = quoting.Quoter(project)
        eager._load_attributes()
        assert eager.edits == {ids[1]: "an edited [...] quote"}
        lazy = quoting.Quoter(project)
        for cid in ids:
            assert lazy.coding_quote(segs[cid]) == eager.coding_quote(segs[cid])
        assert lazy._edits is None  # no scan of every coding
        assert (lazy._case_values is None) == (len(lazy._attrs) <= few)  # all read only after the few
    finally:
        project.close()
