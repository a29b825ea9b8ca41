"""Names of sources and cases are one line: a line break or tab (a spreadsheet cell typed over
two lines, a file name with a tab, a colleague's .qdpx) becomes a space. Before, case
"P9\\nP10" was created as such and broke the case list, the matrix rows and every
tab-separated export; the warning naming it ran over two lines."""

from __future__ import annotations

import re
import zipfile

import pytest

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.wording import one_line


def test_one_line():
    assert one_line("P9\nP10") == "P9 P10"
    assert one_line(" P1\t\tx \r\n") == "P1 x"
    assert one_line("a\u2028b\x85c\x00d") == "a b c d"
    assert one_line("Zoë  and  أحمد") == "Zoë  and  أحمد"  # spaces inside are kept as typed


@pytest.fixture
def p1_project(cli, tmp_path):
    """A project with one source, P1 (case P1)."""
    proj = tmp_path / "p.qlite"
    assert cli("new", proj).code == 0
    f = tmp_path / "P1.txt"
    f.write_text("Interviewer: hi\n\nP1: hello there\n", encoding="utf-8")
    assert cli("import", proj, f).code == 0
    return proj


def _names(proj):
    with open_project(proj, read_only=True) as p:
        return sorted(s.name for s in p.sources.all()), sorted(c.name for c in p.cases.all())


def test_a_file_name_with_a_tab_makes_a_one_line_source_and_case(cli, tmp_path):
    proj = tmp_path / "p.qlite"
    assert cli("new", proj).code == 0
    f = tmp_path / "P1\tx.txt"
    f.write_text("Interviewer: hi\n\nP1: hello there\n", encoding="utf-8")
    r = cli("import", proj, f)
    assert r.code == 0, r.err
    assert _names(proj) == (["P1 x"], ["P1 x"])
    assert cli("import", proj, f, "--case", "A\nB").code == 1  # same text: refused, nothing made
    assert _names(proj) == (["P1 x"], ["P1 x"])


def test_case_cells_and_typed_case_names_over_two_lines_become_one(cli, tmp_path, p1_project):
    proj = p1_project
    sheet = tmp_path / "attrs.csv"
    sheet.write_text('case,age\n"P9\nP10",33\n"P1",41\n', encoding="utf-8")
    r = cli("attributes", proj, sheet, "--create-cases")
    assert r.code == 0, r.err
    assert "without sources: P9 P10\n" in r.err  # one line
    assert cli("cases", proj, "set", "P1", "Site\tA").code == 0
    assert _names(proj)[1] == ["P1", "P9 P10", "Site A"]
    # a second sheet naming the case over two lines again matches it (no new case)
    sheet.write_text('case,age\n"P9\r\nP10",34\n', encoding="utf-8")
    r = cli("attributes", proj, sheet)
    assert r.code == 0, r.err
    assert _names(proj)[1] == ["P1", "P9 P10", "Site A"]
    assert "P9 P10: 0 sources, 0 codings  [age=34]" in cli("cases", proj, "list").out.splitlines()


def test_a_qdpx_case_name_with_a_line_break_is_imported_on_one_line(cli, tmp_path, p1_project):
    proj = p1_project
    out = tmp_path / "x.qdpx"
    assert cli("export-qdpx", proj, out).code == 0
    hostile = tmp_path / "hostile.qdpx"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(hostile, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "project.qde":
                xml = data.decode("utf-8")
                xml, n = re.subn(r'(<Case [^>]*name=")P1(")', r"\1P1&#10;Site&#9;A\2", xml)
                assert n == 1
                data = xml.encode("utf-8")
            dst.writestr(item, data)
    r = cli("import-qdpx", hostile, tmp_path / "back.qlite")
    assert r.code == 0, r.err
    assert _names(tmp_path / "back.qlite")[1] == ["P1 Site A"]
