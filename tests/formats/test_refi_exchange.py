"""REFI-QDA exchange with QualCoder and NVivo (issue 15), case by case.

Each case is built from a small hand-made archive shaped like the vendor's own (QualCoder 3.x
/ 4.0 exports, NVivo 12/14 for Windows, NVivo for Mac), or from our export checked
against the schema and then read back.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema  # a test requirement ([test] extra): missing means a broken setup, not a skip

from qualcoder_lite.core.services.refi import model as refi
from qualcoder_lite.core.project import memory_project, open_project
from qualcoder_lite.core.services.coding.codes import AddCode
from qualcoder_lite.core.services.coding.coding import ApplyCode, SetCodingMemo
from qualcoder_lite.core.services.refi.interop import export_qdpx, import_qdpx
from qualcoder_lite.core.services.coding.memos import AddMemo
from qualcoder_lite.core.services.refi.build import PROJECT_DESCRIPTION_TITLE
from qualcoder_lite.core.services.matrix.summaries import SetCellSummary
from tests.core.test_qdpx_roundtrip import state
from tests.helpers import FIXTURES, add_text_source

NS = {"q": refi.PROJECT_NS}
G = "{:08x}-0000-4000-8000-00000000abcd".format


@pytest.fixture(scope="module")
def project_xsd():
    xsd = FIXTURES.parent / "refi-qda" / "Project.xsd"
    if not xsd.exists():
        pytest.skip("the shared REFI-QDA schemas (../shared/refi-qda) are not here")
    return xmlschema.XMLSchema(str(xsd))


def exported(project, out: Path, xsd, **kw) -> ET.Element:
    export_qdpx(project, out, **kw)
    with zipfile.ZipFile(out) as zf:
        xml = zf.read("project.qde").decode("utf-8")
    xsd.validate(xml)
    return ET.fromstring(xml)


def make_qdpx(path: Path, xml: str, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", xml)
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def memos(target: Path) -> list[tuple]:
    with open_project(target) as p:
        return sorted((m.kind, m.title, m.body) for m in p.memos.list())


@pytest.fixture
def memo_project():
    """A project with a memo of every kind, and descriptions beside them."""
    p = memory_project(coder="ana")
    sid = add_text_source(p, "P1", "We talked about the café and the community helped.\n", case="P1")
    p.execute(AddCode("Support", description="Help from others", memo="Summary: mostly family"))
    code = p.codes.find("Support").id
    cmd = ApplyCode(sid, code, 36, 50)
    p.execute(cmd)
    p.execute(SetCodingMemo(cmd.result[0], "a coding memo"))
    p.conn.execute("UPDATE sources SET memo = 'transcribed by Bo' WHERE id = ?", (sid,))
    p.conn.execute("UPDATE cases SET memo = 'recruited via GP' WHERE name = 'P1'")
    case_id = p.cases.id_of("P1")
    p.execute(AddMemo("case", "case memo body", title="About P1", target_id=case_id))
    p.execute(AddMemo("code", "code memo body", title="On support", target_id=code))
    p.execute(AddMemo("source", "source memo body", title="On P1", target_id=sid))
    p.execute(AddMemo("project", "project memo body", title="Aims"))
    p.execute(AddMemo("journal", "journal body", title="Day 1"))
    p.execute(SetCellSummary(case_id, code, "cell summary"))
    yield p
    p.close()


# ----------------------------------------------------------------------------- notes
def test_every_note_says_who_made_it_and_when(memo_project, tmp_path, project_xsd):
    """QualCoder's import stops at a <Note> without creationDateTime (code summaries had none)."""
    root = exported(memo_project, tmp_path / "out.qdpx", project_xsd)
    users = {u.get("guid") for u in root.iterfind("q:Users/q:User", NS)}
    notes = root.findall("q:Notes/q:Note", NS)
    assert len(notes) >= 7
    for n in notes:
        assert n.get("creationDateTime"), n.get("name")
        assert refi.valid_datetime(n.get("creationDateTime")), n.get("creationDateTime")
        assert n.get("creatingUser") in users, n.get("name")


def test_notes_without_dates_or_users_import(tmp_path):
    """NVivo and QualCoder journals may lack dates and users: imported, dated at import."""
    xml = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="t" '
           f'origin="NVivo 14"><Notes><Note guid="{G(1)}" name="Undated"><PlainTextContent>no date</PlainTextContent>'
           f'</Note><Note guid="{G(2)}" name="Modified only" modifiedDateTime="2021-03-04T05:06:07Z">'
           f"<PlainTextContent>only modified</PlainTextContent></Note></Notes><NoteRef targetGUID=\"{G(1)}\"/>"
           f"</Project>")
    target = tmp_path / "t.qlite"
    import_qdpx(make_qdpx(tmp_path / "n.qdpx", xml, {}), target, coder="ana")
    assert memos(target) == [("journal", "Modified only", "only modified"), ("project", "Undated", "no date")]
    with open_project(target) as p:
        assert all(m.created for m in p.memos.list())


# ----------------------------------------------------------------------------- descriptions
def test_descriptions_carry_the_memos_qualcoder_reads(memo_project, tmp_path, project_xsd):
    root = exported(memo_project, tmp_path / "out.qdpx", project_xsd)
    code = root.find("q:CodeBook/q:Codes/q:Code", NS)
    assert code.findtext("q:Description", namespaces=NS) == (
        "Help from others\n\nSummary: mostly family\n\ncode memo body")
    src = root.find("q:Sources/q:TextSource", NS)
    assert src.findtext("q:Description", namespaces=NS) == "transcribed by Bo\n\nsource memo body"
    case = root.find("q:Cases/q:Case", NS)
    assert case.findtext("q:Description", namespaces=NS) == "recruited via GP\n\ncase memo body"
    assert root.findtext("q:Description", namespaces=NS) == "project memo body"
    # the notes are still there for readers that use them (NVivo, ATLAS.ti, ourselves)
    texts = {n.findtext("q:PlainTextContent", namespaces=NS) for n in root.iterfind("q:Notes/q:Note", NS)}
    assert {"code memo body", "source memo body", "case memo body", "project memo body", "journal body",
            "Summary: mostly family", "a coding memo", "cell summary"} <= texts


def test_round_trip_keeps_memos_of_every_kind_once(memo_project, tmp_path):
    before = state(memo_project)
    out = tmp_path / "out.qdpx"
    export_qdpx(memo_project, out)
    report = import_qdpx(out, tmp_path / "back.qlite", coder="ana")
    with open_project(tmp_path / "back.qlite") as back:
        assert state(back) == before
    assert report.counts["memos"] == len(before["memos"])


def test_qualcoder_shaped_descriptions_and_project_memo(tmp_path):
    """QualCoder keeps code, source, case and project memos in <Description> (no notes);
    the project's is imported as the project memo, and the report says what was skipped."""
    xml = (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
           f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="qc" origin="QualCoder 3.6" '
           f'creatingUserGUID="{G(9)}" creationDateTime="2024-05-01T10:00:00Z">'
           f'<Users><User guid="{G(9)}" name="colin"/></Users>'
           f'<CodeBook><Codes><Code guid="{G(1)}" name="Support" isCodable="true" color="#F781F3">'
           f"<Description>code memo in QualCoder</Description></Code></Codes></CodeBook>"
           f'<Variables><Variable guid="{G(3)}" name="Age group" typeOfVariable="Text">'
           f"<Description>asked at the start</Description></Variable></Variables>"
           f'<Cases><Case guid="{G(4)}" name="Anna"><Description>case memo in QualCoder</Description>'
           f'<VariableValue><VariableRef targetGUID="{G(3)}"/><TextValue>30-40</TextValue></VariableValue>'
           f'<SourceRef targetGUID="{G(5)}"/></Case></Cases>'
           f'<Sources><TextSource guid="{G(5)}" name="Anna.txt" plainTextPath="internal://{G(5)}.txt" '
           f'creatingUser="{G(9)}" creationDateTime="2024-05-01T10:00:00Z">'
           f"<Description>source memo in QualCoder</Description>"
           f'<PlainTextSelection guid="{G(6)}" startPosition="4" endPosition="9" name="about" '
           f'creatingUser="{G(9)}" creationDateTime="2024-05-01T10:00:00Z"><Description>coded memo</Description>'
           f'<Coding guid="{G(7)}" creatingUser="{G(9)}"><CodeRef targetGUID="{G(1)}"/></Coding>'
           f"</PlainTextSelection></TextSource></Sources>"
           f'<Notes><Note guid="{G(8)}" name="Journal one" plainTextPath="internal://{G(8)}.txt" '
           f'creatingUser="{G(9)}" creationDateTime="2024-05-02T10:00:00Z"/></Notes>'
           f"<Description>project memo in QualCoder</Description></Project>")
    path = make_qdpx(tmp_path / "qc.qdpx", xml, {f"sources/{G(5)}.txt": b"Say about it.",
                                                  f"sources/{G(8)}.txt": b"journal text"})
    target = tmp_path / "qc.qlite"
    report = import_qdpx(path, target, coder="me")
    assert sorted(memos(target)) == [("journal", "Journal one", "journal text"),
                                     ("project", PROJECT_DESCRIPTION_TITLE, "project memo in QualCoder")]
    with open_project(target) as p:
        assert p.codes.find("Support").description == "code memo in QualCoder"
        assert p.sources.all()[0].memo == "source memo in QualCoder"
        assert p.cases.all()[0].memo == "case memo in QualCoder"
        (coding,) = p.codings.for_source(p.sources.all()[0].id)
        assert coding.memo == "coded memo"
    assert report.skipped.get("variable descriptions (attributes have none)") == 1
    assert any("variable descriptions" in line for line in report.details())


# ----------------------------------------------------------------------------- booleans
def _with_booleans(p):
    from qualcoder_lite.core.services.sources.attributes import AttributeTable, ImportAttributes

    for name in ("P1", "P2", "P3"):
        add_text_source(p, name, f"Text of {name}.", case=name)
    rows = [("P1", {"consented": "yes", "urban": "true"}), ("P2", {"consented": "no", "urban": "false"}),
            ("P3", {"consented": "Yes", "urban": "true"})]
    p.execute(ImportAttributes(AttributeTable(Path("a.csv"), ["consented", "urban"],
                                              {"consented": "boolean", "urban": "boolean"}, rows)))


def _attributes(p) -> list[tuple]:
    return sorted(tuple(r) for r in p.conn.execute(
        "SELECT a.name, a.type, c.name, v.value FROM attributes a JOIN attribute_values v ON v.attribute_id = a.id "
        "JOIN cases c ON c.id = v.case_id"))


def test_booleans_keep_the_users_labels(tmp_path, project_xsd):
    """yes/no stay yes/no (compare and the matrix group by them); true/false stay Boolean."""
    p = memory_project(coder="ana")
    try:
        _with_booleans(p)
        before = [tuple(r) for r in _attributes(p)]
        root = exported(p, tmp_path / "b.qdpx", project_xsd)
    finally:
        p.close()
    variables = {v.get("name"): v for v in root.iterfind("q:Variables/q:Variable", NS)}
    assert variables["urban"].get("typeOfVariable") == "Boolean"
    assert variables["consented"].get("typeOfVariable") == "Text"
    assert variables["consented"].findtext("q:Description", namespaces=NS) == refi.BOOLEAN_AS_TEXT
    values = sorted(e.text for e in root.iterfind("q:Cases/q:Case/q:VariableValue/q:TextValue", NS))
    assert values == ["Yes", "no", "yes"]
    import_qdpx(tmp_path / "b.qdpx", tmp_path / "b.qlite", coder="ana")
    with open_project(tmp_path / "b.qlite") as back:
        assert [tuple(r) for r in _attributes(back)] == before
        assert {r[1] for r in _attributes(back)} == {"boolean"}


def test_vendor_booleans_import_as_booleans(tmp_path):
    """NVivo writes BooleanValue true/false (a plain Text variable stays text)."""
    xml = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="t" '
           f'origin="NVivo 14"><Variables><Variable guid="{G(1)}" name="Urban" typeOfVariable="Boolean"/>'
           f'<Variable guid="{G(2)}" name="Answer" typeOfVariable="Text"/></Variables><Cases>'
           + "".join(f'<Case guid="{G(10 + i)}" name="C{i}"><VariableValue><VariableRef targetGUID="{G(1)}"/>'
                     f"<BooleanValue>{b}</BooleanValue></VariableValue><VariableValue><VariableRef "
                     f'targetGUID="{G(2)}"/><TextValue>{t}</TextValue></VariableValue></Case>'
                     for i, (b, t) in enumerate([("true", "yes"), ("false", "no")]))
           + "</Cases></Project>")
    import_qdpx(make_qdpx(tmp_path / "v.qdpx", xml, {}), tmp_path / "v.qlite", coder="ana")
    with open_project(tmp_path / "v.qlite") as p:
        assert [tuple(r) for r in _attributes(p)] == [("Answer", "text", "C0", "yes"), ("Answer", "text", "C1", "no"),
                                                       ("Urban", "boolean", "C0", "true"),
                                                       ("Urban", "boolean", "C1", "false")]


# ----------------------------------------------------------------------------- NVivo for Windows
EMOJI_TEXT = "I 😀 loved the café 👍🏽 a lot.\nThen 🇬🇧 home."


def _emoji_project():
    p = memory_project(coder="ana")
    sid = add_text_source(p, "E1", EMOJI_TEXT)
    p.execute(AddCode("Joy"))
    code = p.codes.find("Joy").id
    for word in ("loved", "café", "lot", "home"):
        a = EMOJI_TEXT.index(word)
        p.execute(ApplyCode(sid, code, a, a + len(word)))
    return p


def _spans(root) -> list[tuple[int, int]]:
    return sorted((int(s.get("startPosition")), int(s.get("endPosition")))
                  for s in root.iterfind("q:Sources/q:TextSource/q:PlainTextSelection", NS))


@pytest.mark.parametrize("target", ["standard", "nvivo-windows"])
def test_export_for_nvivo_windows_writes_utf16_offsets(tmp_path, project_xsd, target):
    p = _emoji_project()
    try:
        before = state(p)
        root = exported(p, tmp_path / "e.qdpx", project_xsd, target=target)
    finally:
        p.close()
    units = {}
    for word in ("loved", "café", "lot", "home"):  # counted here, independently of the exporter
        a = EMOJI_TEXT.index(word)
        b = a + len(word)
        if target == "nvivo-windows":
            a, b = (len(EMOJI_TEXT[:i].encode("utf-16-le")) // 2 for i in (a, b))
        units[word] = (a, b)
    assert _spans(root) == sorted(units.values())
    if target == "nvivo-windows":
        assert units["home"] != (EMOJI_TEXT.index("home"), EMOJI_TEXT.index("home") + 4)  # emoji do count
        assert "NVivo for Windows" in root.get("origin")
    with zipfile.ZipFile(tmp_path / "e.qdpx") as zf:  # what NVivo reads: the UTF-16 text at those units
        (member,) = [n for n in zf.namelist() if n.endswith(".txt")]
        text16 = zf.read(member).decode("utf-8").encode("utf-16-le")
    if target == "nvivo-windows":
        got = sorted(text16[2 * a:2 * b].decode("utf-16-le") for a, b in units.values())
        assert got == sorted(["loved", "café", "lot", "home"])
    report = import_qdpx(tmp_path / "e.qdpx", tmp_path / "e.qlite", coder="ana")
    assert report.convention == ("utf16" if target == "nvivo-windows" else "codepoints")
    with open_project(tmp_path / "e.qlite") as back:
        assert state(back) == before


def test_unknown_export_target_is_a_usage_error(tmp_path):
    from qualcoder_lite.core.errors import UsageError

    p = _emoji_project()
    try:
        with pytest.raises(UsageError, match="nvivo-windows"):
            export_qdpx(p, tmp_path / "x.qdpx", target="nvivo-mac")
    finally:
        p.close()
    assert not (tmp_path / "x.qdpx").exists()


# ----------------------------------------------------------------------------- mixed offsets
MIXED = ("Our café 😀 was busy. The community helped. Crème brûlée 👍🏽 for all.\n"
         "Later 🇬🇧 the community helped again and the café closed.\n")


def _qc_selection(i: int, start: int, end: int, name: str) -> str:
    return (f'<PlainTextSelection guid="{G(100 + i)}" startPosition="{start}" endPosition="{end}" '
            f'name="{name}" creatingUser="{G(9)}" creationDateTime="2024-05-01T10:00:00Z">'
            f'<Coding guid="{G(200 + i)}" creatingUser="{G(9)}"><CodeRef targetGUID="{G(1)}"/></Coding>'
            f"</PlainTextSelection>")


def _mixed_qdpx(tmp_path: Path, spans: list[tuple[int, int, str]]) -> Path:
    sels = "".join(_qc_selection(i, a, b, name) for i, (a, b, name) in enumerate(spans))
    xml = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="mixed" '
           f'origin="QualCoder 3.6" creatingUserGUID="{G(9)}"><Users><User guid="{G(9)}" name="colin"/></Users>'
           f'<CodeBook><Codes><Code guid="{G(1)}" name="Help" isCodable="true"/></Codes></CodeBook>'
           f'<Sources><TextSource guid="{G(5)}" name="Mixed" plainTextPath="internal://{G(5)}.txt">{sels}'
           f"</TextSource></Sources></Project>")
    return make_qdpx(tmp_path / "mixed.qdpx", xml, {f"sources/{G(5)}.txt": MIXED.encode("utf-8")})


def _cp(word: str, nth: int = 0) -> tuple[int, int]:
    a = -1
    for _ in range(nth + 1):
        a = MIXED.index(word, a + 1)
    return a, a + len(word)


def _u16(word: str, nth: int = 0) -> tuple[int, int]:
    a, b = _cp(word, nth)
    return tuple(len(MIXED[:i].encode("utf-16-le")) // 2 for i in (a, b))


def test_mixed_offsets_are_decided_per_selection_by_name(tmp_path):
    """A QualCoder project mixing its own codings (code points) with imported NVivo ones
    (UTF-16 units): each selection lands on the text its name holds, whatever the majority."""
    words = [("Our café", 0), ("was busy", 0), ("The community helped", 0), ("Crème brûlée", 0), ("for all", 0),
             ("the café closed", 0)]
    utf16 = [("community helped", 1), ("helped again", 0), ("closed", 0)]  # after emoji: units differ
    spans = [(*_cp(w, n), w) for w, n in words] + [(*_u16(w, n), w) for w, n in utf16]
    # a name that fits under neither convention (the offsets are of other words)
    spans.append((*_cp("Later"), "something else entirely"))
    target = tmp_path / "m.qlite"
    report = import_qdpx(_mixed_qdpx(tmp_path, spans), target, coder="me")
    with open_project(target) as p:
        got = sorted(r[0] for r in p.conn.execute(
            'SELECT substr(s.text, k.start + 1, k."end" - k.start) FROM codings k JOIN sources s ON s.id = k.source_id'))
    assert got == sorted([w for w, _ in words] + [w for w, _ in utf16])
    assert report.kept_aside_selections == 1
    (aside,) = [w for w in report.warnings if "no offset convention" in w]
    assert G(100 + len(spans) - 1) in aside and "something else entirely" in aside
    # whichever convention the file as a whole suggests, the others are named in a warning
    (mixed,) = [w for w in report.warnings if "offsets mixed in one file" in w]
    assert mixed.startswith(("source 'Mixed': 3 selections read as UTF-16",
                             "source 'Mixed': 5 selections read as Unicode code points")), mixed


def test_unnamed_selections_follow_the_files_convention(tmp_path):
    """Names that are not quotes (or none) give no per-selection evidence: nothing changes."""
    spans = [(*_cp(w), f"Selection {i}") for i, w in enumerate(["Our café", "was busy", "for all", "Later"])]
    target = tmp_path / "u.qlite"
    report = import_qdpx(_mixed_qdpx(tmp_path, spans), target, coder="me")
    assert report.kept_aside_selections == 0 and report.counts["codings"] == 4
