"""Keeps the open project's word postings (``core.store.postings``, through ``Project``)
made, in the background: once the project has opened, and again after a change of sources
(an import, an edit of a text, an undo) has settled. Search reads a source from its own
index until its block is made (same hits, slower), so the user never waits for this: the
job runs on a thread of its own, writes one short transaction a block, and is cancelled
unasked when the project closes."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from ..core.project import open_project

#: how long after the last change of sources the postings are made (an import's undo and
#: redo, or a run of edits, make them once)
SETTLE_MS = 1500


class PostingsKeeper(QObject):
    def __init__(self, window, ctx):
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.job = None  # the running ``jobs.Job``, if any
        self.again = False  # a change came while it ran: look again when it ends
        self.built = 0  # sources placed in blocks since the project opened (tests read it)
        self.paused = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.start)
        ctx.changed.connect(self._changed)
        self.schedule(0)

    def _changed(self, changes) -> None:
        if "sources" in getattr(changes, "tables", ()) or "source_facts" in getattr(changes, "tables", ()):
            self.schedule()

    def schedule(self, delay_ms: int = SETTLE_MS) -> None:
        if self.ctx is not None:
            self.timer.start(delay_ms)

    def stop(self) -> None:
        """No more upkeep for this project (it closes)."""
        self.timer.stop()
        self.ctx = None

    def pause(self) -> None:
        """No upkeep until ``resume``; one running is cancelled and waited for (removing the
        pseudonym key compacts the file, which wants no other connection at work)."""
        from .jobs import stop

        self.paused = True
        self.timer.stop()
        if self.job is not None and self.job.worker is not None:
            stop([self.job.worker])

    def resume(self) -> None:
        self.paused = False
        self.schedule(0)

    def start(self) -> None:
        from .jobs import Job

        ctx = self.ctx
        if ctx is None or self.paused:
            return
        if self.job is not None:
            self.again = True
            return
        project = ctx.project
        if not project.postings_missing():
            return

        def build(own, progress):
            return own.complete_postings(None if progress is None else lambda d, t: progress(d, t, "Preparing search"))

        if project.path is None:  # in memory: on the spot (``Job``)
            job = Job(self.window, build, what="Preparing search").writes(ctx)
        else:
            path, passphrase, coder = project.path, project.passphrase, project.coder

            def task(progress):
                # its own connection, without the check of every page the window's open made
                with open_project(path, passphrase=passphrase, coder=coder, check=False) as own:
                    return build(own, progress)

            job = Job(self.window, task, what="Preparing search")
        self.job = (job.when_idle()
                    .success(self._done)
                    .failure(self.window.show_message)  # in the status bar: the user asked for nothing
                    .always(self._ended))
        self.job.run()  # (an in-memory project's job runs on the spot, and has ended on return)

    def _done(self, placed) -> None:
        self.built += int(placed or 0)

    def _ended(self) -> None:
        self.job = None
        if self.again and self.ctx is not None:
            self.again = False
            self.schedule(0)
