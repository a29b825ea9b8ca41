"""``qualcoder-lite thematic-map``: Figure 1 as .svg/.png/.pdf/.docx through the output
guard; exit 0, 1 (nothing to draw, no file) and 2 (unknown code, bad --depth or type)."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import docx

S = "{http://www.w3.org/2000/svg}"


def _names(path) -> list[str]:
    root = ET.parse(path).getroot()
    return [" ".join(t.text for t in g.findall(f"{S}text") if t.get("class") == "name") for g in root.iter(f"{S}g")]


def _project(cli, tmp_path):
    p = tmp_path / "p.qlite"
    assert cli("new", p, "--coder", "t").code == 0
    for path in ("Support for the aims", "Support for the aims/Ending QOF", "Slow progress", "Slow progress/MDT",
                 "Slow progress/MDT/Recruitment", "Time", "Time/Not enough time"):
        assert cli("codes", p, "add", path).code == 0
    return p


def test_svg_depth_and_overarching_remembered(cli, tmp_path):
    p = _project(cli, tmp_path)
    r = cli("thematic-map", p, "--out", tmp_path / "a.svg")
    assert r.code == 0, r.err
    assert _names(tmp_path / "a.svg") == ["Support for the aims", "Ending QOF", "Slow progress", "MDT", "Time",
                                          "Not enough time"]
    assert cli("thematic-map", p, "--out", tmp_path / "b.svg", "--depth", "3").code == 0
    assert "Recruitment" in _names(tmp_path / "b.svg")
    assert cli("thematic-map", p, "--out", tmp_path / "c.svg", "--depth", "1").code == 0
    assert _names(tmp_path / "c.svg") == ["Support for the aims", "Slow progress", "Time"]

    assert cli("thematic-map", p, "--out", tmp_path / "d.svg", "--overarching", "Time").code == 0
    root = ET.parse(tmp_path / "d.svg").getroot()
    assert root.find(f"{S}rect[@class='band']") is not None
    kinds = {g.find(f"{S}text").text: g.get("class") for g in root.iter(f"{S}g")}
    assert kinds["Time"] == "node overarching"
    # remembered: the next map draws the band without the option; the option alone clears it
    assert cli("thematic-map", p, "--out", tmp_path / "e.svg").code == 0
    assert ET.parse(tmp_path / "e.svg").getroot().find(f"{S}rect[@class='band']") is not None
    assert cli("thematic-map", p, "--out", tmp_path / "f.svg", "--overarching").code == 0
    assert ET.parse(tmp_path / "f.svg").getroot().find(f"{S}rect[@class='band']") is None

    assert cli("thematic-map", p, "--out", tmp_path / "g.svg", "--codes", "Slow progress").code == 0
    assert _names(tmp_path / "g.svg") == ["Slow progress", "MDT"]


def test_exit_codes_and_the_output_guard(cli, tmp_path):
    p = _project(cli, tmp_path)
    r = cli("thematic-map", p, "--out", tmp_path / "x.svg", "--codes", "Nope")
    assert r.code == 2 and "Nope" in r.err and not (tmp_path / "x.svg").exists()
    r = cli("thematic-map", p, "--out", tmp_path / "x.svg", "--overarching", "Nope")
    assert r.code == 2 and not (tmp_path / "x.svg").exists()
    assert cli("thematic-map", p, "--out", tmp_path / "x.svg", "--depth", "0").code == 2
    assert cli("thematic-map", p, "--out", tmp_path / "x.gif").code == 2
    empty = tmp_path / "empty.qlite"
    assert cli("new", empty).code == 0
    r = cli("thematic-map", empty, "--out", tmp_path / "x.svg")
    assert r.code == 1 and "nothing to draw" in r.err and not (tmp_path / "x.svg").exists()
    assert cli("thematic-map", p, "--out", tmp_path / "x.svg").code == 0
    assert cli("thematic-map", p, "--out", tmp_path / "x.svg").code == 1  # exists: needs --force
    assert cli("thematic-map", p, "--out", tmp_path / "x.svg", "--force").code == 0
    link = tmp_path / "project.svg"
    link.symlink_to(p)  # the project under another name: never replaced, not even with --force
    before = p.read_bytes()
    assert cli("thematic-map", p, "--out", link, "--force").code == 1
    assert p.read_bytes() == before


def test_png_is_an_image_of_the_expected_size_and_docx_has_the_figure(cli, tmp_path):
    p = _project(cli, tmp_path)
    assert cli("thematic-map", p, "--out", tmp_path / "m.svg").code == 0
    root = ET.parse(tmp_path / "m.svg").getroot()
    w, h = int(root.get("width")), int(root.get("height"))
    assert cli("thematic-map", p, "--out", tmp_path / "m.png").code == 0
    data = (tmp_path / "m.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (2 * w, 2 * h)
    assert cli("thematic-map", p, "--out", tmp_path / "m.pdf").code == 0
    assert (tmp_path / "m.pdf").read_bytes()[:5] == b"%PDF-"
    r = cli("thematic-map", p, "--out", tmp_path / "m.docx", "--caption", "Findings", "--footnote", "MDT = team.")
    assert r.code == 0, r.err
    d = docx.Document(str(tmp_path / "m.docx"))
    cap = [x for x in d.paragraphs if x.style.name == "Caption"]
    assert len(cap) == 1 and cap[0].text == "Figure 1 Findings"
    assert "SEQ Figure" in cap[0]._p.xml
    assert len(d.inline_shapes) == 1 and d.paragraphs[-1].text == "MDT = team."
