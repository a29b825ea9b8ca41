"""Marks in the transcript margin, right of the coding stripes: an amber bar with a note
flag for each annotation, a blue dot for each see-also link leaving the passage. Hovering
shows the note or the link's target; clicking selects the annotated passage or follows the
link. Offsets stay code points; the view converts them (``TranscriptView._cursor``)."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QPainter, QPolygon

from ..core.services.anchors.spans import excerpt

ANNOTATION_COLOR = "#d08a00"
LINK_COLOR = "#2a6fdb"


class AnchorMarks:
    """A margin layer of ``TranscriptView`` (see ``margin_layers``)."""

    width = 16

    def __init__(self, view, on_annotation: Callable[[object], None], on_link: Callable[[object], None]):
        self.view = view
        self.on_annotation = on_annotation
        self.on_link = on_link
        self.annotations: list = []
        self.links: list = []  # links whose origin is in the source shown

    def set(self, annotations: list, links: list) -> None:
        self.annotations = annotations
        self.links = links
        view = self.view
        view._update_margin_width()
        cr = view.contentsRect()
        view.margin.setGeometry(QRect(cr.left(), cr.top(), view.margin_width(), cr.height()))
        view.margin.update()

    # -- geometry ---------------------------------------------------------------------
    def _span_rect(self, start: int, end: int, height: int, x: int, w: int) -> QRect | None:
        view = self.view
        if end > len(view.text):
            return None  # the text changed under the marks: they come back with the next refresh
        top = view.cursorRect(view._cursor(start, start)).top()
        bottom = view.cursorRect(view._cursor(end, end)).bottom()
        top, bottom = max(top, 0), min(bottom, height)
        return QRect(x, top, w, bottom - top) if bottom > top else None

    def hits(self, height: int) -> list[tuple[str, object, QRect]]:
        """("annotation" | "link", item, rect) for the marks in view."""
        x0 = self.view.stripes_width()
        out = []
        for a in self.annotations:
            rect = self._span_rect(a.start, a.end, height, x0 + 2, 10)
            if rect is not None:
                out.append(("annotation", a, rect))
        for ln in self.links:
            rect = self._span_rect(ln.start, ln.end, height, x0 + 2, 10)
            if rect is not None:
                out.append(("link", ln, QRect(rect.left(), rect.top() + 11, 10, 9)))  # under the note flag
        return out

    # -- the layer's interface ----------------------------------------------------------
    def paint(self, p: QPainter, height: int) -> None:
        for kind, _item, rect in self.hits(height):
            if kind == "annotation":
                p.fillRect(QRect(rect.left() + 6, rect.top(), 3, rect.height()), QColor(ANNOTATION_COLOR))
                flag = QPolygon([QPoint(rect.left(), rect.top()), QPoint(rect.left() + 9, rect.top()),
                                 QPoint(rect.left() + 9, rect.top() + 9), QPoint(rect.left() + 3, rect.top() + 9),
                                 QPoint(rect.left(), rect.top() + 6)])
                p.setPen(QColor("#8a5a00"))
                p.setBrush(QColor("#ffd36b"))
                p.drawPolygon(flag)
            else:
                p.setPen(QColor(LINK_COLOR))
                p.setBrush(QColor(LINK_COLOR))
                p.drawEllipse(rect.left() + 1, rect.top() + 1, 7, 7)

    def _hit(self, pos: QPoint):
        for kind, item, rect in reversed(self.hits(self.view.margin.height())):
            if rect.adjusted(-1, -1, 1, 1).contains(pos):
                return kind, item
        return None

    def tooltip_at(self, pos: QPoint) -> str | None:
        hit = self._hit(pos)
        if hit is None:
            return None
        kind, item = hit
        if kind == "annotation":
            return f"Annotation ({item.author or 'unknown'}): {excerpt(item.text, 300)}"
        where = "" if item.to_whole_source else f" {item.target_start}–{item.target_end}"
        return f"See also: {item.target_source}{where} (click to follow)"

    def click(self, pos: QPoint) -> bool:
        hit = self._hit(pos)
        if hit is None:
            return False
        kind, item = hit
        (self.on_annotation if kind == "annotation" else self.on_link)(item)
        return True
