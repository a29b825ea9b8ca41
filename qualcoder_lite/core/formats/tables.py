"""How a table row of a word-processor document becomes one block of text."""

from __future__ import annotations

#: A first cell this short (one line, no trailing colon) reads as a speaker name.
MAX_SPEAKER_CELL = 40


def row_text(cells: list[str]) -> str:
    """Join a row's cell texts with tabs; a two-cell speaker row becomes a turn.

    A row with exactly two non-empty cells whose first is a short single line reads
    "First: second" (speaker tables become turns); a first cell that already ends with
    a colon ("Rik:") keeps it and is not doubled. Returns "" for an empty row.
    """
    filled = [c.strip() for c in cells if c.strip()]
    if not filled:
        return ""
    if len(filled) == 2:
        first, second = filled
        if len(first) <= MAX_SPEAKER_CELL and "\n" not in first:
            return f"{first} {second}" if first.endswith(":") else f"{first}: {second}"
    return "\t".join(c.strip("\n") for c in cells)
