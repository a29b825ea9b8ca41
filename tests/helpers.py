"""Helpers shared by tests: table dumps to prove 'unchanged' and 'exactly restored'."""

from __future__ import annotations

import os
from pathlib import Path

from qualcoder_lite.core.store.schema import TABLES

_ROOT = Path(__file__).resolve().parents[1]


def find_fixtures() -> Path | None:
    """The shared public fixtures: $QUALCODER_LITE_FIXTURES, ../shared/fixtures beside the
    checkout, or /work/shared/fixtures."""
    for c in (os.environ.get("QUALCODER_LITE_FIXTURES"), _ROOT.parent / "shared" / "fixtures",
              "/work/shared/fixtures"):
        if c and Path(c).is_dir():
            return Path(c)
    return None


FIXTURES = find_fixtures() or Path("/nonexistent/shared/fixtures")


def dump(project) -> dict[str, list[tuple]]:
    """Every row of every project table, sorted (for exact before/after comparisons)."""
    out = {}
    for t in (*TABLES, "source_facts", "source_keys"):  # and what is derived from each source's text (schemas 7, 8)
        rows = project.conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall()
        out[t] = [tuple(r) for r in rows]
    return out


def add_text_source(project, name: str, text: str, case: str | None = None) -> int:
    """Import ``text`` as a source through the real import command (no file needed)."""
    from qualcoder_lite.core.services.sources.importing import ImportSources, PreparedSource
    from qualcoder_lite.core.units import detect_turns
    from pathlib import Path

    prepared = PreparedSource(Path(name + ".txt"), name, text, "txt", detect_turns(text), case)
    project.execute(ImportSources([prepared]))
    return project.sources.by_name(name).id
