"""A word's or a two-word phrase's hits read from the word postings (``store.postings``):
two rows a block of sources instead of each source's whole index. Only the sources the
postings stand for are answered here (``Catalog.served``); search reads the others from
their own index, with the same result."""

from __future__ import annotations

from array import array
from typing import Iterable

from ...store import postings
from .word_index import pair_spans

# one source's answer: (starts as the index keeps them, narrow?) for a word, (starts, ends)
# for a phrase; None: no hit there
Found = tuple


class Posted:
    """The hits of one query (a word, or a phrase of two different words) in the sources
    ``served`` (source id -> block), read a few blocks at a time as ``take`` needs them."""

    __slots__ = ("conn", "served", "keys", "lengths", "_loaded", "_rows")

    def __init__(self, conn, served: dict[int, int], keys: tuple[str, ...]):
        self.conn = conn
        self.served = served
        self.keys = keys
        self.lengths = tuple(map(len, keys))
        self._loaded: set[int] = set()
        self._rows: list[dict[int, tuple[array, bool, bytes]]] = [{} for _ in keys]

    def _load(self, blocks: set[int]) -> None:
        where = {k: i for i, k in enumerate(self.keys)}
        got = list(postings.rows_of(self.conn, blocks, self.keys))
        for _block, key, data in got:
            if key is not None and data is not None:
                self._rows[where[key]].update(postings.read_row(data))
        self._loaded |= blocks
        gone = blocks - {block for block, _key, _data in got}
        if gone:  # deleted since the search began (a source changed): read from their own indexes
            self.served = {s: b for s, b in self.served.items() if b not in gone}

    def take(self, ids: Iterable[int]) -> dict[int, Found | None]:
        """source id -> its hits (None: none) for those of ``ids`` the postings stand for. A
        block whose rows cannot be read is left to the sources' own indexes."""
        served = self.served
        mine = [sid for sid in ids if sid in served]
        blocks = {served[sid] for sid in mine} - self._loaded
        if blocks:
            try:
                self._load(blocks)
            except (ValueError, IndexError, KeyError, OverflowError):  # a damaged row
                self._loaded |= blocks
                self.served = {s: b for s, b in served.items() if b not in blocks}
            served = self.served
            mine = [sid for sid in mine if sid in served]
        out: dict[int, Found | None] = {}
        if len(self.keys) == 1:
            rows = self._rows[0]
            for sid in mine:
                got = rows.get(sid)
                out[sid] = None if got is None else got[:2]
            return out
        first, second = self._rows
        for sid in mine:
            a = first.get(sid)
            b = second.get(sid) if a is not None else None
            if b is None:
                out[sid] = None
                continue
            starts, ends = pair_spans(a, b[:2], self.lengths)  # type: ignore[arg-type]
            out[sid] = (starts, ends) if starts else None
        return out
