"""The transcript's margin (object name ``codingStripes``): line numbers, one stripe per
coding (overlaps side by side) and more marks right of them (``TranscriptView.margin_layers``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QToolTip, QWidget

if TYPE_CHECKING:
    from .transcript_view import TranscriptView


class StripeMargin(QWidget):
    """Line numbers and one stripe per coding, overlaps side by side."""

    def __init__(self, view: "TranscriptView"):
        super().__init__(view)
        self.view = view
        self.setMouseTracking(True)
        self.setObjectName("codingStripes")
        # paintEvent fills every pixel it is asked for: Qt need not paint the frame and the
        # window behind the margin first
        self.setAttribute(Qt.WA_OpaquePaintEvent, True)

    def sizeHint(self) -> QSize:
        return QSize(self.view.margin_width(), 0)

    def paintEvent(self, event) -> None:
        view = self.view
        p = QPainter(self)
        p.fillRect(event.rect(), QColor("#f4f4f1"))
        digits_w = view.digits_width()
        # line numbers
        p.setPen(QColor("#9a9a96"))
        block = view.firstVisibleBlock()
        top = int(view.blockBoundingGeometry(block).translated(view.contentOffset()).top())
        bottom = top + int(view.blockBoundingRect(block).height())
        height = self.height()
        fm_h = view.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                p.drawText(0, top, digits_w - 4, fm_h, Qt.AlignRight, str(block.blockNumber() + 1))
            block = block.next()
            top = bottom
            bottom = top + int(view.blockBoundingRect(block).height())
        # stripes
        for stripe, rect in view.visible_stripes(height):
            color = QColor(stripe.color)
            if view.selected_coding_id == stripe.coding.id:
                p.fillRect(rect.adjusted(-1, 0, 1, 0), QColor("#202020"))
            p.fillRect(rect, color)
        for layer in view.margin_layers:  # e.g. annotation marks (gui.anchor_marks)
            layer.paint(p, height)
        p.end()

    def mouseMoveEvent(self, event) -> None:
        hit = self.view.stripe_at(event.position().toPoint())
        label = hit.label if hit is not None else next(
            (t for t in (layer.tooltip_at(event.position().toPoint()) for layer in self.view.margin_layers) if t), None)
        if label:
            QToolTip.showText(event.globalPosition().toPoint(), label, self)
        else:
            QToolTip.hideText()

    def mousePressEvent(self, event) -> None:
        hit = self.view.stripe_at(event.position().toPoint())
        if hit is not None:
            self.view.select_coding(hit.coding.id)
            return
        for layer in self.view.margin_layers:
            if layer.click(event.position().toPoint()):
                return
