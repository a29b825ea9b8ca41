"""Placing the selections of a .qdpx in their texts: detect the offset convention, verify
every selection against its text and convert its offsets to code points; what cannot be
placed is kept aside with the reason."""

from __future__ import annotations

import contextlib
from typing import Generator

from . import model as refi
from .offsets import CONVENTIONS, DESCRIPTIONS, Detection, VendorUnitsToCodePoints, crlf_positions, detect
from .qdpx_content import KeptAside, QdpxContent


def _convert(content: QdpxContent) -> None:
    """Verify every selection against its text and convert offsets to code points."""
    proj = content.project
    with contextlib.closing(_evidence(proj.sources)) as texts:
        det = detect(texts, proj.origin)
    content.detection = det
    for src in proj.sources:
        if not src.has_text:
            content.missing_sources.append(f"{src.name or src.guid} ({src.missing_reason})")
            for sel in src.selections:
                content.kept_aside.append(_aside(src, sel, f"source text missing: {src.missing_reason}"))
            src.selections = []
            continue
        with src.unpacked():  # one text at a time when they are packed
            _convert_source(content, src, det)


def _evidence(sources: list[refi.Source]) -> Generator[tuple[str, str, list[tuple[int, int, str]]], None, None]:
    """(raw text, text, [(start, end, name)]) of each source with text, for ``detect``."""
    for s in sources:
        if s.has_text:
            with s.unpacked():
                assert s.text is not None
                yield _raw(s), s.text, [(x.start, x.end, x.name) for x in s.selections]


def _convert_source(content: QdpxContent, src: refi.Source, det: Detection) -> None:
    """Place the selections of ``src`` (its text unpacked) under the convention ``det`` chose."""
    assert src.text is not None
    raw = _raw(src)
    differs = raw != src.text or not raw.isascii()
    m = VendorUnitsToCodePoints(src.text, crlf_positions(raw), det.convention) if differs else None
    by_name = _ByName(src, det.convention) if differs and not det.trusted else None
    if by_name is not None and not by_name.names_are_quotes():
        by_name = None
    kept = _place(content, src, m, by_name)
    src.selections = kept
    if by_name is not None:
        for conv, n in sorted(by_name.other.items()):
            content.warnings.append(
                f"source {src.name or src.guid!r}: {n} selection{'s' if n != 1 else ''} read as "
                f"{DESCRIPTIONS[conv]}, not {DESCRIPTIONS[det.convention]}, because "
                f"{'their names' if n != 1 else 'its name'} (the quoted text) fit only that way "
                "(offsets mixed in one file)")


def _raw(src: refi.Source) -> str:
    """The decoded text before CRLF normalisation, which the reader keeps beside the text."""
    assert src.raw is not None
    return src.raw


def _place(content: QdpxContent, src: refi.Source, m: VendorUnitsToCodePoints | None, by_name: _ByName | None) -> list:
    """The selections of ``src`` placed in its text (offsets now code points); the others
    are kept aside in ``content`` with the reason."""
    assert src.text is not None
    kept = []
    length = len(src.text)
    if m is not None and not m.pos:  # no character counts more than one unit: ``to_cp`` is the identity
        m, same = None, True
    else:
        same = False
    for sel in src.selections:
        if by_name is not None and sel.name.strip():
            placed = by_name.place(sel)
            if placed is None:
                content.kept_aside.append(_aside(src, sel, "its name (the quoted text) fits the text under no "
                                                           "offset convention"))
                content.warnings.append(
                    f"source {src.name or src.guid!r}: selection {sel.guid} ({sel.start}-{sel.end}, "
                    f"{_short(sel.name)!r}) fits the text under no offset convention; kept aside, not placed")
                continue
            sel.start, sel.end = placed
            kept.append(sel)
            continue
        a: int | None
        b: int | None
        if same:  # ``to_cp`` of each end, without the calls
            a, b, a_ok, b_ok = sel.start, sel.end, True, True
            if not 0 <= a <= length:
                a = None
            if not 0 <= b <= length:
                b = None
        elif m is None:
            a, b, a_ok, b_ok = sel.start, sel.end, True, True
            if a < 0 or b > length:
                a = b = None
        else:
            a, a_ok = m.to_cp(sel.start, False)
            b, b_ok = m.to_cp(sel.end, True)
        if a is None or b is None:
            content.kept_aside.append(_aside(src, sel, f"outside the text (length {length})"))
            continue
        if a >= b:
            content.kept_aside.append(_aside(src, sel, "empty or reversed selection"))
            continue
        if not (a_ok and b_ok):
            content.adjusted += 1
        sel.start, sel.end = a, b
        kept.append(sel)
    return kept


def _short(s: str, width: int = 40) -> str:
    s = " ".join(s.split())
    return s if len(s) <= width else s[: width - 1] + "…"


def _fits(name: str, quote: str) -> bool:
    """True when a selection's ``name`` is its quoted text (QualCoder writes the selected
    text there), or the start of it cut with an ellipsis; white space is not compared."""
    n, q = " ".join(name.split()), " ".join(quote.split())
    if not n:
        return False
    if n == q:
        return True
    if n.endswith(("…", "...")):
        head = n.rstrip("…").rstrip(".").rstrip()
        return len(head) >= 4 and q.startswith(head)
    return False


class _ByName:
    """Offsets decided per selection by its name, for files that mix conventions (a
    QualCoder project holding imported UTF-16 codings beside its own code-point ones).

    A selection whose name is its text under the project's convention stays so; one whose
    name fits only another convention's text is placed that way; one that fits under
    none is kept aside (never placed by guess). Used only where names are quotes: at
    least half of a source's named selections fit under some convention."""

    def __init__(self, src: refi.Source, primary: str):
        assert src.text is not None
        self.text: str = src.text
        self.crlfs = crlf_positions(_raw(src))
        self.primary = primary
        self.src = src
        self._maps: dict[str, VendorUnitsToCodePoints] = {}
        self.other: dict[str, int] = {}

    def span(self, conv: str, sel: refi.Selection) -> tuple[int, int] | None:
        m = self._maps.get(conv)
        if m is None:
            m = self._maps[conv] = VendorUnitsToCodePoints(self.text, self.crlfs, conv)
        a, a_ok = m.to_cp(sel.start, False)
        b, b_ok = m.to_cp(sel.end, True)
        if a is None or b is None or a >= b or not (a_ok and b_ok):
            return None
        return a, b

    def fitting(self, sel: refi.Selection):
        for conv in (self.primary, *(c for c in CONVENTIONS if c != self.primary)):
            span = self.span(conv, sel)
            if span is not None and _fits(sel.name, self.text[span[0]:span[1]]):
                yield conv, span

    def names_are_quotes(self) -> bool:
        named = [s for s in self.src.selections if s.name.strip()]
        fit = sum(1 for s in named if next(self.fitting(s), None) is not None)
        return bool(named) and 2 * fit >= len(named)

    def place(self, sel: refi.Selection) -> tuple[int, int] | None:
        for conv, span in self.fitting(sel):
            if conv != self.primary:
                self.other[conv] = self.other.get(conv, 0) + 1
            return span
        return None


def _aside(src: refi.Source, sel: refi.Selection, reason: str) -> KeptAside:
    return KeptAside(src.name or src.guid, src.guid, sel.guid, sel.start, sel.end, sel.name,
                     [c.code for c in sel.codings], [c.user for c in sel.codings], reason)
