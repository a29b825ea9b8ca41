"""Full-text search over sources.

Syntax: words, ``"phrases"``, ``prefix*``, ``AND`` / ``OR`` / ``NOT`` (upper case);
adjacent terms are ANDed; anything else is literal (``well-being`` is the phrase
"well being", never a syntax error). FTS5 narrows the candidate sources; the hits and
their offsets come from the source text itself, so they are exact code points. Terms
with CJK characters are matched as substrings (the word tokenizer cannot split them).

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
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import FrozenInstanceError, dataclass, field
from itertools import accumulate

from ...errors import ProjectError, UsageError
from ...store.word_index import (  # noqa: F401  (build_word_index, word_key: re-exported)
    _AFTER, _BEFORE, _FAR, _FORMAT, _HEADER, _SCAN, _U32, _UNICODE, _WORDS, _unpack, build_word_index,
    word_key,
)


@dataclass(frozen=True)
class Term:
    tokens: tuple[str, ...]
    prefix: bool = False
    raw: bool = False  # substring match (CJK)

    def fts(self) -> str | None:
        if self.raw:
            return None
        quoted = '"' + " ".join(self.tokens).replace('"', '""') + '"'
        return quoted + ("*" if self.prefix else "")

    def regex(self) -> re.Pattern:
        if self.raw:
            return re.compile(re.escape(" ".join(self.tokens)), re.IGNORECASE)
        body = r"[\W_]+".join(re.escape(t) for t in self.tokens)
        tail = "" if self.prefix else r"(?!\w)"
        # "No word character before the term", checked after its first character: a
        # pattern that starts with a look-behind makes ``re`` try every position of the text,
        # one that starts with a character jumps between that character's occurrences
        # (4-5x faster over 10 M characters). The first character is a word character, so
        # (?<!\w.) after it means exactly (?<!\w) before it.
        first = re.escape(self.tokens[0][0])
        rest = body[len(first):]
        return re.compile(first + r"(?<!\w.)" + rest + (r"\w*" if self.prefix else "") + tail, re.IGNORECASE)


@dataclass
class Clause:
    positive: list[Term] = field(default_factory=list)
    negative: list[Term] = field(default_factory=list)


class Hit:
    """One match: source name and id, the source's case, code-point offsets and a snippet.

    Immutable, compared and hashed by its fields like the dataclass it replaces. The snippet
    is computed on first access from the source text the hit keeps a reference to (shared by
    every hit in that source), so a search with thousands of hits does not build thousands
    of snippets nobody reads, and reading them later needs no open database.
    """

    __slots__ = ("source", "source_id", "case", "start", "end", "_snippet")

    def __init__(self, source: str, source_id: int, case: str | None, start: int, end: int, snippet: str):
        _init_hit(self, source, source_id, case, start, end, snippet)

    def __setattr__(self, name, value):
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name):
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    @property
    def snippet(self) -> str:
        s = self._snippet
        if s.__class__ is not str:
            s = s.snippet(self.start, self.end)
            _set_snippet(self, s)
        return s

    def _fields(self) -> tuple:
        return (self.source, self.source_id, self.case, self.start, self.end, self.snippet)

    def __eq__(self, other):
        if other.__class__ is not Hit:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return ("Hit(source={!r}, source_id={!r}, case={!r}, start={!r}, end={!r}, snippet={!r})"
                .format(*self._fields()))

    def __reduce__(self):  # copy and pickle: a plain hit with its snippet made
        return (Hit, self._fields())

    def as_dict(self) -> dict:
        return {"source": self.source, "case": self.case, "start": self.start, "end": self.end, "snippet": self.snippet}


_new_object = object.__new__
_set_source, _set_source_id, _set_case, _set_start, _set_end, _set_snippet = (
    Hit.__dict__[name].__set__ for name in Hit.__slots__
)


def _init_hit(h: Hit, source, source_id, case, start, end, snippet) -> None:
    _set_source(h, source)
    _set_source_id(h, source_id)
    _set_case(h, case)
    _set_start(h, start)
    _set_end(h, end)
    _set_snippet(h, snippet)


def _new_hit(source, source_id, case, start, end, text) -> Hit:
    """A hit whose snippet comes lazily from ``text`` (a ``_Text``); the fast path of ``search``
    (a frozen dataclass took 2 us a hit, this about a third of that)."""
    h = _new_object(Hit)
    _set_source(h, source)
    _set_source_id(h, source_id)
    _set_case(h, case)
    _set_start(h, start)
    _set_end(h, end)
    _set_snippet(h, text)
    return h


def _is_cjk(ch: str) -> bool:
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL"))


_LEX = re.compile(r'"([^"]*)"?|(\S+)')


def _is_symbol(ch: str) -> bool:
    """Emoji and other pictographs (category So) and the emoji skin-tone modifiers: no word
    tokenizer sees them, so a term with one is matched as a substring, like CJK."""
    return unicodedata.category(ch) == "So" or "\U0001F3FB" <= ch <= "\U0001F3FF"


def _term(text: str, prefix: bool = False) -> Term | None:
    if any(_is_cjk(ch) or _is_symbol(ch) for ch in text):
        stripped = text.strip()
        return Term((stripped,), raw=True) if stripped else None
    tokens = tuple(_WORDS.findall(text))
    if not tokens:
        return None
    return Term(tokens, prefix=prefix)


def parse_query(query: str) -> list[Clause]:
    clauses = [Clause()]
    negate = False
    for m in _LEX.finditer(query):
        phrase, word = m.group(1), m.group(2)
        if phrase is None:
            if word == "OR":
                if clauses[-1].positive or clauses[-1].negative:
                    clauses.append(Clause())
                negate = False
                continue
            if word == "AND":
                continue
            if word == "NOT":
                negate = True
                continue
            prefix = word.endswith("*") and len(word.rstrip("*")) > 0
            term = _term(word.rstrip("*") if prefix else word, prefix)
        else:
            term = _term(phrase)
        if term is None:
            continue
        (clauses[-1].negative if negate else clauses[-1].positive).append(term)
        negate = False
    clauses = [c for c in clauses if c.positive]
    if not clauses:
        raise UsageError(f"search {query!r} has no words to look for")
    return clauses


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


class _WordIndex:
    """A source's word index, read in place (``memoryview``s over the stored bytes)."""

    __slots__ = ("vocab", "narrow", "wide", "gaps", "under", "far")

    def __init__(self, vocab: str, narrow, wide, gaps, under: dict, far: dict):
        self.vocab = vocab
        self.narrow = narrow
        self.wide = wide
        self.gaps = gaps
        self.under = under  # start -> (flags, end of the \w run)
        self.far = far  # start -> gap

    @classmethod
    def load(cls, blob: bytes | None, raw: bytes) -> "_WordIndex | None":
        """The index if it was built from exactly ``raw`` (the UTF-8 text) and holds the
        tokens; None means: scan this source."""
        if not isinstance(blob, bytes) or len(blob) < 4 * _HEADER:
            return None
        view = memoryview(blob)
        (fmt, uni, n_bytes, crc, flags, _n_chars, n_tokens, n_vocab, n_narrow, n_wide, n_under,
         n_far) = _unpack(_U32, view[:4 * _HEADER])
        if (fmt != _FORMAT or uni != _UNICODE or flags & _SCAN or n_bytes != len(raw)
                or crc != zlib.crc32(raw)):
            return None
        p = 4 * _HEADER + n_vocab
        q = p + 4 * (n_wide + 3 * n_under + 2 * n_far)
        if len(blob) != q + 2 * n_narrow + n_tokens:
            return None
        vocab = str(view[4 * _HEADER:p], "utf-8")
        wide = _unpack(_U32, view[p:p + 4 * n_wide])
        p += 4 * n_wide
        under = {}
        if n_under:
            u = _unpack(_U32, view[p:p + 12 * n_under])
            under = {u[i]: (u[i + 1], u[i + 2]) for i in range(0, 3 * n_under, 3)}
        p += 12 * n_under
        far = {}
        if n_far:
            f = _unpack(_U32, view[p:q])
            far = {f[i]: f[i + 1] for i in range(0, 2 * n_far, 2)}
        return cls(vocab, _unpack("H", view[q:q + 2 * n_narrow]), wide, view[q + 2 * n_narrow:], under, far)

    def _starts(self, line: str) -> tuple[int, list[int], int]:
        """(key length, starts, gap offset) from a vocabulary line."""
        key, where, n, goff = line.split("\t")
        off = int(where[1:])
        n = int(n)
        if where[0] == "h":
            return len(key), list(accumulate(self.narrow[off:off + n])), int(goff)
        return len(key), list(self.wide[off:off + n]), int(goff)

    def positions(self, key: str) -> tuple[list[int], int]:
        """Starts of the tokens whose key is ``key`` (ascending), and their gap offset."""
        v = self.vocab
        i = v.find("\n" + key + "\t")
        if i < 0:
            return [], 0
        _n, starts, goff = self._starts(v[i + 1:v.find("\n", i + 1)])
        return starts, goff

    def prefixed(self, key: str) -> list[tuple[int, list[int]]]:
        """(token length, starts) for every key that begins with ``key``."""
        v = self.vocab
        out = []
        i = v.find("\n" + key)  # keys are sorted: the ones with this prefix are adjacent
        while i >= 0 and v.startswith(key, i + 1):
            j = v.find("\n", i + 1)
            n, starts, _goff = self._starts(v[i + 1:j])
            out.append((n, starts))
            i = j
        return out

    def _following(self, key: str) -> dict[int, int]:
        """start -> gap to the next token, for the tokens whose key is ``key``."""
        starts, goff = self.positions(key)
        return dict(zip(starts, self.gaps[goff:goff + len(starts)]))

    def spans(self, term: Term, keys: tuple[str, ...]) -> list[tuple[int, int]]:
        """What ``term.regex().finditer`` finds in the text, from the index."""
        under = self.under
        if len(keys) == 1:
            if not term.prefix:
                n = len(keys[0])
                starts = self.positions(keys[0])[0]
                if not under:
                    return [(s, s + n) for s in starts]
                # an underscore before fails (?<!\w), one after fails (?!\w)
                return [(s, s + n) for s in starts if s not in under]
            out: list[tuple[int, int]] = []
            for n, starts in self.prefixed(keys[0]):
                if not under:
                    out += [(s, s + n) for s in starts]
                    continue
                for s in starts:
                    u = under.get(s)
                    if u is None:
                        out.append((s, s + n))
                    elif not u[0] & _BEFORE:
                        out.append((s, u[1]))  # \w* runs on over the underscore to the run's end
            return out
        # a phrase: consecutive tokens (whatever separates them is [\W_]+)
        first, goff = self.positions(keys[0])
        if not first:
            return []
        middle = [self._following(k) for k in keys[1:-1]]
        if term.prefix:
            last: dict[int, int] | set[int] = {s: n for n, starts in self.prefixed(keys[-1]) for s in starts}
        else:
            last = set(self.positions(keys[-1])[0])
        if not last or not all(middle):
            return []
        lengths = [len(k) for k in keys]
        n_last = lengths[-1]
        far = self.far
        out = []
        prev_end = -1
        for s, gap in zip(first, self.gaps[goff:goff + len(first)]):
            if s < prev_end:  # finditer goes on after the previous match
                continue
            if under and s in under and under[s][0] & _BEFORE:
                continue
            t = s
            for d, follow in enumerate(middle):
                if not gap:
                    break
                t += lengths[d] + (far[t] if gap == _FAR else gap)
                gap = follow.get(t)
                if gap is None:
                    break
            else:
                if not gap:
                    continue
                t += lengths[-2] + (far[t] if gap == _FAR else gap)
                if t not in last:
                    continue
                u = under.get(t) if under else None
                if term.prefix:
                    end = u[1] if u is not None and u[0] & _AFTER else t + last[t]
                elif u is not None and u[0] & _AFTER:
                    continue
                else:
                    end = t + n_last
                out.append((s, end))
                prev_end = end
        return out


class _Text:
    """A source's text as found, decoded on first use (shared by that source's hits)."""

    __slots__ = ("_raw", "_text")

    def __init__(self, raw: bytes | None = None, text: str | None = None):
        self._raw = raw
        self._text = text

    @property
    def text(self) -> str:
        t = self._text
        if t is None:
            t = self._text = self._raw.decode("utf-8")
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
        self._rx = None

    def spans(self, text: _Text, index: _WordIndex | None) -> list[tuple[int, int]]:
        if index is not None and self.keys is not None:
            return index.spans(self.term, self.keys)
        if self._rx is None:
            self._rx = self.term.regex()
        return [(m.start(), m.end()) for m in self._rx.finditer(text.text) if m.end() > m.start()]


def _rows(conn, ids: list[int]):
    """(id, name, UTF-8 text, word index) of ``ids``."""
    utf8 = str(conn.execute("PRAGMA encoding").fetchone()[0]).upper() == "UTF-8"
    column = "CAST(text AS BLOB)" if utf8 else "text"
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ", ".join("?" * len(chunk))
        for sid, name, text, blob in conn.execute(
            f"SELECT id, name, {column}, word_index FROM sources WHERE id IN ({marks})", chunk
        ):
            yield sid, name, (text if utf8 else text.encode("utf-8")), blob


# what a damaged word index can raise (bad UTF-8, numbers or offsets in it; UnicodeDecodeError
# is a ValueError)
_DAMAGED = (ValueError, IndexError, KeyError)


def _spans(plan, text: _Text, index: _WordIndex | None) -> set[tuple[int, int]]:
    """The hits of every clause in one source (a clause counts when all its positive terms
    and none of its negative ones occur)."""
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
    return spans


def search(project, query: str, source_ids: set[int] | None = None, limit: int | None = None) -> list[Hit]:
    clauses = parse_query(query)
    candidates: set[int] = set()
    for clause in clauses:
        exprs = [t.fts() for t in clause.positive]
        if all(exprs):
            rows = project.conn.execute(
                "SELECT rowid FROM source_fts WHERE source_fts MATCH ?", (" AND ".join(exprs),)
            ).fetchall()
            candidates.update(r[0] for r in rows)
        else:
            candidates.update(r[0] for r in project.conn.execute("SELECT id FROM sources"))
    if source_ids is not None:
        candidates &= source_ids
    cases_of: dict[int, str] = {}
    for r in project.conn.execute(
        "SELECT cs.source_id, min(c.name) FROM case_sources cs JOIN cases c ON c.id = cs.case_id GROUP BY cs.source_id"
    ):
        cases_of[r[0]] = r[1]
    plan = [([_Lookup(t) for t in c.positive], [_Lookup(t) for t in c.negative]) for c in clauses]
    found: list[tuple[str, list[Hit]]] = []
    for sid, name, raw, blob in _rows(project.conn, sorted(candidates)):  # streamed: one text at a time
        text = _Text(raw)
        try:
            try:
                index = _WordIndex.load(blob, raw)
                spans = _spans(plan, text, index)
            except _DAMAGED:  # an index that fits its text's CRC but not its own layout: scan
                spans = _spans(plan, text, None)
            if spans:
                case = cases_of.get(sid)
                found.append((name, [_new_hit(name, sid, case, start, end, text) for start, end in sorted(spans)]))
        except UnicodeDecodeError as exc:  # the stored text itself is damaged (never quote it)
            raise ProjectError(project.path, f"the file is damaged and cannot be read: the text of source "
                                             f"{name!r} is not valid UTF-8 (byte {exc.start})") from None
    found.sort(key=lambda f: f[0])  # hits are ordered by (source name, start, end); names are unique
    hits = [h for _name, in_source in found for h in in_source]
    return hits[:limit] if limit else hits
