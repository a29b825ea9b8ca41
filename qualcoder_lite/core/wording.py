"""Counts in messages: ``1 source``, ``2 sources``, ``1,204 codings`` (one place for every
message the command line and the app print)."""

from __future__ import annotations


def counted(count: int, word: str, words: str | None = None) -> str:
    """``count`` and ``word`` in the singular for one, else ``words`` (default ``word + "s"``);
    thousands separated."""
    return f"{count:,} {word if count == 1 else words or word + 's'}"
