"""The one segmenter: speaker turns, paragraphs and sentences of a source's text.

Autocode, agreement and reports all cut text with these functions, so a "sentence" or
a "turn" means the same thing everywhere. Offsets are code points (``str`` indices).

Speaker turns are recognised in these styles (a label must start a line):

* Markdown bold ``**Full Name:** text`` (also ``**Name**: text``), any count;
* Otter ``Name  0:22`` alone on a line (two or more spaces, then M:SS or H:MM:SS);
* ``Name  `` alone on a line with two or more trailing spaces (Otter without times);
* ``Name: text`` / ``P3: text`` / ``Interviewer 1: text``;
* ``[id1] text``.

For the last three, a style counts only when some name in it repeats; then names that
occur once count too if they come after the first repeated label (so a header line such
as ``Venue: Glasgow`` is not a speaker). With no repeats, two or more distinct names count.
Markers such as ``**Break:**``, ``Note:``, ``http:``, times (``10:30``) and bare numbers
(``4:``) are never speakers; a bold marker, or a marker word with only a time on its line
(``Break: [22:46]``, how a Markdown file's ``**Break:** \\[22:46\\]`` reads once imported),
ends the turn before it. Only the file's dominant style is used.
"""

from __future__ import annotations

import bisect
import functools
import re
from typing import NamedTuple

from .model import Turn

NON_SPEAKERS = {
    "break", "note", "notes", "nb", "http", "https", "ftp", "mailto", "www", "time", "date",
    "location", "summary", "details", "duration", "transcript", "transcription", "interview",
    "title", "subject", "re", "fwd", "from", "to", "cc", "tags", "source", "update", "edit",
    "edited", "warning", "caution", "tip", "example", "ps",
    "total", "step", "phase", "part", "chapter", "section", "figure", "table", "sponsor",
}
NON_SPEECH = {
    "laughter", "laughs", "laughing", "inaudible", "crosstalk", "music", "pause", "silence",
    "applause", "unclear", "indistinct", "coughs", "sighs", "noise", "break", "end", "redacted",
}

_BOLD = re.compile(r"\*\*(?P<name>[^*\n:]{1,60}?)(?::\*\*|\*\*\s*:)[ \t]*")
# a blank run taken whole (possessive "+", and never after a name ending in a blank): the same
# matches as "[ \t]{2,}", without retrying every split of a long run
_OTTER = re.compile(r"(?P<name>[^\s:\[\]*#>][^\n:\[\]]{0,59}?)(?<![ \t])[ \t]{2,}+(?P<ts>\d{1,2}:\d{2}(?::\d{2})?)[ \t]*$")
_BARE = re.compile(r"(?P<name>[^\W\d_][^\n:\[\]*#]{0,59}?)(?<![ \t])[ \t]{2,}+$")
_COLON = re.compile(r"(?P<name>[^\W_][\w .'’&-]{0,40}?)[ \t]*:(?=[ \t]|$)[ \t]*")
_BRACKET = re.compile(r"\[(?P<name>[^\W\d_][\w .-]{0,30}?)\][ \t]+")
_LEAD_TS = re.compile(r"\\?\[(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)\\?\][ \t]*")
# what may follow a marker word: a time or a time range, bracketed ("[22:46]", "[00:20:18:08] to [00:21:13:00]")
_MARKER_TIMES = re.compile(r"[ \t]*(?:[\[(]\\?\d[\d:.,]*[\])][ \t]*(?:(?:to|-|–)[ \t]*)?)+")
_TIME_ONLY = re.compile(r"^\d{1,2}([:.]\d{2})+$")


class _Label(NamedTuple):
    style: str
    name: str
    line_start: int
    label_end: int  # end of the label text (e.g. after ':**')
    body_start: int  # where what was said begins (after spaces / the label line)
    timestamp: str | None
    speaker: bool = True  # False for markers such as **Break:**


@functools.lru_cache(maxsize=4096)  # a transcript repeats a few names hundreds of times
def _looks_like_name(name: str, style: str) -> bool:
    name = name.strip()
    if not name or len(name) > 60:
        return False
    words = name.split()
    if words[0].rstrip(".").casefold() in NON_SPEAKERS and len(words) == 1:
        return False
    if _TIME_ONLY.match(name):
        return False
    if style in ("colon", "bare"):
        if len(words) > 4 or name.isdigit():  # "4: it's interesting" is a numbered point
            return False
        for w in words[1:]:
            if not (w[0].isupper() or w[0].isdigit() or w in ("de", "van", "von", "da", "al", "bin", "le")):
                return False
        if style == "bare" and not words[0][0].isupper():
            return False
    if style == "bracket" and name.casefold() in NON_SPEECH:
        return False
    return True


# A cheap first pass (in C) finds the lines that could hold a label at all. The blank run is
# possessive and the text before it ends on a non-blank (or is one leading blank): written as
# "[^\n]{1,70}?[ \t]{2,}" it matched the same lines but retried every split of a long blank run
# (a line of 8,000 spaces took 25 s).
_MAYBE_LABEL = re.compile(
    r"^(?:\*\*|\[|[^\n:]{1,61}:|(?:[^\n]{0,69}?[^ \t\n]|[ \t])[ \t]{2,}+(?:\d{1,2}:\d{2}(?::\d{2})?)?[ \t]*$)", re.M
)
# the same after a newline: a search for a pattern that starts with a character is a fast scan
# for it, where ``^`` is tried at every position
_MAYBE_NEXT = re.compile("\n" + _MAYBE_LABEL.pattern[1:], re.M)
_SPACE = re.compile(r"[ \t\n]*")


def _candidates(text: str) -> list[_Label]:
    out: list[_Label] = []
    find, n = text.find, len(text)
    first = _MAYBE_LABEL.match(text)  # the first line; every other starts after a newline
    for ls, at in ([(0, first.end())] if first else []) + [(m.start() + 1, m.end()) for m in _MAYBE_NEXT.finditer(text)]:
        le = find("\n", at)  # a match stops before the end of its line
        label = _match_line(text, ls, n if le == -1 else le)
        if label is not None:
            out.append(label)
    return out


def _skip_space(text: str, i: int) -> int:
    return _SPACE.match(text, i).end()  # type: ignore[union-attr]  # matches everywhere


def _match_line(text: str, ls: int, le: int) -> _Label | None:
    """The label of the line ``text[ls:le]``, if any. Each pattern runs on the line in place
    (``pos``/``endpos``: none of them looks before its start, and ``$`` matches at ``endpos``
    as at the end of the line), and only where its first or last character can match."""
    first, last = text[ls], text[le - 1]
    if first == "*":  # _BOLD starts with "**"
        m = _BOLD.match(text, ls, le)
        if m:
            name = m.group("name").strip()
            speaker = _looks_like_name(name, "bold")
            body = m.end()
            ts = None
            t = _LEAD_TS.match(text, body)
            if t and t.start() == body:
                ts = t.group("ts")
                body = t.end()
            return _Label("bold", name, ls, ls + len(m.group(0).rstrip()), _skip_space(text, body), ts, speaker)
    if last in " \t" or last.isdigit():  # _OTTER ends with a time and spaces, _BARE with spaces
        m = _OTTER.fullmatch(text, ls, le)
        if m and _looks_like_name(m.group("name"), "otter"):
            return _Label("otter", m.group("name").strip(), ls, m.end("ts"), _skip_space(text, le), m.group("ts"))
        m = _BARE.fullmatch(text, ls, le)
        if m and _looks_like_name(m.group("name"), "bare"):
            return _Label("bare", m.group("name").strip(), ls, m.end("name"), _skip_space(text, le), None)
    if first == "[":  # _BRACKET starts with "["
        m = _BRACKET.match(text, ls, le)
        if m and _looks_like_name(m.group("name"), "bracket"):
            return _Label("bracket", m.group("name").strip(), ls, ls + len(m.group(0).rstrip()),
                          _skip_space(text, m.end()), None)
    m = _COLON.match(text, ls, le)
    if m is None:
        return None
    name = m.group("name")
    if _is_colon_marker(name, text, m.end(), le):
        return _Label("colon", name.strip(), ls, text.index(":", m.end("name")) + 1, _skip_space(text, le), None, False)
    if _looks_like_name(name, "colon"):
        body = m.end()
        ts = None
        t = _LEAD_TS.match(text, body)
        if t:
            ts = t.group("ts")
            body = t.end()
        return _Label("colon", name.strip(), ls, text.index(":", m.end("name")) + 1, _skip_space(text, body), ts)
    return None


def _is_colon_marker(name: str, text: str, rest: int, le: int) -> bool:
    """``Break: [22:46]`` alone on its line (a rendered ``**Break:** \\[22:46\\]``): a marker
    word and a time (``text[rest:le]``), no speech; like a bold marker it ends the turn before it."""
    return _marker_word(name) and _MARKER_TIMES.fullmatch(text, rest, le) is not None


@functools.lru_cache(maxsize=4096)  # as ``_looks_like_name``: a few names, hundreds of times
def _marker_word(name: str) -> bool:
    words = name.split()
    return len(words) == 1 and words[0].casefold() in NON_SPEAKERS


_ALWAYS_ACCEPTED = {"bold", "otter"}


TurnRow = tuple  # (speaker, label_start, label_end, start, end, timestamp): a ``Turn``'s values in order
_TURN_FIELDS = ("speaker", "label_start", "label_end", "start", "end", "timestamp")


def detect_turns(text: str) -> list[Turn]:
    """Speaker turns of ``text`` in its dominant labelling style (see module docstring)."""
    turns: list[Turn] = []
    new = object.__new__
    for row in detect_turn_rows(text):
        turn = new(Turn)  # Turn(...) without the frozen dataclass's setattr per field: the same object
        turn.__dict__.update(zip(_TURN_FIELDS, row))
        turns.append(turn)
    return turns


def detect_turn_rows(text: str) -> list[TurnRow]:
    """``detect_turns(text)`` as the values of each turn (what an import writes and a worker
    sends: no ``Turn`` objects made)."""
    cands = _candidates(text)
    if not cands:
        return []
    by_style: dict[str, list[_Label]] = {}
    for c in cands:
        by_style.setdefault(c.style, []).append(c)
    kept_by_style: dict[str, list[_Label]] = {}
    for style, labels in by_style.items():
        speakers = [lb for lb in labels if lb.speaker]
        if style in _ALWAYS_ACCEPTED:
            kept = labels
        else:
            counts: dict[str, int] = {}
            for lb in speakers:
                counts[lb.name] = counts.get(lb.name, 0) + 1
            repeated = [lb for lb in speakers if counts[lb.name] >= 2]
            if repeated:
                # the style is confirmed; a one-off name after the first repeated label is a
                # speaker too (a header line such as "Venue: Glasgow" comes before it)
                first = repeated[0].line_start
                kept = [lb for lb in speakers if counts[lb.name] >= 2 or lb.line_start > first]
            elif len(counts) >= 2:
                kept = speakers
            else:
                kept = []
            markers = [lb for lb in labels if not lb.speaker] if kept else []
            if markers:  # markers such as "Break: [22:46]" end the turn before them (kept: in line order)
                kept = sorted(kept + markers, key=lambda lb: lb.line_start)
        if any(lb.speaker for lb in kept):
            kept_by_style[style] = kept
    if not kept_by_style:
        return []
    style = max(kept_by_style, key=lambda s: (sum(lb.speaker for lb in kept_by_style[s]), s in _ALWAYS_ACCEPTED))
    labels = kept_by_style[style]
    rows: list[TurnRow] = []
    for lb, nxt in zip(labels, [lb.line_start for lb in labels[1:]] + [len(text)]):
        if not lb.speaker:
            continue
        start = min(lb.body_start, nxt)
        end = nxt
        while end > start and text[end - 1].isspace():
            end -= 1
        rows.append((lb.name, lb.line_start, lb.label_end, start, end, lb.timestamp))
    return rows


# --------------------------------------------------------------------------- units
Span = tuple[int, int]


def _trim(text: str, s: int, e: int) -> Span | None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if s < e else None


_BLANK = re.compile(r"\n[ \t]*\n\s*")


def paragraphs(text: str, turns: list[Turn] | None = None) -> list[Span]:
    """Blocks between blank lines (or lines, where the file has none), minus speaker labels."""
    if _BLANK.search(text):
        cuts = [(m.start(), m.end()) for m in _BLANK.finditer(text)]
    else:
        cuts = [(m.start(), m.end()) for m in re.finditer(r"\n", text)]
    # Labels (and the gap up to the turn's body) are cut out too; each turn start is a boundary.
    for t in turns or ():
        if t.label_start < t.start:
            cuts.append((t.label_start, t.start))
        cuts.append((t.end, t.end))
    cuts.sort()
    out: list[Span] = []
    pos = 0
    for a, b in cuts:
        if a > pos:
            span = _trim(text, pos, a)
            if span:
                out.append(span)
        pos = max(pos, b)
    span = _trim(text, pos, len(text))
    if span:
        out.append(span)
    return out


# "No." is a common answer, so "no" is not here.
ABBREVIATIONS = {"dr", "mr", "mrs", "ms", "prof", "st", "e.g", "i.e", "etc", "vs", "cf", "jr", "sr", "approx", "dept"}
# A run of end marks and closing quotes before white space (a class first: 8x faster than
# an alternation, which the regex engine cannot scan for).
_SENT_END = re.compile(r"[.!?…][.!?…\"'”’)\]]*(?=\s|$)")


_QUOTE_MARK = re.compile("[\"“”'‘’]")


def quotations(text: str, start: int, end: int) -> list[Span]:
    """Quotations in ``text[start:end]`` that close there: ``(open mark, close mark + 1)``.
    Double marks (straight ``"`` paired in turn, curly “ ”) and single ones (‘ ’, or a
    straight ``'`` that opens before a word and closes after one; an apostrophe inside a
    word is no mark). A mark that never closes makes no quotation."""
    out: list[Span] = []
    double: list[int] = []  # open double marks
    single: list[int] = []
    straight_open: int | None = None
    for m in _QUOTE_MARK.finditer(text, start, end):
        i = m.start()
        ch = text[i]
        prev = text[i - 1] if i > start else " "
        nxt = text[i + 1] if i + 1 < end else " "
        if ch == '"':
            if straight_open is None:
                straight_open = i
            else:
                out.append((straight_open, i + 1))
                straight_open = None
        elif ch == "“":
            double.append(i)
        elif ch == "”":
            if double:
                out.append((double.pop(), i + 1))
        elif prev.isalnum() and nxt.isalnum():
            continue  # don't, I'd
        elif ch == "‘" or (ch == "'" and not prev.isalnum() and not nxt.isspace()):
            single.append(i)
        elif single and not nxt.isalnum():
            out.append((single.pop(), i + 1))
    return out


def sentences(text: str, turns: list[Turn] | None = None) -> list[Span]:
    """Sentences within paragraphs; never crossing a paragraph or turn, and never ending
    inside a quotation that goes on (``I was like "Obviously. Amazing."`` is one)."""
    out: list[Span] = []
    for ps, pe in paragraphs(text, turns):
        start = ps
        quoted = sorted(quotations(text, ps, pe))
        q, reach = 0, -1  # reach: the furthest close of the quotations opened so far
        for m in _SENT_END.finditer(text, ps, pe):
            while q < len(quoted) and quoted[q][0] < m.start():
                reach = max(reach, quoted[q][1])
                q += 1
            if m.end() < reach:
                continue  # the end mark is inside a quotation that closes later
            if m.group(0).startswith(".") and not m.group(0).startswith("..."):
                j = m.start()
                k = j
                while k > ps and not text[k - 1].isspace():
                    k -= 1
                word = text[k:j].casefold().lstrip("(\"'“‘")
                if word in ABBREVIATIONS:
                    continue
            span = _trim(text, start, m.end())
            if span:
                out.append(span)
            start = m.end()
        span = _trim(text, start, pe)
        if span:
            out.append(span)
    return out


def turn_spans(text: str, turns: list[Turn]) -> list[Span]:
    out = []
    for t in turns:
        span = _trim(text, t.start, t.end)
        if span:
            out.append(span)
    return out


UNIT_KINDS = ("match", "sentence", "paragraph", "turn")


def units(text: str, turns: list[Turn], kind: str) -> list[Span]:
    if kind == "sentence":
        return sentences(text, turns)
    if kind == "paragraph":
        return paragraphs(text, turns)
    if kind == "turn":
        return turn_spans(text, turns)
    raise ValueError(f"unknown unit {kind!r} (choose from sentence, paragraph, turn)")


def unit_at(spans: list[Span], pos: int) -> Span | None:
    """The unit containing ``pos`` (spans sorted and disjoint)."""
    i = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    if i >= 0 and spans[i][0] <= pos < spans[i][1]:
        return spans[i]
    return None


def turn_at(turns: list[Turn], pos: int) -> Turn | None:
    starts = [t.start for t in turns]
    i = bisect.bisect_right(starts, pos) - 1
    if i >= 0 and turns[i].start <= pos < max(turns[i].end, turns[i].start + 1):
        return turns[i]
    return None
