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
each hit keeps (no database access after ``search`` returns). The hits themselves are made
when read: ``search`` returns ``Hits`` and ``search_by_source`` yields ``SourceHits``,
sequences that keep each source's offsets (a word's as its index stores them) and answer
like the lists of ``Hit`` they replace. A query of one word or a two-word phrase reads its
numbers from the word postings (``store.postings``: two rows a block of 64 sources) for the
sources they stand for, and straight from each other source's index bytes
(``word_index.lean_word``, ``lean_pair_spans``).

The work is split by responsibility: ``query`` parses the query, ``casekeys`` and
``word_index`` build and read the index, ``catalog`` keeps what every search reads first (the
sources by name, their cases, their index keys, their blocks of postings) while the project
file is unchanged, ``posted`` reads the postings, ``hits`` holds the hit sequences, this
module matches.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator, Sequence
from operator import attrgetter

from ...store.casekeys import word_key
from .catalog import catalog
from .hits import Hit, Hits, SourceHits, _damaged, _first, _second, _Starts, _Text
from .posted import Posted
from .query import Clause, Term, parse_query
from .word_index import _WordIndex, build_word_index, lean_pair_spans, lean_word, word_index_is_current, word_needle


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


def _rows(conn, sources: list[tuple[int, str]]):
    """(id, name, length in characters, CRC-32 of the UTF-8 text, word index) of ``sources``
    ((id, name) from the catalog): no text is read (they are kept beside the row, schema 7),
    nor the sources' rows."""
    for i in range(0, len(sources), 500):
        chunk = dict(sources[i:i + 500])
        marks = ", ".join("?" * len(chunk))
        cur = conn.cursor()
        cur.row_factory = None  # plain tuples, whatever the connection makes
        for sid, length, crc, blob in cur.execute(
                f"SELECT source_id, length, text_crc, word_index FROM source_facts WHERE source_id IN ({marks})",
                list(chunk)):
            yield sid, chunk.pop(sid), length, crc, blob
        for sid, name in chunk.items():  # no facts (yet): as the old LEFT JOIN gave it
            yield sid, name, None, None, None


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

    __slots__ = ("plan", "cases_of", "word", "one", "lean", "sources", "path", "posted")

    def __init__(self, project, plan, cases_of: dict[int, str], served=None):
        self.plan = plan
        self.cases_of = cases_of
        self.word = _one_word(plan)
        self.one = _one_term(plan)
        self.lean = _lean(self.word, self.one)
        self.sources = project.sources
        self.path = project.path
        # a word or a phrase of two different words: read from the word postings where they
        # stand for a source
        # (``served()``: source id -> block, read only for such a query)
        keys = (self.word,) if self.word is not None else self.one[1] if self.lean is not None and self.one else None
        self.posted = None
        if keys and served is not None and (by_source := served()):
            self.posted = Posted(project.conn, by_source, keys)


def _lean(word: str | None, one: tuple[Term, tuple[str, ...]] | None):
    """blob, (length, CRC-32) -> (starts, ends) from the index's bytes alone (``lean_word_starts``,
    ``lean_pair_spans``) for a query of one word or of a two-word phrase of different words,
    or None: read the index as ``_WordIndex``."""
    if word is not None:
        needle, n = word_needle(word), len(word)

        def one_word(blob, facts):
            found = lean_word(blob, facts, needle)
            if found is None:
                return None
            numbers, narrow = found
            return (_Starts(numbers) if narrow else list(numbers)), n
        return one_word
    if one is not None and len(one[1]) == 2 and one[1][0] != one[1][1]:
        needles = (word_needle(one[1][0]), word_needle(one[1][1]))
        lengths = (len(one[1][0]), len(one[1][1]))
        return lambda blob, facts: lean_pair_spans(blob, facts, needles, lengths)
    return None


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


def search(project, query: str, source_ids: set[int] | None = None, limit: int | None = None) -> Sequence[Hit]:
    """The hits of ``query`` (``Hits``: a sequence whose hits are made when read), or the
    first ``limit`` of them as a list."""
    # each step maps the file only while it reads (mapping it for the whole search would
    # count every page it touched in the process's resident set: 248 MB instead of 74 at 10x)
    hits = Hits(list(search_by_source(project, query, source_ids)))
    return hits[:limit] if limit else hits


#: sources read in the first step of ``search_by_source``, then four times as many each
#: step up to ``_CHUNK``: a panel showing the first hits waits for these few, not for
#: every source's word index
_FIRST_CHUNK = 8
_CHUNK = 128


def search_by_source(project, query: str, source_ids: set[int] | None = None) -> Iterator[SourceHits]:
    """The hits of ``search``, one ``SourceHits`` per source with hits, in ``search``'s order
    (by source name, then start and end): a caller that shows the first hits at once stops
    early or goes on later. The query is parsed (and a bad one refused) on the first ``next``."""
    clauses = parse_query(query)
    sources = catalog(project)
    # the sources whose kept index keys lack a key of every clause cannot match (a substring
    # term, e.g. CJK, is not in the keys: its clause can match anywhere)
    needs = [[(k, t.prefix and i == len(t.tokens) - 1) for t in c.positive for i, k in enumerate(map(word_key, t.tokens))]
             for c in clauses]
    skipped = set() if any(t.raw for c in clauses for t in c.positive) else sources.lacking(needs)
    cases_of = sources.cases
    plan = [([_Lookup(t) for t in c.positive], [_Lookup(t) for t in c.negative]) for c in clauses]
    reader = _Reader(project, plan, cases_of, sources.served)
    ordered = [(i, name) for i, name in sources.ordered if i not in skipped and (source_ids is None or i in source_ids)]
    at, size = 0, _FIRST_CHUNK
    while at < len(ordered):
        chunk = ordered[at:at + size]
        found = []
        if reader.posted is not None:
            got = reader.posted.take([i for i, _name in chunk])
            found = [hits for i, name in chunk if i in got and (hits := _posted_hits(reader, i, name, got[i]))]
            chunk = [(i, name) for i, name in chunk if i not in got]
        # each source's hits found as its row streams in (its word index is still in the
        # CPU's cache), then given in name order; no cursor is left open between steps
        with _mapped(project.conn):
            rows = _rows(project.conn, chunk)
            try:
                found += [hits for row in rows if (hits := _source_hits(reader, row))]
            finally:
                rows.close()  # its statement done: SQLite ignores a new mmap_size while pages are out
        found.sort(key=_by_source)
        at, size = at + size, min(4 * size, _CHUNK)
        yield from found


_by_source = attrgetter("source")


def _posted_hits(reader: _Reader, sid: int, name: str, got) -> SourceHits | None:
    """The hits in one source from the word postings (``Posted.take``), None if none."""
    if got is None:
        return None
    text = _Text(later=reader.sources.text_later(sid), where=(reader.path, name))
    if reader.word is not None:
        numbers, narrow = got
        return SourceHits(name, sid, reader.cases_of.get(sid), _Starts(numbers) if narrow else list(numbers),
                          len(reader.word), text)
    return SourceHits(name, sid, reader.cases_of.get(sid), got[0], got[1], text)


def _source_hits(reader: _Reader, row) -> SourceHits | None:
    """The hits in one source (``row`` from ``_rows``), None if none."""
    sid, name, length, crc, blob = row
    sources = reader.sources
    lean = reader.lean
    if lean is not None and crc is not None:
        try:
            got = lean(blob, (length, crc))
        except _DAMAGED:  # a vocabulary line that is not one: ``_WordIndex`` sees the same
            got = None
        if got is not None:
            if not got[0]:
                return None
            return SourceHits(name, sid, reader.cases_of.get(sid), got[0], got[1],
                              _Text(later=sources.text_later(sid), where=(reader.path, name)))
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
        starts: Sequence[int]
        ends: Sequence[int] | int
        word = reader.word
        try:
            if word is not None and index is not None and not index.under:
                starts, ends = index.positions(word)[0], len(word)  # the starts alone
            else:
                one = reader.one
                spans = index.spans(*one) if one is not None and index is not None else _spans(reader.plan, text, index)
                starts, ends = list(map(_first, spans)), list(map(_second, spans))
        except _DAMAGED:
            text = _Text(sources.text_utf8(sid))
            spans = _spans(reader.plan, text, None)
            starts, ends = list(map(_first, spans)), list(map(_second, spans))
        if not starts:
            return None
        return SourceHits(name, sid, reader.cases_of.get(sid), starts, ends, text)
    except UnicodeDecodeError as exc:  # the stored text itself is damaged (never quote it)
        raise _damaged(reader.path, name, exc) from None


__all__ = ["Clause", "Hit", "Hits", "SourceHits", "Term", "build_word_index", "parse_query", "search", "search_by_source",
           "word_index_is_current", "word_key"]
