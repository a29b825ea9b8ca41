"""Quitting while an import runs asks first, and a Yes stops the import cleanly (issue 12,
item 11). Before, the window closed the project under the running worker, whose reports
then reached a closed window (``RuntimeError: Signal source has been deleted``).

The import is the real one, in the real worker thread, of many files. To close the window
at a known point of it, a direct-connected progress slot (it runs in the worker thread)
holds the worker at one file until the question has been answered; only the answer of the
question itself is simulated.
"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThreadPool, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from qualcoder_lite.core.project import open_project
from qualcoder_lite.gui import jobs
from qualcoder_lite.gui.jobs import start

N = 120


def _transcripts(tmp_path, n=N):
    folder = tmp_path / "interviews"
    folder.mkdir()
    paths = []
    for i in range(n):
        p = folder / f"Q{i:03d}.txt"
        p.write_text(f"Interviewer: What changed in year {i}?\n\nQ{i:03d}: The list grew, and so did the wait.\n",
                     encoding="utf-8")
        paths.append(p)
    return paths


def _hold_at(worker, label: str):
    """Hold the worker in its thread when it reports ``label`` until ``released`` is set;
    ``reached`` tells the test it is there."""
    reached, released = threading.Event(), threading.Event()

    def on_progress(_done, _total, text):
        if text == label and not reached.is_set():
            reached.set()
            released.wait(60)  # the test fails (no question asked) rather than hang

    worker.signals.progress.connect(on_progress, Qt.DirectConnection)
    return reached, released


def _answer(monkeypatch, released, answer):
    asked = []

    def question(parent, title, text, *args, **kw):
        asked.append(text)
        released.set()  # the worker goes on while the window waits for it
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def _sources_in_file(path) -> int:
    with open_project(path) as p:
        return p.sources.count()


@pytest.mark.parametrize("phase", ["Reading Q050.txt", "Importing Q050"])
def test_quit_during_import_asks_then_cancels_all_or_nothing(qtbot, window, tmp_path, monkeypatch, phase):
    """Yes: the import is cancelled (while reading files, or inside the one transaction that
    writes them), the window waits for the worker to stop, then closes. The project holds
    none of the import (or, had the worker been past the point of no return, all of it)."""
    path = window.ctx.project.path
    before = window.ctx.project.sources.count()
    worker = window.import_files(_transcripts(tmp_path), start_now=False)
    reached, released = _hold_at(worker, phase)
    asked = _answer(monkeypatch, released, QMessageBox.Yes)
    cancelled = []
    worker.signals.cancelled.connect(lambda: cancelled.append(True))
    start(worker)
    qtbot.waitUntil(reached.is_set, timeout=60000)

    assert window.close()

    assert asked == ["An import is running. Cancel it and quit?"]
    assert worker.stopped and worker not in jobs.running()
    assert cancelled == [True]  # its last report came while the window still had its project
    assert not window.isVisible() and window.ctx is None
    QThreadPool.globalInstance().waitForDone()
    QApplication.processEvents()
    assert _sources_in_file(path) in (before, before + N)
    assert _sources_in_file(path) == before  # held before the commit: cancelled in time


def test_quit_during_import_no_keeps_the_window_and_the_import(qtbot, window, tmp_path, monkeypatch):
    path = window.ctx.project.path
    before = window.ctx.project.sources.count()
    worker = window.import_files(_transcripts(tmp_path), start_now=False)
    reached, released = _hold_at(worker, "Reading Q010.txt")
    asked = _answer(monkeypatch, released, QMessageBox.No)
    start(worker)
    qtbot.waitUntil(reached.is_set, timeout=60000)
    with qtbot.waitSignal(worker.signals.finished, timeout=60000):
        assert not window.close()
        assert asked == ["An import is running. Cancel it and quit?"]
        assert window.isVisible() and window.ctx is not None
    qtbot.waitUntil(lambda: window.ctx.project.sources.count() == before + N)
    assert window.ctx.undo_stack.undoText() == f"Import {N} sources"
    assert _sources_in_file(path) == before + N


def test_close_project_during_import_asks_too(qtbot, window, tmp_path, monkeypatch):
    before = window.ctx.project.sources.count()
    path = window.ctx.project.path
    worker = window.import_files(_transcripts(tmp_path, 30), start_now=False)
    reached, released = _hold_at(worker, "Reading Q005.txt")
    asked = _answer(monkeypatch, released, QMessageBox.Yes)
    start(worker)
    qtbot.waitUntil(reached.is_set, timeout=60000)
    window.actionClose.trigger()
    assert asked == ["An import is running. Cancel it and close the project?"]
    assert window.ctx is None and worker.stopped
    assert _sources_in_file(path) == before
