"""Team coding on the command line: coders, agreement, merge."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.coding.coding import ApplyCode


def _no_nan(text: str):
    def refuse(name):
        raise AssertionError(f"{name} in JSON output")

    return json.loads(text, parse_constant=refuse)


def test_coders_lists_counts(cli, demo_file):
    r = cli("coders", demo_file, "--json")
    assert r.code == 0, r.err
    rows = r.json()
    assert [(x["coder"], x["codings"]) for x in rows] == [("alex", 57), ("sam", 12)]
    assert all(x["color"].startswith("#") for x in rows)
    r = cli("coders", demo_file)
    assert r.code == 0 and "alex: 57 codings in 8 sources" in r.out


@pytest.mark.parametrize("unit", ["character", "sentence", "paragraph", "turn"])
def test_agreement_json(cli, demo_file, unit):
    r = cli("agreement", demo_file, "--coders", "alex", "sam", "--unit", unit, "--json")
    assert r.code == 0, r.err
    rows = _no_nan(r.out)
    assert rows[-1]["overall"] is True and rows[-1]["code"] == "(overall)"
    assert all(not x["overall"] for x in rows[:-1])
    for x in rows:
        assert {"code", "kappa", "agreement", "a_only", "b_only", "units", "both", "alpha"} <= set(x)
        assert x["a_only"] + x["b_only"] + x["both"] + x["neither"] == x["units"]
        assert x["kappa"] is None or -1 <= x["kappa"] <= 1
    assert rows[-1]["units"] == sum(x["units"] for x in rows[:-1])
    codes = [x["code"] for x in rows[:-1]]
    assert "Referral pathways/Quality of referrals" in codes


def test_agreement_text_is_sorted_lowest_kappa_first(cli, demo_file):
    r = cli("agreement", demo_file, "--coders", "alex", "sam", "--unit", "sentence")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].startswith("alex (A) vs sam (B), unit: sentences")
    body = lines[2:-1]
    kappas = [float(line.split()[0]) for line in body if line.split()[0] != "—"]
    assert kappas == sorted(kappas) and len(kappas) > 3
    assert "OVERALL" in lines[-1]


def test_agreement_matches_the_core(cli, demo_file):
    from qualcoder_lite.core.services.team.agreement import compare

    r = cli("agreement", demo_file, "--coders", "sam", "alex", "--unit", "paragraph", "--json")
    with open_project(demo_file) as p:
        expected = compare(p, ["sam", "alex"], "paragraph")
    by_code = {x["code"]: x for x in r.json()}
    for row in expected.rows:
        got = by_code[row.code]
        assert (got["a_only"], got["b_only"], got["units"]) == (row.a_only, row.b_only, row.units)
        assert got["kappa"] == (None if row.kappa is None else pytest.approx(row.kappa, abs=1e-6))


def test_agreement_codes_and_sources(cli, demo_file):
    code = "Referral pathways/Quality of referrals"
    r = cli("agreement", demo_file, "--coders", "alex", "sam", "--codes", code, "--by-source", "--json")
    assert r.code == 0, r.err
    rows = r.json()
    assert rows[0]["code"] == code and rows[0]["source"] is None
    per_source = [x for x in rows if x["source"]]
    assert per_source and all(x["code"] == code for x in per_source)
    assert sum(x["a_only"] for x in per_source) == rows[0]["a_only"]
    r = cli("agreement", demo_file, "--coders", "alex", "sam", "--codes", code, "--source", "LW01", "--json")
    with open_project(demo_file) as p:
        length = len(p.sources.text(p.sources.by_name("LW01").id))
    assert r.json()[0]["units"] == length


def test_agreement_more_coders_gives_alpha(cli, demo_file):
    with open_project(demo_file, coder="kim") as p:
        sid = p.sources.by_name("LW01").id
        code = p.codes.find("Referral pathways/Quality of referrals").id
        p.execute(ApplyCode(sid, code, 100, 300))
    r = cli("agreement", demo_file, "--coders", "alex", "sam", "kim", "--json")
    assert r.code == 0, r.err
    rows = {x["code"]: x for x in r.json()}
    assert rows["Referral pathways/Quality of referrals"]["alpha"] is not None


def test_unknown_coder_exits_2_naming_it(cli, demo_file):
    r = cli("agreement", demo_file, "--coders", "alex", "bob")
    assert r.code == 2
    assert "bob" in r.err and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1
    r = cli("agreement", demo_file, "--coders", "alex")
    assert r.code == 2 and "two coders" in r.err
    r = cli("agreement", demo_file, "--coders", "alex", "sam", "--codes", "No such code")
    assert r.code == 2 and "No such code" in r.err
    r = cli("agreement", demo_file, "--coders", "alex", "sam", "--source", "ZZ")
    assert r.code == 2 and "ZZ" in r.err


def test_unknown_unit_is_a_usage_error(cli_subprocess, demo_file):
    r = cli_subprocess("agreement", demo_file, "--coders", "alex", "sam", "--unit", "word")
    assert r.code == 2 and "word" in r.err and "Traceback" not in r.err


def test_agreement_out_csv_and_docx(cli, demo_file, tmp_path):
    out = tmp_path / "kappa.csv"
    r = cli("agreement", demo_file, "--coders", "alex", "sam", "--out", out)
    assert r.code == 0, r.err
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["Code", "Kappa", "Agreement (%)", "alex only"]
    assert rows[-1][0].startswith("Overall")
    kappas = [float(x[1]) for x in rows[1:-1] if x[1]]
    assert kappas == sorted(kappas)
    docx_path = tmp_path / "kappa.docx"
    r = cli("agreement", demo_file, "--coders", "alex", "sam", "--unit", "turn", "--out", docx_path)
    assert r.code == 0, r.err
    from docx import Document

    doc = Document(str(docx_path))
    table = doc.tables[0]
    assert table.rows[0].cells[0].text == "Code"
    assert len(table.rows) == len(rows)  # header + codes + overall
    assert "turns" in doc.paragraphs[1].text


def test_agreement_out_bad_extension_and_nothing_to_export(cli, demo_file, tmp_path, project_file):
    bad = tmp_path / "kappa.txt"
    r = cli("agreement", demo_file, "--coders", "alex", "sam", "--out", bad)
    assert r.code == 2 and not bad.exists()
    with open_project(project_file) as p:  # two coders, no codings at all
        from qualcoder_lite.core.commands import Command

        class Register(Command):
            def apply(self, project, rec):
                return [project.coders.ensure(rec, name) for name in ("tester", "other")]

        p.execute(Register())
    empty = tmp_path / "empty.csv"
    r = cli("agreement", project_file, "--coders", "tester", "other", "--out", empty)
    assert r.code == 1 and "nothing to export" in r.err and not empty.exists()
    r = cli("agreement", project_file, "--coders", "tester", "other", "--json")
    assert r.code == 0 and r.json() == [r.json()[0]] and r.json()[0]["overall"]
    assert r.json()[0]["kappa"] is None and r.json()[0]["units"] == 0


def test_merge_command(cli, demo_file, tmp_path):
    theirs = tmp_path / "sam-laptop.qlite"
    shutil.copy(demo_file, theirs)
    with open_project(theirs, coder="sam") as p:
        sid = p.sources.by_name("GP02").id
        code = p.codes.find("Referral pathways/Quality of referrals").id
        p.execute(ApplyCode(sid, code, 10, 60))
        p.execute(ApplyCode(sid, code, 70, 90))
    with open_project(demo_file) as p:
        before = p.codings.count()
    r = cli("merge", demo_file, theirs, "--json")
    assert r.code == 0, r.err
    report = r.json()
    assert report["codings_added"] == 2 and report["codings_duplicate"] == 69
    assert report["conflicts"] == []
    with open_project(demo_file) as p:
        assert p.codings.count() == before + 2
    r = cli("merge", demo_file, theirs)
    assert r.code == 0 and "0 codings added (71 already here)" in r.out


def test_merge_errors_are_one_line(cli, demo_file, tmp_path):
    bad = tmp_path / "garbage.qlite"
    bad.write_bytes(b"not sqlite at all")
    r = cli("merge", demo_file, bad)
    assert r.code == 1 and str(bad) in r.err and "Traceback" not in r.err
    r = cli("merge", demo_file, tmp_path / "missing.qlite")
    assert r.code == 1 and "no such file" in r.err
    r = cli("merge", demo_file, demo_file)
    assert r.code == 2 and "is this project" in r.err


def test_agreement_help_shows_a_percent_sign(cli_subprocess):
    """argparse %-formats help texts: the command's description says '% agreement', not '%%'."""
    r = cli_subprocess("agreement", "--help")
    assert r.code == 0, r.err
    assert "% agreement" in r.out and "%%" not in r.out
    r = cli_subprocess("--help")
    assert "% agreement" in r.out.replace("\n", " ") and "%%" not in r.out
