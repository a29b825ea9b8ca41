"""The benchmark judges each figure against the target of its scale and shows its ratio to today."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import targets  # noqa: E402

ONE = {"n_sources": 200, "chars": 50_000, "codes": 60, "codings": 20_000, "seed": 1}
TEN = {"n_sources": 2000, "chars": 50_000, "codes": 60, "codings": 200_000, "seed": 1}


def _row(median: float, rss: float | None = None) -> dict:
    return {"status": "ok", "median_s": median, "rss_peak_mb": rss}


def test_the_scale_follows_the_amount_of_text():
    assert targets.scale(ONE) == "1x"
    assert targets.scale(TEN) == "10x"
    assert targets.scale(dict(ONE, n_sources=800)) == "1x"


def test_one_frame_is_met_at_16_ms_and_missed_above():
    rows = {"apply_code": _row(0.016), "undo": _row(0.0161)}
    targets.judge(rows, ONE)
    assert rows["apply_code"]["pass"] is True
    assert rows["undo"]["pass"] is False


def test_ten_times_the_data_has_its_own_targets_and_memory_limits():
    rows = {"search_word": _row(0.080, 100), "create": _row(14.0, 450)}
    peak = targets.judge(rows, TEN)
    assert peak == 500
    assert rows["search_word"]["pass"] is True  # < 100 ms at 10x, < 50 ms at 1x
    assert rows["create"]["pass"] is True and rows["create"]["memory_pass"] is False  # < 400 MB
    targets.judge(rows, ONE)
    assert rows["search_word"]["pass"] is False and rows["create"]["pass"] is False


def test_the_ratio_to_today_and_a_run_of_another_size_is_refused():
    report = {"params": ONE, "operations": {"apply_code": _row(0.020), "undo": {"status": "error", "median_s": None}}}
    targets.add_today(report, {"params": ONE, "source": "abc", "operations": {"apply_code": {"median_s": 0.040},
                                                                              "undo": {"median_s": 0.030}}})
    assert report["operations"]["apply_code"]["ratio"] == pytest.approx(2.0)
    assert "ratio" not in report["operations"]["undo"]
    with pytest.raises(SystemExit, match="another project size"):
        targets.add_today(report, {"params": TEN, "operations": {}})
