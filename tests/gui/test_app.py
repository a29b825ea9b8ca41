"""Starting the application, the welcome page, importing with progress and Cancel."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMessageBox

from qualcoder_lite.core.project import new_project, open_project
from qualcoder_lite.gui.jobs import start


def test_screenshot_of_demo_in_process(tmp_path, qapp):
    from qualcoder_lite.gui.launch import launch

    out = tmp_path / "shot.png"
    assert launch(demo=True, screenshot=str(out)) == 0
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1400, 900)


def test_screenshot_command_line_matrix_view_of_a_file(tmp_path, demo_file):
    out = tmp_path / "matrix.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QUALCODER_LITE_CONFIG_DIR=str(tmp_path / "c"))
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-m", "qualcoder_lite", "--screenshot", str(out), "--view", "matrix",
                           str(demo_file)], capture_output=True, text=True, env=env, cwd=root, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert QImage(str(out)).width() == 1400


def test_screenshot_of_a_bad_file_is_a_message(tmp_path):
    bad = tmp_path / "bad.qlite"
    bad.write_text("not a project")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QUALCODER_LITE_CONFIG_DIR=str(tmp_path / "c"))
    proc = subprocess.run([sys.executable, "-m", "qualcoder_lite", "--screenshot", str(tmp_path / "x.png"),
                           str(bad)], capture_output=True, text=True, env=env, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 1 and "bad.qlite" in proc.stderr and "Traceback" not in proc.stderr


def test_welcome_page_lists_recent_projects(qtbot, tmp_path, demo_file):
    from qualcoder_lite.gui.main_window import MainWindow

    w = MainWindow(coder="alex")
    qtbot.addWidget(w)
    assert w.stack.currentWidget() is w.welcome
    assert not w.actionApplyCode.isEnabled()
    assert w.open_path(demo_file)
    assert w.windowTitle() == "demo — QualCoder Lite"
    w.close_project()
    assert w.stack.currentWidget() is w.welcome
    item = w.welcome.recent.item(0)
    assert item.data(0x0100) == str(demo_file.resolve())
    w.welcome.recent.itemActivated.emit(item)
    assert w.ctx is not None and w.ctx.project.path == demo_file
    w.close_project()


def test_first_open_asks_for_the_coder(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from qualcoder_lite.gui import prefs
    from qualcoder_lite.gui.main_window import MainWindow

    path = tmp_path / "p.qlite"
    new_project(path).close()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Dr Zoë", True))
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_path(path)
    assert w.ctx.project.coder == "Dr Zoë"
    assert prefs.coder_for(path) == "Dr Zoë"
    w.close_project()
    asked = []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: asked.append(1) or ("x", True))
    assert w.open_path(path)  # remembered: not asked again
    assert asked == [] and w.ctx.project.coder == "Dr Zoë"
    w.close_project()


def _transcripts(tmp_path, n=3):
    paths = []
    for i in range(n):
        p = tmp_path / f"P{i + 1}.txt"
        p.write_text(f"Interviewer: Question {i}?\n\nP{i + 1}: Answer number {i} with words.\n", encoding="utf-8")
        paths.append(p)
    return paths


def test_import_dialog_with_progress_and_undo(qtbot, window, tmp_path):
    paths = _transcripts(tmp_path)
    before = window.ctx.project.sources.count()
    worker = window.import_files(paths, start_now=False)
    with qtbot.waitSignal(worker.signals.finished, timeout=20000):
        start(worker)
    qtbot.waitUntil(lambda: window.ctx.project.sources.count() == before + 3)
    names = {s.name for s in window.ctx.project.sources.all()}
    assert {"P1", "P2", "P3"} <= names
    assert "P1" in {window.workbench.sources.model.item(r, 0).text()
                    for r in range(window.workbench.sources.model.rowCount())}
    assert window.actionUndo.text() == "&Undo Import 3 sources"
    window.actionUndo.trigger()
    assert window.ctx.project.sources.count() == before
    window.actionRedo.trigger()
    assert window.ctx.project.sources.count() == before + 3


def test_import_cancel_imports_nothing(qtbot, window, tmp_path):
    paths = _transcripts(tmp_path, 5)
    before = window.ctx.project.sources.count()
    worker = window.import_files(paths, start_now=False)
    from PySide6.QtWidgets import QPushButton

    window._import_progress.findChild(QPushButton).click()  # the user presses Cancel
    with qtbot.waitSignal(worker.signals.cancelled, timeout=20000):
        start(worker)
    assert window.ctx.project.sources.count() == before
    with open_project(window.ctx.project.path) as p:
        assert p.sources.count() == before


def test_import_bad_file_reports_and_imports_nothing(qtbot, window, tmp_path, monkeypatch):
    paths = _transcripts(tmp_path, 2)
    bad = tmp_path / "broken.docx"
    bad.write_text("not really a word file")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    before = window.ctx.project.sources.count()
    worker = window.import_files(paths + [bad], start_now=False)
    with qtbot.waitSignal(worker.signals.failed, timeout=20000):
        start(worker)
    qtbot.waitUntil(lambda: bool(shown))
    assert "broken.docx" in shown[0]
    assert window.ctx.project.sources.count() == before


def test_reimport_asks_first(qtbot, window, tmp_path, monkeypatch):
    paths = _transcripts(tmp_path, 1)
    worker = window.import_files(paths, start_now=False)
    with qtbot.waitSignal(worker.signals.finished, timeout=20000):
        start(worker)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.Cancel)
    assert window.import_files(paths) is None
    assert asked and "P1.txt" in asked[0] and "already" in asked[0]
