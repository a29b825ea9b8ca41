"""Checks and names shared by the anchored things: a span inside its source, a source by name."""

from __future__ import annotations

from ...errors import UsageError


def check_span(project, source_id: int, start: int, end: int) -> None:
    """``text[start:end]`` of the source is a non-empty span of it (else UsageError)."""
    row = project.conn.execute("SELECT length(text) FROM sources WHERE id = ?", (source_id,)).fetchone()
    if row is None:
        raise UsageError(f"no source with id {source_id}")
    if not (0 <= start < end <= row[0]):
        raise UsageError(f"span {start}:{end} is outside the source (length {row[0]}) or empty")


def source_id_by_name(project, name: str) -> int:
    """The id of the source called ``name`` (UsageError naming it when there is none)."""
    row = project.conn.execute("SELECT id FROM sources WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise UsageError(f"no source named {name!r}")
    return int(row[0])


def excerpt(text: str, limit: int = 80) -> str:
    """A passage as one short line (white space collapsed, cut with an ellipsis)."""
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1].rstrip() + "…"
