"""Subtitle sources (.srt, .vtt): cues joined into readable paragraphs with turns.

Parsing is line based and tolerant: CRLF, a BOM, missing cue numbers, cue
identifiers, a ``WEBVTT`` header, ``NOTE``/``STYLE``/``REGION`` blocks, cue settings
after the end time, ``mm:ss.ttt`` times. Cue text loses its markup (``<c>``, ``<i>``,
``<b>``, ``<font>``, ``{\\an8}``), HTML entities are unescaped, and a leading dialogue
dash ("- ") is dropped. A VTT voice ``<v Name>`` gives the speaker.

Cues join into a paragraph until a gap of more than 2 s, a change of speaker, or a
sentence end once the paragraph holds at least 200 characters. Unpunctuated machine
transcripts also break after 1000 characters so a paragraph stays readable.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.formats.checks import require_text
from qualcoder_lite.core.formats.result import ReaderTurn, ReadResult
from qualcoder_lite.core.formats.textfile import read_text

MAX_GAP_SECONDS = 2.0
MIN_PARAGRAPH_CHARS = 200
MAX_PARAGRAPH_CHARS = 1000

_TIME = r"(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?"
_TIME_LINE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")
_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+([^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^>]*>|<\d{1,3}:[\d:.]*>|</>")
_DASH = re.compile(r"^((?:\s*<[^>]*>)*)\s*- ")
_ASS_TAG = re.compile(r"\{\\[^}]*\}")
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")


@dataclass
class Cue:
    start: float
    end: float
    lines: list[str] = field(default_factory=list)


@dataclass
class _Paragraph:
    speaker: str | None
    start: float
    end: float
    parts: list[str]
    length: int


def read_srt(path: str | Path, encoding: str | None = None) -> ReadResult:
    """Read a SubRip file into paragraphs with one ``ReaderTurn`` each."""
    return _read(path, "srt", encoding)


def read_vtt(path: str | Path, encoding: str | None = None) -> ReadResult:
    """Read a WebVTT file into paragraphs with one ``ReaderTurn`` each."""
    return _read(path, "vtt", encoding)


def _read(path: str | Path, fmt: str, encoding: str | None) -> ReadResult:
    source, warnings = read_text(path, encoding)
    cues, malformed = parse_cues(source)
    if malformed:
        warnings.append(f"{malformed} malformed cue{'s' if malformed != 1 else ''} skipped")
    if not cues:
        raise InputError(path, "no subtitle cues found")
    text, turns = build_text(cues)
    return ReadResult(text=require_text(path, text), format=fmt, warnings=warnings, turns=turns)


def parse_cues(source: str) -> tuple[list[Cue], int]:
    """Cues of an SRT or VTT text (LF line ends) and the count of malformed cues skipped.

    A line with ``-->`` starts a cue (a valid time line) or a skipped malformed cue.
    Lines outside any cue are a cue number or identifier when a time line follows;
    otherwise the block counts as malformed (e.g. a time line written with ``->``).
    """
    cues: list[Cue] = []
    malformed = 0
    cue: Cue | None = None
    skipping = False  # inside a header, NOTE/STYLE/REGION block or a malformed cue
    stray: list[str] = []  # lines outside any cue since the last blank line
    seen_content = False
    for line in source.split("\n"):
        if not line.strip():
            if stray and not skipping:
                malformed += 1
            cue, skipping, stray = None, False, []
            continue
        is_first_line, seen_content = not seen_content, True
        if "-->" in line:
            times = _parse_time_line(line)
            if cue is not None and times is not None and cue.lines and cue.lines[-1].strip().isdigit():
                cue.lines.pop()  # the next cue's number, written without a blank line
            stray = []
            if times is None:
                malformed += 1
                cue, skipping = None, True
            else:
                cue, skipping = Cue(*times), False
                cues.append(cue)
        elif skipping:
            continue
        elif cue is not None:
            cue.lines.append(line)
        elif not stray and _starts_skipped_block(line, is_first_line):
            skipping = True
        else:
            stray.append(line)
    if stray and not skipping:
        malformed += 1
    return cues, malformed


def _starts_skipped_block(line: str, is_first_line: bool) -> bool:
    if is_first_line and line.startswith("WEBVTT"):
        return True
    word = line.split(maxsplit=1)[0]
    return word in _SKIPPED_BLOCKS


def _parse_time_line(line: str) -> tuple[float, float] | None:
    match = _TIME_LINE.match(line)
    if match is None:
        return None
    groups = match.groups()
    start, end = _seconds(*groups[:4]), _seconds(*groups[4:])
    if start is None or end is None:
        return None
    return start, max(start, end)


def _seconds(h: str | None, m: str, s: str, frac: str | None) -> float | None:
    minutes, secs = int(m), int(s)
    if secs >= 60 or (h is not None and minutes >= 60):
        return None
    millis = int(frac.ljust(3, "0")) if frac else 0
    return int(h or 0) * 3600 + minutes * 60 + secs + millis / 1000


def cue_segments(cue: Cue) -> list[tuple[str | None, str]]:
    """(speaker, clean text) pieces of a cue; several ``<v>`` voices give several pieces."""
    lines = [_strip_dash(line) for line in cue.lines]
    raw = " ".join(lines)
    pieces: list[tuple[str | None, str]] = []
    speaker: str | None = None
    pos = 0
    for match in _VOICE.finditer(raw):
        pieces.append((speaker, raw[pos : match.start()]))
        speaker = _clean(match.group(1) or "") or None
        pos = match.end()
    pieces.append((speaker, raw[pos:]))
    return [(who, text) for who, raw_text in pieces if (text := _clean(raw_text))]


def _strip_dash(line: str) -> str:
    """Drop a dialogue dash at the start of a line, also after tags ("<v A>- Hi")."""
    return _DASH.sub(r"\1", line, count=1)


def _clean(text: str) -> str:
    text = _ASS_TAG.sub("", _TAG.sub("", text))
    return " ".join(html.unescape(text).split())


def build_text(cues: list[Cue]) -> tuple[str, list[ReaderTurn]]:
    """Join cues into paragraphs ("\\n\\n" apart) and return the text and its turns."""
    paragraphs: list[_Paragraph] = []
    for cue in cues:
        for speaker, text in cue_segments(cue):
            last = paragraphs[-1] if paragraphs else None
            if last is None or _breaks(last, speaker, cue.start):
                paragraphs.append(_Paragraph(speaker, cue.start, cue.end, [text], len(text)))
            else:
                last.parts.append(text)
                last.length += 1 + len(text)
                last.end = max(last.end, cue.end)
    out: list[str] = []
    turns: list[ReaderTurn] = []
    pos = 0
    for para in paragraphs:
        if out:
            out.append("\n\n")
            pos += 2
        body = " ".join(para.parts)
        if para.speaker:
            label = f"{para.speaker}:"
            label_start, label_end = pos, pos + len(label)
            start = label_end + 1
            out.append(f"{label} {body}")
        else:
            label_start = label_end = start = pos
            out.append(body)
        end = start + len(body)
        turns.append(ReaderTurn(para.speaker, label_start, label_end, start, end, _hms(para.start)))
        pos = end
    return "".join(out), turns


def _breaks(para: _Paragraph, speaker: str | None, start: float) -> bool:
    """Whether a cue piece starting at ``start`` begins a new paragraph after ``para``."""
    if speaker != para.speaker or start - para.end > MAX_GAP_SECONDS:
        return True
    if para.length >= MAX_PARAGRAPH_CHARS:
        return True
    return para.length >= MIN_PARAGRAPH_CHARS and _SENTENCE_END.search(para.parts[-1]) is not None


def _hms(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
