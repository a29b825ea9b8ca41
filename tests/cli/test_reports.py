"""``report``, ``codebook`` and ``export-source`` on the command line: files, messages, exit codes."""

from __future__ import annotations

import docx
import pytest


def test_report_writes_the_quote_tables(cli, demo_file, tmp_path):
    out = tmp_path / "S2.docx"
    r = cli("report", demo_file, "--out", out, "--cite", "({case}, {board_type})")
    assert r.code == 0, r.err
    assert r.out.strip() == f"wrote {out}: 6 tables, 62 quotes from 8 participants"
    assert r.err == ""
    doc = docx.Document(out)
    assert len(doc.tables) == 6
    cites = {row.cells[2].text for t in doc.tables for row in t.rows[1:]}
    assert "(LW04, remote and rural)" in cites and "(GP01, urban)" in cites


def test_report_options_reach_the_document(cli, demo_file, tmp_path):
    out = tmp_path / "S3.docx"
    r = cli("report", demo_file, "--out", out, "--codes", "Referral pathways", "Sustaining the role",
            "--descendants", "--where", "wave=2023", "--coded-by", "alex", "--cite", "({case}, {wave})",
            "--group-by", "role", "--group-label", "{value}s", "--order", "position", "--prefix", "S3.",
            "--start", "5", "--landscape", "--title", "Supplementary file 3", "--method-note", "Chosen by AB.",
            "--columns", "quote=Quote,participant=Participant", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert data["path"] == str(out) and data["warnings"] == []
    doc = docx.Document(out)
    caps = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert caps == ["Table S3.5 Referral pathways", "Table S3.6 Sustaining the role"]
    assert doc.paragraphs[0].text == "Supplementary file 3"
    assert any(p.text == "Chosen by AB." for p in doc.paragraphs)
    assert doc.sections[-1].page_width > doc.sections[-1].page_height
    for t in doc.tables:
        assert [c.text for c in t.rows[0].cells] == ["Quote", "Participant"]
        for row in t.rows[1:]:
            cells = [c.text for c in row.cells]
            if cells[0] == cells[1]:  # group heading
                assert cells[0] in ("GPs", "Link workers", "Practice managers")
            else:
                assert cells[1].endswith(", 2023)")


def test_report_warns_about_codes_without_quotes(cli, demo_file, tmp_path):
    out = tmp_path / "S2.docx"
    r = cli("report", demo_file, "--out", out, "--codes", "Referral pathways", "Patient outcomes/Community assets and gaps")
    assert r.code == 0, r.err
    assert "warning: no quotes for 'Referral pathways'; its table is left out" in r.err
    assert len(docx.Document(out).tables) == 1


@pytest.mark.parametrize("args, message", [
    (["--where", "wave=1999"], "nothing to export: no coded passages under any theme with --where wave=1999"),
    (["--codes", "Referral pathways"], "add --descendants"),
    (["--coded-by", "sam", "--codes", "Sustaining the role/Training and supervision"],
     "no coded passages under 'Sustaining the role/Training and supervision' with --coded-by sam"),
])
def test_empty_selection_exits_1_and_writes_nothing(cli, demo_file, tmp_path, args, message):
    out = tmp_path / "S2.docx"
    r = cli("report", demo_file, "--out", out, *args)
    assert r.code == 1
    assert message in r.err and "no file written" in r.err
    assert r.err.count("\n") == 1 and "Traceback" not in r.err
    assert not out.exists()


@pytest.mark.parametrize("args, message", [
    (["--cite", "({case}, {health_board})"], "unknown attribute 'health_board' in citation template"),
    (["--where", "health_board=urban"], "unknown attribute 'health_board' in --where"),
    (["--group-by", "health_board"], "unknown attribute 'health_board' in --group-by"),
    (["--order", "attribute:health_board"], "unknown attribute 'health_board' in --order"),
    (["--order", "shuffle"], "unknown order 'shuffle'"),
    (["--codes", "Referral pathways/Nope"], "unknown code 'Referral pathways/Nope'"),
    (["--coded-by", "kim"], "unknown coder 'kim'"),
    (["--columns", "quote,mood"], "unknown column 'mood'"),
    (["--cite", "({case"], "citation template '({case'"),
    (["--font-size", "80"], "font size 80 is out of range"),
    (["--start", "-1"], "--start -1"),
])
def test_unknown_names_exit_2_naming_them(cli, demo_file, tmp_path, args, message):
    out = tmp_path / "S2.docx"
    r = cli("report", demo_file, "--out", out, *args)
    assert r.code == 2, r.err
    assert message in r.err
    assert r.err.count("\n") == 1 and "Traceback" not in r.err
    assert not out.exists()


def test_report_bad_output_paths(cli, demo_file, tmp_path):
    r = cli("report", demo_file, "--out", tmp_path / "S2.pdf")
    assert r.code == 2 and "a quote report is written as .docx" in r.err
    r = cli("report", demo_file, "--out", tmp_path / "missing" / "S2.docx")
    assert r.code == 1 and "does not exist" in r.err
    r = cli("report", tmp_path / "nope.qlite", "--out", tmp_path / "S2.docx")
    assert r.code == 1 and "no such project file" in r.err


def test_report_can_start_from_the_options_saved_by_the_dialog(cli, demo_file, tmp_path):
    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.quotes.quotes import ReportOptions

    with open_project(demo_file) as p:
        p.settings.put("report_options", ReportOptions(prefix="S9.", cite="[{case}]").to_dict())
    out = tmp_path / "S9.docx"
    r = cli("report", demo_file, "--out", out, "--saved", "--start", "3")
    assert r.code == 0, r.err
    doc = docx.Document(out)
    assert doc.paragraphs[0].text == "Supplementary material: illustrative quotes"
    caps = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert caps[0] == "Table S9.3 Referral pathways"
    assert doc.tables[0].rows[1].cells[2].text.startswith("[")


def test_help_for_each_command(cli_subprocess):
    for cmd, words in (("report", ["--cite", "--group-by", "--landscape", "examples:"]),
                       ("codebook", ["FILE.docx|FILE.csv"]), ("export-source", ["SOURCE", "--coded-by"])):
        r = cli_subprocess(cmd, "--help")
        assert r.code == 0, r.err
        assert all(w in r.out for w in words), (cmd, r.out)


def test_codebook_docx_and_csv(cli, demo_file, tmp_path):
    r = cli("codebook", demo_file, "--out", tmp_path / "cb.docx")
    assert r.code == 0, r.err
    assert r.out.strip() == f"wrote {tmp_path / 'cb.docx'}: 27 codes in 6 themes"
    assert len(docx.Document(tmp_path / "cb.docx").tables[0].rows) == 28
    r = cli("codebook", demo_file, "--out", tmp_path / "cb.csv", "--json")
    assert r.code == 0 and r.json()["path"] == str(tmp_path / "cb.csv")
    lines = (tmp_path / "cb.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("code,level,name,description,summary") and len(lines) == 28


def test_codebook_errors(cli, demo_file, project_file, tmp_path):
    r = cli("codebook", demo_file, "--out", tmp_path / "cb.xlsx")
    assert r.code == 2 and "written as .docx or .csv" in r.err
    r = cli("codebook", project_file, "--out", tmp_path / "cb.csv")
    assert r.code == 1 and "the project has no codes" in r.err
    assert not (tmp_path / "cb.csv").exists()


def test_export_source(cli, demo_file, tmp_path):
    out = tmp_path / "LW01.docx"
    r = cli("export-source", demo_file, "LW01", "--out", out, "--coded-by", "sam")
    assert r.code == 0, r.err
    assert r.out.strip() == f"wrote {out}: LW01 with 1 comment"
    doc = docx.Document(out)
    (comment,) = list(doc.comments)
    assert comment.author == "sam" and comment.text == "Referral pathways › Quality of referrals"


def test_export_source_errors(cli, demo_file, tmp_path):
    r = cli("export-source", demo_file, "LW99", "--out", tmp_path / "x.docx")
    assert r.code == 2 and "unknown source 'LW99' (sources: GP01" in r.err
    r = cli("export-source", demo_file, "LW01", "--out", tmp_path / "x.txt")
    assert r.code == 2 and "written as .docx" in r.err
    r = cli("export-source", demo_file, "LW01", "--out", tmp_path / "x.docx", "--coded-by", "kim")
    assert r.code == 2 and "unknown coder 'kim'" in r.err
    assert not (tmp_path / "x.docx").exists()


def test_export_source_without_codings_warns(cli, demo_file, tmp_path):
    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.coding.coding import ApplyCode

    with open_project(demo_file) as p:  # kim codes LW01 only
        p.execute(ApplyCode(p.sources.by_name("LW01").id, p.codes.all()[0].id, 0, 11, coder="kim"))
    out = tmp_path / "GP01.docx"
    r = cli("export-source", demo_file, "GP01", "--out", out, "--coded-by", "kim")
    assert r.code == 0, r.err
    assert "warning: GP01 has no codings by kim" in r.err
    assert len(list(docx.Document(out).comments)) == 0
