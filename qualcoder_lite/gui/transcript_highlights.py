"""The codings' highlights in the transcript (``TranscriptView``): only those of the blocks
in view are extra selections, kept from one change to the next, and a change repaints just
the lines of the highlights that came or went."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QTextCharFormat, QTextFormat
from PySide6.QtWidgets import QTextEdit

if TYPE_CHECKING:
    from .transcript_view import TranscriptView


class Highlights:
    """The extra selections of one ``TranscriptView``: which are shown, and their repaints."""

    def __init__(self, view: "TranscriptView"):
        self.view = view
        self.only = False  # True while only the highlights change (see ``_set``)
        self._laid_out_again = False
        self.forget()

    def forget(self) -> None:
        """A new text: no highlight is kept."""
        self.doc = None  # the document the selections were made for
        self._text: str | None = None
        self._sels: dict[tuple, QTextEdit.ExtraSelection] = {}
        self._shown_keys: list[tuple] | None = None
        self._range: tuple[tuple, tuple[int, int]] | None = None  # shown_range's last answer, by place_key

    def layout_changed(self, *_args) -> None:
        self._laid_out_again = True

    def keys(self, lo: int = 0, hi: int | None = None) -> list[tuple]:
        """Every coding's highlight as (coding id, start, end, colour, selected), code points;
        only those in view are handed to Qt (``apply``): ``lo``, ``hi``, those that reach
        into lo..hi (end >= lo, start <= hi)."""
        view = self.view
        colors, selected = view.code_colors, view.selected_coding_id
        codings = view.codings
        if hi is not None:
            window = view._stripe_window  # the codings' starts, in order, and the longest's length
            if window is not None and len(window[0]) == len(codings):  # only those that can reach lo..hi
                starts, longest = window
                codings = codings[bisect.bisect_left(starts, lo - longest):bisect.bisect_right(starts, hi)]
            codings = [c for c in codings if c.end >= lo and c.start <= hi]
        return [(c.id, c.start, c.end, colors.get(c.code_id, "#999999"), c.id == selected) for c in codings]

    def shown_range(self) -> tuple[int, int]:
        """The code points of the blocks in view (whole blocks, from the first to the last).
        Kept while the text's place on screen is the same (``place_key``): finding the block
        at the viewport's bottom corner took ~0.2 ms of every coding applied."""
        view = self.view
        key = view.place_key()
        if self._range is not None and self._range[0] == key:
            return self._range[1]
        vp = view.viewport()
        first = view.cursorForPosition(QPoint(0, 0)).block()
        last = view.cursorForPosition(QPoint(vp.width(), vp.height())).block()
        shown = view.map.to_cp(first.position()), view.map.to_cp(last.position() + last.length() - 1)
        self._range = (key, shown)
        return shown

    def apply(self) -> None:
        # Only the highlights of the blocks in view are extra selections (refreshed on every
        # scroll and resize): Qt lays out each block an extra selection touches to find what
        # to repaint, so ~500 of them laid out the whole transcript on every change (~3 ms a
        # coding, more when a source opens). Selections are kept from one call to the next.
        view = self.view
        if self.doc is not view.document() or self._text is not view.text:
            self.forget()
            self.doc, self._text = view.document(), view.text
        lo, hi = self.shown_range()
        keys = self.keys(lo, hi)
        if keys == self._shown_keys:
            return
        old, new = self._sels, {}
        for key in keys:
            s = old.get(key)
            if s is None:
                s = self.selection(key)
            new[key] = s
        self._sels, self._shown_keys = new, keys
        self._set(list(new.values()), old.keys() ^ new.keys())

    def _set(self, selections: list, changed) -> None:
        """Hand Qt the highlights and repaint the lines of those that came or went
        (``changed``: their keys). Qt finds them itself by each highlight's first position,
        and several codings of one sentence start at the same one: it repainted their
        lines on every change too (a line at the bottom of the view and all between, ~1 ms
        a coding). The margin beside them is not repainted (its numbers and stripes do not
        depend on the highlights: stripes that change are repainted by ``set_codings``),
        unless Qt laid some text out again meanwhile (then the whole view is)."""
        view = self.view
        vp = view.viewport()
        self.only, self._laid_out_again = True, False
        vp.setAttribute(Qt.WA_UpdatesDisabled, True)  # not setUpdatesEnabled: that repaints
        try:
            view.setExtraSelections(selections)
        finally:
            vp.setAttribute(Qt.WA_UpdatesDisabled, False)
            self.only = False
        if self._laid_out_again:
            vp.update()
            view.margin.update()
            return
        # many (a source opened, a page scrolled): the whole view, as Qt's own rects would be
        bands = [self.band(key[1], key[2]) for key in changed] if len(changed) <= 8 else [None]
        if None in bands:
            vp.update()
            return
        for band in bands:
            vp.update(band)

    def band(self, start_cp: int, end_cp: int) -> QRect | None:
        """The viewport's full width over the lines from ``start_cp`` to ``end_cp`` (None:
        a line not laid out)."""
        view = self.view
        edges = []
        for pos in (view.map.to_utf16(start_cp), view.map.to_utf16(end_cp)):
            block = view.document().findBlock(pos)
            line = block.layout().lineForTextPosition(pos - block.position()) if block.isValid() else None
            if line is None or not line.isValid():
                return None
            top = view.blockBoundingGeometry(block).translated(view.contentOffset()).top() + line.y()
            edges.append((top, top + line.height()))
        top, bottom = int(edges[0][0]) - 2, int(edges[1][1]) + 3
        return QRect(0, top, view.viewport().width(), bottom - top)

    def selection(self, key: tuple) -> QTextEdit.ExtraSelection:
        _cid, start, end, color_name, selected = key
        fmt = QTextCharFormat()
        color = QColor(color_name)
        color.setAlpha(110)
        fmt.setBackground(color)
        if selected:
            fmt.setUnderlineStyle(QTextCharFormat.SingleUnderline)
            fmt.setUnderlineColor(QColor("#202020"))
            fmt.setProperty(QTextFormat.FullWidthSelection, False)
        s = QTextEdit.ExtraSelection()
        s.cursor = self.view._cursor(start, end)
        s.format = fmt
        return s
