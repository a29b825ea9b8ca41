"""Every hostile file in one place, plus bounded fuzzing of the importers.

Each hostile input must end in a ``QualCoderError`` whose message names the file, never in
another exception (a traceback for the user), and must leave nothing behind."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcoder_lite.core.errors import QualCoderError
from qualcoder_lite.core.formats.readers import read_source
from tests.helpers import FIXTURES

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _doc(body: str, prolog: str = "") -> bytes:
    return (f'<?xml version="1.0"?>{prolog}<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>').encode()


def _bomb(path: Path, member: str) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open(member, "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                fh.write(chunk)


BILLION_LAUGHS = ('<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                  '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>')
XXE = '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'

HOSTILE: dict[str, object] = {
    "empty.txt": b"",
    "blank.md": b"  \n\n\t  \n",
    "nul.txt": b"text\x00with\x00nul bytes" * 50,
    "garbage.txt": bytes(range(128, 256)) * 8,
    "zero.docx": b"",
    "renamed-text.docx": b"Interviewer: I am a text file.\n",
    "truncated.docx": _zip({"word/document.xml": _doc("<w:p><w:r><w:t>hello</w:t></w:r></w:p>")})[:60],
    "no-document.docx": _zip({"word/other.xml": b"<x/>"}),
    "not-xml.docx": _zip({"word/document.xml": b"this is { not xml"}),
    "laughs.docx": _zip({"word/document.xml": _doc("<w:p><w:r><w:t>&d;</w:t></w:r></w:p>", BILLION_LAUGHS)}),
    "xxe.docx": _zip({"word/document.xml": _doc("<w:p><w:r><w:t>&x;</w:t></w:r></w:p>", XXE)}),
    "slip.docx": _zip({"../../../tmp/evil.xml": b"x", "word/document.xml": _doc("<w:p/>")}),
    "absolute.docx": _zip({"/etc/evil.xml": b"x", "word/document.xml": _doc("<w:p/>")}),
    "bomb.docx": _bomb,
    "bomb.odt": _bomb,
    "laughs.odt": _zip({"content.xml": ('<?xml version="1.0"?>' + BILLION_LAUGHS + "<x>&d;</x>").encode()}),
    "renamed.odt": b"plain text pretending",
    "not-rtf.rtf": b"hello, I am not RTF at all",
    "not-pdf.pdf": b"%PDX-1.4 nonsense",
    "truncated.pdf": b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R",
    "no-cues.srt": b"just text\nno timings here\n",
    "no-cues.vtt": b"WEBVTT\n\nNOTE nothing else\n",
    "unknown.xyz": b"whatever",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_source_files(tmp_path, name):
    path = tmp_path / name
    maker = HOSTILE[name]
    if callable(maker):
        maker(path, "content.xml" if name.endswith(".odt") else "word/document.xml")
    else:
        path.write_bytes(maker)
    with pytest.raises(QualCoderError) as err:
        read_source(path)
    assert name in str(err.value)
    assert not Path("/tmp/evil.xml").exists()


def test_sparse_file_over_the_limit(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:
        fh.truncate(101 * 1024 * 1024)
    with pytest.raises(QualCoderError, match="100 MB"):
        read_source(path)


def test_names_with_quotes_emoji_and_rtl_are_data(tmp_path, project):
    from qualcoder_lite.core.services.sources.importing import CaseRule, import_files

    names = ["O'Brien \"quoted\".txt", "😀 emoji interview.txt", "ראיון עברית.txt", "x'; DROP TABLE sources;--.txt"]
    paths = []
    for n in names:
        p = tmp_path / n
        p.write_text(f"Interviewer: hello?\n\nP1: answer from {n}\n", encoding="utf-8")
        paths.append(p)
    import_files(project, paths, CaseRule())
    assert sorted(s.name for s in project.sources.all()) == sorted(Path(n).stem for n in names)
    assert sorted(c.name for c in project.cases.all()) == sorted(Path(n).stem for n in names)


def test_hostile_qdpx_archives_create_nothing(tmp_path):
    from qualcoder_lite.core.services.refi import interop  # the project's own module: missing is a failure
    cases = {
        "slip.qdpx": _zip({"../evil.qde": b"<x/>", "project.qde": b"<Project/>"}),
        "not-xml.qdpx": _zip({"project.qde": b"not xml at all <<<"}),
        "laughs.qdpx": _zip({"project.qde": ('<?xml version="1.0"?>' + BILLION_LAUGHS + "<Project>&d;</Project>").encode()}),
        "xxe.qdpx": _zip({"project.qde": ('<?xml version="1.0"?>' + XXE + "<Project>&x;</Project>").encode()}),
        "empty.qdpx": b"",
        "no-project.qdpx": _zip({"sources/a.txt": b"hello"}),
    }
    for name, data in cases.items():
        src = tmp_path / name
        src.write_bytes(data)
        target = tmp_path / f"{name}.qlite"
        with pytest.raises(QualCoderError) as err:
            interop.import_qdpx(src, target)
        assert name in str(err.value), name
        assert not target.exists(), name
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(f"{name}.qlite")], name


# --------------------------------------------------------------------------- fuzzing
SUFFIXES = [".txt", ".md", ".docx", ".odt", ".rtf", ".pdf", ".srt", ".vtt"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(min_size=0, max_size=3000), suffix=st.sampled_from(SUFFIXES))
def test_fuzz_random_bytes(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        result = read_source(path)
    except QualCoderError as exc:
        assert "fuzz" in str(exc)
        return
    assert isinstance(result.text, str) and result.text.strip()
    assert "\r" not in result.text and not result.text.startswith("\ufeff")


def _real(name: str) -> bytes:
    return (FIXTURES / "qualcoder-examples" / "files" / "Examples" / name).read_bytes()


@pytest.mark.skipif(not (FIXTURES / "qualcoder-examples").exists(), reason="shared fixtures not found")
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(["ID1.docx", "ID2.odt", "transcript.txt"]),
       flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)),
                      min_size=1, max_size=12),
       cut=st.one_of(st.none(), st.integers(min_value=0)))
def test_fuzz_mutated_real_files(tmp_path, which, flips, cut):
    data = bytearray(_real(which))
    for pos, value in flips:
        data[pos % len(data)] = value
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    path = tmp_path / f"mutant-{which}"
    path.write_bytes(bytes(data))
    try:
        read_source(path)
    except QualCoderError as exc:
        assert "mutant" in str(exc)


def test_fuzzing_leaves_no_stray_files(tmp_path):
    assert not any(name.startswith("evil") for name in os.listdir("/tmp"))


def test_hostile_excel_attribute_sheets(tmp_path):
    from qualcoder_lite.core.services.sources.attribute_table import read_attribute_table

    good = tmp_path / "good.xlsx"
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["case", "wave"])
    wb.active.append(["P1", 2016])
    wb.save(good)
    data = good.read_bytes()
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(broken, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename.endswith("sheet1.xml"):
                body = body[: len(body) // 2]  # truncated XML
            zout.writestr(info, body)
    cases = {"broken.xlsx": broken, "text.xlsx": tmp_path / "text.xlsx", "bomb.xlsx": tmp_path / "bomb.xlsx"}
    cases["text.xlsx"].write_text("case,wave\nP1,2016\n")
    _bomb(cases["bomb.xlsx"], "xl/worksheets/sheet1.xml")
    assert data  # the good one reads
    assert read_attribute_table(good).rows == [("P1", {"wave": "2016"})]
    for name, path in cases.items():
        with pytest.raises(QualCoderError) as err:
            read_attribute_table(path)
        assert name in str(err.value)


def test_forced_non_text_encodings_are_refused(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("hello there")
    for enc in ("rot13", "base64", "nope"):
        with pytest.raises(QualCoderError, match="t.txt"):
            read_source(path, encoding=enc)
