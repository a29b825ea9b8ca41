"""What a reader returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReaderTurn:
    """A speaker turn the file format itself marks (subtitle cues, ``<v Name>``).

    Offsets are code points into ``ReadResult.text``. ``label_start:label_end`` is the
    label written into the text (e.g. ``"Rik: "`` minus the trailing space) or an empty
    span (``label_start == label_end == start``) when there is no label.
    """

    speaker: str | None
    label_start: int
    label_end: int
    start: int
    end: int
    timestamp: str | None = None


@dataclass
class ReadResult:
    text: str  # normalised: no BOM, LF line ends only
    format: str  # 'txt', 'md', 'docx', 'odt', 'rtf', 'pdf', 'srt', 'vtt'
    warnings: list[str] = field(default_factory=list)
    turns: list[ReaderTurn] | None = None  # None: let the core detect turns in the text
    utf8: bytes | None = None  # ``text`` as UTF-8, when the reader had those bytes anyway (a .txt in UTF-8)
