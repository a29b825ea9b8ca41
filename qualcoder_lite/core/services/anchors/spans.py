"""Checks and names shared by the anchored things: a span inside its source, a source by name."""

from __future__ import annotations

from ...errors import UsageError


def check_span(project, source_id: int, start: int, end: int) -> None:
    """``text[start:end]`` of the source is a non-empty span of it (else UsageError)."""
    length = project.sources.length(source_id)
    if length is None:
        raise UsageError(f"no source with id {source_id}")
    if not (0 <= start < end <= length):
        raise UsageError(f"span {start}:{end} is outside the source (length {length}) or empty")


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


def shift_anchors(rec, conn, source_id: int, start_of, end_of) -> int:
    """Move every anchor into a source but the codings (which their caller merges and moves)
    after its text changed: ``start_of``/``end_of`` map an old offset to the new one (e.g. a
    pseudonymisation's offset map). Returns how many rows moved."""
    from ...store.schema import ANCHORED_SPANS

    moved = 0
    for table, scol, a, b in ANCHORED_SPANS:
        if table == "codings":
            continue
        rows = conn.execute(f'SELECT id, "{a}", "{b}" FROM "{table}" WHERE "{scol}" = ? AND "{a}" IS NOT NULL '
                            "ORDER BY id", (source_id,)).fetchall()
        for row_id, start, end in rows:
            s = start_of(start)
            e = max(s + 1, end_of(end))
            if rec.update(table, row_id, {a: s, b: e}):
                moved += 1
    return moved
