"""The transcript view (object name ``transcriptView``) with its coding-stripe margin.

Offsets cross into Qt only through ``Utf16Positions``: the view keeps code points everywhere
it talks to the core, and UTF-16 positions only inside Qt calls.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QRegion, QSyntaxHighlighter, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

from ..core.marks import Mark, find_marks
from ..core.model import Coding, Turn
from .code_model import selection_mime
from .lanes import MAX_LANES, Lanes, assign_lanes  # noqa: F401 (the lanes' rule, as before)
from .offsets import Utf16Positions
from .stripe_margin import StripeMargin
from .transcript_highlights import Highlights

LANE_WIDTH = 5
LANE_GAP = 2
_WORD_CHAR = re.compile(r"\w", re.UNICODE)


@dataclass
class _Stripe:
    coding: Coding
    lane: int
    color: str
    label: str


def _label(c: Coding, code_names: dict[int, str]) -> str:
    """A stripe's tooltip: its code, coder and memo."""
    return f"{code_names.get(c.code_id, '?')} — {c.coder}" + (f"\n{c.memo}" if c.memo else "")


def coding_order(c: Coding) -> tuple:
    """The order of a source's codings as the core lists them (``codings.for_source``)."""
    return (c.start, c.end, c.code_id, c.coder)


#: transcript conventions in the viewer (``core.marks``): time markers dimmed, transcriber
#: notes in grey italics, so neither reads as what was said
TIME_COLOR = "#9a9a9a"
NOTE_COLOR = "#6f6f6f"
LABEL_COLOR = "#2f3f63"


def _char_format(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Bold)
    if italic:
        fmt.setFontItalic(True)
    return fmt


class TranscriptHighlighter(QSyntaxHighlighter):
    """Character formats over the transcript: speaker labels in bold, time markers dimmed,
    transcriber notes in grey italics (a highlighter changes the layout's font; extra
    selections, which show the codings, can only recolour). Layers of (start, end, format)
    spans in UTF-16 positions, each sorted and without overlaps; a later layer wins."""

    def __init__(self, document):
        super().__init__(document)
        self.label_format = _char_format(LABEL_COLOR, bold=True)
        self.label_time_format = _char_format(TIME_COLOR, bold=True)
        self.time_format = _char_format(TIME_COLOR)
        self.note_format = _char_format(NOTE_COLOR, italic=True)
        self.layers: list[list[tuple[int, int, QTextCharFormat]]] = []
        self._starts: list[list[int]] = []

    def set_layers(self, layers: list[list[tuple[int, int, QTextCharFormat]]]) -> None:
        self.layers = [sorted(layer, key=lambda s: s[0]) for layer in layers]
        self._starts = [[s[0] for s in layer] for layer in self.layers]

    def highlightBlock(self, text: str) -> None:
        if not self.layers:
            return
        block = self.currentBlock()
        pos, end = block.position(), block.position() + block.length()
        for layer, starts in zip(self.layers, self._starts):
            i = bisect.bisect_right(starts, pos) - 1
            if i < 0 or layer[i][1] <= pos:
                i += 1
            while i < len(layer) and layer[i][0] < end:
                a, b, fmt = layer[i]
                self.setFormat(max(a, pos) - pos, min(b, end) - max(a, pos), fmt)
                i += 1


class TranscriptView(QPlainTextEdit):
    codingClicked = Signal(int)  # coding id
    pinnedKey = Signal(int)  # 1..9 pressed with a selection
    selectionCodePoints = Signal(int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("transcriptView")
        self.highlights = Highlights(self)  # the codings' highlights in view (extra selections)
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
        self.setLineWrapMode(QPlainTextEdit.WidgetWidth)
        font = QFont()
        font.setFamilies(["Noto Serif", "DejaVu Serif", "Georgia", "Times New Roman", "serif"])
        font.setPointSizeF(11.5)
        self.setFont(font)
        self.document().setDocumentMargin(12)
        self.setCursorWidth(2)
        self.source_id: int | None = None
        self.session = ""  # the project window's session (set by the workbench)
        self.text = ""
        self.map = Utf16Positions("")
        self.turns: list[Turn] = []
        self.codings: list[Coding] = []
        self.code_colors: dict[int, str] = {}
        self.code_names: dict[int, str] = {}
        self.coder_colors: dict[str, str] = {}  # non-empty: stripes coloured by coder
        self.selected_coding_id: int | None = None
        self.snap_to_words = False
        self._stripes: list[_Stripe] = []
        self._stripe_window: tuple[list[int], int] | None = None  # stripes' starts and longest, when sorted
        self._lanes_used = 0
        self._lanes: Lanes | None = None  # the stripes' lanes, kept so that a patch reworks few
        self._text_serial = 0  # counts the texts shown (the stripes' places are kept per text)
        self._edges: tuple[tuple, dict] = ((), {})  # place_key -> code point (or ("span", height)) -> edges
        self._visible_memo: tuple | None = None  # visible_stripes' last answer and what it was for
        self._stripe_names: dict[int, str] | None = None  # the code names the stripes were labelled with
        self.margin_layers: list = []  # more marks right of the stripes: paint, tooltip_at, click, width
        self.margin = StripeMargin(self)
        self.marks: list[Mark] = []  # time markers and transcriber notes of the text shown
        self.labels = TranscriptHighlighter(self.document())
        self.updateRequest.connect(self._update_margin)
        layout = self.document().documentLayout()
        for signal in (layout.update, layout.updateBlock, layout.documentSizeChanged):
            signal.connect(self.highlights.layout_changed)
        self.verticalScrollBar().valueChanged.connect(lambda _v: self._apply_formats())
        self.selectionChanged.connect(self._emit_selection)
        self._update_margin_width()

    # -- loading ---------------------------------------------------------------
    def show_source(self, source_id: int | None, text: str, turns: list[Turn], codings: list[Coding],
                    code_colors: dict[int, str], code_names: dict[int, str]) -> None:
        self.source_id = source_id
        self.text = text
        self.map = Utf16Positions(text)
        self.turns = turns
        self.selected_coding_id = None
        self.marks = find_marks(text)
        self.labels.set_layers(self._format_layers())
        self.highlights.forget()  # a new text: no highlight is kept
        self._text_serial += 1
        self.codings = []  # the old codings' offsets mean nothing in the new text (a scroll may ask)
        self.setPlainText(text)
        self.set_codings(codings, code_colors, code_names)
        self._update_margin_width()

    def _format_layers(self) -> list[list[tuple[int, int, QTextCharFormat]]]:
        """Labels, then the times and notes over them (UTF-16 positions via the one map)."""
        u16, hl = self.map.to_utf16, self.labels
        labels, label_times = [], []
        for t in self.turns:
            if t.label_end <= t.label_start:
                continue
            labels.append((u16(t.label_start), u16(t.label_end), hl.label_format))
            written = self.text[t.label_start:t.label_end]
            if t.timestamp and written.endswith(t.timestamp):  # Otter's "Ann Smith  0:22"
                label_times.append((u16(t.label_end - len(t.timestamp)), u16(t.label_end), hl.label_time_format))
        marks = [(u16(m.start), u16(m.end), hl.time_format if m.kind == "time" else hl.note_format)
                 for m in self.marks]
        return [labels, label_times, marks]

    def set_codings(self, codings: list[Coding], code_colors: dict[int, str], code_names: dict[int, str],
                    coder_colors: dict[str, str] | None = None) -> None:
        """``coder_colors`` (coder name -> colour), once given, colours the margin stripes by
        coder until an empty dict is given; by default stripes take their code's colour."""
        if coder_colors is not None:
            self.coder_colors = coder_colors
        stripe_color = self._stripe_color(code_colors)
        self._lanes = Lanes(codings)
        lanes = self._lanes.lane_of
        # a stripe whose coding, lane, colour and names are as before is kept (the labels of
        # ~500 stripes cost ~2 ms to build again for every coding applied)
        same_names = code_names is self._stripe_names
        old = {s.coding.id: s for s in self._stripes} if same_names else {}
        stripes = []
        for c in codings:
            lane, color, s = lanes[c.id], stripe_color(c), old.get(c.id)
            if s is None or s.coding is not c or s.lane != lane or s.color != color:
                s = _Stripe(c, lane, color, _label(c, code_names))
            stripes.append(s)
        self._show_codings(codings, code_colors, code_names, stripes)

    def _stripe_color(self, code_colors: dict[int, str]):
        if self.coder_colors:
            return lambda c: self.coder_colors.get(c.coder, "#999999")
        return lambda c: code_colors.get(c.code_id, "#999999")

    def _show_codings(self, codings: list[Coding], code_colors: dict[int, str], code_names: dict[int, str],
                      stripes: list[_Stripe], longest: int | None = None) -> None:
        """Show ``codings`` with their ``stripes`` (one each, in the same order; their lanes
        are ``self._lanes``'): the highlights in view, the margin's width and the stripes
        that came, went or changed. ``longest``: the codings are known to be in order of
        start (a patch keeps them so) and this is the longest one's length."""
        self.codings = codings
        self.code_colors = code_colors
        self.code_names = code_names
        width = self.margin_width()
        before = self._stripe_marks()
        self._stripes, self._stripe_names = stripes, code_names
        starts = [c.start for c in codings]
        if longest is not None:
            self._stripe_window = (starts, longest)
        elif all(a <= b for a, b in zip(starts, starts[1:])):
            self._stripe_window = (starts, max((c.end - c.start for c in codings), default=0))
        else:
            self._stripe_window = None
        self._lanes_used = 1 + max(self._lanes.lane_of.values(), default=-1)  # the margin's width asks often
        self._update_margin_width()
        self._apply_formats()
        if width != self.margin_width() or before is None:
            self.margin.update()
        else:  # only the stripes that came, went or changed (a full repaint: ~1 ms)
            changed = before ^ self._stripe_marks()
            if changed:
                region = QRegion()
                for _id, _lane, _color, _selected, rect in changed:
                    region += QRect(*rect).adjusted(-1, 0, 1, 0)  # the selected stripe's outline
                self.margin.update(region)

    def _stripe_marks(self) -> set[tuple] | None:
        """What the margin paints of each stripe in view (None: nothing laid out yet)."""
        if not self.isVisible() or self.highlights.doc is not self.document():
            return None
        selected = self.selected_coding_id
        return {(s.coding.id, s.lane, s.color, s.coding.id == selected, r.getRect())
                for s, r in self.visible_stripes(self.margin.height())}

    def patch_codings(self, coding_ids: set[int], fresh: list[Coding]) -> None:
        """Codings ``coding_ids`` were added, removed or changed: ``fresh`` holds those of them
        shown now. The others (and their highlights and stripes) are kept; the list stays in
        the order the core reads it in (start, end, code, coder). The lanes are worked out
        again from the first coding that changed (``Lanes.patch``), and only the stripes of
        the codings that changed or moved to another lane are made anew."""
        kept = [c for c in self.codings if c.id not in coding_ids]
        for c in fresh:
            bisect.insort(kept, c, key=coding_order)
        window = self._stripe_window
        if (window is None or self._lanes is None or self._stripe_names is not self.code_names
                or len(self._stripes) != len(self.codings)):
            self.set_codings(kept, self.code_colors, self.code_names)
            return
        moved = self._lanes.patch(coding_ids, fresh)
        if moved is None:
            self.set_codings(kept, self.code_colors, self.code_names)
            return
        stripe_color, lanes, names = self._stripe_color(self.code_colors), self._lanes.lane_of, self.code_names
        stripes = [s for s in self._stripes if s.coding.id not in coding_ids]
        place = lambda s: coding_order(s.coding)  # noqa: E731
        for c in fresh:
            bisect.insort(stripes, _Stripe(c, lanes[c.id], stripe_color(c), _label(c, names)), key=place)
        new_ids = {c.id for c in fresh}
        for cid, c in moved.items():
            if cid in new_ids:
                continue
            for i in range(bisect.bisect_left(stripes, coding_order(c), key=place), len(stripes)):
                if stripes[i].coding.id == cid:
                    s = stripes[i]
                    stripes[i] = _Stripe(s.coding, lanes[cid], s.color, s.label)
                    break
        gone = [c.end - c.start for c in self.codings if c.id in coding_ids]
        if gone and max(gone) >= window[1]:  # the longest went (or changed): look again
            longest = max((c.end - c.start for c in kept), default=0)
        else:
            longest = max([window[1], *(c.end - c.start for c in fresh)])
        self._show_codings(kept, self.code_colors, names, stripes, longest)

    def _cursor(self, start_cp: int, end_cp: int) -> QTextCursor:
        cur = QTextCursor(self.document())
        cur.setPosition(self.map.to_utf16(start_cp))
        cur.setPosition(self.map.to_utf16(end_cp), QTextCursor.KeepAnchor)
        return cur

    def highlight_keys(self, lo: int = 0, hi: int | None = None) -> list[tuple]:
        """Every coding's highlight as (coding id, start, end, colour, selected), code points
        (``Highlights.keys``)."""
        return self.highlights.keys(lo, hi)

    def _apply_formats(self) -> None:
        """The highlights of the blocks in view, handed to Qt (``Highlights.apply``)."""
        self.highlights.apply()

    def _selection(self, key: tuple) -> QTextEdit.ExtraSelection:
        return self.highlights.selection(key)

    # -- selection in code points -----------------------------------------------
    def selection_cp(self) -> tuple[int, int] | None:
        cur = self.textCursor()
        if not cur.hasSelection():
            return None
        start = self.map.to_cp(cur.selectionStart())
        end = self.map.to_cp(cur.selectionEnd())
        if self.snap_to_words:
            start, end = self.snap(start, end)
        # never code surrounding white space
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return (start, end) if start < end else None

    def snap(self, start: int, end: int) -> tuple[int, int]:
        t = self.text
        while start > 0 and _WORD_CHAR.match(t[start - 1]) and _WORD_CHAR.match(t[start]):
            start -= 1
        while end < len(t) and end > 0 and _WORD_CHAR.match(t[end - 1]) and _WORD_CHAR.match(t[end]):
            end += 1
        return start, end

    def select_cp(self, start: int, end: int) -> None:
        cur = self._cursor(start, end)
        self.setTextCursor(cur)
        self.ensureCursorVisible()

    def select_coding(self, coding_id: int) -> None:
        for c in self.codings:
            if c.id == coding_id:
                self.selected_coding_id = coding_id
                self._apply_formats()
                self.select_cp(c.start, c.end)
                self.margin.update()
                self.codingClicked.emit(coding_id)
                return

    def codings_at(self, cp: int) -> list[Coding]:
        return [c for c in self.codings if c.start <= cp < c.end]

    def _emit_selection(self) -> None:
        sel = self.selection_cp()
        if sel is not None:
            self.selectionCodePoints.emit(*sel)

    # -- drag: our own mime data carries code points --------------------------------
    def createMimeDataFromSelection(self):
        sel = self.selection_cp()
        if sel is None or self.source_id is None:
            return super().createMimeDataFromSelection()
        return selection_mime(self.source_id, sel[0], sel[1], self.text[sel[0]:sel[1]], self.session)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if Qt.Key_1 <= key <= Qt.Key_9 and not (event.modifiers() & (Qt.ControlModifier | Qt.AltModifier)):
            if self.textCursor().hasSelection():
                self.pinnedKey.emit(key - Qt.Key_0)
                event.accept()
                return
        super().keyPressEvent(event)

    # -- the margin ------------------------------------------------------------------
    def digits_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 8 + self.fontMetrics().horizontalAdvance("9") * digits

    def lanes_used(self) -> int:
        return self._lanes_used

    def margin_width(self) -> int:
        return self.stripes_width() + sum(layer.width for layer in self.margin_layers)

    def stripes_width(self) -> int:
        """The margin's width up to the end of the coding stripes (margin layers follow)."""
        return self.digits_width() + max(1, self.lanes_used()) * (LANE_WIDTH + LANE_GAP) + 6

    def _update_margin_width(self) -> None:
        self.setViewportMargins(self.margin_width(), 0, 0, 0)

    def _update_margin(self, rect: QRect, dy: int) -> None:
        if dy:
            self.margin.scroll(0, dy)
        elif not self.highlights.only:
            self.margin.update(0, rect.y(), self.margin.width(), rect.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        cr = self.contentsRect()
        self.margin.setGeometry(QRect(cr.left(), cr.top(), self.margin_width(), cr.height()))
        self._apply_formats()  # (also the viewport's resize) other blocks may be in view

    def visible_stripes(self, height: int) -> list[tuple[_Stripe, QRect]]:
        """(stripe, rect in margin coordinates) for stripes in the visible part of the text.
        The list is kept (callers must not change it) while the stripes, the places kept for
        them (``_edge_finder``: same text, layout and scroll position) and ``height`` are the
        same: a coding applied looked them up five times (before and after the change, and
        each margin paint), ~0.3 ms each for a busy source."""
        if not self._stripes:
            return []
        edge = self._edge_finder()
        x0 = self.digits_width() + 2
        memo = self._visible_memo
        if (memo is not None and memo[0] is self._edges and memo[1] is self._stripes
                and memo[2] is self._stripe_window and memo[3] == (height, x0)):
            return memo[4]
        span = self._edges[1].get(("span", height))  # kept with the edges: same place on screen
        if span is None:
            first = self.cursorForPosition(QPoint(0, 0)).position()
            last = self.cursorForPosition(QPoint(self.viewport().width(), height)).position()
            span = self._edges[1][("span", height)] = (self.map.to_cp(first), self.map.to_cp(last) + 1)
        lo, hi = span
        out: list[tuple[_Stripe, QRect]] = []
        stripes = self._stripes
        if self._stripe_window is not None:  # sorted by start: only those that can reach lo..hi
            starts, longest = self._stripe_window
            stripes = stripes[bisect.bisect_left(starts, lo - longest):bisect.bisect_right(starts, hi)]
        for s in stripes:
            if s.coding.end < lo or s.coding.start > hi:
                continue
            top, bottom = edge(s.coding.start)[0], edge(s.coding.end)[1]
            top, bottom = max(top, 0), min(bottom, height)
            if bottom <= top:
                continue
            x = x0 + s.lane * (LANE_WIDTH + LANE_GAP)
            out.append((s, QRect(x, top, LANE_WIDTH, bottom - top)))
        self._visible_memo = (self._edges, self._stripes, self._stripe_window, (height, x0), out)
        return out

    def place_key(self) -> tuple:
        """What the text's place on screen follows: the text shown, the first block in view,
        the scroll offset, the viewport's size (the lines' width), the font and the margin.
        While it is the same, so are the lines and blocks at any point of the viewport."""
        return (self._text_serial, self.firstVisibleBlock().blockNumber(), self.contentOffset().toTuple(),
                self.viewport().size().toTuple(), self.font().key(), self.document().documentMargin())

    def _edge_finder(self):
        """A function: code point -> (top, bottom) of its line on screen. Kept while the text,
        its layout and the scroll position are the same: a margin repaint or a tooltip asked
        Qt for two cursor rectangles per stripe in view (~1-2 ms per paint)."""
        key = self.place_key()
        if self._edges[0] != key:
            self._edges = (key, {})
        edges = self._edges[1]

        def edge(cp: int) -> tuple[int, int]:
            found = edges.get(cp)
            if found is None:
                r = self.cursorRect(self._cursor(cp, cp))
                found = edges[cp] = (r.top(), r.bottom())
            return found
        return edge

    def stripe_at(self, pos: QPoint) -> _Stripe | None:
        for stripe, rect in self.visible_stripes(self.margin.height()):
            if rect.adjusted(-1, 0, 1, 0).contains(pos):
                return stripe
        return None
