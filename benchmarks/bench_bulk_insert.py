"""Bulk insert of codings: sqlite-utils' ``Table.insert_all`` against the raw connection's
``executemany`` (what the REFI-QDA import uses), on the real schema, one transaction each
(``Project.transaction``, as every write of the app).

    python benchmarks/bench_bulk_insert.py              # 20,000 codings, 5 rounds, medians
    python benchmarks/bench_bulk_insert.py --codings 80000 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qualcoder_lite.core.project import new_project  # noqa: E402

COLS = ("guid", "source_id", "code_id", "coder_id", "start", "end", "memo", "created")
SQL = 'INSERT INTO codings (guid, source_id, code_id, coder_id, start, "end", memo, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'


def _project(folder: Path, n: int):
    p = new_project(folder / f"{uuid.uuid4().hex}.qlite", coder="bench")
    c = p.conn
    now = "2026-01-01T00:00:00"
    c.execute("INSERT INTO coders (guid, name, created) VALUES (?, 'b', ?)", (str(uuid.uuid4()), now))
    c.execute("INSERT INTO sources (guid, name, text, text_hash, imported) VALUES (?, 's', ?, 'h', ?)",
              (str(uuid.uuid4()), "x" * (n + 10), now))
    c.execute("INSERT INTO codes (guid, name, created) VALUES (?, 'c', ?)", (str(uuid.uuid4()), now))
    c.commit()
    rows = [(str(uuid.uuid4()), 1, 1, 1, i, i + 5, "", now) for i in range(n)]
    return p, rows


def _executemany(p, rows) -> None:
    with p.transaction():
        p.conn.executemany(SQL, rows)


def _insert_all(p, rows) -> None:
    with p.transaction():
        p.db["codings"].insert_all((dict(zip(COLS, r)) for r in rows), batch_size=100)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--codings", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    times: dict[str, list[float]] = {"executemany": [], "insert_all": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            for name, fn in (("executemany", _executemany), ("insert_all", _insert_all)):
                p, rows = _project(Path(tmp), args.codings)
                t0 = time.perf_counter()
                fn(p, rows)
                times[name].append(time.perf_counter() - t0)
                assert p.conn.execute("SELECT count(*) FROM codings").fetchone()[0] == args.codings
                p.close()
    for name, ts in times.items():
        print(f"{name:12} {args.codings:,} codings: median {statistics.median(ts) * 1000:7.1f} ms "
              f"(min {min(ts) * 1000:.1f}, max {max(ts) * 1000:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
