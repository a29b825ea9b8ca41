"""The benchmark scripts keep working (CI runs the tiny version; no assertions on time)
and the project generator keeps its promises."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

import make_project as mp  # noqa: E402
import run as bench  # noqa: E402

# Operations that need only the foundation and the workbench: they must always run.
ALWAYS = ("create", "open_core", "open_gui", "open_source", "apply_code", "undo", "redo", "apply_after_matrix", "retrieval", "search_word",
          "search_phrase", "autocode", "matrix_core", "matrix_gui")


def _env(tmp_path: Path) -> dict:
    env = os.environ.copy()
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["QUALCODER_LITE_CONFIG_DIR"] = str(tmp_path / "config")
    env["QUALCODER_LITE_DATA_DIR"] = str(tmp_path / "data")
    return env


def test_quick_benchmark_runs_and_reports_every_operation(tmp_path):
    out = tmp_path / "tmp.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--repeat", "1", "--json", str(out),
         "--out-dir", str(tmp_path / "cache")],
        capture_output=True, text=True, timeout=600, env=_env(tmp_path), cwd=str(tmp_path),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    ops = report["operations"]
    assert set(ops) == set(bench.OP_KEYS)
    for key, row in ops.items():
        assert row["status"] in ("ok", "n/a"), (key, row["note"])
        if key in ALWAYS:
            assert row["status"] == "ok", (key, row["note"])
        if row["status"] == "ok":
            for field in ("median_s", "min_s", "max_s"):
                assert isinstance(row[field], float) and row[field] >= 0, (key, field, row[field])
            assert len(row["times_s"]) == 1
            assert row["min_s"] <= row["median_s"] <= row["max_s"]
            assert row["rss_peak_mb"] is None or row["rss_peak_mb"] > 0
            assert isinstance(row["py_peak_mb"], float)
        else:
            assert row["median_s"] is None and row["note"]
    assert report["params"]["n_sources"] == bench.QUICK["n_sources"]
    # the printed table is Markdown with a row per operation
    assert "| Operation | Median |" in proc.stdout
    assert proc.stdout.count("\n|") >= len(bench.OP_KEYS)


def _project_facts(path: Path) -> dict:
    from qualcoder_lite.core.project import open_project

    with open_project(path) as p:
        names = {s.id: s.name for s in p.sources.all()}
        codes = {c.id: c for c in p.codes.all()}
        return {
            "texts": {s.name: p.sources.text(s.id) for s in p.sources.all()},
            "codes": sorted((c.path, c.color, c.description) for c in codes.values()),
            "codings": sorted(
                (names[c.source_id], codes[c.code_id].path, c.coder, c.start, c.end, c.memo)
                for sid in names for c in p.codings.for_source(sid)
            ),
            "attributes": {c.name: v for c in p.cases.all() for cid, v in p.attributes.case_values().items()
                           if cid == c.id},
            "summaries": sorted(p.matrix.summaries().values()),
        }


def test_generator_guarantees_scale_with_the_size(tmp_path):
    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.units import sentences

    n_sources, chars, n_codes, n_codings = 6, 3_000, 12, 300
    path = mp.build(tmp_path / "small.qlite", n_sources, chars, n_codes, n_codings, seed=3)
    code_min, source_min = mp.guarantees(n_sources, n_codings)
    assert (code_min, source_min) == (math.ceil(n_codings / 4), min(n_codings, math.ceil(5 * n_codings / n_sources)))
    with open_project(path) as p:
        assert p.codings.count() == n_codings
        counts = p.codes.counts()
        assert max(n for n, _s, _c in counts.values()) >= code_min
        sources = p.sources.all()
        assert len(sources) == n_sources
        assert max(s.codings for s in sources) >= source_min
        assert all(len(s.cases) == 1 and s.length <= chars for s in sources)
        assert max(len(c.path) for c in p.codes.all()) == 3 and p.codes.count() == n_codes
        attrs = {a.name: a.type for a in p.attributes.all("case")}
        assert attrs == {"wave": "number", "role": "text", "board_type": "text", "years_qualified": "number"}
        values = p.attributes.case_values()
        assert all(len(v) == 4 for v in values.values()) and len(values) == n_sources
        assert {v["wave"] for v in values.values()} <= {"2016", "2021"}
        assert {c.name for c in p.coders.all()} == {"alex", "sam"}
        assert p.sources.speaker_roles() == {"Interviewer": "interviewer"}
        texts = {s.id: p.sources.text(s.id) for s in sources}
        assert any(not t.isascii() for t in texts.values())
        overlapping = aligned = 0
        for s in sources:
            turns = p.sources.turns(s.id)
            assert {t.speaker for t in turns} == {"Interviewer", s.cases[0]}
            starts = {a for a, _b in sentences(texts[s.id], turns)}
            ends = {b for _a, b in sentences(texts[s.id], turns)}
            codings = p.codings.for_source(s.id)
            aligned += sum(c.start in starts and c.end in ends for c in codings)
            overlapping += sum(1 for a in codings for b in codings
                               if a.coder == "alex" and b.coder == "sam" and a.start < b.end and b.start < a.end)
        assert aligned >= 0.7 * n_codings  # "snapped to sentence boundaries mostly"
        assert overlapping > 0  # the two coders overlap
        assert p.matrix.summaries() and p.memos.list("journal")


def test_default_size_promises_5000_segments_and_500_codings():
    assert mp.guarantees(200, 20_000) == (5_000, 500)
    assert mp.guarantees(800, 80_000) == (20_000, 500)


def test_same_seed_same_project_other_seed_other_text(tmp_path):
    a = _project_facts(mp.build(tmp_path / "a.qlite", 4, 2_000, 10, 120, seed=7))
    b = _project_facts(mp.build(tmp_path / "b.qlite", 4, 2_000, 10, 120, seed=7))
    assert a == b
    c = _project_facts(mp.build(tmp_path / "c.qlite", 4, 2_000, 10, 120, seed=8))
    assert c["texts"] != a["texts"] and c["codings"] != a["codings"]


def test_build_refuses_to_overwrite_without_force(tmp_path):
    path = mp.build(tmp_path / "x.qlite", 2, 1_000, 3, 20)
    with pytest.raises(FileExistsError):
        mp.build(path, 2, 1_000, 3, 20)
    assert mp.build(path, 2, 1_000, 3, 20, force=True) == path
    assert not path.with_name(path.name + ".tmp").exists()


def test_qt_calls_do_not_exhaust_none(tmp_path):
    """PySide6 6.12 on Python 3.11 drops a reference to None per void Qt call; the GUI
    package makes None immortal so that a long session (or this benchmark) cannot abort."""
    code = (
        "import qualcoder_lite.gui\n"
        "from PySide6.QtGui import QTextCursor, QTextDocument\n"
        "doc = QTextDocument('x' * 100)\n"
        "cur = QTextCursor(doc)\n"
        "for i in range(200_000):\n"
        "    cur.setPosition(i % 50)\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env=_env(tmp_path), cwd=str(ROOT))
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]
