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

    @property
    def frontier(self) -> str | None:
        """The name of the first source not read (None: all are read): a row of a source
        named before it is among ``keys``."""
        return None if self.done else self.sources[self._next][0]

    def recount(self, counted: dict[int, tuple[str, int]], source_ids) -> list[tuple[int, int, int]]:
        """After codings of ``source_ids`` changed: their rows now number ``counted`` (id ->
        (name, rows); a source left out has none). Read sources only take the new count (the
        caller patched their keys); for each source not read, (first row, rows before, rows
        now), last first, for the caller to insert or remove rows at its end (its rows were
        never shown: nothing was read for them)."""
        frontier = self.frontier
        known = {s[1] for s in self.sources}
        for sid, (name, now) in counted.items():
            if sid not in known and now:  # a source without rows before: in its place by name
                i = bisect.bisect_left(self.sources, (name,))
                self.sources.insert(i, (name, sid, 0))
                if i < self._next:
                    self._next += 1
        at = {s[1]: i for i, s in enumerate(self.sources)}
        moves: list[tuple[int, int, int]] = []
        for i in sorted({at[sid] for sid in set(source_ids) | set(counted) if sid in at}, reverse=True):
            name, sid, before = self.sources[i]
            now = counted[sid][1] if sid in counted else 0
            if frontier is not None and name >= frontier:  # the rows before it are as the view has them
                moves.append((len(self.keys) + sum(s[2] for s in self.sources[self._next:i]), before, now))
            if now:
                self.sources[i] = (name, sid, now)
            else:
                del self.sources[i]
                if i < self._next:
                    self._next -= 1
        self._first_row = list(accumulate((s[2] for s in self.sources), initial=0))
        self.total = self._first_row[-1]
        return moves


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
        self._key_of = None  # coding id -> key, of the rows read: built again when needed
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

    def _recount(self, changes) -> None:
        """After an in-place refresh patched the rows read: count the changed sources' rows
        again, insert or remove rows at the end of each source not read yet, and count the
        coverage of the read ones again (``keysRead`` hands it on when all are read)."""
        from ..core.services.queries.coverage import coverage_by_source

        project, rows = self.ctx.project, self._rows
        allowed = self.where.source_ids(project) if self.where else None
        sids = sorted(changes.source_ids)
        counted = {sid: (name, n) for name, sid, n in project.codings.counts_by_source(
            self.code_ids, self.ctx.visible_coders, in_sources=sids) if allowed is None or sid in allowed}
        frontier = rows.frontier
        for first, before, now in rows.recount(counted, sids):
            if now > before:
                self.beginInsertRows(QModelIndex(), first + before, first + now - 1)
                self._n += now - before
                self.endInsertRows()
            elif now < before:
                self.beginRemoveRows(QModelIndex(), first + now, first + before - 1)
                self._n -= before - now
                self.endRemoveRows()
        read = [sid for sid in sids if sid in counted and counted[sid][0] < frontier]
        for sid in sids:
            self.coverage.pop(sid, None)
        self.coverage.update(coverage_by_source(project, self.code_ids, allowed, self.ctx.visible_coders,
                                                only=set(read)))
