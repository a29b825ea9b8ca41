"""Build the bundled demo project from the text files in ``resources/demo``.

The demo is fictional (see resources/demo/README.md). It is built at run time, through the
same services a user drives, so it always matches the current schema.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from ...errors import QualCoderError
from ...project import Project, new_project
from .attributes import import_attributes
from ..coding.codes import AddCode
from ..coding.coding import ApplyCode
from .importing import CaseRule, import_files
from ..coding.memos import AddMemo
from ..coding.speakers import SetSpeakerRole
from ..matrix.summaries import SetCellSummary


def resources_dir() -> Path:
    """The installed ``qualcoder_lite.resources`` package, or ``resources/`` of a checkout."""
    try:
        from importlib import resources

        found = Path(str(resources.files("qualcoder_lite.resources")))
        if (found / "demo").is_dir():
            return found
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[4] / "resources"  # a checkout (its top level)


def demo_dir() -> Path:
    d = resources_dir() / "demo"
    if not d.is_dir():
        raise QualCoderError(f"the demo project's files are missing ({d})")
    return d


def _csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


_JOURNAL_HEAD = re.compile(r"^##\s+(?P<title>.+)$", re.M)


def _journal_entries(text: str) -> list[tuple[str, str]]:
    heads = list(_JOURNAL_HEAD.finditer(text))
    out = []
    for i, h in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        out.append((h.group("title").strip(), text[h.end():end].strip()))
    return out


def build_demo(path: str | Path, coder: str = "alex") -> Project:
    """Create the demo project at ``path`` and return it open."""
    src = demo_dir()
    project = new_project(path, coder=coder)
    try:
        _populate(project, src)
    except BaseException:
        project.close()
        raise
    return project


def _populate(project: Project, src: Path) -> None:
    transcripts = sorted((src / "transcripts").glob("*.txt"))
    import_files(project, transcripts, CaseRule())
    import_attributes(project, src / "cases.csv")
    for row in _csv_rows(src / "codebook.csv"):
        if project.codes.find(row["code"]) is None:
            project.execute(AddCode(row["code"], description=row.get("description", ""), color=row.get("color") or None))
    for row in _csv_rows(src / "codings.csv"):
        source = project.sources.by_name(row["source"])
        if source is None:
            raise QualCoderError(f"demo codings.csv names unknown source {row['source']!r}")
        text = project.sources.text(source.id)
        start = text.find(row["quote"])
        if start < 0:
            raise QualCoderError(f"demo quote not found in {row['source']}: {row['quote'][:40]!r}")
        code = project.codes.resolve(row["code"])
        project.execute(ApplyCode(source.id, code.id, start, start + len(row["quote"]),
                                  coder=row.get("coder") or None, memo=row.get("memo", "")))
    for row in _csv_rows(src / "matrix.csv"):
        case_id = project.cases.id_of(row["case"])
        code = project.codes.resolve(row["code"])
        if case_id is not None:
            project.execute(SetCellSummary(case_id, code.id, row["summary"]))
    journal = src / "journal.md"
    if journal.exists():
        for title, body in _journal_entries(journal.read_text(encoding="utf-8")):
            project.execute(AddMemo("journal", body, title=title))
    speakers = {r[0] for r in project.conn.execute("SELECT DISTINCT speaker FROM speaker_turns")}
    if "Interviewer" in speakers:
        project.execute(SetSpeakerRole("Interviewer", "interviewer"))
