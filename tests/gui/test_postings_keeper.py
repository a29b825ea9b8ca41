"""The app keeps the open project's word postings made in the background: right after it
opens, and once an import (or its undo) has settled. Closing the project while they are
being made cancels that work without asking, and what was made stays valid."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QMessageBox

from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.search.search import search
from qualcoder_lite.core.store import postings
from qualcoder_lite.gui import postings_keeper


def _hold_block(monkeypatch, nth: int) -> tuple[threading.Event, threading.Event]:
    """The ``nth`` block the upkeep makes waits in its worker thread: ``reached`` says it is
    there, ``released`` lets it go on (the test fails rather than hang after 30 s)."""
    reached, released = threading.Event(), threading.Event()
    real, calls = postings.block_rows, []

    def held(indexes):
        calls.append(len(indexes))
        if len(calls) == nth:
            reached.set()
            released.wait(30)
        return real(indexes)

    monkeypatch.setattr(postings, "block_rows", held)
    return reached, released


def _served(path) -> tuple[int, int]:
    with open_project(path, read_only=True) as p:
        return len(postings.served(p.conn)), p.sources.count()


def test_postings_are_made_after_opening_and_after_an_import(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setattr(postings_keeper, "SETTLE_MS", 50)
    path = window.ctx.project.path
    qtbot.waitUntil(lambda: window.postings.job is None and window.postings.built > 0, timeout=20000)
    served, count = _served(path)
    assert served == count > 0
    files = []
    for i in range(5):
        f = tmp_path / f"N{i}.txt"
        f.write_text(f"N{i}: zebra crossing near the practice {i}\n", encoding="utf-8")
        files.append(f)
    before = window.postings.built
    job = window.import_files(files)
    qtbot.waitUntil(lambda: job.stopped, timeout=20000)
    qtbot.waitUntil(lambda: window.postings.job is None and window.postings.built >= before + 5, timeout=20000)
    served, count = _served(path)
    assert served == count == 5 + before
    hits = search(window.ctx.project, '"zebra crossing"')
    assert [h.source for h in hits] == [f"N{i}" for i in range(5)]
    window.ctx.undo_stack.undo()  # the import goes: its blocks (and their neighbours') with it
    qtbot.waitUntil(lambda: postings.missing(window.ctx.project.conn) == [] and window.postings.job is None,
                    timeout=20000)
    served, count = _served(path)
    assert served == count == before


def test_closing_cancels_the_upkeep_without_asking(qtbot, window, monkeypatch):
    path = window.ctx.project.path
    qtbot.waitUntil(lambda: window.postings.job is None, timeout=20000)
    window.close_project()
    with open_project(path) as p:  # the postings go: made again at the next open, in steps of 2
        p.conn.execute("DELETE FROM word_postings_blocks")  # (their rows and members go with them)
    monkeypatch.setattr(postings, "BLOCK", 2)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.No)
    reached, released = _hold_block(monkeypatch, 2)  # the second block waits until the window closes
    assert window.open_path(path, coder="alex")
    qtbot.waitUntil(lambda: window.postings.job is not None and window.postings.job.worker is not None, timeout=20000)
    worker = window.postings.job.worker
    assert reached.wait(20)
    threading.Timer(0.3, released.set).start()  # the close below waits for the worker
    window.actionClose.trigger()  # File > Close, as the user closes
    assert asked == [] and worker.stopped and worker.cancel_requested
    with open_project(path) as p:
        made = len(postings.served(p.conn))
        assert 0 < made < p.sources.count()  # the first block stays, the rest was never made
        texts = {n: t for n, t in p.conn.execute("SELECT name, text FROM sources")}
        found = [(h.source, h.start, h.end) for h in search(p, "practice")]
    from tests.core.test_word_postings import regex_hits

    assert found == regex_hits(texts, "practice")


def test_removing_the_pseudonym_key_waits_for_the_upkeep_and_compacts(qtbot, window, monkeypatch):
    """Removing the key compacts the file (VACUUM, then the write-ahead log truncated): the
    upkeep running meanwhile is cancelled and waited for first, and made again after."""
    from qualcoder_lite.core.services.privacy.pseudonymise import Pseudonymise
    from qualcoder_lite.gui import pseudonym_dialog

    qtbot.waitUntil(lambda: window.postings.job is None, timeout=20000)
    project = window.ctx.project
    monkeypatch.setattr(postings, "BLOCK", 2)
    reached, released = _hold_block(monkeypatch, 1)
    window.ctx.run(Pseudonymise({"Kirsty": "[P_K]"}))  # its sources' blocks go: the upkeep starts
    qtbot.waitUntil(lambda: window.postings.job is not None, timeout=20000)
    assert reached.wait(20)
    worker = window.postings.job.worker
    monkeypatch.setattr(pseudonym_dialog, "confirm_irreversible", lambda parent, text: True)
    dlg = pseudonym_dialog.PseudonymDialog(window)
    threading.Timer(0.3, released.set).start()
    removal = dlg.remove_key()  # pauses the upkeep: cancelled, waited for
    assert worker.stopped and worker.cancel_requested
    qtbot.waitUntil(lambda: removal.reported, timeout=60000)
    report = dlg.last_removal
    assert report is not None and report.vacuumed and report.wal_truncated
    qtbot.waitUntil(lambda: window.postings.job is None and postings.missing(project.conn) == [], timeout=20000)
    assert not window.postings.paused
    texts = {n: t for n, t in project.conn.execute("SELECT name, text FROM sources")}
    from tests.core.test_word_postings import regex_hits

    assert [(h.source, h.start, h.end) for h in search(project, "p_k")] == regex_hits(texts, "p_k") != []
