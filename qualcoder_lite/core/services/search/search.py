"""Full-text search over sources.

Syntax: words, ``"phrases"``, ``prefix*``, ``AND`` / ``OR`` / ``NOT`` (upper case);
adjacent terms are ANDed; anything else is literal (``well-being`` is the phrase
"well being", never a syntax error). FTS5 narrows the candidate sources; the hits and
their offsets come from the source text itself, so they are exact code points. Terms
with CJK characters are matched as substrings (the word tokenizer cannot split them).

What a term matches is defined by ``Term.regex`` run over the source text (``finditer``:
leftmost, non-overlapping). Running that over millions of characters is slow, so each
source carries a **word index** (``sources.word_index``, built by ``build_word_index``
wherever a source's text is written): the start of every word token (a run of
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
import sys
import unicodedata
import zlib
from array import array
from collections import defaultdict
from dataclasses import FrozenInstanceError, dataclass, field
from itertools import accumulate, repeat
from operator import sub

from ...errors import ProjectError, UsageError

try:  # the case tables ``re`` itself uses for IGNORECASE (CPython's ``_sre`` and ``re._casefix``)
    from _sre import unicode_iscased as _sre_iscased
    from _sre import unicode_tolower as _sre_tolower
    from re._casefix import _EXTRA_CASES
except ImportError:  # pragma: no cover - another Python implementation: every index says "scan"
    _sre_iscased = _sre_tolower = None
    _EXTRA_CASES = {}


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


_WORDS = re.compile(r"[^\W_]+")
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


# --------------------------------------------------------------------------- case keys
class _CharKeys(dict):
    """``ord(ch) -> key character`` for ``str.translate``, filled on demand.

    ``re.IGNORECASE`` (Unicode) compares a pattern character ``c`` with a text character
    ``x`` like this: if ``c`` has no case, only ``x == c`` matches; otherwise ``x`` matches
    when ``tolower(x)`` is ``tolower(c)`` or one of the few other lower-case letters with the
    same upper case (``re._casefix``: i/ı, s/ſ, µ/μ, β/ϐ …). The key of a cased character is
    the smallest member of that group, of an uncased one the character itself, so two word
    characters match exactly when their keys are equal (verified for every code point in
    ``tests/core/test_search_index.py``)."""

    def __missing__(self, cp: int) -> str:
        if _sre_iscased is not None and _sre_iscased(cp):
            lo = _sre_tolower(cp)
            key = chr(min((lo,) + _EXTRA_CASES.get(lo, ())))
        else:
            key = chr(cp)
        self[cp] = key
        return key


_CHAR_KEYS = _CharKeys()


def word_key(token: str) -> str:
    """The case key of a word token: equal keys <=> the tokens match under ``re.IGNORECASE``.
    Same length as ``token`` (one key character per character)."""
    if token.isascii():
        return token.lower()  # the same as the table for ASCII (tested)
    return token.translate(_CHAR_KEYS)


# --------------------------------------------------------------------------- the word index
# Layout of ``sources.word_index`` (little-endian; offsets and lengths in code points):
#   header  12 x uint32: _FORMAT, Unicode version of the case keys, UTF-8 length of the text,
#           its CRC-32, flags, length in code points, tokens, vocabulary bytes, 16-bit units,
#           32-bit units, underscore entries, far gaps
#   vocab   UTF-8, NUL-padded to 4: "\n" + one line per case key, sorted by key:
#           key TAB ("h" | "i") offset TAB count TAB gap offset, + "\n"
#   wide    uint32: starts of the keys whose occurrences lie >= 65,536 apart ("i" keys)
#   under   3 x uint32 per token next to an underscore: start, _BEFORE|_AFTER, end of its \w run
#   far     2 x uint32 per gap >= 255: token start, gap
#   narrow  uint16: the other keys' starts as differences (first from 0) ("h" keys)
#   gaps    uint8 per occurrence, in vocabulary order: characters from the token's end to the
#           next token's start (0: no next token, 255: see far) - phrases follow tokens by it
# About 3 bytes per token; a term costs one ``find`` in the vocabulary and one slice.
_FORMAT = 0x51575832  # 'QWX2': a new layout takes a new number (opening rebuilds old ones)
# case keys follow the running Python's Unicode tables: built under others, an index is rebuilt
_UNICODE = int("".join(f"{int(x):02d}" for x in unicodedata.unidata_version.split(".")))
_HEADER = 12
_SCAN = 1  # flags: scan this text (see _needs_scan); the index holds no tokens
_BEFORE, _AFTER = 1, 2  # under: an underscore right before / right after the token
_FAR = 255
_U32 = "I" if array("I").itemsize == 4 else "L"
_LITTLE = sys.byteorder == "little"
_UNDERSCORE_RUN = re.compile(r"(?<!\w)\w*_\w*")  # a whole \w run with an underscore (linear: no retry inside a run)
_SPLIT = re.compile(r"([^\W_]+)")


def _pack(code: str, values) -> bytes:
    a = array(code, values)
    if not _LITTLE:  # pragma: no cover - big-endian machines
        a.byteswap()
    return a.tobytes()


def _unpack(code: str, view: memoryview):
    if _LITTLE:
        return view.cast(code)
    a = array(code, view.tobytes())  # pragma: no cover - big-endian machines
    a.byteswap()  # pragma: no cover
    return a  # pragma: no cover


def _needs_scan(text: str) -> bool:
    """A character outside words that ``re.IGNORECASE`` may equate with a letter (U+0345,
    the circled letters): a term can then match where the tokens say it cannot."""
    if _sre_iscased is None:
        return True  # pragma: no cover
    return any(_sre_iscased(ord(ch)) and not ch.isalnum() for ch in set(text))


def _separators_need_scan(separators: list[str]) -> bool:
    """``_needs_scan`` given the text between the words (every character there is no word
    character): the same answer, reading a sixth of the characters."""
    if _sre_iscased is None:
        return True  # pragma: no cover
    return any(_sre_iscased(ord(ch)) for ch in set("".join(separators)))


def build_word_index(text: str) -> bytes:
    """The ``sources.word_index`` value for ``text`` (deterministic: same text, same bytes)."""
    raw = text.encode("utf-8")
    header = [_FORMAT, _UNICODE, len(raw), zlib.crc32(raw), 0, len(text), 0, 0, 0, 0, 0, 0]
    parts = _SPLIT.split(text)  # separator, token, separator, token, ..., separator
    if _separators_need_scan(parts[0::2]):
        header[4] = _SCAN
        return _pack(_U32, header)
    tokens = parts[1::2]
    ends = list(accumulate(map(len, parts)))
    starts = ends[0:-1:2]  # a token starts where the separator before it ends
    gaps = list(map(len, parts[2::2]))  # the separator after each token ...
    if gaps:
        gaps[-1] = 0  # ... but the last one leads to no token
    if not gaps or max(gaps) < _FAR:
        gap_of, far = bytes(gaps), []
    else:
        gap_of = bytes(map(min, gaps, repeat(_FAR)))
        far = [x for i, g in enumerate(gaps) if g >= _FAR for x in (starts[i], g)]
    ordinals: defaultdict[str, list[int]] = defaultdict(list)
    for i, tok in enumerate(tokens):
        ordinals[tok].append(i)
    by_key: dict[str, list[int]] = {}
    for tok, where in ordinals.items():
        key = word_key(tok)
        have = by_key.get(key)
        if have is None:
            by_key[key] = where
        else:
            have.extend(where)
            have.sort()
    keys = sorted(by_key)
    order: list[int] = []  # token ordinals by key, then by position
    for key in keys:
        order += by_key[key]
    at = list(map(starts.__getitem__, order))
    gap_bytes = bytes(map(gap_of.__getitem__, order))
    diffs = [0, *map(sub, at[1:], at)]
    lines: list[str] = []
    narrow: list[int] = []
    wide: list[int] = []
    off = 0
    for key in keys:
        n = len(by_key[key])
        diffs[off] = at[off]  # each key's first start counts from 0
        off += n
    if not diffs or max(diffs) < 65536:  # every key in 16 bits (always for texts < 64 K characters)
        narrow = diffs
        off = 0
        for key in keys:
            n = len(by_key[key])
            lines.append(f"{key}\th{off}\t{n}\t{off}")
            off += n
    else:
        off = 0
        for key in keys:
            n = len(by_key[key])
            part = diffs[off:off + n]
            if max(part) < 65536:
                lines.append(f"{key}\th{len(narrow)}\t{n}\t{off}")
                narrow += part
            else:
                lines.append(f"{key}\ti{len(wide)}\t{n}\t{off}")
                wide += at[off:off + n]
            off += n
    vocab = ("\n" + "\n".join(lines) + "\n").encode("utf-8")
    vocab += b"\0" * (-len(vocab) % 4)
    under: list[int] = []
    if "_" in text:
        for run in _UNDERSCORE_RUN.finditer(text):
            a, b = run.span()
            for m in _WORDS.finditer(text, a, b):
                s, e = m.span()
                flags = (_BEFORE if s > a else 0) | (_AFTER if e < b else 0)
                if flags:
                    under += (s, flags, b)
    header[6:] = [len(tokens), len(vocab), len(narrow), len(wide), len(under) // 3, len(far) // 2]
    return (_pack(_U32, header) + vocab + _pack(_U32, wide) + _pack(_U32, under) + _pack(_U32, far)
            + _pack("H", narrow) + gap_bytes)


def word_index_is_current(blob: bytes | None) -> bool:
    """Whether ``blob`` has this version's layout and case keys (not whether it fits its text:
    search checks that)."""
    if not isinstance(blob, bytes) or len(blob) < 4 * _HEADER:
        return False
    fmt, uni = _unpack(_U32, memoryview(blob)[:8])
    return fmt == _FORMAT and uni == _UNICODE


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
