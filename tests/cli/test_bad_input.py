"""Bad input: each gets a one-line message naming the file and the reason, exit 1 (or 2 for
usage), no traceback, and the project file is byte-for-byte unchanged."""

from __future__ import annotations

import io
import sqlite3
import zipfile

import pytest

from qualcoder_lite.core.store.schema import LATEST


@pytest.fixture
def proj(tmp_path, cli):
    path = tmp_path / "p.qlite"
    assert cli("new", path).code == 0
    good = tmp_path / "good.txt"
    good.write_text("Interviewer: Hi.\n\nP1: Hello.\n", encoding="utf-8")
    assert cli("import", path, good).code == 0
    return path


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _zip_bomb(path):
    # 400 MB of zeros compresses to ~400 KB: refused before it is expanded
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(400):
                fh.write(chunk)


BAD_FILES = {
    "empty.txt": lambda p: p.write_bytes(b""),
    "zero.docx": lambda p: p.write_bytes(b""),
    "renamed.docx": lambda p: p.write_text("Interviewer: I am really a text file.\n"),
    "bomb.docx": _zip_bomb,
    "garbage.txt": lambda p: p.write_bytes(bytes(range(256)) * 4),
    "binary.txt": lambda p: p.write_bytes(b"abc\x00\x00\x00def" * 100),
    "traversal.docx": lambda p: p.write_bytes(_zip_bytes({"../../evil.xml": b"x", "word/document.xml": b"<x/>"})),
    "entities.docx": lambda p: p.write_bytes(_zip_bytes({"word/document.xml": (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>")})),
    "whitespace.md": lambda p: p.write_text("   \n\n\t\n"),
    "unknown.xyz": lambda p: p.write_text("text"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_leaves_project_unchanged(tmp_path, cli, proj, name):
    bad = tmp_path / name
    BAD_FILES[name](bad)
    good2 = tmp_path / "good2.txt"
    good2.write_text("Another fine transcript.\n")
    before = proj.read_bytes()
    r = cli("import", proj, good2, bad)  # one bad file: nothing at all is imported
    assert r.code == 1, (r.out, r.err)
    assert name in r.err
    assert "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1
    assert proj.read_bytes() == before
    assert cli("info", proj, "--json").json()["sources"] == 1


def test_missing_file(tmp_path, cli, proj):
    before = proj.read_bytes()
    r = cli("import", proj, tmp_path / "nope.txt")
    assert r.code == 1 and "nope.txt" in r.err and "no such file" in r.err
    assert proj.read_bytes() == before


def test_invalid_utf8_falls_back_to_cp1252_with_warning(tmp_path, cli, proj):
    f = tmp_path / "latin.txt"
    f.write_bytes("P1: Caf\u00e9 au lait \u2013 \u201cnice\u201d.\n".encode("cp1252"))
    r = cli("import", proj, f)
    assert r.code == 0
    assert "warning" in r.err and "latin.txt" in r.err and "1252" in r.err
    segs_text = cli("search", proj, "Café", "--json").json()
    assert segs_text and segs_text[0]["source"] == "latin"


def test_fifty_megabyte_text_imports(tmp_path, cli, proj):
    line = "P1: This is a long interview line with some words in it, repeated for size.\n"
    f = tmp_path / "huge.txt"
    with open(f, "w", encoding="utf-8") as fh:
        fh.write(line * (50 * 1024 * 1024 // len(line)))
    r = cli("import", proj, f, "--json")
    assert r.code == 0, r.err
    assert r.json()["sources"] == 1


def test_over_100_megabytes_refused(tmp_path, cli, proj):
    f = tmp_path / "toobig.txt"
    with open(f, "wb") as fh:
        fh.truncate(101 * 1024 * 1024)  # sparse: costs no disk
    before = proj.read_bytes()
    r = cli("import", proj, f)
    assert r.code == 1 and "toobig.txt" in r.err and "100 MB" in r.err
    assert proj.read_bytes() == before


CSV_CASES = {
    "empty_case.csv": ("case,wave\nP1,2016\n,2021\n", "row 3"),
    "dup_case.csv": ("case,wave\nP1,2016\nP1,2021\n", "appears twice"),
    "header_only_case.csv": ("case\nP1\n", "at least one attribute"),
    "bad_date.csv": ("case,joined\nP1,2016-13-45\n", None),
}


@pytest.mark.parametrize("name", sorted(CSV_CASES))
def test_bad_attribute_csv(tmp_path, cli, proj, name):
    content, reason = CSV_CASES[name]
    f = tmp_path / name
    f.write_text(content)
    before = proj.read_bytes()
    r = cli("attributes", proj, f, "--create-cases")
    if name == "bad_date.csv":
        # not ISO: stays text, which is right; force date to see the refusal
        assert r.code == 0
        before = proj.read_bytes()
        r = cli("attributes", proj, f, "--type", "joined=date", "--create-cases")
        assert r.code == 1 and "not a valid date" in r.err
    else:
        assert r.code == 1 and name in r.err and reason in r.err
    assert "Traceback" not in r.err
    assert proj.read_bytes() == before


def test_leading_zeros_stay_text(tmp_path, cli, proj):
    f = tmp_path / "ids.csv"
    f.write_text("case,postcode,age\nP1,0123,41\nP2,0456,38\n")
    assert cli("attributes", proj, f, "--create-cases").code == 0
    from qualcoder_lite.core.project import open_project

    with open_project(proj) as p:
        types = {a.name: a.type for a in p.attributes.all()}
    assert types == {"postcode": "text", "age": "number"}


def test_project_not_sqlite_or_newer(tmp_path, cli):
    bad = tmp_path / "notes.qlite"
    bad.write_text("hello")
    r = cli("info", bad)
    assert r.code == 1 and "notes.qlite" in r.err and "not an SQLite database" in r.err
    assert bad.read_text() == "hello"
    newer = tmp_path / "newer.qlite"
    assert cli("new", newer).code == 0
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.commit()
    conn.close()
    before = newer.read_bytes()
    r = cli("info", newer)
    assert r.code == 1 and "newer version" in r.err
    assert newer.read_bytes() == before
