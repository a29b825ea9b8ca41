"""Paper-ready documents (issue 14): framework charts per theme, Word table layout (widths
from content, keep-with-next, cantSplit, SEQ captions with cached numbers), the study's
title, Table 1 and ``demo OUT.qlite``. Structure is read back; nothing depends on fonts."""

from __future__ import annotations

import csv

import docx
import openpyxl
from docx.oxml.ns import qn

from qualcoder_lite.core.formats import docx_common as dc
from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.sources.demo import demo_dir

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _themes_and_subs() -> dict[str, list[str]]:
    """Each demo theme's chart columns: '<theme> (general)' when the theme itself has
    codings or matrix summaries, then its direct sub-codes (a theme without any: itself)."""
    with open(demo_dir() / "codebook.csv", encoding="utf-8") as fh:
        paths = [r["code"].split("/") for r in csv.DictReader(fh)]
    own = set()
    for name in ("codings.csv", "matrix.csv"):
        with open(demo_dir() / name, encoding="utf-8") as fh:
            own.update(r["code"] for r in csv.DictReader(fh) if "/" not in r["code"])
    out: dict[str, list[str]] = {}
    for p in paths:
        out.setdefault(p[0], [])
        if len(p) == 2:
            out[p[0]].append(p[1])
    return {t: ([f"{t} (general)"] if subs and t in own else []) + (subs or [t]) for t, subs in out.items()}


def _captions(doc):
    return [p for p in doc.paragraphs if p.style.name == "Caption"]


def _seq_numbers(paragraph) -> list[str]:
    """The cached results of the SEQ fields in a paragraph (text between separate and end)."""
    out, state, seq = [], None, False
    for r in paragraph._p.iter(f"{W}r"):
        fld = r.find(f"{W}fldChar")
        instr = r.find(f"{W}instrText")
        if fld is not None:
            kind = fld.get(f"{W}fldCharType")
            state = {"begin": "instr", "separate": "result", "end": None}[kind]
            if kind == "separate" and seq:
                out.append("")
            continue
        if instr is not None and state == "instr":
            seq = instr.text.strip().startswith("SEQ ")
        elif state == "result" and seq:
            out[-1] += "".join(t.text for t in r.iter(f"{W}t"))
    return out


def test_word_matrix_is_one_chart_per_theme_with_sub_codes_as_columns(cli, demo_file, tmp_path):
    out = tmp_path / "m.docx"
    r = cli("matrix", demo_file, "--out", out, "--attributes", "role")
    assert r.code == 0, r.err
    d = docx.Document(out)
    themes = _themes_and_subs()
    caps = _captions(d)
    assert [c.text for c in caps] == [f"Table {i} Framework chart: {t}" for i, t in enumerate(themes, start=1)]
    assert [_seq_numbers(c) for c in caps] == [[str(i)] for i in range(1, len(themes) + 1)]
    assert len(d.tables) == len(themes)  # ungrouped: one table per chart
    for (theme, subs), table in zip(themes.items(), d.tables):
        assert [c.text for c in table.rows[0].cells] == ["Case", "Role"] + subs, theme
        head = table.rows[0]._tr
        assert head.trPr.find(qn("w:tblHeader")) is not None
        assert all(p._p.pPr.find(qn("w:keepNext")) is not None for c in table.rows[0].cells for p in c.paragraphs)
        assert all(tr.trPr.find(qn("w:cantSplit")) is not None for tr in table._tbl.tr_lst)
    sec = d.sections[0]
    assert sec.page_width > sec.page_height


def test_theme_own_codings_get_their_own_column_and_a_theme_without_sub_codes_is_one(cli, project_file, tmp_path):
    from qualcoder_lite.core.services.coding.codes import AddCode
    from qualcoder_lite.core.services.coding.coding import ApplyCode
    from tests.helpers import add_text_source

    with open_project(project_file) as p:
        sid = add_text_source(p, "P1", "one two three four five six", case="P1")
        for path in ("Alone", "Theme", "Theme/Sub", "Theme/Sub/Deep"):
            p.execute(AddCode(path))
        p.execute(ApplyCode(sid, p.codes.find("Theme").id, 0, 3))
        p.execute(ApplyCode(sid, p.codes.find("Theme/Sub/Deep").id, 4, 7))
        p.execute(ApplyCode(sid, p.codes.find("Alone").id, 8, 13))
        from qualcoder_lite.core.services.matrix.matrix import framework_charts

        charts = {m.title: m for m in framework_charts(p)}
    assert charts["Alone"].headers == ["Alone"]
    theme = charts["Theme"]
    assert theme.headers == ["Theme (general)", "Sub"]
    assert [theme.cell(0, c).quotes for c in range(2)] == [1, 1]  # deep codes roll up; the theme's own stay apart


def test_a_summary_on_a_theme_cell_is_in_its_chart(cli, project_file, tmp_path):
    """The app's matrix shows theme columns: a summary written there is charted in the
    theme's own column, even when the theme itself has no codings."""
    from qualcoder_lite.core.services.coding.codes import AddCode
    from qualcoder_lite.core.services.coding.coding import ApplyCode
    from tests.helpers import add_text_source

    with open_project(project_file) as p:
        sid = add_text_source(p, "P1", "one two three four five six", case="P1")
        p.execute(AddCode("Theme/Sub"))
        p.execute(ApplyCode(sid, p.codes.find("Theme/Sub").id, 0, 3))
    before = tmp_path / "before.docx"
    assert cli("matrix", project_file, "--out", before).code == 0
    assert "Theme columns include their sub-codes. “[to chart]” marks cells with quotes but no summary yet." in [
        p.text for p in docx.Document(before).paragraphs]
    assert cli("summary", project_file, "--case", "P1", "--code", "Theme", "--text", "Waits grow.").code == 0
    out = tmp_path / "m.docx"
    r = cli("matrix", project_file, "--out", out)
    assert r.code == 0, r.err
    d = docx.Document(out)
    (table,) = d.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [["Case", "Theme (general)", "Sub"],
                                                                   ["P1", "Waits grow.", "[to chart]"]]
    # the note says what a (general) column counts: the theme alone, not its sub-codes
    assert ("Each column includes its sub-codes, except a “(general)” column: what was coded or summarised "
            "on the theme itself. “[to chart]” marks cells with quotes but no summary yet.") in [
        p.text for p in d.paragraphs]


def test_excel_has_an_overview_and_one_sheet_per_theme_set_up_for_printing(cli, demo_file, tmp_path):
    out = tmp_path / "m.xlsx"
    assert cli("matrix", demo_file, "--out", out, "--group-by", "wave").code == 0
    wb = openpyxl.load_workbook(out)
    themes = _themes_and_subs()
    assert wb.sheetnames == ["Overview"] + list(themes)
    ov = wb["Overview"]
    assert [c.value for c in ov[1]] == ["Case", "wave"] + list(themes)
    for name, subs in themes.items():
        ws = wb[name]
        assert [c.value for c in ws[1]] == ["Case", "wave"] + subs
        assert ws.page_setup.orientation == "landscape"
        assert ws.print_title_rows in ("1:1", "$1:$1")
        assert ws.freeze_panes == "B2"


def test_rows_sort_naturally_p2_before_p10(cli, project_file, tmp_path):
    from qualcoder_lite.core.services.coding.codes import AddCode
    from qualcoder_lite.core.services.coding.coding import ApplyCode
    from tests.helpers import add_text_source

    with open_project(project_file) as p:
        p.execute(AddCode("Theme/Sub"))
        for name in ("P10", "P2", "P1"):
            sid = add_text_source(p, name, f"some words here from {name}", case=name)
            p.execute(ApplyCode(sid, p.codes.find("Theme/Sub").id, 0, 4))
    out = tmp_path / "m.docx"
    assert cli("matrix", project_file, "--out", out).code == 0
    (table,) = docx.Document(out).tables
    assert [r.cells[0].text for r in table.rows[1:]] == ["P1", "P2", "P10"]
    t1 = cli("participants", project_file, "--json")
    assert [e["case"] for e in t1.json()] == ["P1", "P2", "P10"]


def test_a_long_citation_never_splits_inside_a_word():
    cite = "(CQL_02, urban affluent/mixed area)"
    quotes = ["“" + "word " * 80 + "”"] * 3
    widths = dc.fit_widths([["Quote"] + quotes, ["Participant", cite, "(GP01)"]], 9638, 10,
                           flexible=[True, False])
    # independent of the measuring code: a generous 0.62 em per character, plus the margins
    longest = max(len(w) for w in cite.split())
    assert widths[1] >= longest * 10 * 20 * 0.62 + 170
    assert widths[0] > widths[1] and sum(widths) == 9638


def test_report_citation_column_fits_its_longest_word(demo_file, tmp_path):
    from qualcoder_lite.core.services.quotes.exports import write_report
    from qualcoder_lite.core.services.quotes.quotes import ReportOptions

    out = tmp_path / "S2.docx"
    with open_project(demo_file) as p:
        write_report(p, ReportOptions(cite="({case}, {board_type}/{role})", columns=["quote", "participant"]), out)
    d = docx.Document(out)
    caps = _captions(d)
    assert [_seq_numbers(c) for c in caps] == [[str(i)] for i in range(1, len(caps) + 1)]
    for table in d.tables:
        widths = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        words = [w for r in table.rows[1:] for w in r.cells[1].text.split()]
        assert widths[1] >= max(len(w) for w in words) * 10 * 20 * 0.62 + 170


def test_title_and_authors_setting_on_every_title_page(cli, demo_file, tmp_path):
    title, authors = "Link workers in general practice", "A. Analyst and B. Coder"
    assert cli("project", demo_file, "--title", title, "--authors", authors).code == 0
    assert cli("project", demo_file, "--json").json() == {"title": title, "authors": authors, "name": "demo"}
    assert cli("matrix", demo_file, "--out", tmp_path / "m.docx").code == 0
    assert cli("participants", demo_file, "--out", tmp_path / "t1.docx").code == 0
    assert cli("report", demo_file, "--out", tmp_path / "r.docx").code == 0
    assert cli("codebook", demo_file, "--out", tmp_path / "c.docx").code == 0
    for name in ("m", "t1"):
        d = docx.Document(tmp_path / f"{name}.docx")
        assert d.paragraphs[0].text == title and d.paragraphs[1].text == authors
    body = "\n".join(p.text for p in docx.Document(tmp_path / "r.docx").paragraphs)
    assert f"Study: {title}" in body and f"Authors: {authors}" in body and "Project: demo" not in body
    body = "\n".join(p.text for p in docx.Document(tmp_path / "c.docx").paragraphs)
    assert f"Project: {title}" in body
    # undone: the file name again
    with open_project(demo_file) as p:
        from qualcoder_lite.core.services.sources.study import SetStudy, study_title

        cmd = SetStudy(title="")
        p.execute(cmd)
        assert study_title(p) == "demo"
        p.undo(cmd)
        assert study_title(p) == title


def test_table_1_groups_counts_total_and_caption(cli, demo_file, tmp_path):
    out = tmp_path / "t1.docx"
    r = cli("participants", demo_file, "--out", out, "--group-by", "board_type", "--attributes", "sex",
            "years_in_post", "--footnote", "GP = general practitioner.")
    assert r.code == 0, r.err
    d = docx.Document(out)
    (cap,) = _captions(d)
    assert cap.text == "Table 1 Characteristics of participants" and _seq_numbers(cap) == ["1"]
    (table,) = d.tables
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["Participant", "Sex", "Years in post"]
    with open(demo_dir() / "cases.csv", encoding="utf-8") as fh:
        cases = list(csv.DictReader(fh))
    boards = sorted({c["board_type"] for c in cases}, key=str.casefold)
    groups = [r[0] for r in rows if len(set(r)) == 1 and r[0].startswith("Board type")]
    assert groups == [f"Board type: {b} (n = {sum(c['board_type'] == b for c in cases)})" for b in boards]
    assert rows[-1][0] == f"Total (n = {len(cases)})"
    group_trs = [tr for tr in table._tbl.tr_lst if len(tr.tc_lst) == 1][:-1]
    assert all(tr.tc_lst[0].xpath(".//w:keepNext") for tr in group_trs)  # kept with the next row
    assert "GP = general practitioner." in [p.text for p in d.paragraphs]
    j = cli("participants", demo_file, "--json", "--group-by", "wave", "--where", "role=GP")
    assert j.code == 0 and j.err == ""
    assert j.json() == [
        {"case": c["case"], "group": c["wave"],
         "attributes": {k: (c[k] or "") for k in ("role", "board_type", "sex", "years_in_post")}}
        for c in cases if c["role"] == "GP"
    ]
    for suffix in ("csv", "xlsx"):
        assert cli("participants", demo_file, "--out", tmp_path / f"t1.{suffix}").code == 0
    assert cli("participants", demo_file, "--out", tmp_path / "none.docx", "--where", "wave=1999").code == 1
    assert not (tmp_path / "none.docx").exists()
    assert cli("participants", demo_file, "--json", "--group-by", "nope").code == 2
    assert cli("participants", demo_file).code == 2
    assert cli("participants", demo_file, "--out", tmp_path / "t1.pdf").code == 2


def test_demo_command_writes_the_demo_where_asked(cli, tmp_path):
    out = tmp_path / "mine"
    r = cli("demo", out)
    assert r.code == 0, r.err
    made = tmp_path / "mine.qlite"
    with open_project(made) as p:
        assert len(p.cases.all()) == 8 and p.codes.all()
    assert sorted(x.name for x in tmp_path.iterdir()) == ["mine.qlite"]  # no temp, WAL or lock left
    assert cli("demo", made).code == 1 and cli("demo", made, "--force").code == 1  # never replaces a project
    assert (tmp_path / "mine.qlite").stat().st_size > 0
