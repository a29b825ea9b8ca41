"""Counts in messages: ``1 source``, ``2 sources``, ``1,204 codings`` (one place for every
message the command line and the app print), and names on one line (``one_line``)."""

from __future__ import annotations

import re

# line breaks, tabs and the other control characters, and Unicode's line and paragraph
# separators: none belongs in a name shown in a list, a table cell or a tab-separated export
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def counted(count: int, word: str, words: str | None = None) -> str:
    """``count`` and ``word`` in the singular for one, else ``words`` (default ``word + "s"``);
    thousands separated."""
    return f"{count:,} {word if count == 1 else words or word + 's'}"


def one_line(name: str, strip: bool = True) -> str:
    """``name`` as one line: each run of line breaks, tabs or other control characters is one
    space, and white space is stripped from both ends unless ``strip`` is false (a .qdpx's
    names keep their spaces, so a round trip gives them back) ("P9\\nP10" from a spreadsheet
    cell is case "P9 P10"; a file named "P1\\tx.txt" is source "P1 x")."""
    one = _BREAKS.sub(" ", name)
    return one.strip() if strip else one
