"""Starting the desktop application (and the offscreen ``--screenshot`` mode)."""

from __future__ import annotations

import datetime as _dt
import os
import sys
from pathlib import Path

from ..core.errors import QualCoderError

DEMO_KEEP = 3


def make_demo_copy() -> Path:
    """Build a fresh copy of the demo project in the user's data folder; older copies
    beyond the last few are removed."""
    from ..core.services.sources.demo import build_demo
    from ..core.userdirs import data_dir

    folder = data_dir() / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = folder / f"demo-{stamp}.qlite"
    build_demo(path).close()
    olds = sorted(folder.glob("demo-*.qlite"))[:-DEMO_KEEP]
    for old in olds:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.remove(str(old) + suffix)
            except FileNotFoundError:
                pass
    return path


def _app():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("QualCoder Lite")
        app.setOrganizationName("QualCoder Lite")
    return app


def prepare_screenshot(window, view: str) -> None:
    """Make the window look like a person mid-work: a source open, a code chosen."""
    from PySide6.QtWidgets import QApplication

    wb = window.workbench
    if wb is not None and view == "coding":
        project = window.ctx.project
        counts = project.codes.counts()
        if counts:
            busiest = max(counts, key=lambda cid: counts[cid][0])
            wb.codes.select_code(busiest)
            segs = wb.retrieval.model
            if segs.rowCount():
                seg = segs.segment(0)
                wb.show_passage(seg.source_id, seg.start, seg.end)
    window.show_view(view)
    if view == "matrix" and window.matrix is not None:
        m = window.matrix
        themes = [c.id for c in window.ctx.project.codes.all() if c.parent_id is None]
        m.set_columns(themes)
        m.group.setCurrentIndex(max(0, m.group.findText("wave")))
        m.compare_box.setChecked(True)
        for line in range(m.model.rowCount()):
            if not m.model.is_group(line):
                m.table.setCurrentIndex(m.model.index(line, 1))
                break
    for _ in range(5):
        QApplication.processEvents()


def launch(project: str | Path | None = None, demo: bool = False, screenshot: str | None = None,
           view: str = "coding", coder: str | None = None) -> int:
    if screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from .main_window import MainWindow

    app = _app()
    window = MainWindow(coder=coder or ("alex" if demo else None))
    if demo:
        try:
            path = make_demo_copy()
        except QualCoderError as exc:
            sys.stderr.write(f"qualcoder-lite: {exc}\n")
            return 1
        if not window.open_path(path, coder=coder or "alex"):
            return 1
    elif project is not None:
        path = Path(project)
        if screenshot:
            from ..core.project import open_project

            try:
                window.set_project(open_project(path, coder=coder))
            except QualCoderError as exc:
                sys.stderr.write(f"qualcoder-lite: {exc}\n")
                return 1
        elif not window.open_path(path, coder=coder):
            sys.stderr.write(f"qualcoder-lite: could not open {path}\n")
    window.resize(1400, 900)
    window.show()
    if screenshot:
        prepare_screenshot(window, view)
        ok = window.grab().save(str(screenshot))
        window.close()
        if not ok:
            sys.stderr.write(f"qualcoder-lite: {screenshot}: could not write the picture\n")
            return 1
        print(f"saved {screenshot}")
        return 0
    return app.exec()
