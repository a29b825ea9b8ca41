"""``annotate``/``annotations`` and ``link``/``links``: JSON shapes, sorting, usage errors."""

from __future__ import annotations


def _project(cli, tmp_path):
    proj = tmp_path / "p.qlite"
    (tmp_path / "P1.txt").write_text("P1: The reforms 😀 were rushed.\nWe had no time.\n", encoding="utf-8")
    (tmp_path / "P2.txt").write_text("P2: Funding came late.\n", encoding="utf-8")
    assert cli("new", proj, "--coder", "ann").code == 0
    assert cli("import", proj, tmp_path / "P1.txt", tmp_path / "P2.txt").code == 0
    return proj


def test_annotate_and_list_as_json(cli, tmp_path):
    proj = _project(cli, tmp_path)
    r = cli("annotate", proj, "--source", "P1", "--start", "17", "--end", "28", "--text", "rushed? ask", "--coder", "bo")
    assert r.code == 0, r.err
    assert cli("annotate", proj, "--source", "P2", "--start", "4", "--end", "11", "--text", "which year").code == 0
    assert cli("annotate", proj, "--source", "P1", "--start", "4", "--end", "15", "--text", "first").code == 0
    r = cli("annotations", proj, "--json")
    assert r.code == 0 and r.err == ""
    got = r.json()
    assert [list(a) for a in got] == [["source", "start", "end", "text", "author", "created"]] * 3
    assert [(a["source"], a["start"], a["end"], a["text"]) for a in got] == [
        ("P1", 4, 15, "first"), ("P1", 17, 28, "rushed? ask"), ("P2", 4, 11, "which year")]
    assert got[1]["author"] == "bo" and got[0]["created"]
    only = cli("annotations", proj, "--source", "P2", "--json").json()
    assert [a["text"] for a in only] == ["which year"]
    text = cli("annotations", proj).out
    assert "P1 17–28 (bo" in text and "rushed? ask" in text


def test_annotate_usage_errors_exit_2(cli, tmp_path):
    proj = _project(cli, tmp_path)
    r = cli("annotate", proj, "--source", "nope", "--start", "0", "--end", "3", "--text", "x")
    assert r.code == 2 and "no source named 'nope'" in r.err
    r = cli("annotate", proj, "--source", "P1", "--start", "5", "--end", "500", "--text", "x")
    assert r.code == 2 and "outside the source" in r.err
    assert cli("annotations", proj, "--json").json() == []


def test_link_and_links_json(cli, tmp_path):
    proj = _project(cli, tmp_path)
    assert cli("link", proj, "--source", "P1", "--start", "4", "--end", "15", "--to-source", "P2",
               "--to-start", "4", "--to-end", "11").code == 0
    assert cli("link", proj, "--source", "P2", "--start", "0", "--end", "3", "--to-source", "P1").code == 0
    r = cli("link", proj, "--source", "P2", "--start", "0", "--end", "3", "--to-source", "P1", "--to-start", "1")
    assert r.code == 2
    got = cli("links", proj, "--json").json()
    assert [{k: v for k, v in x.items() if k not in ("author", "created")} for x in got] == [
        {"source": "P1", "start": 4, "end": 15, "to_source": "P2", "to_start": 4, "to_end": 11},
        {"source": "P2", "start": 0, "end": 3, "to_source": "P1", "to_start": None, "to_end": None}]
    assert len(cli("links", proj, "--source", "P1", "--json").json()) == 2
    assert "P2 0–3 → P1" in cli("links", proj).out
