"""The targets each figure is judged against, at research scale (1x) and at ten times the data.

1x is the default project (200 sources x 50,000 characters, 20,000 codings); a run with at least
five times that much text is judged against the 10x targets (issue 17's second table). A target is
``(comparison, seconds)``; memory targets are RSS peaks in MB. ``TODAY`` files (``--today``) hold
the figures of the commit before a piece of speed work, so each figure can be shown with its ratio.
"""

from __future__ import annotations

from typing import Any

DEFAULT_TEXT = 200 * 50_000

# key -> (comparison, seconds)
TIME_1X: dict[str, tuple[str, float]] = {
    "create": ("<=", 1.5),
    "import_big": ("<=", 4.0),
    "open_gui": ("<", 1.0),
    "open_source": ("<=", 0.030),
    "apply_code": ("<=", 0.016),
    "undo": ("<=", 0.016),
    "redo": ("<=", 0.016),
    "apply_after_matrix": ("<=", 0.016),
    "retrieval": ("<", 0.200),
    "search_word": ("<", 0.050),
    "search_phrase": ("<", 0.050),
    "search_word_first": ("<", 0.050),
    "search_phrase_first": ("<", 0.050),
    "matrix_core": ("<", 0.300),
    "matrix_gui": ("<", 0.300),
    "report": ("<", 5.0),
    "qdpx_export": ("<", 3.0),
    "qdpx_import": ("<=", 2.0),
    "agreement": ("<", 1.0),
    "stall_gui_import": ("<=", 0.050),
    "stall_gui_export": ("<=", 0.050),
    "stall_gui_merge": ("<=", 0.050),
    "stall_gui_agreement": ("<=", 0.050),
    "stall_gui_postings": ("<=", 0.050),
}
MEMORY_1X: dict[str, float] = {}
PEAK_1X = 400.0

TIME_10X: dict[str, tuple[str, float]] = dict(TIME_1X) | {
    "create": ("<", 15.0),
    "open_source": ("<", 0.050),
    "retrieval": ("<", 0.200),
    "search_word": ("<", 0.100),
    "search_phrase": ("<", 0.100),
    "search_word_first": ("<", 0.100),  # issue 17: "< 100 ms (first page of hits sooner)"
    "search_phrase_first": ("<", 0.100),
    "agreement": ("<", 1.5),
    "report": ("<", 8.0),
    "qdpx_export": ("<", 8.0),
    "qdpx_import": ("<", 20.0),
}
MEMORY_10X: dict[str, float] = {"create": 400.0, "qdpx_export": 500.0, "qdpx_import": 500.0, "report": 400.0}
PEAK_10X = 500.0


def scale(params: dict[str, Any]) -> str:
    """'10x' when the project holds at least five times the default text, else '1x'."""
    return "10x" if params["n_sources"] * params["chars"] >= 5 * DEFAULT_TEXT else "1x"


def for_params(params: dict[str, Any]) -> tuple[dict[str, tuple[str, float]], dict[str, float], float]:
    """(time targets, per-operation memory targets, peak memory target) for a run of this size."""
    if scale(params) == "10x":
        return TIME_10X, MEMORY_10X, PEAK_10X
    return TIME_1X, MEMORY_1X, PEAK_1X


def met(value: float, target: tuple[str, float]) -> bool:
    comparison, limit = target
    return value <= limit if comparison == "<=" else value < limit


def judge(rows: dict[str, dict], params: dict[str, Any]) -> float:
    """Set each row's target, pass and memory verdict for this scale; returns the peak memory target."""
    times, memory, peak = for_params(params)
    for key, row in rows.items():
        target = times.get(key)
        row["target"] = list(target) if target else None
        row["target_s"] = target[1] if target else None
        row["target_mb"] = memory.get(key)
        ok = row.get("status") == "ok"
        row["pass"] = met(row["median_s"], target) if ok and target else None
        rss = row.get("rss_peak_mb")
        row["memory_pass"] = (rss < memory.get(key, peak)) if ok and rss is not None else None
    return peak


def add_today(report: dict, today: dict) -> None:
    """Each figure's ratio to the same figure before the work (today / now: 2.0 = twice as fast)."""
    report["today"] = {"source": today.get("source") or today.get("commit") or "", "params": today.get("params")}
    size = ("n_sources", "chars", "codes", "codings")
    theirs = today.get("params") or {}
    if any(theirs.get(k) != report["params"].get(k) for k in size):
        raise SystemExit(f"--today: that run is of another project size ({[theirs.get(k) for k in size]}, "
                         f"this one {[report['params'].get(k) for k in size]})")
    for key, row in report["operations"].items():
        old = today.get("operations", {}).get(key, {})
        if row.get("status") == "ok" and old.get("median_s"):
            row["today_s"] = old["median_s"]
            row["ratio"] = old["median_s"] / row["median_s"]
            if old.get("rss_peak_mb"):
                row["today_rss_mb"] = old["rss_peak_mb"]
