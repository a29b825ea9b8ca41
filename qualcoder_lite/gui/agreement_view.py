"""The coder comparison window (object name ``agreementView``): codes by Cohen's kappa,
lowest first, for two chosen coders and a chosen unit; selecting a code shows the chosen
source twice, side by side, with each coder's coding marked (agreement green, A only
orange, B only blue). The table exports to .docx and .csv. The comparison is computed as a
job (its own connection, off the GUI thread, Cancel); all numbers come from
``core.services.team.agreement``; no SQL here. Tools ▸ entries: ``team_tools``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit,
    QPushButton, QSplitter, QTableView, QTextEdit, QVBoxLayout, QWidget,
)

from ..core.errors import QualCoderError
from ..core.services.team.agreement import UNITS, Comparison, differences
from ..core.changes import Changes
from .agreement_model import (  # noqa: F401 (the colours are part of this view's interface)
    A_COLOR, B_COLOR, BOTH_COLOR, UNIT_LABELS, AgreementModel, _esc, _fmt,
)
from .jobs import Job
from .offsets import Utf16Positions


_NOT_YET = object()  # no source picked yet for the next turn


# --------------------------------------------------------------------------- comparison window
class AgreementView(QDialog):
    computed = Signal()  # a comparison was shown (or failed, or was cancelled)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.setObjectName("agreementView")
        self.setWindowTitle("Coder comparison")
        self.setModal(False)
        self.ctx = ctx
        self.comparison: Comparison | None = None
        self.code_id: int | None = None
        self.source_id: int | None = None
        self.diffs: list = []
        self._diff_index = -1
        self._map = Utf16Positions("")
        self.job: Job | None = None  # the comparison being computed (or the last one)
        self._generation = 0  # only the newest comparison asked for is shown
        self._selecting = False  # a comparison shown, its code and differences next (own event-loop turn)
        self._keep: int | None = None  # the code to select again when the comparison is back
        self._deferred: tuple[int, object] | None = None  # (generation, source id) shown in the next turn
        self._per_code: dict[int | None, list] = {}  # code id -> its per-source rows, most disputed first

        layout = QVBoxLayout(self)
        layout.addLayout(self._build_choices())
        self.summary = QLabel(self)
        self.summary.setObjectName("agreementSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        split = QSplitter(Qt.Vertical, self)
        split.addWidget(self._build_table())
        split.addWidget(self._build_lower())
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout.addWidget(split, 1)
        self.resize(1200, 820)
        self._connect()
        self.reload_coders()

    # -- building --------------------------------------------------------------------
    def _build_choices(self) -> QHBoxLayout:
        self.coder_a = QComboBox(self)
        self.coder_a.setObjectName("coderA")
        self.coder_b = QComboBox(self)
        self.coder_b.setObjectName("coderB")
        self.unit = QComboBox(self)
        self.unit.setObjectName("unitChoice")
        for u in UNITS:
            self.unit.addItem(UNIT_LABELS[u], u)
        self.export_docx_button = QPushButton("Export Word…", self)
        self.export_docx_button.setObjectName("exportDocx")
        self.export_csv_button = QPushButton("Export CSV…", self)
        self.export_csv_button.setObjectName("exportCsv")
        top = QHBoxLayout()
        for label, w in (("Coder A", self.coder_a), ("Coder B", self.coder_b), ("Unit", self.unit)):
            lab = QLabel(label, self)
            lab.setBuddy(w)
            top.addWidget(lab)
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.export_docx_button)
        top.addWidget(self.export_csv_button)
        return top

    def _build_table(self) -> QTableView:
        self.model = AgreementModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("agreementTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        for c in range(1, len(AgreementModel.COLUMNS)):
            self.table.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeToContents)
        return self.table

    def _build_source_row(self) -> QHBoxLayout:
        self.source = QComboBox(self)
        self.source.setObjectName("diffSource")
        self.source.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.next_button = QPushButton("Next difference", self)
        self.next_button.setObjectName("nextDifference")
        self.prev_button = QPushButton("Previous", self)
        self.prev_button.setObjectName("previousDifference")
        self.position = QLabel(self)
        self.position.setObjectName("differencePosition")
        self.legend = QLabel(self)
        self.legend.setTextFormat(Qt.RichText)
        src_row = QHBoxLayout()
        src_row.addWidget(QLabel("Source", self))
        src_row.addWidget(self.source, 1)
        for w in (self.prev_button, self.next_button, self.position, self.legend):
            src_row.addWidget(w)
        return src_row

    def _build_lower(self) -> QWidget:
        """The source chooser above the two coders' panes, side by side."""
        self.title_a = QLabel(self)
        self.title_b = QLabel(self)
        self.pane_a = self._pane("diffPaneA")
        self.pane_b = self._pane("diffPaneB")
        panes = QWidget(self)
        pl = QHBoxLayout(panes)
        pl.setContentsMargins(0, 0, 0, 0)
        for title, pane in ((self.title_a, self.pane_a), (self.title_b, self.pane_b)):
            col = QVBoxLayout()
            col.addWidget(title)
            col.addWidget(pane, 1)
            pl.addLayout(col, 1)
        lower = QWidget(self)
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(self._build_source_row())
        ll.addWidget(panes, 1)
        return lower

    def _connect(self) -> None:
        # scroll the two panes together
        self.pane_a.verticalScrollBar().valueChanged.connect(self.pane_b.verticalScrollBar().setValue)
        self.pane_b.verticalScrollBar().valueChanged.connect(self.pane_a.verticalScrollBar().setValue)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._code_chosen(cur.row()))
        self.source.currentIndexChanged.connect(lambda _i: self.show_source(self.source.currentData()))
        self.next_button.clicked.connect(lambda: self.step_difference(1))
        self.prev_button.clicked.connect(lambda: self.step_difference(-1))
        for combo in (self.coder_a, self.coder_b, self.unit):
            combo.currentIndexChanged.connect(lambda _i: self.recompute())
        self.export_docx_button.clicked.connect(lambda: self.export_dialog(".docx"))
        self.export_csv_button.clicked.connect(lambda: self.export_dialog(".csv"))
        self.ctx.changed.connect(self._on_changed)

    def _pane(self, name: str) -> QPlainTextEdit:
        pane = QPlainTextEdit(self)
        pane.setObjectName(name)
        pane.setReadOnly(True)
        pane.setLineWrapMode(QPlainTextEdit.WidgetWidth)
        pane.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
        return pane

    # -- choices -----------------------------------------------------------------------
    def reload_coders(self) -> None:
        coders = [c.name for c in self.ctx.project.coders.all()]
        keep_a, keep_b = self.coder_a.currentText(), self.coder_b.currentText()
        mine = self.ctx.project.coder
        a = keep_a if keep_a in coders else (mine if mine in coders else (coders[0] if coders else ""))
        others = [c for c in coders if c != a]
        b = keep_b if keep_b in others else (others[0] if others else "")
        for combo, value in ((self.coder_a, a), (self.coder_b, b)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(coders)
            combo.setCurrentText(value)
            combo.blockSignals(False)
        self.recompute()

    def set_choice(self, coder_a: str, coder_b: str, unit: str = "character") -> None:
        """Choose both coders and the unit, then compute once."""
        for combo, text in ((self.coder_a, coder_a), (self.coder_b, coder_b)):
            combo.blockSignals(True)
            combo.setCurrentText(text)
            combo.blockSignals(False)
        self.unit.blockSignals(True)
        self.unit.setCurrentIndex(max(0, self.unit.findData(unit)))
        self.unit.blockSignals(False)
        self.recompute()

    def coders(self) -> tuple[str, str]:
        return self.coder_a.currentText(), self.coder_b.currentText()

    # -- computing ---------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """A comparison is being computed."""
        return self._selecting or (self.job is not None and not self.job.reported)

    def recompute(self) -> None:
        """Compare the chosen coders as a job; a newer choice replaces (cancels) one running."""
        a, b = self.coders()
        unit = self.unit.currentData()
        if self.code_id is not None:
            self._keep = self.code_id
        self.code_id = None  # the code's source list and differences are rebuilt when it is back
        self.comparison = None
        self._generation += 1
        if self.busy:
            self.job.worker.cancel()
        if not a or not b or a == b:
            self.model.set_comparison(None)
            n = len(self.ctx.project.coders.all())
            self.summary.setText("Choose two different coders." if n >= 2 else
                                 "Comparison needs two coders; this project has "
                                 f"{'one' if n == 1 else 'none'} (merge a colleague's copy first).")
            self._clear_diff()
            self.computed.emit()
            return
        self.summary.setText(f"Comparing {a} and {b}…")
        self.job = self._compare_job(self._generation, a, b, unit).run()

    def _compare_job(self, generation: int, a: str, b: str, unit: str) -> Job:
        from ..core.services.team.agreement import compare

        def current(then):
            def handler(*args) -> None:
                if generation == self._generation:
                    then(*args)
                    self.computed.emit()
            return handler

        def job(own, progress) -> tuple[Comparison, dict]:
            comparison = compare(own, [a, b], unit=unit, progress=progress)
            per_code: dict[int | None, list] = {}  # the source list of each code, built off the GUI thread
            for x in comparison.by_source:
                per_code.setdefault(x.code_id, []).append(x)
            for rows in per_code.values():
                rows.sort(key=lambda x: (-(x.a_only + x.b_only), x.source or ""))
            return comparison, per_code

        def shown(result: tuple[Comparison, dict]) -> None:
            if generation == self._generation:
                self._per_code = result[1]
                self._show(result[0], a, b, unit, generation)

        return (Job(self, job, project=self.ctx.project, what="The coder comparison")
                .success(shown)
                .failure(current(self._failed))
                .cancelled(current(lambda: self._failed("Comparison cancelled; choose the coders again to compute it.")))
                .with_progress("Comparing coders", object_name="agreementProgress"))

    def _failed(self, message: str) -> None:
        self.model.set_comparison(None)
        self.summary.setText(message)
        self._clear_diff()

    def _show(self, comparison: Comparison, a: str, b: str, unit: str, generation: int) -> None:
        """The table and its labels now; the chosen code's sources and differences in the next
        turn of the event loop (each part alone keeps the window responsive); ``computed``
        then."""
        self.comparison = comparison
        self.model.set_comparison(comparison)
        ov = comparison.overall
        if not comparison.rows:
            self.summary.setText(f"Neither {a} nor {b} has coded anything yet.")
        else:
            self.summary.setText(
                f"{len(comparison.rows)} codes over {comparison.sources} sources, unit: "
                f"{UNIT_LABELS[unit].lower()}. Overall kappa {_fmt(ov.kappa, 3)}, agreement "
                f"{_fmt(ov.agreement, 2)} %, alpha {_fmt(ov.alpha, 3)}. Lowest kappa first; select a code to "
                "see where the coders differed.")
        self.title_a.setText(f"<b>{_esc(a)}</b> (A)")
        self.title_b.setText(f"<b>{_esc(b)}</b> (B)")
        self.legend.setText(
            f"<span style='background:{BOTH_COLOR}'>&nbsp;both&nbsp;</span> "
            f"<span style='background:{A_COLOR}'>&nbsp;{_esc(a)} only&nbsp;</span> "
            f"<span style='background:{B_COLOR}'>&nbsp;{_esc(b)} only&nbsp;</span>")
        self._selecting = True
        QTimer.singleShot(1, self, lambda: self._select_shown(generation))  # a timer: the repaint and other timers go first

    def _select_shown(self, generation: int) -> None:
        """The code selected and its sources listed; its source's text and differences in
        the next turn (``_source_shown``): both panes' texts and the list of up to 2,000
        sources in one turn kept the GUI thread busy for ~30 ms at 10x."""
        if generation != self._generation:  # a newer comparison was asked for meanwhile
            self._selecting = False
            return
        keep, self._keep = self._keep, None
        row = self.model.row_of(keep) if keep is not None else -1
        if row < 0 and self.comparison is not None and self.comparison.rows:
            row = 0
        if row < 0:
            self._selecting = False
            self._clear_diff()
            self.computed.emit()
            return
        self._deferred = (generation, _NOT_YET)
        self.select_row(row)
        QTimer.singleShot(1, self, lambda: self._source_shown(generation))

    def _source_shown(self, generation: int) -> None:
        self._selecting = False
        pending, self._deferred = self._deferred, None
        if generation != self._generation:
            return
        if pending is not None and pending[1] is not _NOT_YET:  # not shown meanwhile (a code or source chosen)
            self.show_source(pending[1])
        self.computed.emit()

    def select_row(self, row: int) -> None:
        idx = self.model.index(row, 0)
        self.table.setCurrentIndex(idx)
        self.table.scrollTo(idx)
        self._code_chosen(row)

    def select_code(self, code_id: int) -> bool:
        row = self.model.row_of(code_id)
        if row < 0:
            return False
        self.select_row(row)
        return True

    def _code_chosen(self, row: int) -> None:
        r = self.model.row(row)
        if r is None or r.overall or self.comparison is None:
            self.code_id = None
            self._clear_diff()
            return
        if r.code_id == self.code_id and self.source.count():
            return
        self.code_id = r.code_id
        rows = self._per_code.get(r.code_id, [])
        # stay on the source shown, else the one open in the workbench, else the most disputed
        workbench_view = getattr(getattr(self.parent(), "workbench", None), "view", None)
        self.source.blockSignals(True)
        self.source.clear()
        for x in rows:
            self.source.addItem(f"{x.source} — kappa {_fmt(x.kappa, 3)}, {x.a_only:,} A only, {x.b_only:,} B only",
                                x.source_id)
        pick = -1
        for sid in (self.source_id, getattr(workbench_view, "source_id", None)):
            if pick < 0 and sid is not None:
                pick = self.source.findData(sid)
        self.source.setCurrentIndex(max(pick, 0))
        self.source.blockSignals(False)
        if self._deferred is not None and self._deferred[1] is _NOT_YET:  # a comparison just shown: next turn
            self._deferred = (self._deferred[0], self.source.currentData())
            return
        self.show_source(self.source.currentData())

    def show_source(self, source_id: int | None) -> None:
        self._deferred = None  # shown now: nothing left for the next turn
        if source_id is None or self.code_id is None:
            self._clear_diff()
            return
        project = self.ctx.project
        try:
            self.diffs = differences(project, source_id, self.code_id, list(self.coders()), self.unit.currentData())
        except QualCoderError as exc:
            self.summary.setText(str(exc))
            self._clear_diff()
            return
        if source_id != self.source_id:
            text = project.sources.text(source_id)
            self.pane_a.setPlainText(text)
            self.pane_b.setPlainText(text)
            self._map = Utf16Positions(text)
            self.source_id = source_id
        self._paint()
        self._diff_index = -1
        self.step_difference(1)

    def _clear_diff(self) -> None:
        self.source.blockSignals(True)
        self.source.clear()
        self.source.blockSignals(False)
        self.diffs = []
        self.source_id = None
        self.position.clear()
        self.pane_a.clear()
        self.pane_b.clear()

    def _paint(self) -> None:
        for pane, mine, color in ((self.pane_a, "a", A_COLOR), (self.pane_b, "b", B_COLOR)):
            sels = []
            for d in self.diffs:
                if d.who not in ("both", mine):
                    continue
                s = QTextEdit.ExtraSelection()
                cur = QTextCursor(pane.document())
                cur.setPosition(self._map.to_utf16(d.start))
                cur.setPosition(self._map.to_utf16(d.end), QTextCursor.KeepAnchor)
                s.cursor = cur
                fmt = QTextCharFormat()
                fmt.setBackground(QColor(BOTH_COLOR if d.who == "both" else color))
                s.format = fmt
                sels.append(s)
            pane.setExtraSelections(sels)

    def disagreements(self) -> list:
        return [d for d in self.diffs if d.who != "both"]

    def step_difference(self, step: int) -> None:
        todo = self.disagreements() or self.diffs
        if not todo:
            return
        self._diff_index = (self._diff_index + step) % len(todo)
        d = todo[self._diff_index]
        for pane in (self.pane_a, self.pane_b):
            cur = QTextCursor(pane.document())
            cur.setPosition(self._map.to_utf16(d.start))
            pane.setTextCursor(cur)
            pane.centerCursor()
        self.position.setText(f"{self._diff_index + 1} of {len(todo)}")

    # -- export --------------------------------------------------------------------------
    def export_dialog(self, suffix: str) -> None:
        if self.comparison is None or not self.comparison.rows:
            self._message("Nothing to export: choose two coders who have coded something.")
            return
        a, b = self.coders()
        name = f"agreement-{a}-{b}-{self.unit.currentData()}{suffix}"
        filt = "Word documents (*.docx)" if suffix == ".docx" else "CSV files (*.csv)"
        path, _ = QFileDialog.getSaveFileName(self, "Export coder comparison", name, filt)
        if path:
            confirmed = path.lower().endswith(suffix)
            self.export_to(path if confirmed else path + suffix, confirmed=confirmed)

    def export_to(self, path: str | Path, confirmed: bool = False) -> Job | None:
        """Write the comparison shown as a job; returns it (its ``result`` is the path
        written), or None when refused at once."""
        from ..core.formats.agreement_export import export
        from .save_target import choose_target

        if self.comparison is None:
            self._message("Nothing to export: choose two coders first.")
            return None
        target = choose_target(self, path, self.ctx.project, confirmed=confirmed, title="Export coder comparison")
        if target is None:
            return None
        comparison = self.comparison
        return (Job(self, lambda _progress: export(comparison, target), what="Export coder comparison")
                .success(lambda out: self._message(f"Exported the comparison to {out}"))
                .failure(lambda msg: self._message(f"Export failed: {msg}"))
                .with_progress("Export coder comparison", object_name="exportProgress")
                .run())

    def _message(self, text: str) -> None:
        self.summary.setText(text)
        show = getattr(self.parent(), "show_message", None)
        if show is not None:
            show(text)

    def _on_changed(self, changes: Changes) -> None:
        if not self.isVisible():
            return
        if changes.tables & {"coders"}:
            self.reload_coders()
        elif changes.tables & {"codings", "codes", "sources", "speaker_turns"}:
            self.recompute()
