"""``search`` returns ``Hits`` and ``search_by_source`` yields ``SourceHits``: sequences whose
``Hit``s are made when read. They answer as the lists they replace did (length, items,
negative indexes, slices, equality, repr, copy and pickle). And the lean reads of one word
and of a two-word phrase (``word_index.lean_word`` / ``lean_pair_spans``) give what
``_WordIndex`` gives, for sound indexes and for damaged vocabulary lines alike."""

from __future__ import annotations

import copy
import pickle
import random
import zlib
from itertools import accumulate

import pytest

from qualcoder_lite.core.services.search import word_index as WI
from qualcoder_lite.core.services.search.query import parse_query
from qualcoder_lite.core.services.search.search import Hits, SourceHits, search, search_by_source, word_key
from tests.core.test_search_index import _reference_search, _rows
from tests.helpers import add_text_source

TEXT = ("Practice nurse: quality improvement in practice. The practice's quality, improvement; "
        "QUALITY  Improvement - practice.\n") * 3


@pytest.fixture
def proj(project):
    add_text_source(project, "B", TEXT, case="C1")
    add_text_source(project, "A", TEXT.replace("nurse", "naïve"))
    add_text_source(project, "C", "nothing here")
    return project


@pytest.mark.parametrize("query", ["practice", '"quality improvement"', "practice OR quality"])
def test_hits_answer_as_the_list_they_replace(proj, query):
    hits = search(proj, query)
    ref = _reference_search(proj, query)
    as_list = list(hits)
    assert isinstance(hits, Hits) and _rows(hits) == _rows(ref) and len(hits) == len(ref) > 4
    assert [hits[i] for i in range(len(hits))] == as_list
    assert [hits[-i] for i in range(1, len(hits) + 1)] == as_list[::-1]
    for bad in (len(hits), -len(hits) - 1):
        with pytest.raises(IndexError):
            hits[bad]
    for s in (slice(1, 3), slice(None, 2), slice(-2, None), slice(None, None, 2), slice(3, 1), slice(2, 100)):
        assert hits[s] == as_list[s] and isinstance(hits[s], list)
    assert hits == as_list and as_list == hits and not hits != as_list
    assert hits != as_list[:-1] and hits != [] and hits != tuple(as_list)
    assert repr(hits) == repr(as_list)
    assert copy.copy(hits) == as_list == pickle.loads(pickle.dumps(hits))
    assert as_list[3] in hits and hits.index(as_list[3]) == as_list.index(as_list[3])
    assert search(proj, query, limit=2) == as_list[:2]


def test_hits_per_source_answer_as_lists(proj):
    by_source = list(search_by_source(proj, "practice"))
    assert [s.source for s in by_source] == ["A", "B"]
    flat = []
    for s in by_source:
        items = list(s)
        assert isinstance(s, SourceHits) and len(s) == len(items) > 1
        assert [s[i] for i in range(len(s))] == items == s[:] and s[-1] == items[-1]
        assert {h.source for h in items} == {s.source} and {h.case for h in items} == {s.case}
        assert list(s.spans()) == [(h.start, h.end) for h in items]
        with pytest.raises(IndexError):
            s[len(s)]
        flat += s
    assert flat == search(proj, "practice")
    assert search(proj, "zebra") == [] and not search(proj, "zebra")


def _index(text: str) -> tuple[bytes, tuple[int, int]]:
    blob = WI.build_word_index(text)
    return blob, (len(text), zlib.crc32(text.encode("utf-8")))


def _old(blob: bytes, facts, query: str):
    """What the index read as ``_WordIndex`` gives (the path before the lean reads)."""
    term = parse_query(query)[0].positive[0]
    keys = tuple(word_key(t) for t in term.tokens)
    index = WI._WordIndex.load(blob, None, facts)
    if index is None or (len(keys) == 1 and index.under) or (len(keys) == 2 and (index.under or index.far)):
        return "old path"
    try:
        if len(keys) == 1:
            return [(s, s + len(keys[0])) for s in index.positions(keys[0])[0]]
        return index.spans(term, keys)
    except (ValueError, IndexError, KeyError):
        return "damaged"


def _lean(blob: bytes, facts, query: str):
    term = parse_query(query)[0].positive[0]
    keys = tuple(word_key(t) for t in term.tokens)
    try:
        if len(keys) == 1:
            got = WI.lean_word(blob, facts, WI.word_needle(keys[0]))
            if got is None:
                return "old path"
            starts = list(accumulate(got[0])) if got[1] else list(got[0])
            return [(s, s + len(keys[0])) for s in starts]
        got2 = WI.lean_pair_spans(blob, facts, (WI.word_needle(keys[0]), WI.word_needle(keys[1])),
                                  (len(keys[0]), len(keys[1])))
        return "old path" if got2 is None else list(zip(*got2))
    except (ValueError, IndexError, KeyError):  # search then reads the source as ``_old`` does
        return "refused"


def _damage(blob: bytes, rnd: random.Random) -> bytes:
    """``blob`` with one vocabulary line's numbers changed (the header still fits the text)."""
    va, vb = 4 * WI._HEADER, 4 * WI._HEADER + WI._HEAD.unpack_from(blob)[7]
    b = bytearray(blob)
    for _ in range(rnd.randint(1, 3)):
        i = rnd.randrange(va, vb)
        if chr(b[i]) in "0123456789hi\t":
            b[i] = ord(rnd.choice("0123456789hix-+\t ٣"[:-1]))
    return bytes(b)


QUERIES = ["practice", "quality", "improvement", "zebra", '"quality improvement"', '"practice quality"',
           '"improvement practice"', '"a b"', "a", "b", "x"]


def test_lean_reads_give_what_the_index_gives():
    rnd = random.Random(17)
    words = ["practice", "quality", "improvement", "a", "b", "x", "Quality", "IMPROVEMENT"]
    seps = [" ", " ", ", ", ".\n", " - ", "  ", " " * 300, "…"]
    texts = [TEXT, "a b " * 20 + "x " * 40000 + "a b"]
    for _ in range(30):
        n = rnd.choice([3, 30, 300])
        texts.append("".join(rnd.choice(words) + rnd.choice(seps) for _ in range(n)))
    compared = refused = 0
    for text in texts:
        blob, facts = _index(text)
        for b in [blob] + [_damage(blob, rnd) for _ in range(4)]:
            for q in QUERIES:
                old = _old(b, facts, q)
                if old == "old path":
                    continue
                # where the lean reads are taken they answer alike, or refuse the index (and
                # search reads it as before): never on a sound one
                lean = _lean(b, facts, q)
                assert lean == old or (lean == "refused" and b != blob), (q, text[:40], lean, old)
                compared += lean != "refused"
                refused += lean == "refused"
    assert compared > 1000 and refused > 20


def test_lean_reads_stop_at_the_end_of_each_section():
    """A vocabulary line whose count runs past the end of its numbers (the 4-byte starts of
    the wide keys, the 2-byte differences of the narrow ones) is read up to that end, as
    ``_WordIndex`` slices it: never into the section after it."""
    text = "a b " * 20 + "x " * 40000 + "a b"  # "a", "b": wide keys (starts 65,536+ apart); "x" narrow
    blob, facts = _index(text)
    assert b"\na\ti0\t21\t0\n" in blob and b"\nx\th0\t40000\t42\n" in blob
    for line, longer in ((b"\na\ti0\t21\t", b"\na\ti0\t99\t"), (b"\nb\ti21\t21\t", b"\nb\ti21\t99\t"),
                         (b"\nx\th0\t40000\t", b"\nx\th0\t99999\t")):
        damaged = blob.replace(line, longer)
        for q in ("a", "b", "x", '"a b"', '"x a"', '"b x"'):
            old = _old(damaged, facts, q)
            assert isinstance(old, list) and _lean(damaged, facts, q) == old, (longer, q)


def test_a_phrase_skips_the_sources_lacking_one_of_its_words():
    from qualcoder_lite.core.store.source_keys import lacking_among

    rows = [(1, b"\na\nb\n"), (2, b"\na\n"), (3, b"\nb\n"), (4, b"\nab\n"), (5, b"\na\nb\nc\n")]
    assert lacking_among(rows, [[b"\na\n", b"\nb\n"]]) == {2, 3, 4}
    assert lacking_among(rows, [[b"\nb\n", b"\na\n"]]) == {2, 3, 4}
    assert lacking_among(rows, [[b"\na\n", b"\nb\n", b"\nc\n"]]) == {1, 2, 3, 4}
    assert lacking_among(rows, [[b"\na\n", b"\nb\n"], [b"\nab\n"]]) == {2, 3}


def test_a_source_without_its_facts_row_is_scanned(proj):
    proj.conn.execute("DELETE FROM source_facts WHERE source_id = (SELECT id FROM sources WHERE name = 'A')")
    for query in ("practice", '"quality improvement"', "pract*"):
        hits = search(proj, query)
        assert {h.source for h in hits} == {"A", "B"}
        assert _rows(hits) == _rows(_reference_search(proj, query))

