"""GUI fixtures: the real main window on a fresh copy of the demo project, offscreen."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_prefs(tmp_path, monkeypatch):
    """Recent projects, coder names and demo copies go to a temporary folder."""
    monkeypatch.setenv("QUALCODER_LITE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("QUALCODER_LITE_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def window(qtbot, demo_file):
    from qualcoder_lite.gui.main_window import MainWindow

    w = MainWindow(coder="alex")
    qtbot.addWidget(w)
    assert w.open_path(demo_file, coder="alex")
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close_project()


@pytest.fixture
def wb(window):
    return window.workbench


def utf16(text: str, cp: int) -> int:
    """Qt's position of code point ``cp``, counted here independently of the app's
    conversion (``gui/offsets.py``), so a test that selects with it can catch that
    conversion being wrong."""
    return len(text[:cp].encode("utf-16-le")) // 2


def select_text(view, start_cp: int, end_cp: int) -> None:
    """Select code points start:end in the transcript view with a real QTextCursor."""
    from PySide6.QtGui import QTextCursor

    text = view.map.text
    cur = view.textCursor()
    cur.setPosition(utf16(text, start_cp))
    cur.setPosition(utf16(text, end_cp), QTextCursor.KeepAnchor)
    view.setTextCursor(cur)


def open_source(wb, name: str) -> int:
    sid = wb.ctx.project.sources.by_name(name).id
    wb.open_source(sid)
    return sid


def finished(qtbot, job):
    """Wait for a job (it runs off the GUI thread) to report; its result (None if it
    failed, was cancelled, or was never started)."""
    if job is None:
        return None
    qtbot.waitUntil(lambda: job.reported, timeout=60000)
    return job.result


def open_busiest_with_long_lines(wb, qtbot, settle) -> tuple[str, list[str], list[int]]:
    """Open the source with the most codings, select the code with the most, let the view
    ``settle``; its text, its first four lines of more than 20 characters and their starts."""
    project = wb.ctx.project
    busiest = max(project.sources.all(), key=lambda s: s.codings)
    wb.open_source(busiest.id)
    counts = project.codes.counts()
    wb.codes.select_code(max(counts, key=lambda c: counts[c][0]))
    settle(qtbot)
    text = wb.view.text
    lines = [b for b in text.split("\n") if len(b.strip()) > 20][:4]
    return text, lines, [text.index(line) for line in lines]
