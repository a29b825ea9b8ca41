"""The margin's lanes: overlapping codings get different lanes, greedily in order of start
(the longest first). ``Lanes`` keeps what the greedy pass had before each coding, so a few
codings added or removed re-run it only from the first of them until the lanes are again
as they were (a full pass over a busy source's ~500 codings took ~0.4 ms per coding applied)."""

from __future__ import annotations

import bisect
from typing import Iterable

from ..core.model import Coding

MAX_LANES = 10


def _order(c: Coding) -> tuple:
    return (c.start, -c.end, c.code_id)


def _place(ends: list[int], c: Coding) -> int:
    """The greedy step: the first lane free at ``c.start`` (``ends``: each lane's end)."""
    for lane, end in enumerate(ends):
        if end <= c.start:
            ends[lane] = c.end
            return lane
    if len(ends) < MAX_LANES:
        ends.append(c.end)
        return len(ends) - 1
    return MAX_LANES - 1


def assign_lanes(codings: list[Coding]) -> dict[int, int]:
    """Greedy lanes: overlapping codings get different lanes (coding id -> lane)."""
    ends: list[int] = []
    return {c.id: _place(ends, c) for c in sorted(codings, key=_order)}


class Lanes:
    """``assign_lanes`` of a list of codings, and of that list patched."""

    def __init__(self, codings: list[Coding]):
        self.order = sorted(codings, key=_order)  # stable: ties keep the list's order
        # the codings' places, with the coder last (the list's order among equal ones)
        self.keys = [(*_order(c), c.coder) for c in self.order]
        self.key_of = {c.id: k for c, k in zip(self.order, self.keys)}
        #: False: two codings share a place, so a patch cannot know where a new one goes
        self.exact = all(a < b for a, b in zip(self.keys, self.keys[1:]))
        self.lane_of: dict[int, int] = {}
        self.ends_before: list[tuple[int, ...]] = []  # lanes' ends before each coding, and after the last
        ends: list[int] = []
        for c in self.order:
            self.ends_before.append(tuple(ends))
            self.lane_of[c.id] = _place(ends, c)
        self.ends_before.append(tuple(ends))

    def patch(self, removed: set[int], added: Iterable[Coding]) -> dict[int, Coding] | None:
        """Codings ``removed`` (ids) are gone and ``added`` came: update the lanes and return
        the codings whose lane is new or changed, by id (None: cannot patch; nothing was
        changed, assign from scratch)."""
        if not self.exact:
            return None
        order, keys = list(self.order), list(self.keys)
        gone = sorted((bisect.bisect_left(keys, self.key_of[cid]) for cid in removed if cid in self.key_of),
                      reverse=True)
        for i in gone:
            del order[i], keys[i]
        added = list(added)
        for c in added:
            key = (*_order(c), c.coder)
            i = bisect.bisect_left(keys, key)
            if i < len(keys) and keys[i] == key:
                return None
            keys.insert(i, key)
            order.insert(i, c)
        came = [bisect.bisect_left(keys, (*_order(c), c.coder)) for c in added]
        old, old_before = self.order, self.ends_before
        n, shift = len(order), len(old) - len(order)
        # the codings before the first change and after the last are those of before
        same = min(min(gone, default=len(old)), min(came, default=n))
        tail = min(len(old) - 1 - max(gone, default=-1), n - 1 - max(came, default=-1))
        lane_of, touched = self.lane_of, {}
        for cid in removed:
            lane_of.pop(cid, None)
            self.key_of.pop(cid, None)
        for c, i in zip(added, came):
            self.key_of[c.id] = keys[i]
        before = old_before[:same]
        ends = list(old_before[same])
        j = same
        while j < n:
            if j >= n - tail and tuple(ends) == old_before[j + shift]:
                break  # from here on the pass runs as it did
            before.append(tuple(ends))
            c = order[j]
            lane = _place(ends, c)
            if lane_of.get(c.id) != lane:
                lane_of[c.id] = lane
                touched[c.id] = c
            j += 1
        before.extend(old_before[j + shift:] if j < n else [tuple(ends)])
        self.order, self.keys, self.ends_before = order, keys, before
        return touched
