"""Frame times while scrolling the framework matrix (200 cases x 60 columns by default).

    python benchmarks/bench_matrix_scroll.py [PROJECT.qlite]

Opens the project in the real main window offscreen at 1400x900, shows the matrix with every
code as a column, then scrolls one step at a time (down through all rows, then right through
all columns, with the mouse-wheel step of the scroll bars) and times each step until the
table has repainted. Prints the median, 95th percentile and worst frame. Without a project
it uses the cached benchmark project of ``run.py`` (building it when missing).
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    import make_project as mp
    from PySide6.QtWidgets import QApplication

    from qualcoder_lite.gui.main_window import MainWindow

    if len(sys.argv) > 1:
        src = Path(sys.argv[1])
    else:
        src = HERE / "out" / mp.default_path(200, 50_000, 60, 20_000, 1).name
        if not src.exists():
            src.parent.mkdir(parents=True, exist_ok=True)
            mp.build(src, 200, 50_000, 60, 20_000, 1)
    work = Path(tempfile.mkdtemp()) / "scroll.qlite"
    shutil.copy(src, work)
    os.environ.setdefault("QUALCODER_LITE_DATA_DIR", str(work.parent / "data"))
    os.environ.setdefault("QUALCODER_LITE_CONFIG_DIR", str(work.parent / "config"))
    app = QApplication.instance() or QApplication([])
    w = MainWindow(coder="bench")
    w.open_path(work)
    w.resize(1400, 900)
    w.show()
    w.show_view("matrix")
    m = w.matrix
    m.set_columns([c.id for c in w.ctx.project.codes.all()])
    app.processEvents()
    table = m.table
    frames: list[float] = []
    for bar in (table.verticalScrollBar(), table.horizontalScrollBar()):
        bar.setValue(0)
        app.processEvents()
        step = max(1, bar.singleStep() * 3)  # one mouse-wheel notch
        while bar.value() < bar.maximum():
            t = time.perf_counter()
            bar.setValue(bar.value() + step)
            table.viewport().repaint()
            app.processEvents()
            frames.append((time.perf_counter() - t) * 1000)
    rows, cols = m.model.rowCount(), m.model.columnCount()
    frames.sort()
    p95 = frames[int(len(frames) * 0.95) - 1]
    print(f"Matrix {rows} rows x {cols} columns, {len(frames)} scroll steps:")
    print(f"| frame time | median {statistics.median(frames):.1f} ms | 95th percentile {p95:.1f} ms | "
          f"worst {frames[-1]:.1f} ms | target < 16 ms |")
    w.close_project()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
