"""Word exports of anchored things: annotations are comments by "Annotation" in a coded
transcript, beside the code comments; a linked summary phrase in the Word matrix gets a
numbered note quoting its passage with the citation."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx

from qualcoder_lite.core.formats import matrix_export as mx
from qualcoder_lite.core.services.anchors.annotations import AddAnnotation
from qualcoder_lite.core.services.anchors.export_notes import summary_notes
from qualcoder_lite.core.services.anchors.summary_links import AddSummaryLink
from qualcoder_lite.core.services.coding.codes import AddCode
from qualcoder_lite.core.services.coding.coding import ApplyCode
from qualcoder_lite.core.services.matrix.matrix import build_matrix
from qualcoder_lite.core.services.matrix.summaries import SetCellSummary
from qualcoder_lite.core.services.quotes.exports import export_source
from tests.helpers import add_text_source

TEXT = "P1: The reforms were rushed.\nWe had no time to plan.\n"


def _comments(path: Path) -> list[tuple[str, str]]:
    d = docx.Document(str(path))
    return sorted((c.author, c.text) for c in d.comments)


def test_export_source_writes_annotations_as_their_own_comments(project, tmp_path):
    sid = add_text_source(project, "P1", TEXT, case="P1")
    project.execute(AddCode("Reform"))
    start = TEXT.index("The reforms")
    project.execute(ApplyCode(sid, project.codes.find("Reform").id, start, start + 11))
    project.execute(AddAnnotation(sid, start, start + 11, "Ask about the timeline"))
    out = tmp_path / "P1.docx"
    result = export_source(project, "P1", out)
    assert "2 comments" in result.summary
    assert _comments(out) == [("Annotation", "Ask about the timeline\n— tester"), ("tester", "Reform")]
    d = docx.Document(str(out))
    assert {c.initials for c in d.comments} == {"AN", "TE"}


def test_annotations_alone_are_exported(project, tmp_path):
    sid = add_text_source(project, "P1", TEXT, case="P1")
    project.execute(AddAnnotation(sid, 4, 15, "first words"))
    out = tmp_path / "P1.docx"
    result = export_source(project, "P1", out)
    assert _comments(out) == [("Annotation", "first words\n— tester")]
    assert any("annotations only" in w for w in result.warnings)


def test_word_matrix_numbers_linked_phrases_and_quotes_their_passages(project, tmp_path):
    sid = add_text_source(project, "P1", TEXT, case="P1")
    project.execute(AddCode("Reform"))
    code = project.codes.find("Reform").id
    start = TEXT.index("We had")
    project.execute(ApplyCode(sid, code, start, start + 22))
    case = project.cases.all()[0].id
    project.execute(SetCellSummary(case, code, "Rushed reforms.\nNo time to plan ahead."))
    project.execute(AddSummaryLink("case", case, code, "No time to plan", sid, start, start + 22))
    matrix = build_matrix(project, [code])
    notes = summary_notes(project, matrix)
    ((key, (lp,)),) = notes.items()
    assert key == (case, code) and lp.phrase == "No time to plan"
    assert lp.note == "“We had no time to plan” (P1)"
    out = tmp_path / "m.docx"
    mx.write_docx(matrix, out, "Study", notes=notes)
    xml = zipfile.ZipFile(out).read("word/document.xml").decode("utf-8")
    assert '<w:vertAlign w:val="superscript"/></w:rPr><w:t xml:space="preserve">1</w:t>' in xml
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "1 “No time to plan”: “We had no time to plan” (P1)" in text
    cell_text = [c.text for t in docx.Document(str(out)).tables for r in t.rows for c in r.cells]
    assert "Rushed reforms.\nNo time to plan1 ahead." in cell_text
