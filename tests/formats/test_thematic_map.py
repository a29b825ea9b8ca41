"""Figure 1, the thematic map, as SVG (no Qt): every name is <text>, no two boxes overlap,
long names wrap instead of clipping, --depth cuts the tree, overarching themes form a band
and are remembered through an undoable command."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

from qualcoder_lite.core.formats import thematic_map as tm
from qualcoder_lite.core.formats.thematic_map import MapNode
from qualcoder_lite.core.project import new_project
from qualcoder_lite.core.services.coding.codes import AddCode
from qualcoder_lite.core.services.quotes.thematic_map import SetOverarching, map_nodes, overarching_codes

S = "{http://www.w3.org/2000/svg}"


def parse(svg: str):
    return ET.fromstring(svg.encode("utf-8"))


def boxes(root) -> list[dict]:
    """Each node group: its rect, its kind and its name (its name lines joined)."""
    out = []
    for g in root.iter(f"{S}g"):
        rect = g.find(f"{S}rect")
        names = [t.text or "" for t in g.findall(f"{S}text") if t.get("class") == "name"]
        out.append({"kind": g.get("class").split()[1], "code": g.get("data-code"),
                    "x": float(rect.get("x")), "y": float(rect.get("y")),
                    "w": float(rect.get("width")), "h": float(rect.get("height")),
                    "lines": names, "name": " ".join(names),
                    "texts": [(float(t.get("x")), float(t.get("y")), float(t.get("font-size")),
                               t.get("font-weight") == "bold", t.text or "") for t in g.findall(f"{S}text")]})
    return out


def overlap(a, b) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


def big_tree(n_themes=8, n_subs=8) -> list[MapNode]:
    return [MapNode(f"Theme {t} <&> \"quoted\" with a name long enough to wrap over lines", f"T{t}", "#3366cc",
                    [MapNode(f"Sub-theme {t}.{s} " + "words " * (s % 4), f"T{t}/S{s}") for s in range(n_subs)])
            for t in range(n_themes)]


def test_every_name_is_text_and_no_boxes_overlap_at_8_by_8():
    themes = big_tree()
    over = [MapNode("Time", "Time", children=[MapNode("not enough time")]), MapNode("Relationships", "R")]
    svg = tm.to_svg(tm.layout(themes, over), colors=True)
    root = parse(svg)  # well-formed: names with < & > " are escaped
    assert not list(root.iter(f"{S}path"))
    found = boxes(root)
    names = [b["name"] for b in found]
    expected = [t.name for t in themes] + [s.name.strip() for t in themes for s in t.children] + ["Time", "Relationships"]
    assert sorted(names) == sorted(" ".join(n.split()) for n in expected)
    assert len(found) == 8 + 64 + 2
    for a, b in itertools.combinations(found, 2):
        assert not overlap(a, b), (a["name"], b["name"])
    # every box lies inside the picture
    w, h = float(root.get("width")), float(root.get("height"))
    assert all(b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["w"] <= w and b["y"] + b["h"] <= h for b in found)
    # the band runs across the foot, under every theme column, and holds the overarching boxes
    band = root.find(f"{S}rect[@class='band']")
    bx, by, bw, bh = (float(band.get(k)) for k in ("x", "y", "width", "height"))
    lowest = max(b["y"] + b["h"] for b in found if b["kind"] != "overarching")
    assert by > lowest and bw >= max(b["x"] + b["w"] for b in found) - bx
    for b in (b for b in found if b["kind"] == "overarching"):
        assert bx <= b["x"] and b["x"] + b["w"] <= bx + bw and by <= b["y"] and b["y"] + b["h"] <= by + bh
    time = next(b for b in found if b["name"] == "Time")
    assert [t[4] for t in time["texts"]][1:] == ["not enough time"]


def test_long_names_wrap_inside_their_box_never_clipped():
    long_word = "Supercalifragilisticexpialidocious" * 2
    themes = [MapNode("A theme whose name is far longer than one box is wide, so it must wrap", "A",
                      children=[MapNode(f"sub {long_word} end", "A/s")])]
    root = parse(tm.to_svg(tm.layout(themes)))
    theme, sub = boxes(root)
    assert len(theme["lines"]) > 1 and len(sub["lines"]) > 2
    assert "".join(sub["lines"]).replace(" ", "") == f"sub{long_word}end"  # broken, nothing lost
    for b in (theme, sub):
        bottom = max(y for _, y, _, _, _ in b["texts"])
        assert bottom <= b["y"] + b["h"]
        for x, _, size, bold, text in b["texts"]:
            assert x >= b["x"] and x + tm.text_width(text, size, bold) <= b["x"] + b["w"], text


def _project(tmp_path):
    p = new_project(tmp_path / "m.qlite", coder="t")
    for path in ("Support", "Support/Aims", "Support/Aims/QOF", "Progress", "Progress/MDT", "Time", "Time/Workload"):
        p.execute(AddCode(path))
    return p


def test_depth_and_overarching_are_remembered_and_undoable(tmp_path):
    with _project(tmp_path) as p:
        themes, over = map_nodes(p, depth=2)
        assert [t.name for t in themes] == ["Support", "Progress", "Time"] and over == []
        assert [c.name for c in themes[0].children] == ["Aims"] and themes[0].children[0].children == []
        themes, _ = map_nodes(p, depth=3)
        assert [c.name for c in themes[0].children[0].children] == ["QOF"]
        themes, _ = map_nodes(p, depth=1)
        assert all(not t.children for t in themes)

        cmd = SetOverarching([p.codes.resolve("Time").id])
        p.execute(cmd)
        themes, over = map_nodes(p)
        assert [t.name for t in themes] == ["Support", "Progress"]
        assert [o.name for o in over] == ["Time"] and [c.name for c in over[0].children] == ["Workload"]
        p.undo(cmd)
        assert overarching_codes(p) == []
        p.redo(cmd)
        assert [c.name for c in overarching_codes(p)] == ["Time"]


def test_rows_are_balanced():
    def tops(n):
        lay = tm.layout([MapNode(f"T{i}") for i in range(n)])
        ys: dict[float, int] = {}
        for b in lay.boxes:
            ys[b.y] = ys.get(b.y, 0) + 1
        return [ys[y] for y in sorted(ys)]

    assert tops(3) == [3] and tops(4) == [4] and tops(5) == [3, 2] and tops(8) == [4, 4] and tops(9) == [3, 3, 3]
