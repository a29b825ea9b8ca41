"""The retrieval table's rows as sort keys, read a few sources at a time (``SegmentKeys``).

A code with 50,000 segments took ~150 ms to read and sort every key before the table
showed anything. The rows are ordered by source name first, so the keys of a run of
sources (by name) are a run of rows: the table counts each source's codings from the
covering index (no key read), reads the keys of the first sources for its first screen,
and reads the others in steps behind it (``SegmentModel`` drives the steps)."""

from __future__ import annotations

import bisect
from itertools import accumulate
from operator import itemgetter

from PySide6.QtCore import QModelIndex, QTimer

from ..core.services.queries.coverage import coverage_of_sorted

_KEY, _CODING = itemgetter(0), itemgetter(1)
PAGE = 200  # rows of segments read at a time
STEP_KEYS = 4000  # keys read per step behind the table shown (~10 ms at 10x)


class Stale(Exception):
    """The codings changed since the rows were counted (a caller reads them again)."""


class SegmentKeys:
    """Sort keys (``store.codings.keyed_for_codes``'s) and coding ids of a query's rows; the
    first ``len(keys)`` are read, the count of all is known (``total``)."""

    def __init__(self, codings, code_ids: list[int], allowed: set[int] | None, coders: list[str] | None):
        self._codings = codings
        self._query = (list(code_ids), coders)
        #: (source name, source id, rows) of every source with rows, by name
        self.sources = [s for s in codings.counts_by_source(code_ids, coders) if allowed is None or s[1] in allowed]
        self._first_row = list(accumulate((s[2] for s in self.sources), initial=0))
        self.total = self._first_row[-1]
        self.keys: list[tuple] = []
        self.ids: list[int] = []
        self._next = 0  # the next source to read

    @property
    def done(self) -> bool:
        return self._next == len(self.sources)

    def source_name(self, row: int) -> str:
        """The source name of a row (read or not)."""
        return self.sources[bisect.bisect_right(self._first_row, row) - 1][0]

    def read(self, rows: int, check: bool = True) -> list[tuple]:
        """Read the keys of the next sources, at least ``rows`` of them (whole sources) or
        up to the end; the keys read. ``Stale``: the codings are not what was counted
        (``check``: the caller knows they changed and counts again itself)."""
        j, want = self._next, 0
        while j < len(self.sources) and (want < rows or j == self._next):
            want += self.sources[j][2]
            j += 1
        if j == self._next:
            return []
        code_ids, coders = self._query
        batch = self._codings.keyed_for_codes(code_ids, None, coders,
                                              in_sources=[s[1] for s in self.sources[self._next:j]])
        if check and (len(batch) != want or (self.keys and batch and batch[0][0] <= self.keys[-1])):
            raise Stale()
        keys = list(map(_KEY, batch))
        self.keys += keys
        self.ids += map(_CODING, batch)
        self._next = j
        return keys

    def read_to(self, row: int, least: int = 0) -> None:
        """Read until ``row`` is read (or every row), at least ``least`` rows at a time."""
        while len(self.keys) <= row and not self.done:
            self.read(max(least, row + 1 - len(self.keys)))

    def read_rest(self) -> None:
        """Read every row not read yet, in one query."""
        if not self.done:
            self.read(self.total)

    def read_changed_rest(self, changed: set[int]) -> int:
        """After the codings ``changed`` changed: read every row not read yet as they are now,
        less those codings (the caller puts them in their places); how many of the rows
        counted before are gone (the old rows of changed codings among those not read)."""
        unread = self.total - len(self.keys)
        read_before = len(self.keys)
        self.read(self.total, check=False)
        tail = [(k, i) for k, i in zip(self.keys[read_before:], self.ids[read_before:]) if i not in changed]
        del self.keys[read_before:], self.ids[read_before:]
        self.keys += map(_KEY, tail)
        self.ids += map(_CODING, tail)
        self.total = len(self.keys)
        return unread - len(tail)


class KeysBehind:
    """``SegmentModel``'s reading of its keys (``_rows``, a ``SegmentKeys``): the first screen's
    when the query is set, then a step (``_step``, a single-shot timer) at a time, and all of
    them before anything looks a row up by key; ``coverage`` is counted from them as read."""

    @property
    def ids(self) -> list[int]:
        """Every row's coding id (all keys read first)."""
        self._read_all()
        return self._rows.ids

    @property
    def keys(self) -> list[tuple]:
        """Every row's sort key, parallel to ``ids`` (all keys read first)."""
        self._read_all()
        return self._rows.keys

    @property
    def keys_done(self) -> bool:
        return self._rows.done

    @property
    def sources_shown(self) -> list[tuple[str, int, int]]:
        """(name, id, rows) of each source with rows, by name (known before the keys are read)."""
        return self._rows.sources

    def _read(self, rows: int) -> None:
        """Read the next ``rows`` keys or more (whole sources) and count their coverage."""
        keys = self._rows.read(rows)
        self.coverage.update(coverage_of_sorted(self.ctx.project, keys))

    def _read_step(self) -> None:
        """One step of reading the keys behind the table shown."""
        try:
            self._read(STEP_KEYS)
        except Stale:  # changed behind the table's back: count again
            self.set_query(self.code_ids, self.where)
            return
        if self._rows.done:
            self.keysRead.emit()
        else:
            self._step.start(0)

    def _read_to(self, row: int) -> bool:
        """Read the keys up to ``row`` (False: they changed behind the table's back; the
        table is read again as soon as the event loop runs)."""
        try:
            while len(self._rows.keys) <= row and not self._rows.done:
                self._read(max(PAGE, row + 1 - len(self._rows.keys)))
        except Stale:
            QTimer.singleShot(0, self, lambda: self.set_query(self.code_ids, self.where))
            return False
        if self._rows.done and self._step.isActive():
            self._step.stop()
            self.keysRead.emit()
        return True

    def _read_all(self) -> None:
        if not self._rows.done:
            self._read_to(self._n - 1)

    def _read_changed_rest(self, changed: set[int]) -> bool:
        """Before an in-place refresh with keys still to read: read them as they are now,
        without the changed codings (the refresh puts those in their places), and remove
        as many rows at the end as the changed codings had among the rows not read (those
        rows were never shown: nothing was read for them). False: counts do not add up."""
        self._step.stop()
        read = len(self._rows.keys)
        gone = self._rows.read_changed_rest(changed)
        if gone < 0:
            return False
        self.coverage.update(coverage_of_sorted(self.ctx.project, self._rows.keys[read:]))
        if gone:
            self.beginRemoveRows(QModelIndex(), self._n - gone, self._n - 1)
            self._n -= gone
            self.endRemoveRows()
        self.keysRead.emit()
        return True
