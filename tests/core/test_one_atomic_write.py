"""Files are written in place through one helper: ``outfile`` (exports and the app's own
files: temporary file beside the target, fsync, rename, recorded for the sweep) on top of
``tempfiles`` (project files, locked while written; ``move_into_place`` is the one durable
rename). The restore service's "keep the replaced file" step links and renames a project
with its write-ahead log, which is no write of new content. Nowhere else renames a
temporary file into place."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "qualcoder_lite"
ALLOWED = {"outfile.py", "tempfiles.py", "projectfile.py"}
PATTERN = re.compile(r"\bos\.(replace|rename|renames)\(|NamedTemporaryFile\(|mkstemp\(|\bos\.link\(")


def test_only_the_atomic_write_helpers_rename_files_into_place():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PATTERN.search(line.split("#", 1)[0]) and path.name not in ALLOWED:
                found.append(f"{path.relative_to(PACKAGE)}:{lineno}: {line.strip()}")
    assert found == []
