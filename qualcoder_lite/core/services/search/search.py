"""Full-text search over sources.

Syntax: words, ``"phrases"``, ``prefix*``, ``AND`` / ``OR`` / ``NOT`` (upper case);
adjacent terms are ANDed; anything else is literal (``well-being`` is the phrase
"well being", never a syntax error). The keys of each source's word index (``source_keys``)
narrow the candidate sources; the hits and their offsets come from the source text itself,
so they are exact code points. Terms with CJK characters are matched as substrings (the
word tokenizer cannot split them).

What a term matches is defined by ``Term.regex`` run over the source text (``finditer``:
leftmost, non-overlapping). Running that over millions of characters is slow, so each
source carries a **word index** (``sources.word_index``, built by ``build_word_index``
of ``store/word_index.py`` wherever a source's text is written): the start of every word token (a run of
``[^\\W_]`` characters, the units the regex matches), grouped by a *case key* that maps
each character to one representative of the characters ``re.IGNORECASE`` treats as equal.
A term's hits are then read from the index instead of scanning: exactly the spans the
regex would find (``tests/core/test_search_index.py`` compares both on random texts).

The scan is still used, and gives the same answer, for CJK substring terms, for a source
without an index or whose index does not belong to its current text (the index records
the length and CRC-32 of the UTF-8 text it was built from), and for the rare text with a
character outside words that case-folds like a letter (U+0345, circled letters), where the
regex can match across a token boundary. Snippets are made when first read, from the text
each hit keeps (no database access after ``search`` returns).

The work is split by responsibility: ``query`` parses the query, ``casekeys`` and
``word_index`` build and read the index, ``catalog`` keeps what every search reads first (the
sources by name, their cases, their index keys) while the project file is unchanged, this
module matches and makes the hits.
"""

from __future__ import annotations

import contextlib
import gc
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import FrozenInstanceError
from itertools import repeat
from operator import add, itemgetter

from ...errors import ProjectError
from ...store.casekeys import word_key
from .catalog import catalog
from .query import Clause, Term, parse_query
from .word_index import _WordIndex, build_word_index, word_index_is_current


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


class _Lookup:
    """One term, ready for any source: its index keys, and its regex when a scan is needed."""

    __slots__ = ("term", "keys", "_rx")

    def __init__(self, term: Term):
        self.term = term
        self.keys = None if term.raw else tuple(word_key(t) for t in term.tokens)
        self._rx: re.Pattern[str] | None = None

    def spans(self, text: _Text, index: _WordIndex | None) -> list[tuple[int, int]]:
        if index is not None and self.keys is not None:
            return index.spans(self.term, self.keys)
        if self._rx is None:
            self._rx = self.term.regex()
        return [(m.start(), m.end()) for m in self._rx.finditer(text.text) if m.end() > m.start()]


def _damaged(path, name: str, exc: UnicodeDecodeError) -> ProjectError:
    return ProjectError(path, f"the file is damaged and cannot be read: the text of source "
                              f"{name!r} is not valid UTF-8 (byte {exc.start})")


def _rows(conn, ids: list[int]):
    """(id, name, length in characters, CRC-32 of the UTF-8 text, word index) of ``ids``: no
    text is read (they are kept beside the row, schema 7)."""
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ", ".join("?" * len(chunk))
        yield from conn.execute(
            "SELECT s.id, s.name, f.length, f.text_crc, f.word_index FROM sources s "
            f"LEFT JOIN source_facts f ON f.source_id = s.id WHERE s.id IN ({marks})", chunk
        )


# what a damaged word index can raise (bad UTF-8, numbers or offsets in it; UnicodeDecodeError
# is a ValueError)
_DAMAGED = (ValueError, IndexError, KeyError)


def _spans(plan, text: _Text, index: _WordIndex | None) -> list[tuple[int, int]]:
    """The hits of every clause in one source (a clause counts when all its positive terms
    and none of its negative ones occur), sorted."""
    if len(plan) == 1 and len(plan[0][0]) == 1 and not plan[0][1] and not plan[0][0][0].term.prefix:
        # one word or phrase: its spans come in order and never twice (no set, no sort)
        return plan[0][0][0].spans(text, index)
    spans: set[tuple[int, int]] = set()
    for pos, neg in plan:
        if any(lookup.spans(text, index) for lookup in neg):
            continue
        found = []
        for lookup in pos:
            f = lookup.spans(text, index)
            if not f:
                break
            found.append(f)
        else:
            for f in found:
                spans.update(f)
    return sorted(spans)


def _one_term(plan) -> tuple[Term, tuple[str, ...]] | None:
    """(term, keys) of a query that is one word or phrase read from the index (no prefix):
    its hits in a source with an index are ``index.spans(term, keys)``, sorted, as ``_spans``
    gives them."""
    if len(plan) != 1 or plan[0][1] or len(plan[0][0]) != 1:
        return None
    lookup = plan[0][0][0]
    if lookup.keys is None or lookup.term.prefix:
        return None
    return lookup.term, lookup.keys


def _one_word(plan) -> str | None:
    """The key of a query that is one word (no phrase, prefix or scan), else None: its hits
    in a source whose index has no token beside an underscore are its key's positions."""
    if len(plan) != 1 or plan[0][1] or len(plan[0][0]) != 1:
        return None
    lookup = plan[0][0][0]
    keys = lookup.keys
    if keys is None or len(keys) != 1 or lookup.term.prefix:
        return None
    return keys[0]


class _Reader:
    """What every source of one search needs: the query's plan, the project's cases and
    where texts are read from."""

    __slots__ = ("plan", "cases_of", "word", "one", "sources", "path")

    def __init__(self, project, plan, cases_of: dict[int, str]):
        self.plan = plan
        self.cases_of = cases_of
        self.word = _one_word(plan)
        self.one = _one_term(plan)
        self.sources = project.sources
        self.path = project.path


#: PRAGMA mmap_size while a search step reads word indexes: SQLite then reads the ~36 kB
#: index of each source from the file's mapping instead of one read() per 4 kB page (about
#: half the CPU time of reading them). Only for plain SQLite files, and only while the step
#: reads (an encrypted project's pages are decrypted: SQLCipher maps nothing anyway).
_MMAP_SIZE = 1 << 30


@contextlib.contextmanager
def _mapped(conn):
    if not isinstance(conn, sqlite3.Connection) or conn.in_transaction:
        yield
        return
    row = conn.execute("PRAGMA mmap_size").fetchone()
    before = None if row is None else int(row[0])
    if before is None or before >= _MMAP_SIZE:
        yield
        return
    conn.execute(f"PRAGMA mmap_size = {_MMAP_SIZE}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA mmap_size = {before}")


def search(project, query: str, source_ids: set[int] | None = None, limit: int | None = None) -> list[Hit]:
    # A common word makes ~100,000 hits: the cyclic garbage collector would walk the growing
    # heap again and again while they are made (a quarter of the time). Hits hold no cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        hits = [h for in_source in search_by_source(project, query, source_ids) for h in in_source]
    finally:
        if collecting:
            gc.enable()
    return hits[:limit] if limit else hits


#: sources read in the first step of ``search_by_source``, then four times as many each
#: step up to ``_CHUNK``: a panel showing the first hits waits for these few, not for
#: every source's word index
_FIRST_CHUNK = 8
_CHUNK = 128


def search_by_source(project, query: str, source_ids: set[int] | None = None) -> Iterator[list[Hit]]:
    """The hits of ``search``, one list per source with hits, in ``search``'s order (by source
    name, then start and end): a caller that shows the first hits at once stops early or
    goes on later. The query is parsed (and a bad one refused) on the first ``next``."""
    clauses = parse_query(query)
    sources = catalog(project)
    # the sources whose kept index keys lack a key of every clause cannot match (a substring
    # term, e.g. CJK, is not in the keys: its clause can match anywhere)
    needs = [[(k, t.prefix and i == len(t.tokens) - 1) for t in c.positive for i, k in enumerate(map(word_key, t.tokens))]
             for c in clauses]
    skipped = set() if any(t.raw for c in clauses for t in c.positive) else sources.lacking(needs)
    cases_of = sources.cases
    plan = [([_Lookup(t) for t in c.positive], [_Lookup(t) for t in c.negative]) for c in clauses]
    reader = _Reader(project, plan, cases_of)
    ordered = [i for i, _name in sources.ordered if i not in skipped and (source_ids is None or i in source_ids)]
    at, size = 0, _FIRST_CHUNK
    while at < len(ordered):
        # each source's hits made as its row streams in (its word index is still in the
        # CPU's cache), then given in name order; no cursor is left open between steps
        with _mapped(project.conn):
            rows = _rows(project.conn, ordered[at:at + size])
            try:
                found = [(row[1], hits) for row in rows if (hits := _source_hits(reader, row))]
            finally:
                rows.close()  # its statement done: SQLite ignores a new mmap_size while pages are out
        found.sort(key=_first)
        at, size = at + size, min(4 * size, _CHUNK)
        for _name, hits in found:
            yield hits


def _source_hits(reader: _Reader, row) -> list[Hit]:
    """The hits in one source (``row`` from ``_rows``)."""
    sid, name, length, crc, blob = row
    sources = reader.sources
    try:
        raw = None
        try:
            if crc is None:  # no CRC kept beside the text yet: check the index against the text
                raw = sources.text_utf8(sid)
            index = _WordIndex.load(blob, raw, (length, crc))
        except _DAMAGED:  # an index that fits its text's CRC but not its own layout: scan
            index = None
        if index is None and raw is None:
            raw = sources.text_utf8(sid)
        # without a scan, the text is read when a snippet is first shown
        text = (_Text(raw) if raw is not None
                else _Text(later=sources.text_later(sid), where=(reader.path, name)))
        starts: Iterable[int]
        ends: Iterable[int]
        word = reader.word
        try:
            if word is not None and index is not None and not index.under:
                # the starts alone: no (start, end) pair per hit
                starts = index.positions(word)[0]
                ends = map(add, starts, repeat(len(word)))
            else:
                one = reader.one
                spans = index.spans(*one) if one is not None and index is not None else _spans(reader.plan, text, index)
                starts, ends = map(_first, spans), map(_second, spans)
        except _DAMAGED:
            text = _Text(sources.text_utf8(sid))
            spans = _spans(reader.plan, text, None)
            starts, ends = map(_first, spans), map(_second, spans)
        fields = zip(repeat(name), repeat(sid), repeat(reader.cases_of.get(sid)), starts, ends,
                     repeat(text))  # one C pass per hit, no Python frame
        return list(map(_new_tuple, repeat(Hit), fields))
    except UnicodeDecodeError as exc:  # the stored text itself is damaged (never quote it)
        raise _damaged(reader.path, name, exc) from None


__all__ = ["Clause", "Hit", "Term", "build_word_index", "parse_query", "search", "search_by_source",
           "word_index_is_current", "word_key"]
