"""Render an SVG figure (the thematic map) to PNG or PDF with QtSvg. Qt is needed only
here; the command line calls this for .png/.pdf/.docx output with an offscreen
QGuiApplication, the app from the codebook view."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgRenderer

from ..core import outfile
from ..core.errors import QualCoderError

PNG_SCALE = 2  # pixels per SVG unit: sharp enough to print at the size drawn


def ensure_app():
    """An application object for rendering (offscreen when there is no display). A
    QApplication, not only a QGuiApplication: it lives as long as the process, and the
    app's widgets (or a test's) may need it later in the same process."""
    import os

    from PySide6.QtWidgets import QApplication

    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    return app


def _renderer(svg: str) -> QSvgRenderer:
    r = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    if not r.isValid():
        raise QualCoderError("the figure could not be drawn (the SVG was not accepted by the renderer)")
    return r


def svg_size(svg: str) -> tuple[int, int]:
    s = _renderer(svg).defaultSize()
    return s.width(), s.height()


def png_bytes(svg: str, scale: int = PNG_SCALE) -> bytes:
    r = _renderer(svg)
    size = r.defaultSize()
    img = QImage(size.width() * scale, size.height() * scale, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.white)
    img.setDotsPerMeterX(round(96 * scale / 0.0254))
    img.setDotsPerMeterY(round(96 * scale / 0.0254))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    r.render(p, QRectF(0, 0, img.width(), img.height()))
    p.end()
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not img.save(buf, "PNG"):
        raise QualCoderError("the figure could not be encoded as PNG")
    return bytes(buf.data())


def write_png(svg: str, target) -> None:
    outfile.write_bytes(target, png_bytes(svg))


def write_pdf(svg: str, target) -> None:
    """One page the size of the figure (1 SVG unit = 1/96 inch), text kept as text."""
    r = _renderer(svg)
    size = r.defaultSize()

    def draw(tmp) -> None:
        w = QPdfWriter(str(tmp))
        w.setResolution(96)
        w.setPageSize(QPageSize(QSizeF(size.width() * 72 / 96, size.height() * 72 / 96), QPageSize.Unit.Point))
        w.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)
        p = QPainter(w)
        r.render(p, QRectF(0, 0, size.width(), size.height()))
        if not p.end():
            raise QualCoderError(f"{tmp.name}: the PDF could not be written")

    outfile.write_file(target, draw)


def write_figure(svg: str, width: float, target, caption: str = "", title: str = "", note: str = "") -> None:
    """The map in the format its file name says: .svg, .png, .pdf or .docx (the PNG
    under a "Figure 1" caption)."""
    from ..core.formats import thematic_map as tm

    kind = outfile.as_output(target).path.suffix.lower()
    if kind == ".svg":
        tm.write_svg(svg, target)
        return
    ensure_app()
    if kind == ".png":
        write_png(svg, target)
    elif kind == ".pdf":
        write_pdf(svg, target)
    elif kind == ".docx":
        tm.write_docx(target, png_bytes(svg), round(width), caption or "Themes, sub-themes and overarching themes",
                      title, note, height_px=svg_size(svg)[1])
    else:
        raise QualCoderError(f"{outfile.as_output(target).path.name}: the map is written as .svg, .png, .pdf or .docx")
