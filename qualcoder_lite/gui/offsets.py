"""The one place where code points (core) meet UTF-16 units (Qt).

The core stores offsets as code points (Python ``str`` indices). ``QTextCursor``
positions count UTF-16 code units, so every character outside the Basic Multilingual
Plane (emoji such as 😀, many CJK extension characters) counts twice there. Newlines
count once on both sides (each is a block separator in ``QTextDocument``).
"""

from __future__ import annotations

import bisect
import re

_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def _bmp_only(text: str) -> bool:
    """No character outside the Basic Multilingual Plane (then positions are the same)."""
    return text.isascii() or len(text.encode("utf-16-le")) == 2 * len(text)


class Utf16Positions:
    """Converts between code-point offsets into ``text`` (the core's) and UTF-16
    positions in a ``QTextDocument`` holding it (Qt's), both ways."""

    def __init__(self, text: str):
        self.text = text
        # code-point indices of astral characters (two UTF-16 units each)
        self._astral = [] if _bmp_only(text) else [m.start() for m in _ASTRAL.finditer(text)]
        # their UTF-16 positions
        self._astral16 = [cp + k for k, cp in enumerate(self._astral)]

    def to_utf16(self, cp: int) -> int:
        """Qt's position of code point ``cp``."""
        if not self._astral:
            return cp
        return cp + bisect.bisect_left(self._astral, cp)

    def to_cp(self, u16: int) -> int:
        """Code point index for a UTF-16 position (inside a surrogate pair: the pair's start)."""
        if not self._astral:
            return u16
        k = bisect.bisect_right(self._astral16, u16 - 1)  # astral chars starting before u16
        # if u16 falls on the low surrogate of a pair, step back to the pair's start
        if k and self._astral16[k - 1] + 1 == u16:
            return self._astral[k - 1]
        return u16 - k

    def utf16_length(self) -> int:
        return len(self.text) + len(self._astral)
