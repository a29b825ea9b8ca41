"""Transcript conventions inside the stored text: time markers and transcriber notes.

Both stay in the text (offsets never move); this module only recognises them, so the
importer (a turn's time), the transcript view (dimmed times, marked notes) and the one
quote renderer (times left out, notes in italics) agree on what they are.

*Time markers*, in the forms transcripts use:

* bracketed ``[12:21]``, ``[00:12:21]``, ``[1:02:03.5]``; parenthesised ``(0:22)``;
* a clock time with fractions ``00:01:02.500`` / ``00:01:02,500`` (subtitle style) anywhere;
* a time range, bracketed or not: ``[00:43.810 --> 00:47.850]``, ``00:00.000 --> 00:27.640``
  (Whisper and subtitle output; one marker, its time the start);
* a time at the start of a line (``0:22 Ann: …``, ``00:12:21  Yes.``).

A plain time inside a sentence ("we met at 10:30") is what was said, not a marker.

*Transcriber notes*: a bracketed or parenthesised note of something that was not words,
``[laughs]``, ``[laughter]``, ``[inaudible 00:12]``, ``[crosstalk]``, ``(pause)``,
``[unclear]``, ``[both laugh]``, ``[phone rings]`` … An analyst's insertion such as
``[the reforms]`` or an omission ``[…]`` is not a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_TIME_PATTERNS = (
    # a time range as Whisper and subtitle files write it: "[00:43.810 --> 00:47.850]",
    # "00:00.000 --> 00:27.640" (one marker; its time is where it starts)
    re.compile(rf"\[(?P<t>{_CLOCK})[ \t]*-->[ \t]*{_CLOCK}\]"),
    re.compile(rf"(?<![\w:.,])(?P<t>{_CLOCK})[ \t]*-->[ \t]*{_CLOCK}(?![\w:])"),
    re.compile(rf"\[(?P<t>{_CLOCK})\]"),
    re.compile(rf"\((?P<t>{_CLOCK})\)"),
    re.compile(r"(?<![\w:.,])(?P<t>\d{1,2}:\d{2}:\d{2}[.,]\d{1,3})(?![\w:])"),
    re.compile(rf"(?m)^[ \t]*(?P<t>{_CLOCK})(?=[ \t]|$)"),
)
_ANY_CLOCK = re.compile(r"\d:\d\d")  # in every match of the patterns above (``_CLOCK``)

# what transcribers note instead of words; a note's words start with one of these stems
NOTE_STEMS = (
    "laugh", "chuckl", "giggl", "inaudib", "crosstalk", "cross talk", "overlap", "talking over", "pause",
    "long pause", "silence", "unclear", "indistinct", "incomprehensible", "unintelligible", "cough", "sigh",
    "sniff", "cries", "crying", "tearful", "music", "applause", "noise", "background", "interrupt",
    "phone", "door", "knock", "break in recording", "recording", "audio", "redacted", "coughs", "clears throat",
    "yawn", "gasp", "groan", "whisper", "sneez", "claps", "clapping", "beep", "static", "?",
)
_NOTE_BODY = r"[^\[\]()\n]{1,40}"
_NOTE = re.compile(rf"\[(?P<b>{_NOTE_BODY})\]|\((?P<p>{_NOTE_BODY})\)")
_LEADING = re.compile(r"^(?:both|all|several|everyone|interviewer|participant|[A-Z][\w.'-]{0,20})\s+(?=\w)")


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    kind: str  # "time" | "note"
    text: str  # the marker as written, brackets included

    @property
    def seconds(self) -> float | None:
        """A time marker's position in the recording, in seconds."""
        if self.kind != "time":
            return None
        m = re.search(_CLOCK, self.text)
        return clock_seconds(m.group(0)) if m else None


def clock_seconds(clock: str) -> float:
    """``1:02:03.5`` -> 3723.5 (M:SS, H:MM:SS, fractions with . or ,)."""
    parts = clock.replace(",", ".").split(":")
    total = 0.0
    for p in parts:
        total = total * 60 + float(p)
    return total


def is_note(inner: str) -> bool:
    """Is the text inside brackets a transcriber's note (not an analyst's insertion)?"""
    words = inner.strip().casefold()
    if not words or words in ("…", "...", ". . ."):
        return False
    if words.startswith(NOTE_STEMS):
        return True
    # "both laugh", "Ann laughs", "phone rings": a subject then a noted sound
    rest = _LEADING.sub("", inner.strip(), count=1).casefold()
    return rest != words and rest.startswith(NOTE_STEMS)


def find_marks(text: str, start: int = 0, end: int | None = None) -> list[Mark]:
    """Time markers and transcriber notes in ``text[start:end]``, in text order (offsets
    into ``text``); a time inside a note (``[inaudible 00:12]``) belongs to the note."""
    end = len(text) if end is None else end
    # Searched in place (pos/endpos), not in a slice: a window that starts mid-line
    # ("Ann: 10:30 we met", a coding from "10:30") does not make its first word a line start.
    notes = []
    for m in _NOTE.finditer(text, start, end):
        inner = m.group("b") if m.group("b") is not None else m.group("p")
        if re.fullmatch(_CLOCK, inner.strip()):
            continue  # "(0:22)" is a time, not a note
        if is_note(inner):
            notes.append(Mark(m.start(), m.end(), "note", m.group(0)))
    taken = [(n.start, n.end) for n in notes]
    times: list[Mark] = []
    if _ANY_CLOCK.search(text, start, end) is None:  # no time here: six searches (~4 ms a source) spared
        return sorted(notes, key=lambda k: (k.start, k.end))
    for pattern in _TIME_PATTERNS:
        for m in pattern.finditer(text, start, end):
            s, e = m.start(), m.end()
            if pattern.pattern.startswith("(?m)^"):
                s = m.start("t")
            if any(a < e and s < b for a, b in taken):
                continue
            taken.append((s, e))
            times.append(Mark(s, e, "time", text[s:e]))
    return sorted(notes + times, key=lambda k: (k.start, k.end))


def first_time(text: str, start: int, end: int) -> Mark | None:
    """The first time marker in ``text[start:end]`` (a turn's time in the recording)."""
    return next((m for m in find_marks(text, start, end) if m.kind == "time"), None)


def turn_time(text: str, turn) -> float | None:
    """A speaker turn's time in the recording, in seconds: the time its label carries
    (Otter's ``Ann Smith  0:22``, ``**Ann:** [00:01:00]``), else the first time marker in
    what was said; None when the turn has neither. ``turn`` is a ``model.Turn`` (any object
    with ``timestamp``, ``start`` and ``end``). Computed from the stored text, so it can
    never disagree with it (no column to keep in step through edits and pseudonymisation).
    """
    if turn.timestamp:
        m = re.search(_CLOCK, turn.timestamp)
        if m:
            return clock_seconds(m.group(0))
    mark = first_time(text, turn.start, turn.end)
    return mark.seconds if mark is not None else None
