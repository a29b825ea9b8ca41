"""The one job runner (``gui/jobs.py``), driven through real widgets on a real project file:
progress and Cancel (the project left as it was), failures shown as messages, crashes as an
error dialog with the details, undo notices for a job that changed the project, and the
merge and the coder comparison off the GUI thread while the window stays responsive."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.project import open_project
from qualcoder_lite.core.services.coding.codes import AddCode
from qualcoder_lite.core.services.coding.coding import ApplyCode
from qualcoder_lite.gui.jobs import Job


def _press_cancel(job: Job) -> None:
    job.dialog.findChild(QPushButton).click()  # what the user does


class _Held:
    """Hold a job's worker thread at a point until the test releases it; records the
    thread it held."""

    def __init__(self):
        self.reached, self.released = threading.Event(), threading.Event()
        self.threads: set[threading.Thread] = set()

    def hold(self) -> None:
        self.threads.add(threading.current_thread())
        self.reached.set()
        assert self.released.wait(60), "the test never released the worker"


class _Ticks:
    """A GUI-thread timer; ``enough`` is set once it has ticked ``n`` times (only a GUI
    thread that keeps running its event loop gets there)."""

    def __init__(self, n: int = 5):
        self.count, self.n = 0, n
        self.enough = threading.Event()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        self.count += 1
        if self.count >= self.n:
            self.enough.set()

    def stop(self) -> None:
        self.timer.stop()


def _sources_in_file(path) -> int:
    with open_project(path) as p:
        return p.sources.count()


def test_a_job_reports_progress_and_cancel_leaves_the_project_unchanged(qtbot, window, tmp_path):
    """The real import job (one transaction), held in its thread inside the transaction,
    after two of five sources were written; Cancel rolls all of it back."""
    from qualcoder_lite.gui.import_sources import import_job
    from qualcoder_lite.gui.jobs import start

    ctx = window.ctx
    path = ctx.project.path
    before = _sources_in_file(path)
    paths = []
    for i in range(5):
        paths.append(tmp_path / f"J{i}.txt")
        paths[-1].write_text(f"Interviewer: Question {i}?\n\nJ{i}: Answer {i}.\n", encoding="utf-8")
    held, seen, outcome = _Held(), [], []
    job = (Job(window, import_job(paths), what="An import").writes(ctx)
           .success(lambda r: outcome.append("success"))
           .cancelled(lambda: outcome.append("cancelled"))
           .with_progress("Import sources"))
    job.run(start_now=False)

    def on_progress(done, total, label):  # in the worker's thread
        seen.append((done, total, label))
        if label == "Importing J2":
            held.hold()

    job.worker.signals.progress.connect(on_progress, Qt.DirectConnection)
    start(job.worker)
    qtbot.waitUntil(held.reached.is_set, timeout=30000)
    assert [s[:2] for s in seen[:5]] == [(i, 10) for i in range(5)]  # reading: 0..4 of 10
    assert seen[-1] == (7, 10, "Importing J2")  # writing: 5 + 2
    qtbot.waitUntil(lambda: job.dialog.labelText() == "Importing J2")
    assert job.dialog.maximum() == 10
    _press_cancel(job)
    held.released.set()
    qtbot.waitUntil(lambda: job.reported, timeout=30000)
    assert outcome == ["cancelled"]
    assert threading.main_thread() not in held.threads
    assert _sources_in_file(path) == before and ctx.project.sources.count() == before
    assert not ctx.undo_stack.canUndo()


def test_cancel_after_the_step_ran_takes_the_step_back(qtbot, window):
    """Cancel pressed while the command finishes: the worker undoes it on its connection."""
    ctx = window.ctx
    before = ctx.project.codes.count()
    held, outcome = _Held(), []

    def add(own, progress):
        cmd = AddCode("Too late to stop")
        own.execute(cmd)
        held.hold()
        return cmd

    job = Job(window, add).writes(ctx).cancelled(lambda: outcome.append("cancelled")).with_progress("Adding")
    job.run()
    qtbot.waitUntil(held.reached.is_set, timeout=30000)
    _press_cancel(job)
    held.released.set()
    qtbot.waitUntil(lambda: job.reported, timeout=30000)
    assert outcome == ["cancelled"]
    assert ctx.project.codes.count() == before
    assert ctx.project.codes.find(["Too late to stop"]) is None and not ctx.undo_stack.canUndo()


def test_a_job_that_changed_the_project_notifies_undo_and_views(qtbot, window):
    ctx = window.ctx
    changes = []
    ctx.changed.connect(changes.append)

    def add(own, progress):
        cmd = AddCode("Made in a job")
        own.execute(cmd)
        return cmd

    job = Job(window, add).writes(ctx).run()
    qtbot.waitUntil(lambda: job.reported, timeout=30000)
    assert ctx.project.codes.find(["Made in a job"]) is not None  # the window's connection sees it
    assert window.actionUndo.text() == "&Undo New code 'Made in a job'"
    assert any("codes" in c.tables for c in changes)
    window.actionUndo.trigger()
    assert ctx.project.codes.find(["Made in a job"]) is None


def test_a_failing_job_shows_its_message(qtbot, window, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append((a[1], a[2])) or QMessageBox.Ok)

    def fail(own, progress):
        raise InputError("interview.docx", "not a Word file (the zip is damaged)")

    job = Job(window, fail, project=window.ctx.project, what="Export quotes").run()
    qtbot.waitUntil(lambda: job.reported, timeout=30000)
    assert shown == [("Export quotes failed", "interview.docx: not a Word file (the zip is damaged)")]
    assert "interview.docx" in window.statusBar().currentMessage()


def test_an_unexpected_error_is_shown_with_its_details_never_swallowed(qtbot, window, capfd):
    def broken(own, progress):
        return {}["no such key"]

    job = Job(window, broken, project=window.ctx.project, what="The report").run()
    qtbot.waitUntil(lambda: job.reported, timeout=30000)
    box = job.error_box
    assert box is not None and box.objectName() == "jobError" and box.isVisible()
    assert "unexpected error" in box.text() and "KeyError" in box.text()
    assert "Traceback" in box.detailedText() and "broken" in box.detailedText()
    assert "KeyError" in capfd.readouterr().err
    box.close()


def test_coder_comparison_runs_off_the_gui_thread_and_can_be_cancelled(qtbot, window, monkeypatch):
    from qualcoder_lite.core.services.team import agreement

    real, held = agreement.compare, _Held()
    ticks = _Ticks()

    def slow_compare(project, coders, **kw):
        held.hold()
        return real(project, coders, **kw)

    monkeypatch.setattr(agreement, "compare", slow_compare)
    window.findChild(QAction, "actionCoderComparison").trigger()
    view = window.findChild(QDialog, "agreementView")
    qtbot.waitUntil(held.reached.is_set, timeout=30000)
    assert view.busy and view.comparison is None
    qtbot.waitUntil(ticks.enough.is_set, timeout=10000)  # the window keeps running meanwhile
    held.released.set()
    qtbot.waitUntil(lambda: not view.busy, timeout=30000)
    ticks.stop()
    assert threading.main_thread() not in held.threads
    assert view.comparison is not None and view.model.rowCount() > 1
    # again, and the user presses Cancel: nothing is shown, the view says so
    held.reached.clear()
    held.released.clear()
    view.unit.setCurrentIndex(view.unit.findData("sentence"))
    qtbot.waitUntil(held.reached.is_set, timeout=30000)
    _press_cancel(view.job)
    held.released.set()
    qtbot.waitUntil(lambda: not view.busy, timeout=30000)
    assert view.comparison is None and view.model.rowCount() == 0
    assert "cancelled" in view.summary.text()


@pytest.fixture
def colleague_copy(demo_template, tmp_path):
    theirs = tmp_path / "colleague.qlite"
    shutil.copy(demo_template, theirs)
    with open_project(theirs, coder="kim") as p:
        sid = p.sources.by_name("GP03").id
        code = p.codes.find("Referral pathways/Quality of referrals")
        p.execute(ApplyCode(sid, code.id, 20, 90))
    return theirs


def _hold_merge(monkeypatch, held):
    from qualcoder_lite.core.services.team import merge

    real = merge.prepare_merge

    def slow_prepare(project, path, progress=None):
        held.hold()
        return real(project, path, progress)

    monkeypatch.setattr(merge, "prepare_merge", slow_prepare)


def test_merge_runs_off_the_gui_thread(qtbot, window, colleague_copy, monkeypatch):
    held, ticks = _Held(), _Ticks()
    _hold_merge(monkeypatch, held)
    before = window.ctx.project.codings.count()
    job = window.findChild(QObject, "teamTools").merge_file(colleague_copy)
    qtbot.waitUntil(held.reached.is_set, timeout=30000)
    qtbot.waitUntil(ticks.enough.is_set, timeout=10000)  # the window keeps running meanwhile
    held.released.set()
    qtbot.waitUntil(lambda: job.reported, timeout=30000)
    ticks.stop()
    assert threading.main_thread() not in held.threads
    assert job.report is not None and window.ctx.project.codings.count() == before + 1
    assert window.actionUndo.text() == "&Undo Merge colleague"


def test_a_cancelled_merge_changes_nothing(qtbot, window, colleague_copy, monkeypatch):
    held = _Held()
    _hold_merge(monkeypatch, held)
    path = window.ctx.project.path
    before = window.ctx.project.codings.count()
    job = window.findChild(QObject, "teamTools").merge_file(colleague_copy)
    qtbot.waitUntil(held.reached.is_set, timeout=30000)
    _press_cancel(job)
    held.released.set()
    qtbot.waitUntil(lambda: job.reported, timeout=30000)
    assert job.report is None
    assert window.ctx.project.codings.count() == before and not window.ctx.undo_stack.canUndo()
    with open_project(path) as p:
        assert p.coders.id_of("kim") is None
    assert "cancelled" in window.statusBar().currentMessage()
    assert window.findChild(QDialog, "mergeReport") is None or not window.findChild(QDialog, "mergeReport").isVisible()


def test_a_writing_job_on_a_read_only_window_writes_nothing(qtbot, window, monkeypatch):
    """A second window gets the project read-only (the first holds the lock): a job that
    would write there is refused before it opens a connection."""
    from qualcoder_lite.gui.main_window import MainWindow

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    second = MainWindow(coder="sam")
    qtbot.addWidget(second)
    assert second.open_path(window.ctx.project.path) and second.ctx.project.read_only
    ran, messages = [], []

    def add(own, progress):
        ran.append(True)
        cmd = AddCode("Written without the lock")
        own.execute(cmd)
        return cmd

    job = Job(second, add).writes(second.ctx).failure(messages.append).run()
    qtbot.waitUntil(lambda: job.reported, timeout=30000)
    assert not ran and messages and "read-only" in messages[0]
    assert window.ctx.project.codes.find(["Written without the lock"]) is None
    second.close_project()


def test_no_full_collections_while_jobs_run_and_the_thresholds_come_back(qtbot, window):
    """While a job runs (two here, overlapping), the garbage collector collects its young
    generations only (a full collection holds the GIL for the whole heap: the GUI thread
    would stall); the thresholds are restored when the last job stops, also after a failure."""
    import gc

    from qualcoder_lite.gui.jobs import _NO_FULL_COLLECTIONS, _collector

    # the window's own background work (or an earlier test's job) may still be running:
    # the thresholds to come back are those once no job runs
    qtbot.waitUntil(lambda: _collector["jobs"] == 0, timeout=30000)
    before = gc.get_threshold()
    assert before[2] != _NO_FULL_COLLECTIONS
    first, second, seen = _Held(), _Held(), []

    def held_job(held, fails):
        def fn(_own, _progress):
            seen.append(gc.get_threshold())
            held.hold()
            if fails:
                raise InputError("x.txt", "cannot be read")
            return "done"
        return fn

    jobs = [Job(window, held_job(first, False), project=window.ctx.project).run(),
            Job(window, held_job(second, True), project=window.ctx.project).failure(lambda _m: None).run()]
    try:
        qtbot.waitUntil(lambda: first.reached.is_set() and second.reached.is_set(), timeout=30000)
        assert seen == [before[:2] + (_NO_FULL_COLLECTIONS,)] * 2
        second.released.set()
        qtbot.waitUntil(lambda: jobs[1].reported, timeout=30000)
        assert gc.get_threshold()[2] == _NO_FULL_COLLECTIONS  # the first job still runs
    finally:
        first.released.set()
        second.released.set()
    qtbot.waitUntil(lambda: jobs[0].reported, timeout=30000)
    assert jobs[0].result == "done"
    assert gc.get_threshold() == before


def test_a_job_of_thousands_of_steps_redraws_its_dialog_seldom_and_shows_the_latest(qtbot, window):
    """A window-modal progress dialog runs the event loop in each ``setValue``: one call per
    step (a 10x REFI export reports 4,000) kept the GUI thread busy for ~350 ms at a time.
    The dialog is redrawn at most every ``SHOW_EVERY_S``, and always ends on the latest step."""
    from qualcoder_lite.gui.jobs import SHOW_EVERY_S, start

    held, steps = _Held(), 4000

    def many_steps(progress):
        for i in range(steps):
            progress(i + 1, steps, f"Writing source {i + 1} of {steps}")
        held.hold()

    job = Job(window, many_steps, what="An export").with_progress("Export")
    job.run(start_now=False)
    drawn = []
    real_set_value = job.dialog.setValue
    job.dialog.setValue = lambda v: (drawn.append(v), real_set_value(v))[-1]
    began = time.monotonic()
    start(job.worker)
    try:
        qtbot.waitUntil(held.reached.is_set, timeout=30000)
        last = f"Writing source {steps} of {steps}"
        qtbot.waitUntil(lambda: job.dialog.labelText() == last, timeout=5000)
        took = time.monotonic() - began
        assert drawn[-1] == steps  # (the dialog then resets itself: autoReset)
        assert len(drawn) <= took / SHOW_EVERY_S + 3, (len(drawn), took)  # not once per step
    finally:
        held.released.set()
    qtbot.waitUntil(lambda: job.reported, timeout=30000)
