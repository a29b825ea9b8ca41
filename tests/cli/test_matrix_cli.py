"""``matrix`` and ``compare`` on the command line; exports read back."""

from __future__ import annotations

import csv

import docx
import openpyxl

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.matrix.matrix import build_matrix

THEMES = ["Referral pathways", "Working with practices", "Sustaining the role", "Patient outcomes",
          "Data and evaluation", "Change over time"]


def test_compare_json(cli, demo_file):
    r = cli("compare", demo_file, "--by", "wave", "--columns", "Change over time/COVID-19 impact", "--descendants",
            "--json")
    assert r.code == 0, r.err
    assert r.json() == [
        {"code": "Change over time/COVID-19 impact", "value": "2019", "cases": 0, "cases_total": 4, "codings": 0},
        {"code": "Change over time/COVID-19 impact", "value": "2023", "cases": 4, "cases_total": 4,
         "codings": r.json()[1]["codings"]},
    ]
    assert r.json()[1]["codings"] >= 4
    assert cli("compare", demo_file, "--by", "nosuch").code == 2
    assert cli("compare", demo_file, "--by", "wave", "--columns", "No/Such").code == 2


def test_matrix_csv_and_xlsx_read_back(cli, demo_file, tmp_path):
    out = tmp_path / "m.csv"
    r = cli("matrix", demo_file, "--out", out, "--columns", *THEMES, "--descendants", "--group-by", "wave")
    assert r.code == 0, r.err
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Case", "wave"] + THEMES
    with open_project(demo_file) as p:
        m = build_matrix(p, [p.codes.find(t).id for t in THEMES], group_by="wave")
    assert [row[0] for row in rows[1:]] == [r.name for r in m.rows]
    for i, row in enumerate(rows[1:]):
        for c in range(len(THEMES)):
            cell = m.cell(i, c)
            assert row[2 + c] == (cell.summary or ("[to chart]" if cell.quotes else ""))
    x = tmp_path / "m.xlsx"
    assert cli("matrix", demo_file, "--out", x, "--columns", *THEMES, "--descendants", "--with-quotes").code == 0
    ws = openpyxl.load_workbook(x).active
    assert [c.value for c in ws[1]] == ["Case"] + THEMES
    assert ws.freeze_panes == "B2"
    gp01 = [c.value for c in ws[2]]
    assert gp01[0] == "GP01" and "“" in (gp01[2] or "")  # quotes under the summary


def test_matrix_docx_landscape_with_quotes(cli, demo_file, tmp_path):
    out = tmp_path / "m.docx"
    r = cli("matrix", demo_file, "--out", out, "--columns", *THEMES[:3], "--descendants", "--with-quotes",
            "--group-by", "wave")
    assert r.code == 0, r.err
    d = docx.Document(out)
    sec = d.sections[0]
    assert sec.page_width > sec.page_height
    # one block per group (wave 2019, wave 2023), each repeating its header rows on every page
    table, second = d.tables
    header = [c.text for c in table.rows[0].cells]
    assert header == ["Case"] + THEMES[:3]
    for t in (table, second):
        for tr in t._tbl.tr_lst[:2]:  # the headings and the group's name
            assert tr.trPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None
    texts = [r.cells[0].text for r in table.rows]
    assert texts[1].startswith("wave: 2019") and "GP01" in texts
    assert second.rows[1].cells[0].text.startswith("wave: 2023")


def test_nothing_to_export_writes_no_file(cli, demo_file, tmp_path):
    out = tmp_path / "none.csv"
    r = cli("matrix", demo_file, "--out", out, "--where", "wave=1999")
    assert r.code == 1 and "nothing to export" in r.err
    assert not out.exists()
    assert cli("matrix", demo_file, "--out", tmp_path / "m.pdf").code == 2


def test_counts_of_one_read_in_the_singular(cli, project_file, tmp_path):
    from qualcoder_lite.core.services.coding.codes import AddCode
    from qualcoder_lite.core.services.coding.coding import ApplyCode
    from tests.helpers import add_text_source

    with open_project(project_file) as p:
        sid = add_text_source(p, "P1", "one two three", case="P1")
        p.execute(AddCode("Theme"))
        p.execute(ApplyCode(sid, p.codes.find("Theme").id, 0, 3))
    assert cli("summary", project_file, "--case", "P1", "--code", "Theme", "--text", "S.").code == 0
    out = tmp_path / "m.docx"
    r = cli("matrix", project_file, "--out", out)
    assert r.out.strip() == f"wrote {out}: 1 chart (one per theme), 1 row, 1 summary, 0 cells to chart"
    assert "Contents: Framework matrix; 1 case\n" in docx.Document(out).paragraphs[1].text + "\n"
    r = cli("matrix", project_file, "--out", tmp_path / "m.csv")
    assert r.out.strip() == f"wrote {tmp_path / 'm.csv'}: 1 row × 1 column, 1 summary, 0 cells to chart"
