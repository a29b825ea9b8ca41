"""The command line end to end: every command of the foundation issue."""

from __future__ import annotations


import pytest


@pytest.fixture
def proj(tmp_path, cli):
    r = cli("new", tmp_path / "study", "--coder", "ann")
    assert r.code == 0, r.err
    return tmp_path / "study.qlite"


def _write(path, text, encoding="utf-8"):
    path.write_text(text, encoding=encoding)
    return path


INTERVIEW = (
    "Interviewer: How do referrals reach you?\n\n"
    "P3: Mostly from the GPs. Dr. Khan sends the most. Referrals doubled in 2021.\n\n"
    "Interviewer: And the workload?\n\n"
    "P3: Heavy workload, honestly. We need more staff.\n"
)


def test_full_flow(tmp_path, cli, proj):
    f1 = _write(tmp_path / "P3_interview.txt", INTERVIEW)
    f2 = _write(tmp_path / "P4_interview.txt", INTERVIEW.replace("P3", "P4").replace("doubled", "tripled"))
    r = cli("import", proj, f1, f2, "--case-from", r"^(P\d+)", "--json")
    assert r.code == 0, r.err
    assert r.json() == {"sources": 2, "cases_created": 2, "turns": 8, "words": r.json()["words"], "warnings": 0}
    csv = _write(tmp_path / "cases.csv", "case,wave,role,joined\nP3,2016,PCS,2015-03-01\nP4,2021,CQL,\nP9,2021,PCS,2020-01-31\n")
    r = cli("attributes", proj, csv, "--json")  # P9 has no source: left out and named
    assert r.code == 0, r.err
    assert r.json()["cases_created"] == 0 and r.json()["rows_without_case"] == 1 and r.json()["values_added"] == 5
    assert "P9" in r.err and "--create-cases" in r.err
    r = cli("attributes", proj, csv, "--json", "--create-cases")
    assert r.code == 0, r.err
    assert r.json()["cases_created"] == 1 and r.json()["values_added"] == 3 and r.json()["values_unchanged"] == 5
    assert cli("codes", proj, "add", "Demand/Referrals", "--description", "Where referrals come from",
               "--color", "#336699").code == 0
    assert cli("codes", proj, "add", "Demand/Workload").code == 0
    r = cli("autocode", proj, "--code", "Demand/Referrals", "--pattern", "[Rr]eferrals", "--unit", "sentence", "--json")
    assert r.code == 0, r.err
    assert r.json()["added"] == 4  # two sentences in each file
    r = cli("autocode", proj, "--code", "Demand/Workload", "--pattern", "workload", "--ignore-case",
            "--speaker", "P3", "--unit", "turn")
    assert r.code == 0 and "added 1 coding" in r.out
    r = cli("segments", proj, "--json")
    segs = r.json()
    assert [s["source"] for s in segs] == sorted(s["source"] for s in segs)
    text = (tmp_path / "P3_interview.txt").read_text()
    for s in segs:
        src_text = text if s["source"] == "P3_interview" else text.replace("P3", "P4").replace("doubled", "tripled")
        assert s["text"] == src_text[s["start"]:s["end"]]
        assert set(s) >= {"source", "case", "code", "start", "end", "text", "coder"}
        assert s["coder"] == "ann" or s["coder"]
    wave = cli("segments", proj, "--where", "wave=2021", "--json").json()
    assert {s["case"] for s in wave} == {"P4"}
    both = cli("segments", proj, "--where", "wave=2016", "--where", "wave=2021.0", "--json").json()
    assert len(both) == len(segs)
    none = cli("segments", proj, "--where", "wave=2021", "--where", "role=PCS", "--json").json()
    assert none == []
    dated = cli("segments", proj, "--where", "joined=2015-03-01", "--json").json()
    assert {s["case"] for s in dated} == {"P3"}
    r = cli("codes", proj, "list", "--json")
    rows = r.json()
    assert rows[1] == {"code": "Demand/Referrals", "code_path": ["Demand", "Referrals"],
                       "description": "Where referrals come from", "color": "#336699", "codings": 4, "sources": 2,
                       "cases": 2, "codings_aggregate": 4, "sources_aggregate": 2, "cases_aggregate": 2}
    hits = cli("search", proj, '"heavy workload" OR tripled', "--json").json()
    assert [(h["source"], text_of(tmp_path, h)) for h in hits] == [
        ("P3_interview", "Heavy workload"), ("P4_interview", "tripled"), ("P4_interview", "Heavy workload")]
    info = cli("info", proj, "--json").json()
    assert info["sources"] == 2 and info["cases"] == 3 and info["codes"] == 3 and info["codings"] == 5
    assert info["words"] > 40


def text_of(tmp_path, hit):
    text = (tmp_path / "P3_interview.txt").read_text()
    if hit["source"] == "P4_interview":
        text = text.replace("P3", "P4").replace("doubled", "tripled")
    return text[hit["start"]:hit["end"]]


def test_reimport_refused(tmp_path, cli, proj):
    f = _write(tmp_path / "P1.txt", INTERVIEW)
    assert cli("import", proj, f).code == 0
    r = cli("import", proj, f)
    assert r.code == 1 and "already imported" in r.err and "P1.txt" in r.err
    assert cli("info", proj, "--json").json()["sources"] == 1


def test_case_options(tmp_path, cli, proj):
    a = _write(tmp_path / "a.txt", "Some notes about the site visit.")
    b = _write(tmp_path / "b.txt", "Other notes.")
    assert cli("import", proj, a, "--case", "SH01", "--kind", "notes").code == 0
    assert cli("import", proj, b, "--no-case").code == 0
    segs_cases = cli("info", proj, "--json").json()["cases"]
    assert segs_cases == 1
    r = cli("import", proj, a, "--case", "X", "--no-case")
    assert r.code == 2


def test_codes_add_existing_and_weird_names(cli, proj):
    names = ['Quotes "double" and \'single\'', "Emoji 😀 feelings", "עברית ימין לשמאל", "Slash \\/ inside"]
    for n in names:
        r = cli("codes", proj, "add", f"Theme/{n}")
        assert r.code == 0, r.err
    rows = cli("codes", proj, "list", "--json").json()
    # siblings keep the order they were made in
    assert [r["code_path"][-1] for r in rows[1:]] == [
        'Quotes "double" and \'single\'', "Emoji 😀 feelings", "עברית ימין לשמאל", "Slash / inside"]
    assert rows[-1]["code"] == "Theme/Slash \\/ inside"
    r = cli("codes", proj, "add", "Theme/Emoji 😀 feelings")
    assert r.code == 1 and "already exists" in r.err


def test_usage_errors_exit_2(tmp_path, cli, proj):
    assert cli("segments", proj, "--code", "No/Such").code == 2
    r = cli("segments", proj, "--where", "nosuch=1")
    assert r.code == 2 and "nosuch" in r.err
    assert cli("autocode", proj, "--code", "X", "--pattern", "y").code == 2
    assert cli("codes", proj, "add", "A", "--color", "red").code == 2


def test_help_on_every_command(cli_subprocess):
    for cmd in ("new", "import", "attributes", "codes", "autocode", "segments", "search", "info", "speakers", "open"):
        r = cli_subprocess(cmd, "--help")
        assert r.code == 0 and "usage:" in r.out, cmd
    r = cli_subprocess("import", "--bogus")
    assert r.code == 2 and "Traceback" not in r.err


def test_speakers_roles_keep_interviewer_out_of_autocode(tmp_path, cli, proj):
    assert cli("import", proj, _write(tmp_path / "P3.txt", INTERVIEW)).code == 0
    r = cli("speakers", proj, "--interviewer", "Interviewer", "--json")
    assert {x["speaker"]: x["role"] for x in r.json()} == {"Interviewer": "interviewer", "P3": "participant"}
    cli("codes", proj, "add", "W")
    r = cli("autocode", proj, "--code", "W", "--pattern", "[Ww]orkload", "--json")
    assert r.json()["added"] == 1  # the interviewer's "workload?" is left out
    r = cli("autocode", proj, "--code", "W", "--pattern", "[Ww]orkload", "--include-interviewer", "--json")
    assert r.json()["added"] == 1


def test_cases_list_and_set_and_case_from_warning(tmp_path, cli, proj):
    a = _write(tmp_path / "P1_a.txt", INTERVIEW)
    b = _write(tmp_path / "notes-b.txt", "Some site notes.")
    r = cli("import", proj, a, b, "--case-from", r"^(P\d+)")
    assert r.code == 0 and "does not match 'notes-b'" in r.err
    rows = cli("cases", proj, "list", "--json").json()
    assert rows == [{"case": "P1", "sources": ["P1_a"], "codings": 0, "attributes": {}}]
    assert cli("cases", proj.with_suffix(""), "set", "notes-b", "P1", "SITE").code == 0  # no extension needed
    rows = cli("cases", proj, "list", "--json").json()
    assert {r["case"]: r["sources"] for r in rows} == {"P1": ["P1_a", "notes-b"], "SITE": ["notes-b"]}
    assert cli("cases", proj, "set", "nope", "P1").code == 2


def test_attribute_rows_for_unknown_cases_warn(tmp_path, cli, proj):
    assert cli("import", proj, _write(tmp_path / "P7.txt", INTERVIEW.replace("P3", "P7"))).code == 0
    csv = _write(tmp_path / "a.csv", "case,wave\np7,2016\nP7,2021\n")
    r = cli("attributes", proj, csv)
    assert r.code == 0 and "left out 1 row" in r.err and "p7 (did you mean P7?)" in r.err
    r = cli("attributes", proj, csv, "--create-cases")
    assert r.code == 0 and "created 1 case without sources: p7 (did you mean P7?)" in r.err


def test_segments_warnings_and_unknown_coder(tmp_path, cli, proj):
    assert cli("import", proj, _write(tmp_path / "P3.txt", INTERVIEW)).code == 0
    assert cli("attributes", proj, _write(tmp_path / "a.csv", "case,genre\nP3,rpg\n")).code == 0
    cli("codes", proj, "add", "Theme/Leaf")
    cli("autocode", proj, "--code", "Theme/Leaf", "--pattern", "workload", "--ignore-case")
    r = cli("segments", proj, "--where", "genre=RPG")
    assert r.code == 0 and "no case has genre=RPG (values: rpg)" in r.err
    r = cli("segments", proj, "--code", "Theme")
    assert "add --descendants" in r.err
    assert cli("segments", proj, "--coded-by", "nobody").code == 2
    r = cli("search", proj, "the", "--limit", "1")
    assert "1 of " in r.err


def test_options_after_the_file(tmp_path, cli_subprocess, proj):
    import os

    out = tmp_path / "m.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QUALCODER_LITE_CONFIG_DIR=str(tmp_path / "c"))
    r = cli_subprocess("--screenshot", out, proj, "--view", "codebook", "--coder", "ann", env=env)
    assert r.code == 0, r.err
    assert out.exists()


def test_coder_before_or_after_the_command(tmp_path, cli, proj):
    assert cli("import", proj, _write(tmp_path / "P3.txt", INTERVIEW)).code == 0
    cli("codes", proj, "add", "W")
    assert cli("--coder", "carol", "autocode", proj, "--code", "W", "--pattern", "workload").code == 0
    assert cli("autocode", proj, "--code", "W", "--pattern", "staff", "--coder", "dave").code == 0
    coders = {s["coder"] for s in cli("segments", proj, "--json").json()}
    assert coders == {"carol", "dave"}


def test_counts_of_one_read_in_the_singular(tmp_path, cli, proj):
    assert cli("import", proj, _write(tmp_path / "P3.txt", INTERVIEW)).code == 0
    assert cli("codes", proj, "add", "Staff/Shortage").code == 0
    r = cli("autocode", proj, "--code", "Staff/Shortage", "--pattern", "more staff", "--coder", "ann")
    assert r.out.strip() == "added 1 coding (1 match in 1 source; 0 already coded)"
    assert cli("codes", proj, "list").out.splitlines() == [
        "Staff  (0 codings, 0 cases; with sub-codes 1 passage, 1 case)", "  Shortage  (1 coding, 1 case)"]
    assert "P3: participant (2 turns in 1 source)" in cli("speakers", proj).out.splitlines()
    assert cli("cases", proj, "list").out.strip() == "P3: 1 source, 1 coding"
    assert cli("coders", proj).out.startswith("ann: 1 coding in 1 source (")
    assert cli("search", proj, "staff").err.strip() == "1 hit in 1 source"
