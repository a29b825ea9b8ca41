"""Codebook import into an existing project: merge by GUID, then by name path; one undo step."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.services.coding.codes import AddCode
from qualcoder_lite.core.services.refi.interop import ImportCodebook, export_qdc, import_codebook
from qualcoder_lite.core.services.refi.qdc import read_codebook
from tests.helpers import dump


def paths(project) -> list[str]:
    return [c.path_str for c in project.codes.all()]


def test_qdc_into_an_empty_project_keeps_guids_colours_descriptions(demo_file, project, tmp_path):
    from qualcoder_lite.core.project import open_project

    out = tmp_path / "frame.qdc"
    with open_project(demo_file) as demo:
        export_qdc(demo, out)
        want = [(c.guid, c.path, c.description, c.color) for c in demo.codes.all()]
    report = import_codebook(project, out)
    assert [(c.guid, c.path, c.description, c.color) for c in project.codes.all()] == want
    assert len(report.created) == len(want) and not report.conflicts


def test_merge_by_guid_then_path_reports_conflicts_and_undoes(project, tmp_path):
    project.execute(AddCode("Barriers/Time", description="ours", color="#112233"))
    project.execute(AddCode("Facilitators"))
    time = project.codes.find("Barriers/Time")
    qdc = tmp_path / "in.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
        f'<Codes><Code guid="{time.guid.upper()}" name="Lack of time" isCodable="true" color="#112233">'
        "<Description>theirs</Description>"
        '<Code guid="11111111-1111-4111-8111-111111111111" name="Rotas" isCodable="true"/></Code>'
        '<Code guid="22222222-2222-4222-8222-222222222222" name="Facilitators" isCodable="true">'
        "<Description>filled in</Description>"
        '<Code guid="33333333-3333-4333-8333-333333333333" name="Champions 😀" isCodable="true"/></Code>'
        "</Codes><Sets><Set guid=\"44444444-4444-4444-8444-444444444444\" name=\"Core\">"
        '<MemberCode guid="33333333-3333-4333-8333-333333333333"/></Set></Sets></CodeBook>',
        encoding="utf-8")
    before = dump(project)
    cmd = ImportCodebook(read_codebook(qdc), qdc)
    project.execute(cmd)
    r = cmd.result
    assert (r.matched_by_guid, r.matched_by_path) == (1, 1)
    assert r.created == ["Barriers/Time/Rotas", "Facilitators/Champions 😀"]
    assert len(r.conflicts) == 2  # GUID matched a differently named code; descriptions differ
    assert any("Lack of time" in c for c in r.conflicts)
    assert project.codes.find("Barriers/Time").description == "ours"  # never overwritten
    assert project.codes.find("Facilitators").description == "filled in"  # empty filled in
    assert r.sets_created == 1
    project.undo(cmd)
    assert dump(project) == before


def test_csv_codebook(project, tmp_path):
    f = tmp_path / "frame.csv"
    f.write_text("code,description,colour\nAccess/Distance,How far people travel,#aabbcc\n"
                 "Access/Cost,,\nTrust,Belief in the service,\n", encoding="utf-8")
    report = import_codebook(project, f)
    assert paths(project) == ["Access", "Access/Distance", "Access/Cost", "Trust"]
    assert project.codes.find("Access/Distance").color == "#aabbcc"
    assert len(report.created) == 4


def test_csv_without_header_and_escaped_slash(project, tmp_path):
    f = tmp_path / "frame.csv"
    f.write_text("Either\\/or,desc\n", encoding="utf-8")
    import_codebook(project, f)
    assert [c.name for c in project.codes.all()] == ["Either/or"]


def test_indented_text_codebook(project, tmp_path):
    f = tmp_path / "frame.txt"
    f.write_text("# comment\nAccess -- getting to the service\n  - Distance\n  - Cost\n\tFees\nTrust\n"
                 "    Relationships — with the GP\n", encoding="utf-8")
    import_codebook(project, f)
    assert paths(project) == ["Access", "Access/Distance", "Access/Cost", "Access/Cost/Fees", "Trust",
                              "Trust/Relationships"]
    assert project.codes.find("Access").description == "getting to the service"
    assert project.codes.find("Trust/Relationships").description == "with the GP"


@pytest.mark.parametrize("name,content,message", [
    ("bad.qdc", "<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes></Codes></CodeBook>", "no codes"),
    ("bad.qdc", "not xml", "not well-formed"),
    ("bad.qdc", '<!DOCTYPE x [<!ENTITY a "b">]><CodeBook/>', "DTD or entities"),
    ("bad.csv", "code,description\n,orphan description\n", "row 2"),
    ("bad.csv", "A,desc,blue\n", "colour"),
    ("bad.txt", "\n# only a comment\n", "no codes"),
    ("bad.xlsx", "x", "unsupported codebook type"),
])
def test_bad_codebooks_are_refused_and_nothing_changes(project, tmp_path, name, content, message):
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    before = dump(project)
    with pytest.raises(InputError, match=message) as err:
        import_codebook(project, f)
    assert str(f) in str(err.value)
    assert dump(project) == before


def test_codebook_from_a_qdpx(project, fixtures_dir: Path):
    qdpx = fixtures_dir / "refi-more" / "files" / "qualitative-coding__nvivo_project.qdpx"
    report = import_codebook(project, qdpx)
    assert len(report.created) == 262 == project.codes.count()


def test_qdc_nested_absurdly_deep_is_refused(project, tmp_path):
    f = tmp_path / "deep.qdc"
    body = "".join(f'<Code guid="{i:08x}-0000-4000-8000-000000000000" name="c{i}" isCodable="true">'
                   for i in range(1, 2000)) + "</Code>" * 1999
    f.write_text(f"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes>{body}</Codes></CodeBook>", encoding="utf-8")
    with pytest.raises(InputError, match="nested more than 100 levels"):
        import_codebook(project, f)
    assert project.codes.count() == 0
