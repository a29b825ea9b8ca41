"""Annotations and see-also links through .qdpx: written as their own selections (validated
against the REFI-QDA schema) and read back as annotations and links; codings' memos stay memos."""

from __future__ import annotations

import zipfile
from xml.etree import ElementTree as ET

import pytest
import xmlschema  # a test requirement ([test] extra): missing means a broken setup, not a skip

from qualcoder_lite.core.project import memory_project, open_project
from qualcoder_lite.core.services.anchors.annotations import AddAnnotation, annotations
from qualcoder_lite.core.services.anchors.links import AddLink, links
from qualcoder_lite.core.services.coding.codes import AddCode
from qualcoder_lite.core.services.coding.coding import ApplyCode, SetCodingMemo
from qualcoder_lite.core.services.refi import model as refi
from qualcoder_lite.core.services.refi.interop import export_qdpx, import_qdpx
from tests.helpers import FIXTURES, add_text_source

NS = {"q": refi.PROJECT_NS}
TEXT_A = "P1: The reforms 😀 were rushed.\nWe had no time to plan.\n"
TEXT_B = "P2: Funding came late.\nThe cluster met monthly.\n"


@pytest.fixture(scope="module")
def project_xsd():
    xsd = FIXTURES.parent / "refi-qda" / "Project.xsd"
    if not xsd.exists():
        pytest.skip("REFI-QDA schemas not found")
    return xmlschema.XMLSchema(str(xsd))


@pytest.fixture
def anchored():
    p = memory_project(coder="ann")
    a = add_text_source(p, "P1", TEXT_A, case="P1")
    b = add_text_source(p, "P2", TEXT_B, case="P2")
    p.execute(AddCode("Reform"))
    code = p.codes.find("Reform").id
    span = (TEXT_A.index("The reforms"), TEXT_A.index(" were"))
    p.execute(ApplyCode(a, code, *span))
    p.execute(SetCodingMemo(p.codings.for_source(a)[0].id, "coding memo"))
    p.execute(AddAnnotation(a, *span, "same span as the coding"))  # must stay apart from the coding
    p.execute(AddAnnotation(a, *span, "a second note on it", coder="bea"))
    p.execute(AddAnnotation(b, 4, 11, "Funding: which year?"))
    p.execute(AddLink(a, *span, b, 4, 22))
    p.execute(AddLink(a, *span, b))  # to the whole source, from the same passage
    p.execute(AddLink(b, 23, 47, a, 4, 15))
    yield p
    p.close()


def _state(p) -> dict:
    return {"annotations": [(x.source, x.start, x.end, x.text, x.author) for x in annotations(p)],
            "annotation_guids": sorted(x.guid for x in annotations(p)),
            "links": sorted((x.guid, x.source, x.start, x.end, x.target_source, x.target_start, x.target_end)
                            for x in links(p)),
            "coding_memos": sorted(r[0] for r in p.conn.execute("SELECT memo FROM codings"))}


def test_round_trip_keeps_annotations_and_links(anchored, tmp_path, project_xsd):
    out = tmp_path / "a.qdpx"
    report = export_qdpx(anchored, out)
    with zipfile.ZipFile(out) as zf:
        xml = zf.read("project.qde").decode("utf-8")
    project_xsd.validate(xml)
    root = ET.fromstring(xml)
    sels = root.findall(".//q:PlainTextSelection", NS)
    coded = [s for s in sels if s.find("q:Coding", NS) is not None]
    notes_only = [s for s in sels if s.find("q:Coding", NS) is None and s.find("q:NoteRef", NS) is not None]
    assert len(coded) == 1 and len(notes_only) == 3
    # an annotation on the coded span is its own selection, with its own GUID
    assert {s.get("guid") for s in notes_only}.isdisjoint({coded[0].get("guid")})
    assert {(s.get("startPosition"), s.get("endPosition")) for s in notes_only} >= {
        (coded[0].get("startPosition"), coded[0].get("endPosition"))}
    see_also = [ln for ln in root.findall(".//q:Link", NS) if ln.get("name") == "see also"]
    assert len(see_also) == 3
    guids = {s.get("guid") for s in sels} | {s.get("guid") for s in root.findall(".//q:TextSource", NS)}
    assert all(ln.get("originGUID") in guids and ln.get("targetGUID") in guids for ln in see_also)
    assert report.counts["annotations"] == 3 and report.counts["links"] == 3

    target = tmp_path / "back.qlite"
    imported = import_qdpx(out, target, coder="ann")
    assert imported.counts["annotations"] == 3 and imported.counts["links"] == 3
    assert not any("links between" in k for k in imported.skipped)
    with open_project(target) as back:
        assert _state(back) == _state(anchored)
        assert back.conn.execute("SELECT count(*) FROM memos WHERE kind = 'journal' AND body LIKE '%Funding%'"
                                 ).fetchone()[0] == 0
        # and once more: the same file again
        again = tmp_path / "again.qdpx"
        export_qdpx(back, again)
    with zipfile.ZipFile(again) as z1, zipfile.ZipFile(out) as z2:
        assert _sels(z1) == _sels(z2)


def _sels(zf) -> list:
    root = ET.fromstring(zf.read("project.qde"))
    return sorted((s.get("guid"), s.get("startPosition"), s.get("endPosition"))
                  for s in root.findall(".//q:PlainTextSelection", NS))


def test_a_note_on_a_coded_selection_stays_the_codings_memo(tmp_path):
    g = "{:08x}-0000-4000-8000-00000000abcd".format
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="hand">
 <CodeBook><Codes><Code guid="{g(1)}" name="C" isCodable="true"/></Codes></CodeBook>
 <Sources><TextSource guid="{g(2)}" name="S" plainTextPath="internal://{g(2)}.txt">
  <PlainTextSelection guid="{g(3)}" startPosition="0" endPosition="5">
   <Coding guid="{g(4)}"><CodeRef targetGUID="{g(1)}"/></Coding><NoteRef targetGUID="{g(5)}"/>
  </PlainTextSelection>
  <PlainTextSelection guid="{g(6)}" startPosition="6" endPosition="11"><NoteRef targetGUID="{g(7)}"/>
  </PlainTextSelection>
 </TextSource></Sources>
 <Notes><Note guid="{g(5)}" name="m"><PlainTextContent>memo of the coding</PlainTextContent></Note>
  <Note guid="{g(7)}" name="a"><PlainTextContent>an annotation</PlainTextContent></Note></Notes>
 <Links><Link guid="{g(8)}" originGUID="{g(6)}" targetGUID="{g(3)}"/></Links>
</Project>"""
    path = tmp_path / "hand.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", xml)
        zf.writestr(f"sources/{g(2)}.txt", "Hello world again")
    import_qdpx(path, tmp_path / "hand.qlite", coder="me")
    with open_project(tmp_path / "hand.qlite") as p:
        assert [r[0] for r in p.conn.execute("SELECT memo FROM codings")] == ["memo of the coding"]
        assert [(a.start, a.end, a.text) for a in annotations(p)] == [(6, 11, "an annotation")]
        assert [(x.start, x.end, x.target_start, x.target_end) for x in links(p)] == [(6, 11, 0, 5)]
        assert p.conn.execute("SELECT count(*) FROM memos").fetchone()[0] == 0
