"""Case keys: which characters ``re.IGNORECASE`` treats as equal, from public ``str`` methods.

``re`` (Unicode patterns) compares a pattern character ``c`` with a text character ``x`` like
this: if ``c`` has no case, only ``x == c`` matches; otherwise ``x`` matches when
``lower(x)`` is ``lower(c)`` or one of the few other lower-case letters with the same upper
case (i/ı, s/ſ, µ/μ, β/ϐ ...). ``lower``/``upper`` there are the *simple* one-character case
mappings, which are the first character of ``str.lower()``/``str.upper()`` (only U+0130 İ
lowers to two characters, ``i`` + U+0307, and its simple mapping is ``i``); the table of
"other lower-case letters" is built the way CPython builds ``re._casefix``: characters with
the same ``str.upper()`` whose lower cases differ. ``tests/core/test_search_index.py``
checks the result against ``re.IGNORECASE`` itself for every code point.
"""

from __future__ import annotations

import functools
import sys
from array import array
from collections import defaultdict
from typing import Iterator

_CHUNK = 256


def iscased(cp: int) -> bool:
    """Whether ``re.IGNORECASE`` gives code point ``cp`` a case (it changes under the simple
    lower or upper mapping)."""
    ch = chr(cp)
    return ch.lower()[0] != ch or ch.upper()[0] != ch


def tolower(cp: int) -> int:
    """The simple lower-case mapping ``re`` uses (one code point)."""
    return ord(chr(cp).lower()[0])


@functools.lru_cache(maxsize=1)
def extra_cases() -> dict[int, tuple[int, ...]]:
    """lower-case code point -> the other lower-case code points with the same upper case.

    Built once, on first use, like CPython's ``Tools/build/generate_re_casefix.py`` builds
    ``re._casefix._EXTRA_CASES``: group every character by ``str.upper()``; a group whose
    members lower to more than one character lists those. Only characters that change under
    ``upper()`` (and the upper-case characters they map to) can be in such a group, so the
    code points are read in blocks and a block ``upper()`` leaves unchanged is skipped."""
    same_upper: defaultdict[str, str] = defaultdict(str)
    for plane in _planes():
        for at in range(0, len(plane), _CHUNK):
            block = plane[at:at + _CHUNK]
            if block.upper() == block:
                continue
            for c in block:
                up = c.upper()
                if up != c:
                    same_upper[up] += c
    table: dict[int, tuple[int, ...]] = {}
    for up, members in same_upper.items():
        if len(up) == 1 and up.upper() == up:
            members = up + members  # the upper-case character itself belongs to its group
        if len(members) < 2:
            continue
        lowers = sorted({ord(c.lower()) for c in members})
        if len(lowers) < 2:
            continue
        for i in lowers:
            table[i] = tuple(j for j in lowers if j != i)
    return table


def _planes() -> Iterator[str]:
    """All code points, U+0000..U+10FFFF, in order, a plane (65,536) at a time: each decoded
    from UTF-32, which for plane ``p`` is the Basic Plane's with ``p`` in the third byte of
    every unit (a fifth of the time of an array of the 1,114,112 numbers, and a plane's
    memory, not all of Unicode's, at once)."""
    code = "I" if array("I").itemsize == 4 else "L"
    little = sys.byteorder == "little"
    units = bytearray(array(code, range(0x10000)).tobytes())
    for p in range(17):
        units[2 if little else 1::4] = bytes([p]) * 0x10000
        yield units.decode("utf-32-le" if little else "utf-32-be", "surrogatepass")


class _CharKeys(dict):
    """``ord(ch) -> key character`` for ``str.translate``, filled on demand.

    The key of a cased character is the smallest member of its group (its simple lower case
    and the other lower cases with the same upper case), of an uncased one the character
    itself, so two word characters match under ``re.IGNORECASE`` exactly when their keys are
    equal (verified for every code point in ``tests/core/test_search_index.py``)."""

    def __missing__(self, cp: int) -> str:
        if iscased(cp):
            lo = tolower(cp)
            key = chr(min((lo,) + extra_cases().get(lo, ())))
        else:
            key = chr(cp)
        self[cp] = key
        return key


_CHAR_KEYS = _CharKeys()


def word_key(token: str) -> str:
    """The case key of a word token: equal keys <=> the tokens match under ``re.IGNORECASE``.
    Same length as ``token`` (one key character per character)."""
    if token.isascii():
        return token.lower()  # the same as the table for ASCII (tested)
    return token.translate(_CHAR_KEYS)
