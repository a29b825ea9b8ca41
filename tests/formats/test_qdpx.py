"""REFI-QDA: exports validate against the standard's schemas; vendor fixtures import with
their expected counts; vendor offset conventions and naming quirks; hostile archives."""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

import pytest
import xmlschema  # a test requirement ([test] extra): missing means a broken setup, not a skip

from qualcoder_lite.core.errors import InputError, ProjectError
from qualcoder_lite.core.services.refi.qdpx_read import read_qdpx
from qualcoder_lite.core.formats.safezip import MB
from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.refi.interop import export_qdc, export_qdpx, import_qdpx
from qualcoder_lite.core.services.coding.memos import AddMemo
from tests.helpers import FIXTURES, add_text_source

SHARED = FIXTURES.parent
SCHEMAS = SHARED / "refi-qda"


@pytest.fixture(scope="module")
def project_xsd():
    if not (SCHEMAS / "Project.xsd").exists():
        pytest.skip("the shared REFI-QDA schemas (../shared/refi-qda) are not here")
    return xmlschema.XMLSchema(str(SCHEMAS / "Project.xsd"))


@pytest.fixture(scope="module")
def codebook_xsd():
    if not (SCHEMAS / "Codebook.xsd").exists():
        pytest.skip("the shared REFI-QDA schemas (../shared/refi-qda) are not here")
    return xmlschema.XMLSchema(str(SCHEMAS / "Codebook.xsd"))


@pytest.fixture
def refi_more(fixtures_dir) -> Path:
    return fixtures_dir / "refi-more" / "files"


@pytest.fixture
def atlas(fixtures_dir) -> Path:
    return fixtures_dir / "refi-atlas-standard-project" / "files"


# ----------------------------------------------------------------------------- export validates
def test_demo_export_validates_against_project_xsd(demo_file, tmp_path, project_xsd):
    out = tmp_path / "demo.qdpx"
    with open_project(demo_file) as p:
        report = export_qdpx(p, out)
        n_sources = p.sources.count()
        texts = {s.guid: p.sources.text(s.id) for s in p.sources.all()}
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        project_xsd.validate(zf.read("project.qde").decode("utf-8"))
        assert "project.qde" in names
        for guid, text in texts.items():
            assert zf.read(f"sources/{guid}.txt").decode("utf-8") == text  # UTF-8, no BOM, LF
    assert sum(n.startswith("sources/") for n in names) == n_sources
    assert report.counts["codings"] > 0 and report.counts["matrix_cells"] > 0


def test_export_of_awkward_text_validates(project, tmp_path, project_xsd):
    sid = add_text_source(project, "P1 😀 & <Zoë>", "Hello 😀 world\n漢字 e\u0301 “quoted”", case="P1")
    project.execute(AddMemo("journal", "bell\x07 and \r\n and ]]> end", title='a "title" & <tag>'))
    project.execute(AddMemo("source", "memo\twith tab", target_id=sid))
    out = tmp_path / "awkward.qdpx"
    report = export_qdpx(project, out)
    xml = zipfile.ZipFile(out).read("project.qde").decode("utf-8")
    project_xsd.validate(xml)
    assert any("U+FFFD" in w for w in report.warnings)  # the BEL control character cannot be XML


def test_codebook_export_validates_against_codebook_xsd(demo_file, tmp_path, codebook_xsd):
    out = tmp_path / "demo.qdc"
    with open_project(demo_file) as p:
        report = export_qdc(p, out)
        assert report.counts["codes"] == p.codes.count()
    codebook_xsd.validate(out.read_text(encoding="utf-8"))


def test_export_of_an_empty_project_writes_nothing(project, tmp_path):
    from qualcoder_lite.core.errors import QualCoderError

    with pytest.raises(QualCoderError, match="nothing to export"):
        export_qdpx(project, tmp_path / "x.qdpx")
    with pytest.raises(QualCoderError, match="nothing to export"):
        export_qdc(project, tmp_path / "x.qdc")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- shared fixtures
def test_nvivo_mac_fixture_262_codes_7_levels(refi_more, tmp_path):
    report = import_qdpx(refi_more / "qualitative-coding__nvivo_project.qdpx", tmp_path / "nv.qlite")
    assert report.counts["codes"] == 262
    with open_project(tmp_path / "nv.qlite") as p:
        codes = p.codes.all()
        assert len(codes) == 262
        assert max(len(c.path) for c in codes) == 7
        assert p.sources.count() == 2  # lowercase sources/, 1-byte .txt files
        assert sorted(c.name for c in p.coders.all()) == ["chrisp", "cp"]
    assert not report.missing_sources


def test_qc_demo_fixture_158_selections(refi_more, tmp_path):
    content = read_qdpx(refi_more / "qualitative-coding__demo.qdpx")
    assert sum(len(s.selections) for s in content.project.sources) == 158
    report = import_qdpx(refi_more / "qualitative-coding__demo.qdpx", tmp_path / "qc.qlite")
    assert report.counts["sources"] == 2
    assert report.counts["codings"] == 205  # 158 selections, some with several codes
    assert any("internal://" in a for a in report.assumptions)  # plainTextPath without the prefix
    with open_project(tmp_path / "qc.qlite") as p:
        rows = p.conn.execute('SELECT s.text, k.start, k."end" FROM codings k JOIN sources s ON s.id = k.source_id')
        for text, a, b in rows:  # qc selects whole lines: every quote starts a line
            assert a == 0 or text[a - 1] == "\n"
            assert text[a:b].strip()


def test_atlas_fixture_reports_missing_sources(atlas, tmp_path):
    target = tmp_path / "atlas.qlite"
    report = import_qdpx(atlas / "TestProject.qdpx", target)
    assert report.counts["sources"] == 0
    assert report.counts["codes"] == 14
    assert len(report.missing_sources) == 8
    # ATLAS.ti for Mac writes names decomposed (NFD); names are kept exactly as written
    assert any(unicodedata.normalize("NFC", m).startswith("Mabêl 2ième.txt") for m in report.missing_sources)
    assert report.kept_aside_codings > 0 and report.counts["codings"] == 0
    assert "Trial" not in report.summary() and "sources missing" in report.summary()
    with open_project(target) as p:
        assert p.codes.find(["Coke::diet Coke"]).description == "non sucré"
        kept = p.settings.get("refi_qda_import")["kept_aside"]
        assert len(kept) == report.kept_aside_selections
        mabel = [k for k in kept if unicodedata.normalize("NFC", k["source"]) == "Mabêl 2ième.txt"]
        assert mabel and mabel[0]["start"] == 250 and mabel[0]["end"] == 412
        assert "source text missing" in mabel[0]["reason"]
        titles = [m.title for m in p.memos.list("journal")]
        assert "REFI-QDA import: codings kept aside" in titles
        assert "Research Plan" in titles  # ATLAS.ti free memos become journal entries
        research = next(m for m in p.memos.list("journal") if m.title == "Research Plan")
        assert research.body.startswith("day to day log")


def test_bare_atlas_qde_imports_too(atlas, tmp_path):
    report = import_qdpx(atlas / "Project.qde", tmp_path / "bare.qlite")
    assert report.counts["codes"] == 14 and len(report.missing_sources) == 8


def test_hand_authored_fixture_cases_variables_sets(refi_more, tmp_path):
    target = tmp_path / "hand.qlite"
    report = import_qdpx(refi_more / "ornio__hand_authored_project.qde", target)
    with open_project(target) as p:
        assert [c.path for c in p.codes.all()] == [("Topics",), ("Topics", "Health"), ("Topics", "Health", "Diet"),
                                                    ("Topics", "Wellbeing")]
        assert {a.name: a.type for a in p.attributes.all("case")} == {"Age": "number", "Consented": "boolean"}
        case = p.cases.by_name("Participant 1")
        assert case.memo == "A pseudonymised interview participant."
        assert p.attributes.case_values()[case.id] == {"Age": "34", "Consented": "true"}
        sets = p.conn.execute("SELECT name, kind FROM sets").fetchall()
        assert [tuple(r) for r in sets] == [("Diet-related", "code")]
        # the PDF's inline plain-text representation is a text source
        assert p.sources.text(p.sources.by_name("doc.pdf").id) == "Notes about diet and health from the document."
        assert [m.title for m in p.memos.list("project")] == ["Research memo"]
    with open_project(target) as p:
        reasons = {k["reason"] for k in p.settings.get("refi_qda_import")["kept_aside"]}
    assert report.kept_aside_selections == len(reasons) + 2  # two text selections of the missing source
    assert {"a picture area is not text", "a PDF page area is not text", "an audio time span is not text"} <= reasons


# ----------------------------------------------------------------------------- vendor quirks
G = "{:08x}-0000-4000-8000-000000000000".format


def qde(sources: str, origin: str = "Test", codes: str = "", extra: str = "") -> str:
    codes = codes or f'<Code guid="{G(1)}" name="feeling" isCodable="true"/>'
    return (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="t" '
            f'origin="{origin}"><Users><User guid="{G(9)}" name="Ana"/></Users><CodeBook><Codes>{codes}'
            f"</Codes></CodeBook>{extra}<Sources>{sources}</Sources></Project>")


def selection(i: int, start: int, end: int, code: int = 1, name: str = "") -> str:
    return (f'<PlainTextSelection guid="{G(1000 + i)}" name="{name}" startPosition="{start}" endPosition="{end}">'
            f'<Coding guid="{G(2000 + i)}" creatingUser="{G(9)}"><CodeRef targetGUID="{G(code)}"/></Coding>'
            f"</PlainTextSelection>")


def make_qdpx(path: Path, xml: str, files: dict[str, bytes], qde_name: str = "project.qde") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(qde_name, xml)
        for name, data in files.items():
            zf.writestr(name, data)
    return path


LINES = ["I felt 😀 happy about the café 👍🏽 today.", "Then 漢字 and e\u0301tude were fine!", "Ok 🇬🇧 done."]
WORDS = ["happy", "café", "today", "Then", "e\u0301tude", "fine", "done"]  # in text order


def vendor_offsets(raw: str, j: int, n: int, unit: str, crlf_as_one: bool) -> tuple[int, int]:
    """Offsets of ``raw[j:j+n]`` as a vendor counts them (computed here, independently)."""

    def count(s: str) -> int:
        if crlf_as_one:
            s = s.replace("\r\n", "\n")
        return len(s.encode("utf-16-le")) // 2 if unit == "utf16" else len(s)

    return count(raw[:j]), count(raw[:j + n])


def vendor_project(tmp_path: Path, unit: str, crlf_as_one: bool, origin: str, repeat: int = 6,
                   encoding: str = "utf-8-sig") -> tuple[Path, str]:
    """A source with emoji and CRLF, coded on whole words, offsets in the vendor's convention."""
    raw = "\r\n".join(f"{n}. {line}" for n in range(repeat) for line in LINES) + "\r\n"
    sels, pos = [], 0
    for _ in range(repeat):
        for w in WORDS:
            pos = raw.index(w, pos)
            sels.append(selection(len(sels), *vendor_offsets(raw, pos, len(w), unit, crlf_as_one)))
            pos += len(w)
    source = (f'<TextSource guid="{G(500)}" name="Interview ü" plainTextPath="internal://{G(500)}.txt">'
              f'{"".join(sels)}</TextSource>')
    path = make_qdpx(tmp_path / f"{unit}-{crlf_as_one}.qdpx", qde(source, origin),
                     {f"Sources/{G(500).upper()}.txt": raw.encode(encoding)})
    return path, raw


def quotes(target: Path) -> list[str]:
    with open_project(target) as p:
        return [r[0] for r in p.conn.execute(
            'SELECT substr(s.text, k.start + 1, k."end" - k.start) FROM codings k JOIN sources s '
            "ON s.id = k.source_id ORDER BY k.start")]


@pytest.mark.parametrize("unit,crlf_as_one,origin", [
    ("utf16", False, "NVivo 12 Pro (Windows)"),  # UTF-16 units, CRLF 2, BOM not counted
    ("utf16", False, "Some tool 1.0"),  # no hint: found by word boundaries
    ("codepoints", True, "ATLAS.ti 9.1"),  # CRLF counted as one
    ("codepoints", True, "Another tool"),
    ("codepoints", False, "MAXQDA 2022"),  # the standard: code points, CRLF 2
])
def test_vendor_offset_conventions_give_the_same_quotes(tmp_path, unit, crlf_as_one, origin):
    path, raw = vendor_project(tmp_path, unit, crlf_as_one, origin)
    target = tmp_path / "out.qlite"
    report = import_qdpx(path, target)
    assert report.counts["codings"] == 6 * len(WORDS)
    assert report.kept_aside_selections == 0
    assert sorted(quotes(target)) == sorted(WORDS * 6)
    with open_project(target) as p:
        text = p.sources.text(p.sources.all()[0].id)
    assert text == raw.replace("\r\n", "\n")  # BOM dropped, CRLF -> LF
    expected = {"utf16": "utf16", "codepoints": "codepoints-lf" if crlf_as_one else "codepoints"}[unit]
    assert report.convention == expected, report.convention_note


@pytest.mark.parametrize("unit,crlf_as_one,origin", [("utf16", False, "Some tool 1.0"),
                                                     ("codepoints", True, "ATLAS.ti 9.1")])
def test_packed_texts_read_and_place_the_same(tmp_path, unit, crlf_as_one, origin):
    """An import holds the texts as UTF-8 (``pack=True``, issue 17: 2,000 texts with emoji
    are 400 MB as str): the text, raw text, detection and placed selections are the same."""
    path, raw = vendor_project(tmp_path, unit, crlf_as_one, origin)
    plain, packed = read_qdpx(path), read_qdpx(path, pack=True)
    src, held = plain.project.sources[0], packed.project.sources[0]
    assert held.text is None and held.raw is None and held.has_text
    assert held.full_text() == src.text == raw.replace("\r\n", "\n")
    with held.unpacked():
        assert (held.text, held.raw) == (src.text, src.raw) and src.raw != src.text
    assert held.text is None and held.raw is None
    assert [(s.guid, s.start, s.end) for s in held.selections] == [(s.guid, s.start, s.end) for s in src.selections]
    assert len(src.selections) == 6 * len(WORDS)
    assert packed.detection is not None and plain.detection is not None
    assert packed.detection.convention == plain.detection.convention


def test_utf16_source_file_with_bom(tmp_path):
    path, raw = vendor_project(tmp_path, "utf16", False, "NVivo 14", encoding="utf-16")
    target = tmp_path / "u16.qlite"
    import_qdpx(path, target)
    assert sorted(quotes(target)) == sorted(WORDS * 6)


def test_naming_quirks_trial_qde_braces_uppercase_no_internal_prefix(tmp_path):
    text = "Nothing but words here.\n"
    src = (f'<TextSource guid="{{{G(7).upper()}}}" name="Doc" plainTextPath="doc one.txt">'
           f'{selection(1, 8, 11)}</TextSource>')
    code = f'<Code guid="{{{G(1).upper()}}}" name="feeling" isCodable="true" color="#F0A"/>'
    path = make_qdpx(tmp_path / "t.qdpx", qde(src, codes=code), {"SOURCES/Doc One.TXT": text.encode()},
                     qde_name="Trial.qde")
    target = tmp_path / "t.qlite"
    report = import_qdpx(path, target)
    assert quotes(target) == ["but"]
    assert any("Trial.qde" in a for a in report.assumptions)
    with open_project(target) as p:
        code = p.codes.find(["feeling"])
        assert code.guid == G(1) and code.color == "#ff00aa"
        assert p.sources.all()[0].guid == G(7)


def test_duplicate_and_non_ascii_names(tmp_path):
    codes = (f'<Code guid="{G(1)}" name="Émotions 😀" isCodable="true"/><Code guid="{G(2)}" name="Émotions 😀" '
             f'isCodable="true"/><Code guid="{G(3)}" name="two&#10;lines" isCodable="true"/>')
    srcs = "".join(f'<TextSource guid="{G(100 + i)}" name="Entrevista ñ"><PlainTextContent>texto {i} aquí'
                   f"</PlainTextContent>{selection(i, 0, 5, code=1 + i)}</TextSource>" for i in range(3))
    target = tmp_path / "d.qlite"
    report = import_qdpx(make_qdpx(tmp_path / "d.qdpx", qde(srcs, codes=codes), {}), target)
    with open_project(target) as p:
        assert sorted(s.name for s in p.sources.all()) == ["Entrevista ñ", "Entrevista ñ (2)", "Entrevista ñ (3)"]
        assert [c.name for c in p.codes.all()] == ["Émotions 😀", "Émotions 😀 (2)", "two lines"]
        assert p.codings.count() == 3
    assert len(report.renamed) == 4


def test_selection_outside_the_text_is_kept_aside_not_dropped(tmp_path):
    src = (f'<TextSource guid="{G(7)}" name="Doc"><PlainTextContent>short text</PlainTextContent>'
           f"{selection(1, 0, 5)}{selection(2, 3, 400)}{selection(3, 4, 4)}</TextSource>")
    extra_code = f'<Code guid="{G(1)}" name="feeling" isCodable="true"/>'
    target = tmp_path / "o.qlite"
    report = import_qdpx(make_qdpx(tmp_path / "o.qdpx", qde(src, codes=extra_code), {}), target)
    assert report.counts["codings"] == 1 and report.kept_aside_selections == 2
    with open_project(target) as p:
        kept = p.settings.get("refi_qda_import")["kept_aside"]
        reasons = sorted(k["reason"] for k in kept)
        assert reasons[0] == "empty or reversed selection" and reasons[1].startswith("outside the text")
        assert kept[0]["code_paths"] == ["feeling"]


@pytest.mark.parametrize("start, end", [(0, 5), (20, 3), (3, -1), (-2, 4), (6, 40), (2, 11), (12, 12)])
def test_spans_in_a_text_of_one_unit_characters_placed_as_offsets_map_them(tmp_path, start, end):
    """Non-ASCII text, no CRLF or astral character: every convention but UTF-8 maps an offset to
    itself; what is kept aside, and why, is what the offset map says (``to_cp`` of each end)."""
    from qualcoder_lite.core.services.refi.offsets import VendorUnitsToCodePoints

    text = "café au lait"
    src = (f'<TextSource guid="{G(7)}" name="Doc"><PlainTextContent>{text}</PlainTextContent>'
           f"{selection(1, start, end)}</TextSource>")
    target = tmp_path / "s.qlite"
    report = import_qdpx(make_qdpx(tmp_path / "s.qdpx", qde(src), {}), target)
    m = VendorUnitsToCodePoints(text, [], "codepoints")
    a, b = m.to_cp(start, False)[0], m.to_cp(end, True)[0]
    with open_project(target) as p:
        kept = p.settings.get("refi_qda_import")["kept_aside"]
        spans = [tuple(r) for r in p.conn.execute('SELECT start, "end" FROM codings')]
    if a is None or b is None:
        assert [k["reason"] for k in kept] == [f"outside the text (length {len(text)})"]
    elif a >= b:
        assert [k["reason"] for k in kept] == ["empty or reversed selection"]
    else:
        assert kept == [] and report.counts["codings"] == 1 and spans == [(a, b)]


def test_coding_of_an_unknown_code_is_kept_aside(tmp_path):
    src = (f'<TextSource guid="{G(7)}" name="Doc"><PlainTextContent>short text</PlainTextContent>'
           f"{selection(1, 0, 5, code=77)}</TextSource>")
    target = tmp_path / "u.qlite"
    report = import_qdpx(make_qdpx(tmp_path / "u.qdpx", qde(src), {}), target)
    assert report.counts["codings"] == 0 and report.kept_aside_codings == 1


def test_a_selection_with_unknown_and_known_codes_is_kept_aside_once(tmp_path):
    codings = "".join(f'<Coding guid="{G(2100 + k)}" creatingUser="{G(9)}"><CodeRef targetGUID="{G(k)}"/></Coding>'
                      for k in (77, 1, 78))
    src = (f'<TextSource guid="{G(7)}" name="Doc"><PlainTextContent>short text</PlainTextContent>'
           f'<PlainTextSelection guid="{G(1001)}" name="" startPosition="0" endPosition="5">{codings}'
           f"</PlainTextSelection></TextSource>")
    target = tmp_path / "u.qlite"
    report = import_qdpx(make_qdpx(tmp_path / "u.qdpx", qde(src), {}), target)
    assert report.counts["codings"] == 1  # the known code's coding is imported
    assert report.kept_aside_selections == 1 and report.kept_aside_codings == 2
    with open_project(target) as p:
        kept = p.settings.get("refi_qda_import")["kept_aside"]
    assert [k["codes"] for k in kept] == [[G(77), G(78)]]
    assert kept[0]["reason"] == "refers to a code that is not in the codebook"


# ----------------------------------------------------------------------------- hostile archives
def _nothing_created(folder: Path, target: Path) -> None:
    assert not target.exists()
    assert [p.name for p in folder.iterdir() if p.suffix not in (".qdpx", ".qde", ".txt")] == []


@pytest.mark.parametrize("member", ["../evil.txt", "sources/../../evil.txt", "/etc/passwd", "C:/x.txt"])
def test_zip_slip_refused(tmp_path, member):
    path = make_qdpx(tmp_path / "slip.qdpx", qde(""), {member: b"boo"})
    target = tmp_path / "slip.qlite"
    with pytest.raises(InputError, match="path traversal") as err:
        import_qdpx(path, target)
    assert str(path) in str(err.value)
    _nothing_created(tmp_path, target)


def test_zip_bomb_refused(tmp_path):
    path = tmp_path / "bomb.qdpx"
    chunk = bytes(MB)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("project.qde", qde(""))
        with zf.open("sources/big.txt", "w", force_zip64=True) as member:
            for _ in range(210):
                member.write(chunk)
    target = tmp_path / "bomb.qlite"
    with pytest.raises(InputError, match="zip bomb"):
        import_qdpx(path, target)
    _nothing_created(tmp_path, target)


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
                  '<Project xmlns="urn:QDA-XML:project:1.0" name="&lol2;"/>')
EXTERNAL = ('<?xml version="1.0"?><!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            '<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"/>')
#: the DTD well past the first block the reader takes in (a long comment before it)
LATE_DTD = BILLION_LAUGHS.replace("<!DOCTYPE", f"<!-- {'x' * 300_000} --><!DOCTYPE")


@pytest.mark.parametrize("xml,message", [
    (BILLION_LAUGHS, "DTD or entities"),
    (EXTERNAL, "DTD or entities"),
    (LATE_DTD, "DTD or entities"),
    ("this is not xml at all", "not well-formed XML"),
    ("<Project xmlns='urn:QDA-XML:project:1.0' name='x'><CodeBook><Codes><Code name='a' isCodable='true'/>"
     "</Codes></CodeBook></Project>", "has no guid"),
    (qde(f'<TextSource guid="{G(5)}" name="s"><PlainTextContent>x</PlainTextContent>'
         f'<PlainTextSelection guid="{G(6)}" startPosition="x" endPosition="2"/></TextSource>'), "startPosition"),
    ("<html><body>hello</body></html>", "not a REFI-QDA project"),
    ("<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes/></CodeBook>", "is a codebook"),
    ("", "is empty"),
    ('<?xml version="1.0" encoding="x-unknown"?><Project xmlns="urn:QDA-XML:project:1.0" name="x"/>',
     "declares an encoding that cannot be read"),
])
def test_bad_project_xml_is_refused_with_a_clear_message(tmp_path, xml, message):
    path = make_qdpx(tmp_path / "bad.qdpx", xml, {})
    target = tmp_path / "bad.qlite"
    with pytest.raises(InputError, match=message) as err:
        import_qdpx(path, target)
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    _nothing_created(tmp_path, target)


def test_codes_nested_absurdly_deep_are_refused(tmp_path):
    deep = "".join(f'<Code guid="{G(i)}" name="c{i}" isCodable="true">' for i in range(1, 3000)) + "</Code>" * 2999
    path = make_qdpx(tmp_path / "deep.qdpx", qde("", codes=deep), {})
    with pytest.raises(InputError, match="nested more than 100 levels"):
        import_qdpx(path, tmp_path / "deep.qlite")
    assert not (tmp_path / "deep.qlite").exists()


def test_missing_input_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        import_qdpx(tmp_path / "nope.qdpx", tmp_path / "nope.qlite")


def test_archive_without_project_qde(tmp_path):
    path = make_qdpx(tmp_path / "none.qdpx", "", {}, qde_name="readme.txt")
    with pytest.raises(InputError, match="no project.qde"):
        import_qdpx(path, tmp_path / "none.qlite")


def test_not_an_archive_nor_xml(tmp_path):
    path = tmp_path / "junk.qdpx"
    path.write_bytes(b"\x00\x01\x02 binary junk")
    with pytest.raises(InputError, match="junk.qdpx"):
        import_qdpx(path, tmp_path / "junk.qlite")
    assert not (tmp_path / "junk.qlite").exists()


def test_import_never_overwrites(atlas, tmp_path):
    target = tmp_path / "exists.qlite"
    target.write_bytes(b"precious")
    with pytest.raises(ProjectError, match="already exists"):
        import_qdpx(atlas / "TestProject.qdpx", target)
    assert target.read_bytes() == b"precious"


def test_failure_while_building_leaves_no_file(atlas, tmp_path, monkeypatch):
    from qualcoder_lite.core.services.refi import build as refi_build

    def boom(self):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(refi_build._Builder, "sets", boom)
    target = tmp_path / "half.qlite"
    with pytest.raises(RuntimeError):
        import_qdpx(atlas / "TestProject.qdpx", target)
    assert list(tmp_path.iterdir()) == []


def test_cancel_during_import_leaves_no_file(refi_more, tmp_path):
    target = tmp_path / "c.qlite"
    with pytest.raises(InterruptedError):
        import_qdpx(refi_more / "qualitative-coding__demo.qdpx", target,
                    progress=lambda done, total, label: not label.startswith("Importing"))
    assert list(tmp_path.iterdir()) == []


def test_a_bare_qde_past_the_limit_is_refused_while_read(tmp_path, monkeypatch):
    """A bare .qde is read through the one bounded reader (``safezip.BoundedStream``): past
    ``MAX_QDE_BYTES`` it is refused naming the file, even when the size check at the start
    (twice the limit) let it through."""
    from qualcoder_lite.core.services.refi import qdpx_read

    qde = tmp_path / "big.qde"
    body = "".join(f'<Note guid="{i:08d}-0000-4000-8000-000000000000" name="n{i}"/>' for i in range(60))
    qde.write_text(f'<?xml version="1.0" encoding="utf-8"?><Project name="p"><Notes>{body}</Notes></Project>',
                   encoding="utf-8")
    monkeypatch.setattr(qdpx_read, "MAX_QDE_BYTES", qde.stat().st_size - 100)
    with pytest.raises(InputError, match="larger than the 0 MB limit") as info:
        read_qdpx(qde)
    assert info.value.path == str(qde)
