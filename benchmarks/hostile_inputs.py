"""Hostile input files for the resource limits (issue 12, item 9), and their cost.

    python benchmarks/hostile_inputs.py [--selections 320000] [--rows 1000000] [--out DIR]
                                        [--code DIR]

Writes the files below and imports each in a child process, printing wall time and peak
memory of the child (``VmHWM`` from ``/proc/self/status``, else ``ru_maxrss``; Linux
carries ``ru_maxrss`` over from the parent at fork, so it only serves from a small parent):

* ``dupes.qdpx``: one source, one code and ``--selections`` copies of one selection (same
  span and code, numbered GUIDs): 1.9 MB compressed at 320,000;
* ``spread.qdpx``: the same number of selections, each a different span;
* ``attrs.csv``: ``--rows`` rows of attribute values for case ids no case has (33 MB at
  1,000,000), imported into a new, empty project (with ``create_cases`` where the code
  has it: the most such a file can do);
* ``limit.qdpx`` and ``limit.csv``: the largest files the limits accept (5 sources of
  50,000 different selections; 100,000 rows), for the cost of the worst accepted input.

``--code DIR`` imports QualCoder Lite from another checkout (e.g. an older commit
unpacked with ``git archive``), for before/after figures.

Not part of the test run (tests/faults/test_hostile_limits.py checks refusals and a memory
ceiling, never times).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

NS = "urn:QDA-XML:project:1.0"
TEXT = "Interviewer: How was it?\nP1: It was fine, really quite fine.\n"
LONG = TEXT * 400  # 24,000 characters: room for many different spans


def write_dupes_qdpx(path: Path, n: int, distinct_guids: bool = True, spread: bool = False) -> None:
    """A .qdpx whose one source carries ``n`` identical selections (same span and code;
    numbered GUIDs, which compress well, unless ``distinct_guids`` is false)."""
    code, src, user = (str(uuid.uuid4()) for _ in range(3))
    sel = str(uuid.uuid4())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("project.qde", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<Project xmlns="{NS}" name="dupes" '
                     f'origin="hostile">\n<Users><User guid="{user}" name="u"/></Users>\n'
                     f'<CodeBook><Codes><Code guid="{code}" name="c" isCodable="true"/></Codes></CodeBook>\n'
                     f'<Sources><TextSource guid="{src}" name="s" plainTextPath="internal://{src}.txt">\n'
                     .encode())
            for i in range(n):
                g = f"{sel[:24]}{i:012x}" if distinct_guids else sel
                a, b = (i % 23_000, i % 23_000 + 10 + i // 23_000) if spread else (26, 40)
                fh.write(f'<PlainTextSelection guid="{g}" startPosition="{a}" endPosition="{b}" '
                         f'creatingUser="{user}"><Coding guid="{g}" creatingUser="{user}">'
                         f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>\n'.encode())
            fh.write(b"</TextSource></Sources>\n</Project>\n")
        zf.writestr(f"sources/{src}.txt", LONG if spread else TEXT)


def write_limit_qdpx(path: Path, sources: int = 5, per_source: int = 50_000) -> None:
    """``sources`` sources of ``per_source`` different selections each."""
    code, user = str(uuid.uuid4()), str(uuid.uuid4())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        srcs = [str(uuid.uuid4()) for _ in range(sources)]
        with zf.open("project.qde", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<Project xmlns="{NS}" name="limit" '
                     f'origin="hostile">\n<Users><User guid="{user}" name="u"/></Users>\n'
                     f'<CodeBook><Codes><Code guid="{code}" name="c" isCodable="true"/></Codes></CodeBook>\n'
                     '<Sources>\n'.encode())
            for k, src in enumerate(srcs):
                fh.write(f'<TextSource guid="{src}" name="s{k}" plainTextPath="internal://{src}.txt">\n'.encode())
                for i in range(per_source):
                    g = f"{src[:24]}{i:012x}"
                    a, b = i % 23_000, i % 23_000 + 10 + i // 23_000
                    fh.write(f'<PlainTextSelection guid="{g}" startPosition="{a}" endPosition="{b}" '
                             f'creatingUser="{user}"><Coding guid="{g}" creatingUser="{user}">'
                             f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>\n'.encode())
                fh.write(b"</TextSource>\n")
            fh.write(b"</Sources>\n</Project>\n")
        for src in srcs:
            zf.writestr(f"sources/{src}.txt", LONG)


def write_attrs_csv(path: Path, rows: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("case,wave,role,board\n")
        for i in range(rows):
            fh.write(f"X{i:07d},2016,PCS,urban affluent\n")


CHILD = r"""
import inspect, resource, sys, time
sys.path.insert(0, sys.argv[1])
what, a, b = sys.argv[2:5]
t = time.perf_counter()
try:
    if what == "qdpx":
        from qualcoder_lite.core.services.refi.interop import import_qdpx
        r = import_qdpx(a, b, coder="bench")
        outcome = r.summary()
    else:
        from qualcoder_lite.core.project import new_project
        from qualcoder_lite.core.services.sources.attributes import import_attributes
        create = {"create_cases": True} if "create_cases" in inspect.signature(import_attributes).parameters else {}
        with new_project(b, coder="bench") as p:
            r = import_attributes(p, a, **create)
            outcome = r.summary()
except Exception as exc:
    outcome = f"{type(exc).__name__}: {exc}"
try:  # the peak since exec (ru_maxrss also counts the parent's memory at fork on Linux)
    with open("/proc/self/status") as st:
        peak = next(int(line.split()[1]) for line in st if line.startswith("VmHWM:"))
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{time.perf_counter() - t:.2f}\t{peak / 1024:.0f}\t{outcome[:300]}")
"""


def measure(what: str, src: Path, target: Path, code: Path = ROOT) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, outcome) of importing ``src`` in a fresh child process."""
    proc = subprocess.run([sys.executable, "-c", CHILD, str(code), what, str(src), str(target)],
                          capture_output=True, text=True, check=False)
    line = (proc.stdout.strip().splitlines() or ["nan\tnan\t" + proc.stderr.strip()[-300:]])[-1]
    secs, rss, outcome = line.split("\t", 2)
    return float(secs), float(rss), outcome


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--selections", type=int, default=320_000)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--code", type=Path, default=ROOT, help="the checkout to import QualCoder Lite from")
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="hostile-"))
    out.mkdir(parents=True, exist_ok=True)
    dupes, spread, csv = out / "dupes.qdpx", out / "spread.qdpx", out / "attrs.csv"
    limit_qdpx, limit_csv = out / "limit.qdpx", out / "limit.csv"
    write_dupes_qdpx(dupes, args.selections)
    write_dupes_qdpx(spread, args.selections, spread=True)
    write_attrs_csv(csv, args.rows)
    write_limit_qdpx(limit_qdpx)
    write_attrs_csv(limit_csv, 100_000)
    for what, src in (("qdpx", dupes), ("qdpx", spread), ("csv", csv), ("qdpx", limit_qdpx), ("csv", limit_csv)):
        target = out / f"{what}-{os.getpid()}-{time.time_ns()}.qlite"
        secs, rss, outcome = measure(what, src, target, args.code)
        size = target.stat().st_size / 1e6 if target.exists() else 0.0
        print(f"{src.name}: {src.stat().st_size / 1e6:.1f} MB in, {secs:.2f} s, peak RSS {rss:.0f} MB, "
              f"project {size:.1f} MB\n  {outcome}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
