"""The one quote renderer: how a coded passage reads wherever a quote is shown or written.

Every place that prints a quote (the Word report and its preview, the matrix exports and
the matrix view's quote panel, the retrieval table and its exports, the command line) gets
it from ``render_passage``; none formats quote text itself. The raw coded text,
``text[start:end]``, is never changed; a quote is built from it by these rules, in order:

1. **Structure.** Speaker labels are cut out; an interviewer turn inside the passage is
   cut and marked ``[…]``; the passage is narrowed to whole words; time markers
   (``[12:21]``, ``(0:22)`` …, see ``core/marks.py``) are left out unless ``keep_times``;
   transcriber notes (``[laughs]``) stay, as *notes*; white space is collapsed.
   When the analyst has edited the quote (``codings.quote_edit``) the edited form is used
   instead: ``[…]`` (or ``[...]``) in it is an omission, another ``[word]`` the analyst's
   insertion unless it is a transcriber's note.
2. **Style** (``STYLES``), applied to the words only, never to notes or omissions:

   ============ =============== =============== ===================== ============
   style        outer marks     inner marks     dash between words    apostrophe
   ============ =============== =============== ===================== ============
   ``apa``      “double”        ‘single’        spaced en dash `` – `` ’
   ``bjgp``     ‘single’        “double”        spaced em dash `` — `` ’
   ``verbatim`` “double”        as transcribed  as transcribed        as transcribed
   ============ =============== =============== ===================== ============

   In every style the speaker's own dots (``so...``) stay as transcribed: the ellipsis in
   brackets, ``[…]``, is the analyst's mark for words left out. ``verbatim`` changes no
   character, and keeps even stray punctuation at the edges that the other styles drop.

The result is a sequence of *pieces*, each with a kind (``text``, ``omission``,
``insertion``, ``note``, ``time``): Word sets notes in italics and the analyst's insertions
roman; plain-text callers join the pieces and get the same characters.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ...marks import find_marks, is_note
from ...model import Turn

STYLES = ("apa", "bjgp", "verbatim")
DEFAULT_STYLE = "apa"
STYLE_LABELS = {
    "apa": "APA — “double” outer quotes, ‘single’ inner, en dash",
    "bjgp": "BJGP — ‘single’ outer quotes, “double” inner, spaced em dash",
    "verbatim": "Verbatim — every character as transcribed",
}
OMISSION = "[…]"
PIECE_KINDS = ("text", "omission", "insertion", "note", "time")


@dataclass(frozen=True)
class Style:
    name: str
    outer: tuple[str, str]
    inner: tuple[str, str] | None  # None: quotation marks as transcribed
    dash: str | None  # None: dashes as transcribed
    trims_punctuation: bool  # drop stray punctuation at the quote's edges


_STYLES = {
    "apa": Style("apa", ("“", "”"), ("‘", "’"), "–", True),
    "bjgp": Style("bjgp", ("‘", "’"), ("“", "”"), "—", True),
    "verbatim": Style("verbatim", ("“", "”"), None, None, False),
}


def style_of(name: str | None) -> Style:
    got = _STYLES.get(name) if name else None  # the usual case: a known style's own name
    if got is not None:
        return got
    from ...errors import UsageError

    key = (name or DEFAULT_STYLE).strip().casefold()
    if key not in _STYLES:
        raise UsageError(f"unknown quote style {name!r} (choose from {', '.join(STYLES)})")
    return _STYLES[key]


@dataclass(frozen=True)
class Piece:
    kind: str  # text | omission | insertion | note | time
    text: str

    @property
    def italic(self) -> bool:
        return self.kind == "note"


@dataclass(frozen=True)
class RenderedQuote:
    """A quote as printed: its pieces (without the outer quotation marks) and what was done."""

    pieces: tuple[Piece, ...]
    style: str
    speaker: str | None = None
    edited: bool = False  # the analyst's edited form
    shortened: bool = False  # edited, or an interviewer turn was cut out
    original: str = ""  # the coded text, white space collapsed
    # conventions that occur in this quote (for the method note): omission, insertion, note,
    # time (kept), times_left_out, interviewer_cut, speaker_dots, inner_quotes
    conventions: frozenset[str] = field(default_factory=frozenset)

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)

    @property
    def marks(self) -> tuple[str, str]:
        return _STYLES[self.style].outer

    @property
    def quoted(self) -> str:
        o, c = self.marks
        return f"{o}{self.text}{c}"

    def runs(self, quoted: bool = True) -> list[tuple[str, bool]]:
        """``[(text, italic)]`` with neighbours of the same face joined (the outer marks
        included when ``quoted``)."""
        o, c = self.marks if quoted else ("", "")
        if not any(p.kind == "note" for p in self.pieces):  # one face: one run
            whole = o + "".join([p.text for p in self.pieces]) + c
            return [(whole, False)] if whole else []
        out: list[list] = []
        for text, italic in [(o, False)] + [(p.text, p.italic) for p in self.pieces] + [(c, False)]:
            if not text:
                continue
            if out and out[-1][1] == italic:
                out[-1][0] += text
            else:
                out.append([text, italic])
        return [(t, i) for t, i in out]

    def notes(self) -> list[str]:
        return [p.text for p in self.pieces if p.kind == "note"]


# ----------------------------------------------------------------------------- text helpers
def collapse(text: str) -> str:
    return " ".join(text.split())


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch in "'’"


_LEAD_JUNK = " \t\n,;:.)]}–—-"
_TRAIL_JUNK = " \t\n,;:([{–—-"


def whole_words(text: str, start: int, end: int, trim_punctuation: bool = True) -> tuple[int, int]:
    """Narrow ``start:end`` so it neither begins nor ends inside a word and (unless told
    not to) drop stray punctuation at the edges (``, and then`` → ``and then``). The
    speaker's dots are not stray: ``... and then`` keeps them (as ``so...`` keeps its
    own). Returns the span unchanged when nothing would be left."""
    s, e = start, end
    if s > 0 and s < e and _is_word(text[s - 1]) and _is_word(text[s]):
        while s < e and not text[s].isspace():
            s += 1
    if e < len(text) and s < e and _is_word(text[e]) and _is_word(text[e - 1]):
        while e > s and not text[e - 1].isspace():
            e -= 1
    lead, trail = (_LEAD_JUNK, _TRAIL_JUNK) if trim_punctuation else (" \t\n", " \t\n")
    while s < e and text[s] in lead and not text.startswith("...", s, e):
        s += 1
    while e > s and text[e - 1] in trail:
        e -= 1
    if s >= e:
        return start, end
    return s, e


# ----------------------------------------------------------------------------- structure
def participant_spans(text: str, start: int, end: int, turns: list[Turn], interviewers: set[str],
                      label_starts: list[int] | None = None):
    """Spans of ``start:end`` said by participants: speaker labels cut out, interviewer
    turns cut out. Returns ``[(s, e, cut_before)]`` (``cut_before``: an interviewer turn
    was cut just before) and the first participant speaker. ``label_starts`` (the turns'
    label starts, ascending) saves rebuilding it per quote."""
    if label_starts is None:
        label_starts = [t.label_start for t in turns]
    at = bisect.bisect_right(label_starts, start) - 1
    if at >= 0:  # the usual passage: inside one participant's turn, after its label
        t = turns[at]
        if (t.label_start <= t.start <= start < end <= t.end and t.speaker not in interviewers
                and (at + 1 == len(turns) or turns[at + 1].label_start >= end)):
            return ([(start, end, False)], t.speaker) if text[start:end].strip() else ([], None)
    return _walk_turns(text, start, end, turns, interviewers, label_starts, max(0, at))


def _walk_turns(text: str, start: int, end: int, turns: list[Turn], interviewers: set[str],
                label_starts: list[int], first: int):
    """``participant_spans`` by walking the turns from ``first`` (any passage)."""
    removed: list[tuple[int, int, bool]] = []  # (s, e, is_interviewer_turn)
    for i in range(first, len(turns)):  # (islice would step through the turns before first)
        t = turns[i]
        if max(t.end, t.start) <= start:
            continue
        if t.label_start >= end:
            break
        if t.label_start < t.start:
            removed.append((t.label_start, t.start, False))
        if t.speaker in interviewers:
            removed.append((t.start, t.end, True))
    spans: list[tuple[int, int, bool]] = []
    pos, cut = start, False
    for rs, re_, interviewer in sorted(removed):
        rs, re_ = max(rs, start), min(re_, end)
        if re_ <= rs:
            continue
        if rs > pos and text[pos:rs].strip():
            spans.append((pos, rs, cut))
            cut = False
        if interviewer and text[rs:re_].strip():
            cut = True
        pos = max(pos, re_)
    if pos < end and text[pos:end].strip():
        spans.append((pos, end, cut))
    speaker = None
    for s, _e, _ in spans:
        i = bisect.bisect_right(label_starts, s) - 1
        if i >= 0 and turns[i].start <= s < max(turns[i].end, turns[i].start + 1):
            speaker = turns[i].speaker
        if speaker:
            break
    return spans, speaker


def _marked(text: str, s: int, e: int) -> list[tuple[str, str]]:
    """``text[s:e]`` as ``[(kind, text)]``: plain text, notes and time markers. Marks are
    looked for on the whole lines around the span (a marker at a line start is one only
    there) and clipped to it."""
    if not _MARK_CHARS.search(text, s, e):  # every marker has a bracket or a colon
        return [("text", text[s:e])]
    ls = text.rfind("\n", 0, s) + 1
    le = text.find("\n", e)
    le = len(text) if le == -1 else le
    out: list[tuple[str, str]] = []
    pos = s
    for m in find_marks(text, ls, le):
        ms, me = max(m.start, s), min(m.end, e)
        if me <= ms or ms < pos:
            continue
        if ms > pos:
            out.append(("text", text[pos:ms]))
        out.append((m.kind, text[ms:me]))
        pos = me
    if pos < e:
        out.append(("text", text[pos:e]))
    return out


_MARK_CHARS = re.compile(r"[\[\]():]")
_EDIT_BRACKET = re.compile(r"\[(?P<inner>[^\[\]\n]{1,300})\]")
_OMISSION_INNER = re.compile(r"^\s*(?:…|\.\s?\.\s?\.)\s*$")
_LONE_ELLIPSIS = re.compile(r"(?:(?<=\s)|^)…(?=\s|$)")


def parse_edit(edited: str, original: str = "") -> list[tuple[str, str]]:
    """The analyst's edited form as ``[(kind, text)]``: ``[…]`` omissions, ``[words]``
    insertions, transcriber notes and time markers; the rest is text. A lone ``…`` between
    spaces was the omission mark before ``[…]`` and is read as one, unless the coded text
    itself has a lone ``…`` (then it is the speaker's)."""
    lone_is_omission = not _LONE_ELLIPSIS.search(original)
    marks = [(m.start, m.end, m.kind) for m in find_marks(edited)]
    for m in _EDIT_BRACKET.finditer(edited):
        if any(a < m.end() and m.start() < b for a, b, _ in marks):
            continue
        inner = m.group("inner")
        kind = "omission" if _OMISSION_INNER.match(inner) else "note" if is_note(inner) else "insertion"
        marks.append((m.start(), m.end(), kind))
    if lone_is_omission:
        for m in _LONE_ELLIPSIS.finditer(edited):
            if not any(a < m.end() and m.start() < b for a, b, _ in marks):
                marks.append((m.start(), m.end(), "omission"))
    out: list[tuple[str, str]] = []
    pos = 0
    for a, b, kind in sorted(marks):
        if a < pos:
            continue
        if a > pos:
            out.append(("text", edited[pos:a]))
        out.append((kind, OMISSION if kind == "omission" else edited[a:b]))
        pos = b
    if pos < len(edited):
        out.append(("text", edited[pos:]))
    return out


def _normalise(tokens: list[tuple[str, str]]) -> list[list]:
    """White space collapsed across pieces: one space wherever there was any, none at the
    ends; empty pieces dropped; neighbouring text joined."""
    out: list[list] = []
    space = False
    for kind, t in tokens:
        if not t:
            continue
        if t[0].isspace():
            space = True
        body = " ".join(t.split())
        if not body:
            continue
        if space and out:
            if kind == "text":
                body = " " + body
            elif out[-1][0] == "text":
                out[-1][1] += " "
            else:
                out.append(["text", " "])
        space = t[-1].isspace()
        if kind == "text" and out and out[-1][0] == "text":
            out[-1][1] += body
        else:
            out.append([kind, body])
    return out


# ----------------------------------------------------------------------------- style
_OPENERS = set(" \t\n([{/—–-") | {""}
_DASH_SPACED = re.compile(r"(?:(?<=\s)|^)(?:-{1,3}|–|—)(?=\s|$)")
_DASH_JOINED = re.compile(r"-{2,3}|—")
_DOTS = re.compile(r"\.\.\.|…")
_QUOTE_CHARS = re.compile("[\"“”'‘’]")


class _Styler:
    """Applies a style to the words of one quote, piece by piece, keeping track of open
    inner quotations across pieces."""

    def __init__(self, style: Style):
        self.style = style
        self.single_open = False
        self.inner_used = False

    def dashes(self, s: str) -> str:
        """A dash between words, spaced (`` - ``, `` -- ``, `` – ``, `` — ``) or joined
        (``well--I``, ``well—I``), becomes the style's spaced dash; hyphens inside words
        and ranges (``2016–2021``) stay."""
        d = self.style.dash
        if d is None or ("-" not in s and "–" not in s and "—" not in s):  # as transcribed; or no dash
            return s
        s = _DASH_SPACED.sub(d, s)

        def joined(m: re.Match) -> str:
            a, b = m.start(), m.end()
            left = " " if a > 0 and not s[a - 1].isspace() else ""
            right = " " if b < len(s) and not s[b].isspace() else ""
            return f"{left}{d}{right}"

        return _DASH_JOINED.sub(joined, s)

    def marks(self, s: str, before: str, after: str) -> str:
        """Quotation marks become the style's inner marks, apostrophes ’ (only the marks
        are visited: a quote is mostly letters)."""
        if self.style.inner is None:  # quotation marks as transcribed
            return s
        o, c = self.style.inner
        out = []
        pos = 0
        for m in _QUOTE_CHARS.finditer(s):
            i = m.start()
            ch = s[i]
            prev = s[i - 1] if i else before
            nxt = s[i + 1] if i + 1 < len(s) else after
            opening = prev in _OPENERS or prev.isspace()
            if ch in '"“”':
                mark = o if ch == "“" or (ch == '"' and opening) else c
                self.inner_used = True
            elif prev.isalnum() and nxt.isalnum():
                mark = "’"  # an apostrophe inside a word: don't, I'd
            elif ch == "‘" or (ch == "'" and opening and nxt and not nxt.isspace()):
                mark = o
                self.single_open = True
                self.inner_used = True
            elif self.single_open and not nxt.isalnum():
                mark = c
                self.single_open = False
            else:
                mark = "’"  # 'cause, nurses'
            out.append(s[pos:i])
            out.append(mark)
            pos = i + 1
        out.append(s[pos:])
        return "".join(out)

    def apply(self, pieces: list[list]) -> list[list]:
        if self.style.inner is None:
            return pieces
        flat = [p[1] for p in pieces]
        for i, p in enumerate(pieces):
            if p[0] not in ("text", "insertion"):
                continue
            before = flat[i - 1][-1:] if i else ""
            after = flat[i + 1][:1] if i + 1 < len(flat) else ""
            body = p[1]
            if p[0] == "insertion":  # the brackets stay; the words inside are styled
                p[1] = "[" + self.marks(self.dashes(body[1:-1]), "[", "]") + "]"
            else:
                p[1] = self.marks(self.dashes(body), before, after)
        return pieces


# ----------------------------------------------------------------------------- rendering
def render_passage(text: str, start: int, end: int, turns: list[Turn] | None = None,
                   interviewers: set[str] | None = None, edited: str | None = None,
                   style: str = DEFAULT_STYLE, keep_times: bool = False,
                   label_starts: list[int] | None = None) -> RenderedQuote | None:
    """The quote for ``text[start:end]``; None when nothing a participant said is left
    (a coding inside an interviewer turn, or only time markers)."""
    st = style_of(style)
    spans, speaker = participant_spans(text, start, end, turns or [], interviewers or set(), label_starts)
    if not spans:
        return None
    original = collapse(text[start:end])
    conventions: set[str] = set()
    is_edited = edited is not None and bool(collapse(edited))
    tokens: list[tuple[str, str]] = []
    if is_edited and edited is not None:
        tokens = parse_edit(edited, original)
    else:
        for i, (s, e, cut_before) in enumerate(spans):
            s, e = whole_words(text, s, e, st.trims_punctuation)
            if i:
                if cut_before:
                    conventions.add("interviewer_cut")
                tokens += [("text", " "), ("omission", OMISSION), ("text", " ")] if cut_before else [("text", " ")]
            tokens += _marked(text, s, e)
    if any(k == "time" for k, _ in tokens):
        if keep_times:
            conventions.add("time")
        else:
            conventions.add("times_left_out")
            tokens = [(k, " " if k == "time" else t) for k, t in tokens]
    if len(tokens) == 1 and tokens[0][0] == "text":  # the usual quote: words only
        body = " ".join(tokens[0][1].split())
        pieces = [["text", body]] if body else []
    else:
        pieces = _normalise(tokens)
    # edges: no omission or separator dangling where the cut left nothing after it
    while pieces and pieces[-1][0] == "omission" and not is_edited:
        pieces.pop()
    if not any(k in ("text", "note", "insertion") and t.strip() for k, t in pieces):
        return None
    if pieces and pieces[-1][0] == "text":
        pieces[-1][1] = pieces[-1][1].rstrip()
    styler = _Styler(st)
    pieces = styler.apply(pieces)
    if styler.inner_used:
        conventions.add("inner_quotes")
    kinds = {k for k, _ in pieces}
    conventions |= kinds & {"omission", "insertion", "note"}
    if any(k == "text" and _DOTS.search(t) for k, t in pieces):
        conventions.add("speaker_dots")
    elided = "interviewer_cut" in conventions
    return RenderedQuote(
        pieces=tuple(Piece(k, t) for k, t in pieces if t), style=st.name, speaker=speaker,
        edited=is_edited, shortened=is_edited or elided, original=original,
        conventions=frozenset(conventions),
    )


def edit_template(text: str, start: int, end: int, turns: list[Turn] | None = None,
                  interviewers: set[str] | None = None, keep_times: bool = False,
                  label_starts: list[int] | None = None) -> str:
    """What an analyst starts editing from: the passage with the structural rules applied
    (``[…]`` for a cut interviewer turn, time markers left out) and no style, so the
    stored edit keeps the transcript's own characters and any style can print it."""
    made = render_passage(text, start, end, turns, interviewers, None, "verbatim", keep_times, label_starts)
    if made is None:
        made = render_passage(text, start, end, turns, set(), None, "verbatim", keep_times, label_starts)
    return made.text if made is not None else collapse(text[start:end])
