"""Word reports read back with python-docx: quote tables, codebook (.docx/.csv) and the
coded transcript with Word comments. One test renders the demo report with LibreOffice."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from qualcoder_lite.core.errors import QualCoderError
from qualcoder_lite.core.services.quotes.report_docx import write_quote_report
from qualcoder_lite.core.services.quotes.report_html import table_html
from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.sources.demo import demo_dir
from qualcoder_lite.core.services.quotes.exports import (NothingToExport, export_codebook, export_source,
    write_report)
from qualcoder_lite.core.services.quotes.quote_render import render_passage
from qualcoder_lite.core.services.quotes.quotes import ReportOptions
from qualcoder_lite.core.services.quotes.report_build import build_report
from tests.helpers import add_text_source

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

THEMES = ["Referral pathways", "Working with practices", "Sustaining the role", "Patient outcomes",
          "Data and evaluation", "Change over time"]


@pytest.fixture
def demo(demo_file):
    with open_project(demo_file) as p:
        yield p


def _demo_codings(coder: str = "alex") -> list[dict]:
    with open(demo_dir() / "codings.csv", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["coder"] == coder]


def _demo_attrs() -> dict[str, dict]:
    with open(demo_dir() / "cases.csv", encoding="utf-8") as fh:
        return {r["case"]: r for r in csv.DictReader(fh)}


def _captions(doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == "Caption"]


def _quote_rows(table) -> list[list[str]]:
    """Body rows of a quote table (header and group rows left out), always with a Sub-theme
    cell first ('' where the table has no Sub-theme column: no sub-themes to show)."""
    out = []
    pad = [] if table.rows[0].cells[0].text == "Sub-theme" else [""]
    for row in table.rows[1:]:
        cells = [c.text for c in row.cells]
        if len(set(cells)) == 1 and not cells[0].startswith("“"):
            continue  # a group sub-heading spans every column
        if not pad and _continued(row.cells[0]):
            cells[0] = ""  # the sub-theme repeated (in grey) on a run's later rows: read as the run going on
        out.append(pad + cells)
    return out


def _continued(cell) -> bool:
    """A Sub-theme cell that repeats its run's name: its text in the grey CONTINUED colour."""
    colors = {c.get(f"{W}val") for c in cell._tc.iter(f"{W}color")}
    return bool(cell.text) and colors == {"808080"}


def test_demo_report_tables_titles_quotes_and_citations(demo, tmp_path):
    out = tmp_path / "S2.docx"
    result = write_report(demo, ReportOptions(coders=["alex"], cite="({case}, {board_type})"), out)
    assert result.summary.startswith(f"wrote {out}: 6 tables, 57 quotes from 8 participants")
    doc = docx.Document(out)
    assert len(doc.tables) == 6
    assert _captions(doc) == [f"Table S2.{i} {t}" for i, t in enumerate(THEMES, start=1)]
    attrs = _demo_attrs()
    expected: dict[str, set[tuple[str, str]]] = {t: set() for t in THEMES}
    for r in _demo_codings("alex"):
        cite = f"({r['source']}, {attrs[r['source']]['board_type']})"
        expected[r["code"].split("/")[0]].add((render_passage(r["quote"], 0, len(r["quote"])).quoted, cite))
    for theme, table in zip(THEMES, doc.tables):
        assert [c.text for c in table.rows[0].cells] == ["Sub-theme", "Quote", "Participant"]
        got = {(row[1], row[2]) for row in _quote_rows(table)}
        assert got == expected[theme], theme
        assert len(_quote_rows(table)) == len(expected[theme])


def test_demo_quotes_use_typographic_inner_quotes(demo, tmp_path):
    out = tmp_path / "S2.docx"
    write_report(demo, ReportOptions(codes=["Referral pathways/Quality of referrals"], coders=["alex"]), out)
    (table,) = docx.Document(out).tables
    texts = [row[1] for row in _quote_rows(table)]
    assert any("just says ‘social issues’ and nothing else" in t for t in texts)
    assert all(t.startswith("“") and t.endswith("”") and '"' not in t and "'" not in t for t in texts)


def test_rows_follow_sub_themes_then_cases_and_print_each_sub_theme_once(demo, tmp_path):
    out = tmp_path / "S2.docx"
    write_report(demo, ReportOptions(codes=["Referral pathways"], descendants=True, coders=["alex"]), out)
    (table,) = docx.Document(out).tables
    rows = _quote_rows(table)
    subthemes = [r[0] for r in rows if r[0]]
    assert subthemes == ["Routes into the service", "Quality of referrals", "Waiting lists and triage"]
    # within a sub-theme, participants in natural order
    runs, current = [], None
    for r in rows:
        if r[0]:
            current = []
            runs.append(current)
        current.append(r[2].strip("()"))
    assert all(run == sorted(run) for run in runs)


def test_order_by_attribute_and_group_rows(demo, tmp_path):
    out = tmp_path / "S2.docx"
    opts = ReportOptions(codes=["Change over time"], descendants=True, coders=["alex"], group_by="wave",
                         group_label="{value} interviews", order="attribute:years_in_post",
                         columns=["quote", "participant", "years_in_post=Years"])
    write_report(demo, opts, out)
    tables = docx.Document(out).tables
    assert len(tables) == 2  # one block per group, its header rows (headings, group name) repeating
    for t in tables:
        assert all(tr.trPr.find(qn("w:tblHeader")) is not None for tr in t._tbl.tr_lst[:2])
    groups, current = [], None
    for row in [r for t in tables for r in t.rows[1:]]:
        cells = [c.text for c in row.cells]
        if len(set(cells)) == 1:
            assert row._tr.tc_lst[0].grid_span == 3 and len(row._tr.tc_lst) == 1
            current = (cells[0], [])
            groups.append(current)
        else:
            current[1].append(cells)
    assert [g[0] for g in groups] == ["2019 interviews", "2023 interviews"]
    attrs = _demo_attrs()
    for label, rows in groups:
        wave = label.split()[0]
        cases = [r[1].strip("()") for r in rows]
        assert all(attrs[c]["wave"] == wave for c in cases)
        years = [int(r[2]) if r[2] else 10**6 for r in rows]  # missing values last
        assert years == sorted(years), label
    assert any(r[2] == "" for _l, rows in groups for r in rows)  # LW04 has no years_in_post


def test_header_row_repeats_rows_do_not_split_and_layout_is_fixed(demo, tmp_path):
    out = tmp_path / "S2.docx"
    write_report(demo, ReportOptions(), out)
    doc = docx.Document(out)
    for table in doc.tables:
        head = table.rows[0]._tr
        assert head.trPr.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)
        assert all(r._tr.trPr.find(qn("w:tblHeader")) is None for r in table.rows[1:])
        # the header row is kept with the first row (keep-with-next on its paragraphs)
        assert all(p._p.pPr.find(qn("w:keepNext")) is not None for c in table.rows[0].cells for p in c.paragraphs)
        tblpr = table._tbl.tblPr
        assert tblpr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        borders = tblpr.find(qn("w:tblBorders"))
        assert borders.find(qn("w:top")).get(qn("w:sz")) == "12"  # journal style: a heavy top rule
        assert borders.find(qn("w:insideV")).get(qn("w:val")) == "nil"  # and no vertical lines
        widths = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert widths[1] > widths[0] and widths[1] > widths[2]  # the quote column is the widest
        assert sum(widths) == 11906 - 2 * 1134  # A4 portrait text width


def test_title_page_landscape_tables_font_and_prefix(demo, tmp_path):
    out = tmp_path / "S3.docx"
    opts = ReportOptions(landscape=True, prefix="S3.", start=2, title="Supplementary file 3",
                         method_note="Quotes chosen by two analysts.\n\nSecond paragraph.", font="Liberation Serif")
    write_report(demo, opts, out)
    doc = docx.Document(out)
    assert doc.paragraphs[0].text == "Supplementary file 3" and doc.paragraphs[0].style.name == "Title"
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Project: demo" in body and "Date: " in body
    assert "Quotes chosen by two analysts." in body and "Second paragraph." in body
    assert _captions(doc)[0] == "Table S3.2 Referral pathways" and _captions(doc)[-1] == "Table S3.7 Change over time"
    first, tables = doc.sections[0], doc.sections[-1]
    assert first.orientation == WD_ORIENT.PORTRAIT and first.page_width < first.page_height
    assert tables.orientation == WD_ORIENT.LANDSCAPE and tables.page_width > tables.page_height
    assert doc.styles["Normal"].font.name == "Liberation Serif"
    assert doc.styles["Quote Table Text"].font.name == "Liberation Serif"


def test_note_under_each_table_counts_quotes_and_explains_edits(demo, tmp_path):
    from qualcoder_lite.core.services.coding.coding import SetQuoteEdit

    src = demo.sources.by_name("GP01").id
    coding = demo.codings.for_source(src)[0]
    # a lone … was the omission mark before […]: an edit made then reads the same now
    demo.execute(SetQuoteEdit(coding.id, "Two things … [for] the patients."))
    out = tmp_path / "S2.docx"
    write_report(demo, ReportOptions(coders=["alex"]), out)
    doc = docx.Document(out)
    notes = [p.text for p in doc.paragraphs if p.style.name == "Table Note"]
    assert len(notes) == 6
    assert notes[0].startswith("8 quotes from 7 participants.")
    assert sum("[…] words left out; [ ] words added by the analyst." in n for n in notes) == 1
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "“Two things […] [for] the patients.”" in cells


def test_empty_selection_writes_no_file(demo, tmp_path):
    out = tmp_path / "none.docx"
    with pytest.raises(NothingToExport, match="no coded passages .* with --where wave=1999"):
        write_report(demo, ReportOptions(where=["wave=1999"]), out)
    assert not out.exists()


def test_cancelled_export_leaves_no_file(demo, tmp_path):
    out = tmp_path / "S2.docx"
    report = build_report(demo, ReportOptions())
    calls = []

    def progress(done, total, label):
        calls.append(label)
        return len(calls) < 3

    with pytest.raises(InterruptedError):
        write_quote_report(report, out, progress=progress)
    assert not out.exists() and [p.name for p in tmp_path.iterdir() if "S2" in p.name] == []


def test_missing_folder_is_a_clear_error(demo, tmp_path):
    with pytest.raises(QualCoderError, match="does not exist"):
        write_report(demo, ReportOptions(), tmp_path / "no" / "S2.docx")


def test_control_characters_in_sources_do_not_break_the_document(project, tmp_path):
    from qualcoder_lite.core.services.coding.codes import AddCode
    from qualcoder_lite.core.services.coding.coding import ApplyCode

    text = "P1: Page\x01 one\x0cpage two & <b>bold</b> claims\x0b here.\n"
    sid = add_text_source(project, "P1", text, case="P1")
    project.execute(AddCode("Theme"))
    project.execute(ApplyCode(sid, project.codes.find("Theme").id, 4, len(text) - 1))
    out = tmp_path / "r.docx"
    write_report(project, ReportOptions(), out)
    (table,) = docx.Document(out).tables
    assert _quote_rows(table)[0][1] == "“Page one page two & <b>bold</b> claims here.”"


def test_html_preview_shows_the_first_table(demo):
    report = build_report(demo, ReportOptions(group_by="wave"), max_tables=1)
    assert len(report.tables) == 1
    html = table_html(report, report.tables[0])
    assert "<b>Table S2.1</b> Referral pathways" in html
    assert "<th" in html and "Sub-theme" in html and "Wave: 2019" in html
    assert "&lt;" not in report.tables[0].title


# ----------------------------------------------------------------------------- codebook
def test_codebook_docx(demo, tmp_path):
    out = tmp_path / "codebook.docx"
    result = export_codebook(demo, out)
    assert result.summary == f"wrote {out}: 27 codes in 6 themes"
    doc = docx.Document(out)
    (table,) = doc.tables
    assert [c.text for c in table.rows[0].cells] == ["Code", "Description", "Codings", "Cases"]
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert len(rows) == 27
    assert rows[0][:2] == ["Referral pathways", "How patients reach the link worker and what happens between "
                                                "referral and first contact."]
    referral = [r for r in rows if r[0] == "Quality of referrals"][0]
    assert referral[2:] == ["4", "3"]
    # themes in bold, sub-codes indented
    first_cell = table.rows[1].cells[0].paragraphs[0]
    assert first_cell.runs[0].bold
    sub_cell = table.rows[2].cells[0].paragraphs[0]
    assert sub_cell.paragraph_format.left_indent > 0


def test_codebook_csv_has_counts_with_and_without_sub_codes(demo, tmp_path):
    out = tmp_path / "codebook.csv"
    export_codebook(demo, out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 27
    theme = rows[0]
    assert (theme["code"], theme["level"], theme["codings"], theme["codings_with_subcodes"]) == (
        "Referral pathways", "1", "0", "9")
    assert theme["cases_with_subcodes"] == "7"


def test_codebook_with_memos_adds_a_summary_column(demo, tmp_path):
    from qualcoder_lite.core.services.coding.memos import AddMemo

    code = demo.codes.find("Patient outcomes")
    demo.execute(AddMemo("code", "Strongest in rural sites.", target_id=code.id))
    out = tmp_path / "codebook.docx"
    export_codebook(demo, out)
    doc = docx.Document(out)
    (table,) = doc.tables
    assert [c.text for c in table.rows[0].cells] == ["Code", "Description", "Summary", "Codings", "Cases"]
    row = [r for r in table.rows if r.cells[0].text == "Patient outcomes"][0]
    assert row.cells[2].text == "Strongest in rural sites."
    assert doc.sections[0].orientation == WD_ORIENT.LANDSCAPE


# ----------------------------------------------------------------------------- coded transcript
def _comment_ranges(doc) -> dict[int, str]:
    """Comment id -> the text it is anchored to (line-number runs left out)."""
    body = doc.element.body
    open_ids: set[int] = set()
    texts: dict[int, list[str]] = {}
    for el in body.iter():
        if el.tag == qn("w:commentRangeStart"):
            open_ids.add(int(el.get(qn("w:id"))))
        elif el.tag == qn("w:commentRangeEnd"):
            open_ids.discard(int(el.get(qn("w:id"))))
        elif el.tag == qn("w:t") and el.getparent().find(qn("w:tab")) is None:
            for i in open_ids:
                texts.setdefault(i, []).append(el.text or "")
    return {i: "".join(t) for i, t in texts.items()}


def test_coded_transcript_has_comments_naming_codes_on_the_coded_text(demo, tmp_path):
    out = tmp_path / "LW01.docx"
    result = export_source(demo, "LW01", out)
    src = demo.sources.by_name("LW01")
    text = demo.sources.text(src.id)
    codings = demo.codings.for_source(src.id)
    groups = {(k.start, k.end, k.coder) for k in codings}
    assert result.summary == f"wrote {out}: LW01 with {len(groups)} comments"
    doc = docx.Document(out)
    comments = list(doc.comments)
    assert len(comments) == len(groups)
    anchored = _comment_ranges(doc)
    codes = {c.id: " › ".join(c.path) for c in demo.codes.all()}
    expected = {}
    for (start, end, coder) in groups:
        names = sorted(codes[k.code_id] for k in codings if (k.start, k.end, k.coder) == (start, end, coder))
        expected[(text[start:end].replace("\n", ""), coder)] = names
    got = {}
    for c in comments:
        lines = [ln for ln in c.text.split("\n") if not ln.startswith("Memo: ")]
        got[(anchored[c.comment_id], c.author)] = sorted(lines)
    assert got == expected
    memo = [c for c in comments if "Memo: Compare GP04" in c.text]
    assert len(memo) == 1 and memo[0].author == "alex" and memo[0].initials == "AL"


def test_coded_transcript_line_numbers_match_the_source_lines(demo, tmp_path):
    out = tmp_path / "GP04.docx"
    export_source(demo, "GP04", out, coders=["alex"])
    text = demo.sources.text(demo.sources.by_name("GP04").id)
    doc = docx.Document(out)
    lines = [p for p in doc.paragraphs if p.style.name == "Transcript Line"]
    assert len(lines) == len(text.split("\n"))
    for n, (p, line) in enumerate(zip(lines, text.split("\n")), start=1):
        if line.strip():
            assert p.text == f"{n}\t{line}"
        else:
            assert p.text == ""
    label = lines[0].runs[1]
    assert label.text == "Interviewer:" and label.bold
    assert {c.author for c in doc.comments} == {"alex"}


def test_export_source_unknown_names(demo, tmp_path):
    from qualcoder_lite.core.errors import UsageError

    with pytest.raises(UsageError, match="unknown source 'LW99'"):
        export_source(demo, "LW99", tmp_path / "x.docx")
    with pytest.raises(UsageError, match="unknown coder 'kim'"):
        export_source(demo, "LW01", tmp_path / "x.docx", coders=["kim"])
    assert not (tmp_path / "x.docx").exists()


# ----------------------------------------------------------------------------- rendering
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_demo_report_renders_to_a_sane_pdf(demo, tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "S2.docx"
    write_report(demo, ReportOptions(cite="({case}, {board_type})"), out)
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=180)
    pdf = PdfReader(str(tmp_path / "S2.pdf"))
    # a title page and about four pages of tables for 62 quotes; never one page per row
    assert 3 <= len(pdf.pages) <= 10
    # words in order, never where a line breaks (that depends on the fonts installed)
    first = pdf.pages[0].extract_text().split()
    assert _in_order(first, "Supplementary material: illustrative quotes".split())
    later = " ".join(p.extract_text() for p in pdf.pages[1:]).split()
    assert _in_order(later, ["Table", "S2.1", "Referral", "Table", "S2.6", "Change"])
    assert later.count("Sub-theme") >= 6  # every table's header, plus repeats after page breaks


def _in_order(words: list[str], wanted: list[str]) -> bool:
    it = iter(words)
    return all(any(w == x for x in it) for w in wanted)


def test_grid_style_draws_every_border_and_names_the_sub_theme_on_each_row(demo, tmp_path):
    out = tmp_path / "grid.docx"
    write_report(demo, ReportOptions(codes=["Referral pathways"], descendants=True, coders=["alex"],
                                     table_style="grid"), out)
    (table,) = docx.Document(out).tables
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders.find(qn("w:insideV")).get(qn("w:val")) == "single"
    # no merged cells (Word would not repeat a merged cell's name on the next page)
    assert all(tr.tc_lst[0].tcPr.find(qn("w:vMerge")) is None for tr in table._tbl.tr_lst[1:])
    assert [r.cells[0].text for r in table.rows[1:4]] == ["Routes into the service"] * 3
    assert [_continued(r.cells[0]) for r in table.rows[1:4]] == [False, True, True]


def test_every_row_names_its_sub_theme_so_continuation_pages_do_too(demo, tmp_path):
    """Word breaks pages, not us: each row of a sub-theme's run carries the name (black on the
    first row, grey after), so whichever row starts a page says which sub-theme it is in."""
    for style in ("journal", "grid"):
        out = tmp_path / f"S2-{style}.docx"
        write_report(demo, ReportOptions(codes=["Referral pathways"], descendants=True, coders=["alex"],
                                         table_style=style), out)
        (table,) = docx.Document(out).tables
        assert "vMerge" not in table._tbl.xml  # a merged cell's name is not repeated on the next page
        body = [r for r in table.rows[1:] if r.cells[0].text != r.cells[-1].text]
        names = [r.cells[0].text for r in body]
        assert all(names) and set(names) == {"Routes into the service", "Quality of referrals",
                                             "Waiting lists and triage"}
        firsts = [not _continued(r.cells[0]) for r in body]
        starts = [i == 0 or names[i] != names[i - 1] for i in range(len(names))]
        assert firsts == starts and not all(firsts)


def test_title_page_lists_each_table_with_its_count_in_words(project, tmp_path):
    from qualcoder_lite.core.services.coding.codes import AddCode
    from qualcoder_lite.core.services.coding.coding import ApplyCode

    text = "P1: First passage here.\n\nP1: Second passage here.\n"
    sid = add_text_source(project, "P1", text, case="P1")
    for name in ("One", "Two"):
        project.execute(AddCode(name))
    one, two = project.codes.find("One").id, project.codes.find("Two").id
    first, second = text.index("First"), text.index("Second")
    project.execute(ApplyCode(sid, one, first, first + len("First passage here.")))
    project.execute(ApplyCode(sid, two, first, first + len("First passage here.")))
    project.execute(ApplyCode(sid, two, second, second + len("Second passage here.")))
    out = tmp_path / "S2.docx"
    write_report(project, ReportOptions(), out)
    listed = [p.text for p in docx.Document(out).paragraphs if p.text.startswith("Table S2.")
              and p.style.name != "Caption"]
    assert listed == ["Table S2.1  One (1 quote)", "Table S2.2  Two (2 quotes)"]
