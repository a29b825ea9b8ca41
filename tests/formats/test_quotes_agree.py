"""The same coded passages read the same in every file and on the command line: the Word
report, the matrix exports (.docx/.xlsx/.csv), the segments exports (.csv/.xlsx/.docx)
and ``segments``. (The screens are checked in tests/gui/test_quotes_gui.py.)

Passages are quoted once where a place lists passages (report, matrix: overlapping codings
merged) and once per coding where it lists codings (segments exports, the command line);
a coding that overlaps no other reads the same in both."""

from __future__ import annotations

import json

import pytest

from qualcoder_lite.cli import main
from qualcoder_lite.core.formats import matrix_export as mx
from qualcoder_lite.core.formats.segments_export import write_segments
from qualcoder_lite.core.services.matrix.cell_quotes import matrix_quotes
from qualcoder_lite.core.project import new_project, open_project
from qualcoder_lite.core.services.quotes.exports import write_report
from qualcoder_lite.core.services.matrix.matrix import build_matrix
from qualcoder_lite.core.services.quotes.quotes import ReportOptions
from qualcoder_lite.core.services.quotes.quoting import Quoter
from qualcoder_lite.core.services.quotes.segments import segments
from tests import quote_study as qs


@pytest.fixture
def study(tmp_path):
    path = tmp_path / "study.qlite"
    with new_project(path, coder="ann") as p:
        codings = qs.build(p)
    return path, codings


def _report_options(project, **kw) -> ReportOptions:
    opts = ReportOptions.from_dict(project.settings.get("report_options"))
    opts.codes = list(qs.CODES)
    for k, v in kw.items():
        setattr(opts, k, v)
    return opts


def test_every_file_and_the_command_line_print_the_same_quotes(study, tmp_path, capsys):
    path, codings = study
    with open_project(path) as p:
        # -- places that list passages ------------------------------------------------
        write_report(p, _report_options(p), tmp_path / "S2.docx")
        report = qs.report_docx(tmp_path / "S2.docx")
        assert {code: [(q, c) for q, c, _ in rows] for code, rows in report.items()} == qs.EXPECTED
        for rows in report.values():  # the transcriber's notes, and nothing else, in italics
            for quote, _cite, italics in rows:
                assert set(italics) == {n for n in qs.NOTES if n in quote}

        columns = [p.codes.find(c).id for c in qs.CODES]
        matrix = build_matrix(p, columns, roll_up=False)
        quotes = matrix_quotes(p, matrix)
        mx.write_docx(matrix, tmp_path / "m.docx", p.name, quotes)
        mx.write_xlsx(matrix, tmp_path / "m.xlsx", quotes)
        mx.write_csv(matrix, tmp_path / "m.csv", quotes)
        headers = {c.id: c.display_path for c in matrix.columns}
        expected_cells: dict[tuple[str, str], list[str]] = {}
        for code, rows in qs.EXPECTED.items():
            for quote, cite in rows:
                expected_cells.setdefault((cite.strip("()").split(",")[0], headers[p.codes.find(code).id]),
                                          []).append(f"{quote} {cite}")
        docx_cells = qs.matrix_docx(tmp_path / "m.docx")
        assert {k: [t for t, _ in v] for k, v in docx_cells.items()} == expected_cells
        assert all(set(i) == {n for n in qs.NOTES if n in t} for v in docx_cells.values() for t, i in v)
        assert qs.matrix_xlsx(tmp_path / "m.xlsx") == expected_cells
        assert qs.matrix_csv(tmp_path / "m.csv") == expected_cells

        # -- places that list codings ---------------------------------------------------
        segs = segments(p)
        quoter = Quoter(p)
        per_coding = {s.coding_id: quoter.coding_quote(s) for s in segs}
        # documents show code paths as names; the command line prints the escaped path
        expected_rows = [(s.code, s.start, s.end, per_coding[s.coding_id].text) for s in segs]
        shown_rows = [(s.display_path, s.start, s.end, per_coding[s.coding_id].text) for s in segs]
        for ext in ("csv", "xlsx"):
            write_segments(segs, [], tmp_path / f"segments.{ext}", p.name, per_coding)
            assert qs.segments_table(tmp_path / f"segments.{ext}") == shown_rows
        write_segments(segs, [], tmp_path / "segments.docx", p.name, per_coding)
        assert [(c, q) for c, q, _ in qs.segments_docx(tmp_path / "segments.docx")] == [
            (s.display_path, per_coding[s.coding_id].quote.quoted) for s in segs]
        texts = {s.coding_id: s.text for s in segs}

    assert main(["segments", str(path)]) == 0
    assert qs.cli_segment_lines(capsys.readouterr().out) == expected_rows
    assert main(["segments", str(path), "--json"]) == 0
    raw = json.loads(capsys.readouterr().out)
    source_text = {"LW04": qs.LW04, "PC02": qs.PC02}
    assert [r["text"] for r in raw] == [source_text[r["source"]][r["start"]:r["end"]] for r in raw]
    assert sorted(r["text"] for r in raw) == sorted(texts.values())

    # -- the two families agree: a coding that overlaps none reads as the report prints it
    by_letter = {letter: per_coding[cid] for letter, cid in codings.items()}
    assert by_letter["C"].text == qs.C_TEXT and by_letter["E"].text == qs.E_TEXT
    assert by_letter["D"].text == qs.D_TEXT and by_letter["D"].quote.edited
    assert by_letter["E"].citation == "(PC02, 12 years)" and by_letter["C"].citation == "(LW04)"
    # the overlapping codings are quoted one by one here, each with the same rules
    assert by_letter["B"].text.startswith("I was like “Obviously. Amazing.”") and " […] And the GPs — " in \
        by_letter["B"].text
    assert "[00:02:40]" not in by_letter["A"].text and "[laughs]" in by_letter["A"].text


def test_the_report_follows_the_command_line_style_and_time_choice(study, tmp_path, capsys):
    path, _ = study
    out = tmp_path / "apa.docx"
    assert main(["report", str(path), "--out", str(out), "--codes", *qs.CODES, "--quote-style", "apa",
                 "--keep-times"]) == 0, capsys.readouterr().err
    quotes = {code: [q for q, _c, _i in rows] for code, rows in qs.report_docx(out).items()}
    assert quotes["Change/GPs"] == ["“And the GPs – they came round, eventually. [inaudible 00:12] We got there.”"]
    assert "held it together. [00:02:40] They did. […] And the GPs" in quotes["Change/Reforms"][0]
    assert "I was like ‘Obviously. Amazing.’" in quotes["Change/Reforms"][0]
    # without the options the project's remembered choice (bjgp, times left out) applies
    out2 = tmp_path / "saved.docx"
    assert main(["report", str(path), "--out", str(out2), "--codes", *qs.CODES]) == 0
    assert {c: [(q, ci) for q, ci, _ in rows] for c, rows in qs.report_docx(out2).items()} == qs.EXPECTED
    verbatim = tmp_path / "verbatim.docx"
    assert main(["report", str(path), "--out", str(verbatim), "--codes", "Change/GPs", "--quote-style",
                 "verbatim"]) == 0
    (rows,) = qs.report_docx(verbatim).values()
    assert rows[0][0] == "“And the GPs--they came round, eventually. [inaudible 00:12] We got there.”"
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        main(["report", str(path), "--out", str(tmp_path / "x.docx"), "--quote-style", "mla"])
    assert stop.value.code == 2 and "invalid choice: 'mla'" in capsys.readouterr().err


def test_the_method_note_states_only_the_conventions_that_occur(study, tmp_path):
    import docx

    path, _ = study
    with open_project(path) as p:
        from qualcoder_lite.core.services.quotes.report_build import build_report

        def note(**kw) -> str:
            return build_report(p, _report_options(p, **kw)).method_note

        everything = note()
        for phrase in ("single quotation marks", "speech reported within a quote is in double quotation marks",
                       "[…] marks words left out, including interviewer turns",
                       "Words in [square brackets] were added by the analyst",
                       "The transcriber’s notes are in italics, for example [laughs]",
                       "Time markers of the recording are left out", "Dots (...) are the speaker’s own pauses",
                       "Where coders coded overlapping passages, the passage is shown once",
                       "for example (LW04)"):
            assert phrase in everything, phrase
        plain = note(codes=["Money"])  # D's edit leaves words out; no interviewer turn is cut there
        only_e = note(codes=["Money"], where=["years_in_post=12"])  # PC02's plain quote alone
        for absent in ("[…]", "square brackets", "italics", "Time markers", "Dots", "overlapping",
                       "reported within"):
            assert absent not in only_e, absent
        assert "[…] marks words left out." in plain and "including interviewer turns" not in plain
        kept = note(codes=["Change/Reforms"], keep_times=True)
        assert "Time markers of the recording are kept, for example [00:02:40]." in kept
        assert "Time markers of the recording are left out" not in kept
        verbatim = note(quote_style="verbatim")
        assert "printed as transcribed" in verbatim and "quotation marks" not in verbatim
        # the document's own note says the same, and each table's note names only its marks
        out = tmp_path / "S2.docx"
        write_report(p, _report_options(p), out)
        doc = docx.Document(out)
        assert any(par.text == everything for par in doc.paragraphs)
        notes = [par.text for par in doc.paragraphs if par.style.name == "Table Note"]
        assert notes == [
            "1 quote from 1 participant. […] words left out; italics: the transcriber’s notes.",
            "1 quote from 1 participant. Italics: the transcriber’s notes.",
            "2 quotes from 2 participants. […] words left out; [ ] words added by the analyst; "
            "italics: the transcriber’s notes.",
        ]
