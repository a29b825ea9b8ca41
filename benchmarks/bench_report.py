"""Benchmark the Word exports on a synthetic project (issue 4).

    python benchmarks/bench_report.py [--quotes 5000] [--tables 60] [--keep DIR]

Builds a project through the core services (40 participants with two attributes, 60 themes
with two sub-codes each, the requested number of codings spread over them), then times, in a
fresh child process so peak memory is the export's own:

* selecting the quotes (``build_report``) and writing the quote report (.docx);
* the live preview (first table only, as HTML);
* the codebook (.docx and .csv) and a coded transcript of the most-coded source.

Target (issue 4): 5,000 quotes in 60 tables in < 5 s and < 300 MB peak memory.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WORDS = ("the practice link worker patient referral support group time service community money "
         "housing phone list team doctor nurse waiting weeks contract funding training worry help "
         "really think said because about would could there their people every other").split()


def _sentence(rng: random.Random) -> str:
    n = rng.randint(8, 22)
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice((".", ".", ".", "?", "!"))


def build_project(path: Path, quotes: int, tables: int, cases: int = 40, seed: int = 4) -> dict:
    """A project file at ``path`` with ``quotes`` codings over ``tables`` themes."""
    from qualcoder_lite.core.project import new_project
    from qualcoder_lite.core.services.sources.attributes import AttributeTable, ImportAttributes
    from qualcoder_lite.core.services.coding.codes import AddCode
    from qualcoder_lite.core.services.coding.coding import ApplyCode
    from qualcoder_lite.core.services.sources.importing import ImportSources, PreparedSource
    from qualcoder_lite.core.services.coding.speakers import SetSpeakerRole
    from qualcoder_lite.core.units import detect_turns

    rng = random.Random(seed)
    t0 = time.perf_counter()
    project = new_project(path, coder="bench")
    prepared, answers = [], {}
    for i in range(1, cases + 1):
        name = f"P{i:02d}"
        parts, spans, pos = [], [], 0
        for _turn in range(60):
            q = f"Interviewer: {_sentence(rng)}\n\n"
            parts.append(q)
            pos += len(q)
            label = f"{name}: "
            body = " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))
            spans.append((pos + len(label), pos + len(label) + len(body)))
            chunk = f"{label}{body}\n\n"
            parts.append(chunk)
            pos += len(chunk)
        text = "".join(parts)
        answers[name] = spans
        prepared.append(PreparedSource(Path(name + ".txt"), name, text, "txt", detect_turns(text), name))
    project.execute(ImportSources(prepared))
    project.execute(SetSpeakerRole("Interviewer", "interviewer"))
    rows = [(f"P{i:02d}", {"wave": rng.choice(("2016", "2021")),
                           "health_board": rng.choice(("urban", "rural", "remote and rural", ""))})
            for i in range(1, cases + 1)]
    project.execute(ImportAttributes(AttributeTable(path, ["wave", "health_board"],
                                                    {"wave": "number", "health_board": "text"}, rows)))
    leaves = []
    for t in range(1, tables + 1):
        for s in (1, 2):
            cmd = AddCode(f"Theme {t:02d}/Sub-theme {t:02d}.{s}", description=f"Sub-theme {s} of theme {t}.")
            project.execute(cmd)
            leaves.append(cmd.result)
    sources = {s.name: s.id for s in project.sources.all()}
    per_code: dict[int, list[tuple[int, int, int]]] = {}
    for n in range(quotes):
        code_id = leaves[n % len(leaves)]
        name = f"P{rng.randint(1, cases):02d}"
        a, b = rng.choice(answers[name])
        start = rng.randint(a, max(a, (a + b) // 2))
        end = min(b, start + rng.randint(80, 400))
        per_code.setdefault(code_id, []).append((sources[name], start, end))
    for code_id, spans in per_code.items():
        project.execute(ApplyCode(spans[0][0], code_id, 0, 1, spans=sorted(set(spans))))
    n_codings = project.codings.count()
    project.close()
    return {"codings": n_codings, "build_s": time.perf_counter() - t0}


def run_exports(path: Path, out_dir: Path) -> dict:
    """Time every export on an existing project; runs in a child process."""
    from qualcoder_lite.core.services.quotes.report_docx import write_quote_report
    from qualcoder_lite.core.services.quotes.report_html import table_html
    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.quotes.exports import export_codebook, export_source
    from qualcoder_lite.core.services.quotes.quotes import ReportOptions
    from qualcoder_lite.core.services.quotes.report_build import build_report

    timings: dict[str, float] = {}
    with open_project(path) as project:
        opts = ReportOptions(cite="({case}, {health_board})", group_by="wave", group_label="{value} interviews",
                             merge_overlaps=False)
        t = time.perf_counter()
        report = build_report(project, opts)
        timings["select quotes"] = time.perf_counter() - t
        t = time.perf_counter()
        write_quote_report(report, out_dir / "report.docx")
        timings["write quote report"] = time.perf_counter() - t
        timings["quote report total"] = timings["select quotes"] + timings["write quote report"]
        t = time.perf_counter()
        first = build_report(project, opts, max_tables=1)
        table_html(first, first.tables[0])
        timings["live preview (first table)"] = time.perf_counter() - t
        t = time.perf_counter()
        for name in ("codebook.docx", "codebook.csv"):
            (out_dir / name).unlink(missing_ok=True)  # an export never replaces a file silently
            export_codebook(project, out_dir / name)
        timings["codebook .docx + .csv"] = time.perf_counter() - t
        busiest = max(project.sources.all(), key=lambda s: s.codings)
        t = time.perf_counter()
        export_source(project, busiest.name, out_dir / "transcript.docx")
        timings[f"coded transcript ({busiest.codings} codings)"] = time.perf_counter() - t
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        tracemalloc.start()
        report = build_report(project, opts)
        write_quote_report(report, out_dir / "report2.docx")
        _cur, py_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {"timings": timings, "tables": len(report.tables), "quotes": report.quote_count,
            "peak_rss_mb": peak_rss, "python_peak_mb": py_peak / 2**20,
            "docx_kb": (out_dir / "report.docx").stat().st_size / 1024}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quotes", type=int, default=5000)
    ap.add_argument("--tables", type=int, default=60)
    ap.add_argument("--keep", metavar="DIR", help="keep the project and outputs in DIR")
    ap.add_argument("--child", metavar="PROJECT", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(run_exports(Path(args.child), Path(args.child).parent)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        project = folder / "bench.qlite"
        if project.exists():
            project.unlink()
        built = build_project(project, args.quotes, args.tables)
        proc = subprocess.run([sys.executable, __file__, "--child", str(project)], capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            return 1
        res = json.loads(proc.stdout)
    print(f"synthetic project: {built['codings']:,} codings, built in {built['build_s']:.1f} s")
    print(f"quote report: {res['quotes']:,} quotes in {res['tables']} tables, {res['docx_kb']:.0f} KiB .docx\n")
    print(f"{'step':<40}{'seconds':>10}")
    for name, secs in res["timings"].items():
        print(f"{name:<40}{secs:>10.3f}")
    print(f"\n{'peak memory (RSS, whole child process)':<40}{res['peak_rss_mb']:>9.0f} MB")
    print(f"{'peak Python allocations (report only)':<40}{res['python_peak_mb']:>9.0f} MB")
    total = res["timings"]["quote report total"]
    ok = total < 5 and res["peak_rss_mb"] < 300
    print(f"\ntarget 5,000 quotes / 60 tables < 5 s and < 300 MB: {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
