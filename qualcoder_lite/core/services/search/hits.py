"""The hits of a search: ``Hit`` (one match, its snippet made when read), ``SourceHits``
(one source's hits, kept as their offsets and made when read) and ``Hits`` (every source's,
in order), sequences that answer like the lists of ``Hit`` they replace; ``_Text`` is the
source text a source's hits share, read when a snippet is first shown."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import FrozenInstanceError
from itertools import accumulate, chain, islice, repeat
from operator import add, attrgetter, eq, itemgetter

from ...errors import ProjectError


def _damaged(path, name: str, exc: UnicodeDecodeError) -> ProjectError:
    return ProjectError(path, f"the file is damaged and cannot be read: the text of source "
                              f"{name!r} is not valid UTF-8 (byte {exc.start})")

class Hit(tuple):
    """One match: source name and id, the source's case, code-point offsets and a snippet.

    Immutable, compared and hashed by its fields like the dataclass it replaces (and never
    ordered). The snippet is made on each access from the source text the hit keeps a
    reference to (shared by every hit in that source, read when first needed), so a search
    with thousands of hits builds no snippet nobody reads, and reading them later needs no
    open database. Held as a tuple: a search makes one in a single call per hit.
    """

    __slots__ = ()

    def __new__(cls, source: str, source_id: int, case: str | None, start: int, end: int, snippet: str):
        return _new_tuple(cls, (source, source_id, case, start, end, snippet))

    source = property(itemgetter(0), doc="the source's name")
    source_id = property(itemgetter(1))
    case = property(itemgetter(2), doc="the source's case (the first by name), or None")
    start = property(itemgetter(3))
    end = property(itemgetter(4))

    def __setattr__(self, name, value):
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name):
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    @property
    def snippet(self) -> str:
        s = tuple.__getitem__(self, 5)
        return s if isinstance(s, str) else s.snippet(tuple.__getitem__(self, 3), tuple.__getitem__(self, 4))

    def _fields(self) -> tuple:
        return (self.source, self.source_id, self.case, self.start, self.end, self.snippet)

    def __eq__(self, other):
        if other.__class__ is not Hit:
            return NotImplemented
        return self._fields() == other._fields()

    def __ne__(self, other):
        if other.__class__ is not Hit:
            return NotImplemented
        return self._fields() != other._fields()

    def __lt__(self, other):
        return NotImplemented

    __le__ = __gt__ = __ge__ = __lt__

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return ("Hit(source={!r}, source_id={!r}, case={!r}, start={!r}, end={!r}, snippet={!r})"
                .format(*self._fields()))

    def __reduce__(self):  # copy and pickle: a plain hit with its snippet made
        return (Hit, self._fields())

    def as_dict(self) -> dict:
        return {"source": self.source, "case": self.case, "start": self.start, "end": self.end, "snippet": self.snippet}


_new_tuple = tuple.__new__
_first, _second = itemgetter(0), itemgetter(1)


def _snippet(text: str, start: int, end: int, width: int = 60) -> str:
    a = max(0, start - width)
    b = min(len(text), end + width)
    if a > 0:
        sp = text.find(" ", a, start)
        a = sp + 1 if sp != -1 else a
    if b < len(text):
        sp = text.rfind(" ", end, b)
        b = sp if sp != -1 else b
    body = " ".join(text[a:b].split())
    return ("…" if a > 0 else "") + body + ("…" if b < len(text) else "")


class _Text:
    """A source's text, decoded on first use (shared by that source's hits): from the UTF-8
    ``raw`` read with it, or from a ``LaterText`` (a source whose hits came from its word
    index: a search reads no text until a snippet is shown, or its project closes)."""

    __slots__ = ("_raw", "_text", "_later", "_where")

    def __init__(self, raw: bytes | None = None, text: str | None = None, later=None, where=None):
        self._raw = raw
        self._text = text
        self._later = later
        self._where = where  # (project path, source name) for the message on a damaged text

    @property
    def text(self) -> str:
        t = self._text
        if t is None:
            if self._raw is None:  # not read yet
                self._raw = self._later.raw()
                self._later = None
            try:
                t = self._text = self._raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                if self._where is None:
                    raise
                path, name = self._where
                raise _damaged(path, name, exc) from None
            self._raw = None
        return t

    def snippet(self, start: int, end: int) -> str:
        return _snippet(self.text, start, end)


class _Starts(Sequence[int]):
    """The starts of one word's hits in a source, kept as its index stores them (differences,
    2 bytes a hit) and added up when read."""

    __slots__ = ("_deltas", "_list")

    def __init__(self, deltas: Sequence[int]):
        self._deltas = deltas
        self._list: list[int] | None = None

    def __len__(self) -> int:
        return len(self._deltas)

    def __iter__(self) -> Iterator[int]:
        return iter(self._list) if self._list is not None else accumulate(self._deltas)

    def __getitem__(self, i):
        if self._list is None:
            self._list = list(accumulate(self._deltas))
        return self._list[i]


class _AsList(Sequence[Hit]):
    """Hits made when read that compare, print, copy and pickle as the list of them."""

    __slots__ = ()

    def __eq__(self, other):
        return _same(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))

    def __reduce__(self):  # copy and pickle: a list of plain hits
        return (list, (list(self),))


class SourceHits(_AsList):
    """The hits in one source, in order: each ``Hit`` is made when read (a search of a common
    word finds ~70,000 hits at 2,000 sources; a caller that counts them, shows a page or
    takes their offsets makes no object per hit)."""

    __slots__ = ("source", "source_id", "case", "_starts", "_ends", "_text", "_n")

    def __init__(self, source: str, source_id: int, case: str | None, starts: Sequence[int],
                 ends: Sequence[int] | int, text: _Text):
        self.source = source
        self.source_id = source_id
        self.case = case
        self._starts = starts
        self._ends = ends  # an int: every hit is this long
        self._text = text
        self._n = len(starts)

    def __len__(self) -> int:
        return self._n

    def spans(self) -> Iterator[tuple[int, int]]:
        """(start, end) of each hit."""
        return zip(self._starts, self._end_list())

    def _end_list(self) -> Iterable[int]:
        e = self._ends
        return map(add, self._starts, repeat(e)) if isinstance(e, int) else e

    def __iter__(self) -> Iterator[Hit]:
        fields = zip(repeat(self.source), repeat(self.source_id), repeat(self.case), self._starts,
                     self._end_list(), repeat(self._text))  # one C pass per hit, no Python frame
        return map(_new_tuple, repeat(Hit), fields)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return list(self)[i]
        start = self._starts[i]
        e = self._ends
        return _new_tuple(Hit, (self.source, self.source_id, self.case, start,
                                start + e if isinstance(e, int) else e[i], self._text))


_count = attrgetter("_n")


def _same(hits: Sequence[Hit], other) -> bool:
    """``==`` of a sequence of hits made when read, as a list of them would answer."""
    if not isinstance(other, (list, SourceHits, Hits)):
        return NotImplemented
    return len(hits) == len(other) and all(map(eq, hits, other))


class Hits(_AsList):
    """What ``search`` returns: its hits in order (by source name, then start and end), like a
    list of them, each made when read (``SourceHits``); ``by_source`` gives them per source."""

    __slots__ = ("by_source", "_upto")

    def __init__(self, by_source: list[SourceHits]):
        self.by_source = by_source
        self._upto = list(accumulate(map(_count, by_source)))  # hits up to each source's end

    def __len__(self) -> int:
        return self._upto[-1] if self._upto else 0

    def __iter__(self) -> Iterator[Hit]:
        return chain.from_iterable(self.by_source)

    def __getitem__(self, i):
        if isinstance(i, slice):
            if i.step is None and (i.start or 0) >= 0 and (i.stop is None or i.stop >= 0):
                return list(islice(self, i.start, i.stop))
            return list(self)[i]
        n = len(self)
        j = i + n if i < 0 else i
        if not 0 <= j < n:
            raise IndexError("hit index out of range")
        k = bisect_right(self._upto, j)
        return self.by_source[k][j - (self._upto[k - 1] if k else 0)]
