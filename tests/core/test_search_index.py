"""Search from the word index finds exactly what the regex scan found.

``_reference_search`` below is the implementation of ``services.search.search`` before the
word index (the regex of every term run over the whole text), kept verbatim as the
definition of the right answer, except that it scans every source (it scanned the
candidates of the FTS5 table of schemas 1-7, which schema 8 dropped). Every test compares the new search with it:
same hits, same code-point offsets, same snippets, same order, same errors.
"""

from __future__ import annotations

import copy
import pickle
import re
import shutil
import sqlite3
import unicodedata
import zlib
from dataclasses import FrozenInstanceError, dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcoder_lite.core.errors import QualCoderError, UsageError
from qualcoder_lite.core.project import memory_project, open_project
from qualcoder_lite.core.store import casekeys as CK
from qualcoder_lite.core.services.search import query as Q
from qualcoder_lite.core.services.search import word_index as WI
from qualcoder_lite.core.services.search.search import Hit, build_word_index, search, word_key
from qualcoder_lite.core.store import database
from qualcoder_lite.core.store import word_index as W
from qualcoder_lite.core.store.schema import LATEST, MIGRATIONS
from tests.helpers import add_text_source, dump


# ----------------------------------------------------------------------------- the reference
# (services/search.py as it was before the word index; only renamed)
@dataclass(frozen=True)
class _RefTerm:
    tokens: tuple[str, ...]
    prefix: bool = False
    raw: bool = False

    def regex(self) -> re.Pattern:
        if self.raw:
            return re.compile(re.escape(" ".join(self.tokens)), re.IGNORECASE)
        body = r"[\W_]+".join(re.escape(t) for t in self.tokens)
        tail = "" if self.prefix else r"(?!\w)"
        first = re.escape(self.tokens[0][0])
        rest = body[len(first):]
        return re.compile(first + r"(?<!\w.)" + rest + (r"\w*" if self.prefix else "") + tail, re.IGNORECASE)


@dataclass
class _RefClause:
    positive: list[_RefTerm] = field(default_factory=list)
    negative: list[_RefTerm] = field(default_factory=list)


@dataclass(frozen=True)
class _RefHit:
    source: str
    source_id: int
    case: str | None
    start: int
    end: int
    snippet: str


def _ref_is_cjk(ch: str) -> bool:
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL"))


_REF_WORDS = re.compile(r"[^\W_]+")
_REF_LEX = re.compile(r'"([^"]*)"?|(\S+)')


def _ref_is_emoji(ch: str) -> bool:  # pictographs (So) and skin tones: literal substrings
    return unicodedata.category(ch) == "So" or 0x1F3FB <= ord(ch) <= 0x1F3FF


def _ref_term(text: str, prefix: bool = False) -> _RefTerm | None:
    if any(_ref_is_cjk(ch) or _ref_is_emoji(ch) for ch in text):
        stripped = text.strip()
        return _RefTerm((stripped,), raw=True) if stripped else None
    tokens = tuple(_REF_WORDS.findall(text))
    if not tokens:
        return None
    return _RefTerm(tokens, prefix=prefix)


def _ref_parse_query(query: str) -> list[_RefClause]:
    clauses = [_RefClause()]
    negate = False
    for m in _REF_LEX.finditer(query):
        phrase, word = m.group(1), m.group(2)
        if phrase is None:
            if word == "OR":
                if clauses[-1].positive or clauses[-1].negative:
                    clauses.append(_RefClause())
                negate = False
                continue
            if word == "AND":
                continue
            if word == "NOT":
                negate = True
                continue
            prefix = word.endswith("*") and len(word.rstrip("*")) > 0
            term = _ref_term(word.rstrip("*") if prefix else word, prefix)
        else:
            term = _ref_term(phrase)
        if term is None:
            continue
        (clauses[-1].negative if negate else clauses[-1].positive).append(term)
        negate = False
    clauses = [c for c in clauses if c.positive]
    if not clauses:
        raise UsageError(f"search {query!r} has no words to look for")
    return clauses


def _ref_snippet(text: str, start: int, end: int, width: int = 60) -> str:
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


def _reference_search(project, query: str, source_ids: set[int] | None = None, limit: int | None = None):
    clauses = _ref_parse_query(query)
    # every source is scanned: no prefilter (the FTS5 one of schemas 1-7 only narrowed this)
    candidates: set[int] = {r[0] for r in project.conn.execute("SELECT id FROM sources")}
    if source_ids is not None:
        candidates &= source_ids
    cases_of: dict[int, str] = {}
    for r in project.conn.execute(
        "SELECT cs.source_id, min(c.name) FROM case_sources cs JOIN cases c ON c.id = cs.case_id GROUP BY cs.source_id"
    ):
        cases_of[r[0]] = r[1]
    hits = []
    compiled = [([t.regex() for t in c.positive], [t.regex() for t in c.negative]) for c in clauses]
    for sid in sorted(candidates):
        row = project.conn.execute("SELECT name, text FROM sources WHERE id = ?", (sid,)).fetchone()
        name, text = row[0], row[1]
        spans: set[tuple[int, int]] = set()
        for pos, neg in compiled:
            if any(rx.search(text) for rx in neg):
                continue
            found = [[(m.start(), m.end()) for m in rx.finditer(text) if m.end() > m.start()] for rx in pos]
            if all(found):
                for f in found:
                    spans.update(f)
        for start, end in spans:
            hits.append(_RefHit(name, sid, cases_of.get(sid), start, end, _ref_snippet(text, start, end)))
    hits.sort(key=lambda h: (h.source, h.start, h.end))
    return hits[:limit] if limit else hits


# ----------------------------------------------------------------------------- helpers
def _rows(hits) -> list[tuple]:
    return [(h.source, h.source_id, h.case, h.start, h.end, h.snippet) for h in hits]


def _outcome(fn, project, query, **kw):
    try:
        return _rows(fn(project, query, **kw))
    except UsageError as exc:
        return ("UsageError", str(exc))


def assert_same(project, query: str, **kw) -> list[tuple]:
    new = _outcome(search, project, query, **kw)
    ref = _outcome(_reference_search, project, query, **kw)
    assert new == ref, query
    return new


def index_of(project, sid: int):
    return project.conn.execute("SELECT word_index FROM source_facts WHERE source_id = ?", (sid,)).fetchone()[0]


_TEXT_INDEX = "SELECT s.id, s.text, f.word_index FROM sources s LEFT JOIN source_facts f ON f.source_id = s.id"


def assert_indexes_fresh(project) -> None:
    """Every source carries the index of its current text, and the length and CRC-32 of
    that text (``source_facts``, schema 7)."""
    for sid, text, blob in project.conn.execute(_TEXT_INDEX):
        assert blob == build_word_index(text), f"source {sid}: word index missing or stale"
    facts = {r[0]: r[1:] for r in project.conn.execute("SELECT source_id, length, text_crc FROM source_facts")}
    texts = {r[0]: r[1] for r in project.conn.execute("SELECT id, text FROM sources")}
    assert facts == {sid: (len(t), zlib.crc32(t.encode("utf-8"))) for sid, t in texts.items()}
    assert [s.length for s in project.sources.all()] == [len(texts[s.id]) for s in project.sources.all()]


def index_spans(text: str, query_term: str, prefix: bool = False):
    """A term's spans straight from the index (no scan fallback), or None if the index
    sends this text to the scan."""
    term = Q._term(query_term, prefix)
    raw = text.encode("utf-8")
    index = WI._WordIndex.load(build_word_index(text), raw)
    if index is None:
        return None
    return index.spans(term, tuple(word_key(t) for t in term.tokens))


def regex_spans(text: str, query_term: str, prefix: bool = False):
    term = Q._term(query_term, prefix)
    return [(m.start(), m.end()) for m in term.regex().finditer(text) if m.end() > m.start()]


# ----------------------------------------------------------------------------- case keys
def _cased_anyhow(ch: str) -> bool:
    return ch.lower() != ch or ch.upper() != ch or ch.casefold() != ch or CK.iscased(ord(ch))


def test_case_keys_are_equal_exactly_when_re_ignorecase_matches():
    """For every character with any case mapping: a word character ``c`` as a pattern under
    IGNORECASE matches exactly the word characters with its key, and a non-word character it
    matches is one ``_needs_scan`` sends to the scan."""
    chars = [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp < 0xE000]
    extra = {chr(c) for k, v in CK.extra_cases().items() for c in (k, *v)}
    cased = [ch for ch in chars if _cased_anyhow(ch) or ch in extra]
    pool = "".join(cased)
    keyed: dict[str, set[str]] = {}
    for x in cased:
        if x.isalnum():
            keyed.setdefault(word_key(x), set()).add(x)
    for c in cased:
        if not c.isalnum():
            continue
        matched = set(re.findall(re.escape(c), pool, re.IGNORECASE))
        assert {x for x in matched if x.isalnum()} == keyed[word_key(c)], repr(c)
        assert all(W._needs_scan(x) for x in matched if not x.isalnum()), repr(c)
    # every other character has no case: it is its own key and only matches itself
    cased_set = set(cased)
    rest = "".join(ch for ch in chars if ch not in cased_set)
    assert not any(CK.iscased(ord(ch)) for ch in rest)
    alnum_cased = "".join(re.escape(c) for c in cased if c.isalnum())
    assert re.findall(f"[{alnum_cased}]", rest, re.IGNORECASE) == []
    sample = [ch for ch in rest if ch.isalnum()][::97]
    assert all(word_key(ch) == ch for ch in sample)
    assert all(re.findall(re.escape(ch), pool, re.IGNORECASE) == [] for ch in sample[:300])


@pytest.mark.parametrize("a, b", [
    ("s", "\u017f"),  # long s: lower cases differ, same upper case (S)
    ("i", "\u0131"),  # dotless i
    ("\u00b5", "\u03bc"),  # micro sign and Greek mu
    ("\u03b2", "\u03d0"),  # beta and curled beta
    ("\u03b8", "\u03d1"),  # theta and script theta
    ("k", "\u212a"),  # Kelvin sign: its simple lower case is k
    ("i", "\u0130"),  # capital I with dot: lowers to i + U+0307, re uses the simple mapping, i
    ("\u00df", "\u1e9e"),  # sharp s and capital sharp s
    ("\u00df", "s"),  # ...but not s (upper() of sharp s is SS: two characters)
    ("\u0149", "n"),  # n preceded by apostrophe has no simple case: not n
])
def test_case_keys_follow_re_for_the_letters_the_simple_mappings_miss(a, b):
    """The public-API case tables (``casekeys``) give the answer ``re.IGNORECASE`` gives for
    the letters ``str.lower()`` alone gets wrong: the extra lower cases that share an upper
    case (what ``re._casefix`` lists) and the one-character simple mappings."""
    matches = re.fullmatch(re.escape(a), b, re.IGNORECASE) is not None
    assert matches == (re.fullmatch(re.escape(b), a, re.IGNORECASE) is not None)
    assert (word_key(a) == word_key(b)) == matches, (a, b, matches)
    assert (word_key(a + "x") == word_key(b.upper() + "X")) == (
        re.fullmatch(re.escape(a + "x"), b.upper() + "X", re.IGNORECASE) is not None)


def test_extra_cases_pair_the_lower_cases_of_one_upper_case():
    table = CK.extra_cases()
    assert set(table[ord("s")]) == {0x17F}
    assert set(table[ord("i")]) == {0x131}
    assert set(table[0x3B8]) == {0x3D1}
    for low, others in table.items():  # symmetric, and every member has the same upper case
        assert all(low in table[o] for o in others)
        assert len({chr(c).upper() for c in (low, *others)}) == 1
    assert not CK.iscased(ord("1")) and CK.iscased(0x212A) and CK.tolower(0x130) == ord("i")


def test_every_code_point_in_order():
    """The case tables' scan of all of Unicode (built a plane at a time) misses and repeats none."""
    planes = list(CK._planes())
    assert [len(p) for p in planes] == [0x10000] * 17
    assert "".join(planes) == "".join(map(chr, range(0x110000)))


def test_ascii_fast_path_equals_the_table():
    for cp in range(128):
        ch = chr(cp)
        if ch.isalnum():
            assert word_key(ch) == ch.translate(CK._CHAR_KEYS)
    assert word_key("ſtraße") == word_key("STRAßE") != word_key("strasse")
    assert word_key("\u212aelvin") == word_key("kelvin")  # the Kelvin sign is a K for re


# ----------------------------------------------------------------------------- the demo project
@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_template):
    path = tmp_path_factory.mktemp("search") / "demo.qlite"
    shutil.copy(demo_template, path)
    p = open_project(path, read_only=True)
    yield p
    p.close()


def _demo_queries(project) -> list[str]:
    texts = [r[0] for r in project.conn.execute("SELECT text FROM sources ORDER BY id")]
    words = sorted({w for t in texts for w in re.findall(r"[^\W_]+", t)})
    picked = words[::max(1, len(words) // 250)]
    queries = list(picked)
    queries += [w.upper() for w in picked[::5]] + [w.capitalize() for w in picked[1::5]]
    queries += [w[:n] + "*" for w in picked[::3] for n in (1, 2, 4) if len(w) > n]
    phrases = []
    for t in texts[:4]:
        toks = re.findall(r"\S+", t)
        for i in range(0, len(toks) - 3, 97):
            phrases += [" ".join(toks[i:i + 2]), " ".join(toks[i:i + 3])]
    queries += [f'"{p}"' for p in phrases] + phrases[::3] + [f'"{p}*"' for p in phrases[::4]]
    queries += [f"{a} OR {b}" for a, b in zip(picked[::7], picked[3::7])]
    queries += [f"{a} NOT {b}" for a, b in zip(picked[::9], picked[5::9])]
    queries += [f"{a} AND {b} OR NOT {c} {d}" for a, b, c, d in zip(picked[::11], picked[2::11], picked[4::11],
                                                                     picked[6::11])]
    queries += [
        "practice", "contract*", "contracts", '"quality improvement"', "well-being", "don't", "don’t",
        "GP's", "P1*", "1*", "the", "THE", "a*", "I", "i", '"in the"', "the the", "interviewer",
        "Interviewer:", "_", "—", "*", '""', "NOT", "OR", "AND the", "NOT the", "the NOT the", "中", "中文",
        "😀", "e\u0301", "café", '"the', 'the"', "x-ray", "co-ordinate", "funding NOT contract",
        "time* OR money", "Practice-based", "a_b", "p\u0345", "ſ*", "\u212a*",
    ]
    return queries


def test_demo_project_every_query_like_the_reference(demo):
    assert demo.conn.execute("SELECT count(*) FROM source_facts WHERE word_index IS NULL").fetchone()[0] == 0
    queries = _demo_queries(demo)
    assert len(queries) > 500
    total = 0
    for q in queries:
        total += len(assert_same(demo, q))
    assert total > 5000  # the queries do find things


def test_demo_project_limit_and_source_filter_like_the_reference(demo):
    ids = [r[0] for r in demo.conn.execute("SELECT id FROM sources ORDER BY id")]
    for q in ("the", "practice OR GP", "a*"):
        assert_same(demo, q, limit=7)
        assert_same(demo, q, source_ids=set(ids[::2]))
        assert_same(demo, q, source_ids=set())


def test_demo_project_every_index_is_fresh(demo):
    assert_indexes_fresh(demo)


# ----------------------------------------------------------------------------- random texts
FRAGMENTS = [
    "practice", "Practice", "PRACTICE", "practices", "quality", "Quality", "improvement", "well", "being",
    "don", "t", "'", "’", "_", "__", "-", "—", " ", "  ", "\n", "\n\n", "\t", ".", ",", ":", "*", '"',
    "😀", "👩\u200d⚕️", "中文", "文", "日本語", "한국", "e\u0301", "é", "\u0301", "ß", "SS", "ss", "ſ", "s",
    "S", "İ", "i", "ı", "I", "K", "\u212a", "k", "\u0345", "ι", "Ι", "\u1fbe", "ⓐ", "Ⓐ", "µ", "μ", "Σ",
    "σ", "ς", "ϐ", "β", "123", "4", "٣", "²", "x²", "a", "b", "ab", "AB", "ǅ", "ǆ", "Ǆ", "ﬁ", "Zoë",
    "O'Neill", "well-being", "a_b", "_a", "b_", "P1", "GP01", "\u200d", "\u00a0", "\u2029",
]

# few pieces, many repeats: phrases, overlaps and underscores next to words are common
DENSE = ["a", "A", "b", "ab", " ", " ", "_", "-", "\n", "'", "1", "s", "S", "ſ", "ß", "ss", "é", "e\u0301", "😀",
         "中", "ι", "\u0345"]

fragment_texts = st.lists(st.sampled_from(FRAGMENTS), min_size=0, max_size=40).map("".join)
dense_texts = st.lists(st.sampled_from(DENSE), min_size=0, max_size=60).map("".join)
unicode_texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
texts = st.one_of(fragment_texts, dense_texts, unicode_texts)


@st.composite
def queries_for(draw, pool: list[str]):
    """A query built from words of the texts, fragments and operators."""
    words = [w for t in pool for w in re.findall(r"[^\W_]+", t)] or ["a"]
    parts = []
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 2, 3, 4]))):
        kind = draw(st.integers(0, 9))
        if kind <= 3:
            w = draw(st.sampled_from(words))
            if draw(st.booleans()):
                w = draw(st.sampled_from([w.upper(), w.lower(), w.capitalize(), w.swapcase()]))
            if draw(st.booleans()) and len(w) > 1:
                w = w[:draw(st.integers(1, len(w) - 1))] + "*"
            parts.append(w)
        elif kind <= 5:
            t = draw(st.sampled_from(pool)) if pool else "a b"
            toks = re.findall(r"\S+", t) or ["a"]
            i = draw(st.integers(0, len(toks) - 1))
            phrase = " ".join(toks[i:i + draw(st.integers(1, 3))])
            star = "*" if draw(st.booleans()) else ""
            parts.append(f'"{phrase}{star}"' if draw(st.booleans()) else phrase + star)
        elif kind == 6:
            parts.append(draw(st.sampled_from(["AND", "OR", "NOT", "NOT", "OR"])))
        elif kind == 7:
            parts.append(draw(st.sampled_from(FRAGMENTS)).strip() or "x")
        elif kind == 8:
            t = draw(st.sampled_from(pool)) if pool else "x"
            if t:
                i = draw(st.integers(0, len(t) - 1))
                parts.append(t[i:i + draw(st.integers(1, 6))])
        else:
            parts.append(draw(unicode_texts.filter(lambda s: s.strip())))
    return " ".join(parts)


def _project_with(texts_: list[str]):
    project = memory_project(coder="tester")
    for i, t in enumerate(texts_):
        add_text_source(project, f"S{i}", t, case=f"C{i % 2}" if i else None)
    return project


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texts, min_size=1, max_size=3, unique=True), st.data())
def test_random_texts_and_queries_like_the_reference(pool, data):
    project = _project_with(pool)
    try:
        for _ in range(4):
            assert_same(project, data.draw(queries_for(pool)))
    finally:
        project.close()


@settings(max_examples=400, deadline=None)
@given(texts, st.data())
def test_index_spans_equal_regex_spans(text, data):
    """The index itself (no fallback) gives the regex's spans, for every term of the text."""
    words = re.findall(r"[^\W_]+", text) or ["a"]
    w = data.draw(st.sampled_from(words))
    variants = [w, w.upper(), w.lower(), w[:1], w[:-1] or w]
    i = data.draw(st.integers(0, max(0, len(words) - 1)))
    phrase = " ".join(words[i:i + data.draw(st.integers(2, 4))])
    for q in variants + [phrase, "_".join(words[i:i + 2]), "-".join(words[i:i + 3])]:
        if not Q._WORDS.search(q) or any(Q._is_cjk(ch) for ch in q):
            continue
        for prefix in (False, True):
            got = index_spans(text, q, prefix)
            if got is None:
                assert W._needs_scan(text)
                continue
            assert sorted(got) == regex_spans(text, q, prefix), (q, prefix)


@pytest.mark.parametrize("text, query, prefix", [
    ("a a a a a", "a a", False),  # finditer never overlaps
    ("a a a a a", "a a a", True),
    ("foo_bar foo bar foo-bar", "foo bar", False),
    ("foo_bar foo bar _foo bar_", "foo", False),
    ("foo_bar foo bar _foo bar_ foox_y", "foo", True),
    ("x__y x y", "x y", True),
    ("ab" + " " * 300 + "cd ab\n\n\ncd", "ab cd", False),  # a gap of 255+ characters
    ("ſtraße STRASSE strasse", "straße", False),
    ("İstanbul istanbul ıstanbul", "istanbul", False),
    ("\u212aelvin kelvin", "Kelvin", False),
    ("ab\u0345 abι", "abι", False),
    ("e\u0301 é e", "e", False),
    ("x² x2 ²", "x", True),
])
def test_index_edge_cases(text, query, prefix):
    got = index_spans(text, query, prefix)
    want = regex_spans(text, query, prefix)
    if got is None:
        assert W._needs_scan(text)
    else:
        assert sorted(got) == want
    project = _project_with([text])
    try:
        q = query + ("*" if prefix else "")
        assert_same(project, q)
        assert_same(project, f'"{q}"')
    finally:
        project.close()


def test_long_text_with_far_apart_words_and_long_gaps(project):
    """Occurrences more than 65,535 characters apart (32-bit offsets) and separators of 255+
    characters (gaps kept aside) - the index paths a short text never takes."""
    filler = " ".join(f"w{i % 97}" for i in range(30_000))
    text = ("Rare quality. " + filler + " rare Quality" + "." * 300 + "improvement rare_x RARE\n"
            + "-" * 70_000 + " rarest quality_improvement 😀 rare")
    assert len(text) > 2 * 65_536
    blob = build_word_index(text)
    index = WI._WordIndex.load(blob, text.encode("utf-8"))
    assert "\trare\ti" in "\t" + index.vocab.replace("\n", "\t") and index.far
    for q, prefix in (("rare", False), ("rare", True), ("rare quality", False), ("quality improvement", False),
                      ("rare quality improvement", False), ("w1 w2", False), ("w9", True), ("rare x", False)):
        assert sorted(index_spans(text, q, prefix)) == regex_spans(text, q, prefix), q
    add_text_source(project, "LONG", text)
    for q in ("rare", "rar*", '"rare quality"', "quality improvement", "w96 w0 w1", "rarest OR w5*"):
        assert_same(project, q)


# ----------------------------------------------------------------------------- missing, stale, damaged
TEXT = ("Interviewer: How is practice going?\n\nP1: Practice is busy; the practice_manager says "
        "quality improvement (QI) work stalls. Well-being? 😀 中文 too.\n")


@pytest.fixture
def proj(project):
    add_text_source(project, "P1", TEXT, case="P1")
    add_text_source(project, "P2", TEXT.replace("busy", "quiet"), case="P2")
    return project


QUERIES = ["practice", "Practice*", '"quality improvement"', "well-being", "中文", "practice NOT quiet",
           "busy OR quiet", "practice_manager", "manager"]


@pytest.mark.parametrize("damage", [
    "UPDATE source_facts SET word_index = NULL WHERE source_id = (SELECT id FROM sources WHERE name = 'P1')",
    "UPDATE source_facts SET word_index = x'00' WHERE source_id = (SELECT id FROM sources WHERE name = 'P1')",
    "UPDATE source_facts SET word_index = 'not a blob at all, some text instead' WHERE source_id = (SELECT id FROM sources WHERE name = 'P1')",
    "UPDATE source_facts SET word_index = (SELECT f.word_index FROM source_facts f JOIN sources s ON s.id = f.source_id "
    "WHERE s.name = 'P2') WHERE source_id = (SELECT id FROM sources WHERE name = 'P1')",
    "UPDATE source_facts SET text_crc = NULL WHERE source_id = (SELECT id FROM sources WHERE name = 'P1')",  # checked against the text instead
    "UPDATE source_facts SET text_crc = text_crc + 1 WHERE source_id = (SELECT id FROM sources WHERE name = 'P1')",
    "UPDATE sources SET text = replace(text, 'busy', 'practice practice') WHERE name = 'P1'",  # stale
])
def test_missing_stale_or_damaged_index_falls_back_to_the_scan(proj, damage):
    proj.conn.execute(damage)
    for q in QUERIES:
        assert_same(proj, q)


def test_index_with_a_broken_layout_is_never_a_traceback(proj):
    sid = proj.sources.by_name("P1").id
    good = bytearray(index_of(proj, sid))
    vocab_at = 4 * WI._HEADER
    for i in range(vocab_at, vocab_at + 40):  # numbers in the vocabulary become letters
        if chr(good[i]).isdigit():
            good[i] = ord("x")
    proj.conn.execute("UPDATE source_facts SET word_index = ? WHERE source_id = ?", (bytes(good), sid))
    for q in QUERIES:
        assert_same(proj, q)


# ----------------------------------------------------------------------------- who writes the index
def test_import_writes_the_index_and_undo_redo_restore_it(project):
    from qualcoder_lite.core.services.sources.importing import ImportSources, PreparedSource

    cmd = ImportSources([PreparedSource(__import__("pathlib").Path("A.txt"), "A", TEXT, "txt", [], "A")])
    before = dump(project)
    project.execute(cmd)
    assert_indexes_fresh(project)
    after = project.conn.execute("SELECT word_index FROM source_facts").fetchall()
    project.undo(cmd)
    assert dump(project) == before
    project.redo(cmd)
    assert project.conn.execute("SELECT word_index FROM source_facts").fetchall() == after
    assert_same(project, "practice")


def test_pseudonymisation_rewrites_the_index_and_undo_restores_it(proj):
    from qualcoder_lite.core.services.privacy.pseudonymise import Pseudonymise

    old = {r[0]: r[1:] for r in proj.conn.execute("SELECT source_id, length, text_crc, word_index FROM source_facts")}
    cmd = Pseudonymise({"Interviewer": "[INT]", "practice": "[ORG_1]"})
    proj.execute(cmd)
    assert_indexes_fresh(proj)
    sid = proj.sources.by_name("P1").id
    assert "practice" not in proj.sources.text(sid).split()
    vocab = WI._WordIndex.load(index_of(proj, sid), proj.sources.text(sid).encode("utf-8")).vocab
    assert "\ninterviewer\t" not in vocab and "\nint\t" in vocab  # the real name left the index too
    for q in ("practice", "ORG_1", '"ORG 1"', "INT*", "busy"):
        assert_same(proj, q)
    proj.undo(cmd)
    assert {r[0]: r[1:] for r in proj.conn.execute("SELECT source_id, length, text_crc, word_index FROM source_facts")} == old
    proj.redo(cmd)
    assert_indexes_fresh(proj)


def test_merge_and_qdpx_import_write_the_index(demo_file, tmp_path):
    from qualcoder_lite.core.services.refi.interop import export_qdpx, import_qdpx
    from qualcoder_lite.core.services.team.merge import merge_copy

    theirs = tmp_path / "theirs.qlite"
    shutil.copy(demo_file, theirs)
    with open_project(theirs, coder="sam") as p:
        add_text_source(p, "NEW", "A new practice, their copy only: quality improvement.", case="NEW")
    with open_project(demo_file, coder="alex") as p:
        merge_copy(p, theirs)
        assert p.sources.by_name("NEW") is not None
        assert_indexes_fresh(p)
        assert_same(p, "practice")
        export_qdpx(p, tmp_path / "demo.qdpx")
    import_qdpx(tmp_path / "demo.qdpx", tmp_path / "imported.qlite", coder="kim")
    with open_project(tmp_path / "imported.qlite") as p:
        assert p.sources.count() > 5
        assert_indexes_fresh(p)
        assert_same(p, '"quality improvement" OR contract*')


def _pre_index_project(path, texts_: list[str]) -> None:
    """A project file at the schema before the word index, with sources."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {database.APPLICATION_ID}")
    adds_index = min(v for v, sql in MIGRATIONS.items() if "word_index" in sql)
    database.migrate(conn, 0, adds_index - 1)
    for i, t in enumerate(texts_):
        conn.execute("INSERT INTO sources(guid, name, text, text_hash, imported) VALUES (?, ?, ?, 'h', 't')",
                     (f"g{i}", f"S{i}", t))
    conn.close()


def test_migration_builds_the_index_of_existing_sources(tmp_path):
    path = tmp_path / "old.qlite"
    _pre_index_project(path, [TEXT, TEXT.upper(), "x_y ſ 😀 \u0345"])
    with open_project(path) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert_indexes_fresh(p)
        assert database.complete_word_index(p.conn) == 0  # idempotent: nothing left to do
        for q in QUERIES:
            assert_same(p, q)


def test_open_for_writing_fills_in_a_missing_index_read_only_does_not(project_file):
    with open_project(project_file) as p:
        add_text_source(p, "P1", TEXT)
        p.conn.execute("UPDATE source_facts SET word_index = NULL")
    with open_project(project_file, read_only=True) as p:
        assert p.conn.execute("SELECT word_index FROM source_facts").fetchone()[0] is None
        assert_same(p, "practice")
    with open_project(project_file) as p:
        assert_indexes_fresh(p)


def test_an_index_of_another_layout_or_unicode_version_is_rebuilt_on_open(project_file, monkeypatch):
    with open_project(project_file) as p:
        for i in range(3):
            add_text_source(p, f"P{i}", TEXT + str(i))
        assert database.complete_word_index(p.conn) == 0
    # as if built by a Python with other tables (the store builds and checks it, search reads it)
    monkeypatch.setattr(W, "_UNICODE", W._UNICODE + 1)
    monkeypatch.setattr(WI, "_UNICODE", W._UNICODE)
    with open_project(project_file, read_only=True) as p:
        assert all(WI._WordIndex.load(b, t.encode()) is None
                   for _sid, t, b in p.conn.execute(_TEXT_INDEX))
        assert_same(p, "practice OR busy")  # scanned meanwhile
    with open_project(project_file) as p:
        assert_indexes_fresh(p)
        assert database.complete_word_index(p.conn) == 0


def test_a_file_that_cannot_be_written_keeps_opening(project_file):
    with open_project(project_file) as p:
        add_text_source(p, "P1", TEXT)
        p.conn.execute("UPDATE source_facts SET word_index = NULL")
    conn = sqlite3.connect(f"file:{project_file}?mode=ro", uri=True, isolation_level=None)
    try:
        assert database.complete_word_index(conn) == 0
        assert conn.execute("SELECT word_index FROM source_facts").fetchone()[0] is None
    finally:
        conn.close()


# ----------------------------------------------------------------------------- hits
def test_hits_are_immutable_values_with_snippets_after_close(project_file):
    with open_project(project_file) as p:
        add_text_source(p, "P1", TEXT, case="P1")
        hits = search(p, "practice")
        ref = _reference_search(p, "practice")
    # the project is closed: snippets still come (from the text the hits keep)
    assert _rows(hits) == _rows(ref)
    h = hits[0]
    assert h == Hit(h.source, h.source_id, h.case, h.start, h.end, h.snippet)
    assert hash(h) == hash(Hit(h.source, h.source_id, h.case, h.start, h.end, h.snippet))
    assert h != hits[1] and len(set(hits)) == len(hits)
    assert h.as_dict() == {"source": "P1", "case": "P1", "start": h.start, "end": h.end, "snippet": h.snippet}
    assert repr(h).startswith("Hit(source='P1'")
    with pytest.raises(FrozenInstanceError):
        h.start = 0
    assert copy.copy(h) == h == pickle.loads(pickle.dumps(h))
    with pytest.raises(FrozenInstanceError):
        del h.end


def test_bad_queries_are_usage_errors_like_before(proj):
    for q in ("", "   ", "*", '""', "NOT", "OR AND", "- _ —", '"'):
        with pytest.raises(UsageError):
            search(proj, q)
        assert_same(proj, q)
    assert issubclass(UsageError, QualCoderError)


@settings(max_examples=60, deadline=None)
@given(st.lists(texts, min_size=1, max_size=2, unique=True))
def test_index_build_is_deterministic_and_exact(pool):
    for t in pool:
        blob = build_word_index(t)
        assert blob == build_word_index(t)
        assert (WI._WordIndex.load(blob, t.encode("utf-8")) is None) == W._needs_scan(t)
