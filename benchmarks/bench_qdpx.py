"""Time REFI-QDA export and import on a large synthetic project.

    python benchmarks/bench_qdpx.py [--sources 200] [--chars 50000] [--codings 20000] [--keep DIR]

Builds the project through the core services (one bulk command per step), then times
``export_qdpx`` (target < 3 s) and ``import_qdpx`` into a new file (target < 5 s) and prints
a table. Texts carry curly quotes, accented letters and an emoji now and then, so the
offset checks do real work. Not part of the test run.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from qualcoder_lite.core.commands import Macro  # noqa: E402
from qualcoder_lite.core.project import new_project, open_project  # noqa: E402
from qualcoder_lite.core.services.sources.attributes import AttributeTable, ImportAttributes  # noqa: E402
from qualcoder_lite.core.services.coding.codes import AddCode  # noqa: E402
from qualcoder_lite.core.services.coding.coding import ApplyCode  # noqa: E402
from qualcoder_lite.core.services.sources.importing import ImportSources, PreparedSource  # noqa: E402
from qualcoder_lite.core.services.refi.interop import export_qdpx, import_qdpx  # noqa: E402
from qualcoder_lite.core.services.coding.memos import AddMemo  # noqa: E402
from qualcoder_lite.core.services.matrix.summaries import SetCellSummary  # noqa: E402
from qualcoder_lite.core.units import detect_turns  # noqa: E402

WORDS = ("the service link worker patient referral GP practice time waiting list community support "
         "really think because people café naïve it’s “difficult” we they about would could 😀").split()


def make_text(rng: random.Random, n_chars: int, who: str) -> str:
    parts, size, turn = [], 0, 0
    while size < n_chars:
        speaker = "Interviewer" if turn % 2 == 0 else who
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 80)))
        para = f"{speaker}: {words[0].upper()}{words[1:]}.\n\n"
        parts.append(para)
        size += len(para)
        turn += 1
    return "".join(parts)[:n_chars].rstrip() + "\n"


def word_spans(text: str, rng: random.Random, n: int) -> list[tuple[int, int]]:
    starts = [i for i in range(1, len(text)) if text[i - 1] == " " and text[i] != " "]
    out = set()
    while len(out) < n:
        a = rng.choice(starts)
        b = text.find(" ", a + rng.randint(10, 300))
        if b > a:
            out.add((a, b))
    return sorted(out)


def build(path: Path, n_sources: int, n_chars: int, n_codings: int, seed: int = 6):
    rng = random.Random(seed)
    p = new_project(path, coder="bench")
    prepared = []
    for i in range(n_sources):
        text = make_text(rng, n_chars, f"P{i:03d}")
        prepared.append(PreparedSource(Path(f"P{i:03d}.txt"), f"P{i:03d} interview", text, "txt",
                                       detect_turns(text), f"P{i:03d}"))
    p.execute(ImportSources(prepared))
    themes = [f"Theme {t}" for t in range(10)]
    p.execute(Macro("codes", [AddCode([t, f"Code {t}.{c}"], description=f"about {t} {c}")
                              for t in themes for c in range(4)]))
    leaves = [c.id for c in p.codes.all() if len(c.path) == 2]
    spans: dict[int, list[tuple[int, int, int]]] = {leaf: [] for leaf in leaves}
    sources = p.sources.all()
    for i, s in enumerate(sources):
        k = n_codings // len(sources) + (1 if i < n_codings % len(sources) else 0)
        for j, (a, b) in enumerate(word_spans(p.sources.text(s.id), rng, k)):
            spans[leaves[(i + j) % len(leaves)]].append((s.id, a, b))
    p.execute(Macro("codings", [ApplyCode(0, leaf, 0, 0, coder=("bench", "second coder")[n % 2], spans=sp)
                                for n, (leaf, sp) in enumerate(spans.items())]))
    cases = [c.name for c in p.cases.all()]
    rows = [(c, {"wave": rng.choice(["2016", "2021"]), "area": rng.choice(["urban", "rural"])}) for c in cases]
    p.execute(ImportAttributes(AttributeTable(Path("cases.csv"), ["wave", "area"],
                                              {"wave": "number", "area": "text"}, rows)))
    cmds = [SetCellSummary(p.cases.id_of(c), rng.choice(leaves), f"summary for {c}") for c in cases]
    cmds += [AddMemo("journal", f"entry {i}", title=f"day {i}") for i in range(20)]
    p.execute(Macro("summaries", cmds))
    return p


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=200)
    ap.add_argument("--chars", type=int, default=50_000)
    ap.add_argument("--codings", type=int, default=20_000)
    ap.add_argument("--keep", metavar="DIR", help="build in DIR and keep the files")
    args = ap.parse_args(argv)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-qdpx-"))
    folder.mkdir(parents=True, exist_ok=True)
    src = folder / "bench.qlite"
    for f in (src, folder / "bench.qdpx", folder / "reimported.qlite", folder / "foreign.qdpx",
              folder / "foreign.qlite"):
        if f.exists():
            f.unlink()

    t0 = time.perf_counter()
    build(src, args.sources, args.chars, args.codings).close()
    t_build = time.perf_counter() - t0

    with open_project(src, coder="bench") as p:
        n = p.codings.count()
        t0 = time.perf_counter()
        export_qdpx(p, folder / "bench.qdpx")
        t_export = time.perf_counter() - t0

    t0 = time.perf_counter()
    report = import_qdpx(folder / "bench.qdpx", folder / "reimported.qlite", coder="bench")
    t_import = time.perf_counter() - t0
    assert report.counts["codings"] == n and not report.kept_aside_selections, report.details()

    # the same archive as if another program wrote it: offsets are checked against the texts
    foreign = folder / "foreign.qdpx"
    with zipfile.ZipFile(folder / "bench.qdpx") as zin, zipfile.ZipFile(foreign, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "project.qde":
                data = re.sub(rb'origin="[^"]*"', b'origin="Another tool 1.0"', data, count=1)
            zout.writestr(name, data)
    t0 = time.perf_counter()
    report = import_qdpx(foreign, folder / "foreign.qlite", coder="bench")
    t_foreign = time.perf_counter() - t0
    assert report.counts["codings"] == n and not report.kept_aside_selections, report.details()

    mb = lambda f: f.stat().st_size / 1e6  # noqa: E731
    print(f"project: {args.sources} sources x {args.chars:,} chars, {n:,} codings "
          f"({mb(src):.1f} MB project, {mb(folder / 'bench.qdpx'):.1f} MB .qdpx)")
    print(f"{'step':<28}{'seconds':>9}{'target':>9}  ok")
    rows = [("build (services, not timed)", t_build, None), ("export .qdpx", t_export, 3.0),
            ("import .qdpx (new project)", t_import, 5.0), ("import, offsets checked", t_foreign, 5.0)]
    for name, secs, target in rows:
        tgt = f"< {target:.0f} s" if target else ""
        ok = "" if target is None else ("yes" if secs < target else "NO")
        print(f"{name:<28}{secs:>9.2f}{tgt:>9}  {ok}")
    if not args.keep:
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()
    return 0 if t_export < 3.0 and max(t_import, t_foreign) < 5.0 else 1


if __name__ == "__main__":
    sys.exit(main())
