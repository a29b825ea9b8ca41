"""Code paths read as names in every document (issue 13, item 7): a code named
``Money / funding`` under ``Funding`` is ``Funding › Money / funding`` in Word, Excel and CSV
documents, and ``Funding/Money \\/ funding`` only where a program reads it back: the command
line, JSON and the codebook CSV's path column (which import-qdc reads)."""

from __future__ import annotations

import csv

import docx
import openpyxl
import pytest

ESCAPED = "Funding/Money \\/ funding"
SHOWN = "Funding › Money / funding"
LEAF = "Money / funding"

P1 = ("Interviewer: How is the service funded?\n\nP1: The money runs out in March. Money is the worry.\n\n"
      "Interviewer: And staff?\n\nP1: We lost two link workers. The money went elsewhere.\n")
P2 = ("Interviewer: How is the service funded?\n\nP2: Short-term money, always. Nobody plans.\n\n"
      "Interviewer: And the practices?\n\nP2: They are kind. The money is not there though.\n")


@pytest.fixture
def proj(tmp_path, cli):
    p = tmp_path / "study.qlite"
    assert cli("new", p, "--coder", "alex").code == 0
    files = []
    for name, text in (("P1", P1), ("P2", P2)):
        f = tmp_path / f"{name}.txt"
        f.write_text(text, encoding="utf-8")
        files.append(f)
    assert cli("import", p, *files, "--coder", "alex").code == 0
    assert cli("codes", p, "add", ESCAPED, "--coder", "alex").code == 0
    for coder, pattern in (("alex", "[Mm]oney"), ("sam", "money")):
        r = cli("autocode", p, "--coder", coder, "--code", ESCAPED, "--pattern", pattern, "--unit", "sentence")
        assert r.code == 0, r.err
    return p


def _docx_text(path) -> str:
    d = docx.Document(path)
    parts = [para.text for para in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def _no_escape(text: str) -> None:
    assert "\\/" not in text and "\\\\" not in text


def test_json_and_command_line_keep_the_escaped_path(cli, proj):
    r = cli("codes", proj, "list", "--json")
    assert r.code == 0, r.err
    row = next(x for x in r.json() if x["code_path"] == ["Funding", LEAF])
    assert row["code"] == ESCAPED
    seg = cli("segments", proj, "--code", ESCAPED, "--json").json()
    assert seg and {s["code"] for s in seg} == {ESCAPED} and seg[0]["code_path"] == ["Funding", LEAF]


def test_codebook_csv_path_column_escaped_and_word_codebook_by_name(cli, proj, tmp_path):
    out = tmp_path / "codebook.csv"
    assert cli("codebook", proj, "--out", out).code == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    row = next(r for r in rows if r["name"] == LEAF)
    assert row["code"] == ESCAPED  # read back by import-qdc
    w = tmp_path / "codebook.docx"
    assert cli("codebook", proj, "--out", w).code == 0
    text = _docx_text(w)
    assert LEAF in text
    _no_escape(text)


def test_matrix_exports_name_the_columns(cli, proj, tmp_path):
    for ext in ("csv", "xlsx", "docx"):
        out = tmp_path / f"m.{ext}"
        r = cli("matrix", proj, "--out", out, "--columns", ESCAPED, "--with-quotes")
        assert r.code == 0, r.err
        if ext == "csv":
            with open(out, encoding="utf-8-sig", newline="") as fh:
                head = next(csv.reader(fh))
            assert head == ["Case", SHOWN, f"{SHOWN} (quotes)"]
        elif ext == "xlsx":
            ws = openpyxl.load_workbook(out).active
            assert [c.value for c in ws[1]] == ["Case", SHOWN]
        else:
            d = docx.Document(out)
            assert [c.text for c in d.tables[0].rows[0].cells] == ["Case", SHOWN]
            _no_escape(_docx_text(out))


def test_word_report_names_the_code(cli, proj, tmp_path):
    out = tmp_path / "report.docx"
    r = cli("report", proj, "--out", out, "--codes", ESCAPED, "--cite", "({case}, {code})")
    assert r.code == 0, r.err
    text = _docx_text(out)
    assert SHOWN in text
    _no_escape(text)


def test_agreement_exports_name_the_code(cli, proj, tmp_path):
    for ext in ("csv", "docx"):
        out = tmp_path / f"agreement.{ext}"
        r = cli("agreement", proj, "--coders", "alex", "sam", "--unit", "sentence", "--out", out)
        assert r.code == 0, r.err
        if ext == "csv":
            with open(out, encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.reader(fh))
            assert [r[0] for r in rows[1:]] == [SHOWN, "Overall (all codes listed)"]
        else:
            text = _docx_text(out)
            assert SHOWN in text
            _no_escape(text)
    # JSON keeps the escaped path
    rows = cli("agreement", proj, "--coders", "alex", "sam", "--unit", "sentence", "--json").json()
    assert [r["code"] for r in rows] == [ESCAPED, "(overall)"]


def test_retrieval_exports_name_the_code(proj, tmp_path):
    from qualcoder_lite.core.formats.segments_export import write_segments
    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.quotes.quoting import Quoter
    from qualcoder_lite.core.services.quotes.segments import segments

    with open_project(proj) as p:
        segs = segments(p)
        quotes = {s.coding_id: Quoter(p).coding_quote(s) for s in segs}
        for ext in ("csv", "xlsx", "docx"):
            out = write_segments(segs, [], tmp_path / f"segments.{ext}", p.name, quotes)
            if ext == "csv":
                with open(out, encoding="utf-8-sig", newline="") as fh:
                    rows = list(csv.DictReader(fh))
                assert {r["Code"] for r in rows} == {SHOWN}
            elif ext == "xlsx":
                ws = openpyxl.load_workbook(out).active
                assert {ws.cell(row=i, column=3).value for i in range(2, ws.max_row + 1)} == {SHOWN}
            else:
                text = _docx_text(out)
                assert SHOWN in text
                _no_escape(text)
