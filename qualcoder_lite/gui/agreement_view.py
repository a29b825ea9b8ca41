"""Team coding in the desktop app: Tools ▸ Coder comparison…, Show coders…, Merge a colleague's copy….

The three entries are declared in ``actions.py``; ``TeamTools`` runs them. The comparison window (object name
``agreementView``) lists codes by Cohen's kappa, lowest first, for two chosen coders and a
chosen unit; selecting a code shows the chosen source twice, side by side, with each coder's
coding marked (agreement green, A only orange, B only blue). The table exports to .docx and
.csv. All numbers come from ``core.services.agreement``; no SQL here.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView, QButtonGroup, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout,
    QHeaderView, QLabel, QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QRadioButton, QSplitter,
    QTableView, QTextEdit, QVBoxLayout, QWidget,
)

from ..core import codepath
from ..core.errors import QualCoderError
from ..core.services.team.agreement import UNITS, AgreementRow, Comparison, compare, differences
from ..core.store.coders import CODER_COLORS
from ..core.store.recorder import Changes
from .offsets import OffsetMap

BOTH_COLOR = "#9fd8a4"
A_COLOR = "#f7b267"
B_COLOR = "#8cc4f0"
UNIT_LABELS = {"character": "Characters (as NVivo)", "sentence": "Sentences", "paragraph": "Paragraphs",
               "turn": "Speaker turns"}
UNDEFINED = "—"
UNDEFINED_TIP = "Undefined: neither coder varied (nothing coded, or everything coded by both)."


def _fmt(v: float | None, digits: int) -> str:
    """'—' for an undefined value; never '-0.000' for a value that rounds to zero."""
    return UNDEFINED if v is None else f"{round(v, digits) + 0.0:.{digits}f}"


# --------------------------------------------------------------------------- table model
class AgreementModel(QAbstractTableModel):
    """Rows of a ``Comparison``: codes lowest kappa first (undefined last), the overall row at the end."""

    COLUMNS = ("Code", "Kappa", "Agreement %", "A only", "B only", "Both", "Units", "Alpha")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[AgreementRow] = []
        self.coders: tuple[str, str] = ("A", "B")

    def set_comparison(self, comparison: Comparison | None) -> None:
        self.beginResetModel()
        if comparison is None:
            self.rows = []
        else:
            self.coders = (comparison.coders[0], comparison.coders[1])
            self.rows = comparison.by_kappa() + ([comparison.overall] if comparison.rows else [])
        self.endResetModel()
        self.headerDataChanged.emit(Qt.Horizontal, 0, len(self.COLUMNS) - 1)

    def row(self, r: int) -> AgreementRow | None:
        return self.rows[r] if 0 <= r < len(self.rows) else None

    def row_of(self, code_id: int | None) -> int:
        for i, r in enumerate(self.rows):
            if r.code_id == code_id:
                return i
        return -1

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation != Qt.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        if role == Qt.DisplayRole:
            if section == 3:
                return f"{self.coders[0]} only"
            if section == 4:
                return f"{self.coders[1]} only"
            return self.COLUMNS[section]
        if role == Qt.ToolTipRole:
            return {
                1: "Cohen's kappa: (po − pe) / (1 − pe); pe from each coder's share of coded units",
                2: "Units on which the coders agree (both coded, or neither) × 100 / units",
                6: "Units compared (for each code)",
                7: "Krippendorff's alpha (nominal: coded / not coded)",
            }.get(section)
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.DisplayRole:
            values = ("Overall (all codes listed)" if r.overall else codepath.display(r.code_path), _fmt(r.kappa, 3),
                      _fmt(r.agreement, 2), f"{r.a_only:,}", f"{r.b_only:,}", f"{r.both:,}", f"{r.units:,}",
                      _fmt(r.alpha, 3))
            return values[col]
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignLeft | Qt.AlignVCenter) if col == 0 else int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.FontRole and r.overall:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ToolTipRole:
            if col in (1, 2, 7) and (r.kappa, r.agreement, r.alpha)[(1, 2, 7).index(col)] is None:
                return UNDEFINED_TIP
            return "Overall (all codes listed)" if r.overall else codepath.display(r.code_path)
        if role == Qt.UserRole:
            return r.code_id
        return None


# --------------------------------------------------------------------------- comparison window
class AgreementView(QDialog):
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
        self._map = OffsetMap("")

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

        self.summary = QLabel(self)
        self.summary.setObjectName("agreementSummary")
        self.summary.setWordWrap(True)

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
        src_row.addWidget(self.prev_button)
        src_row.addWidget(self.next_button)
        src_row.addWidget(self.position)
        src_row.addWidget(self.legend)

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
        ll.addLayout(src_row)
        ll.addWidget(panes, 1)
        split = QSplitter(Qt.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self.resize(1200, 820)

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
        ctx.changed.connect(self._on_changed)
        self.reload_coders()

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
    def recompute(self) -> None:
        a, b = self.coders()
        unit = self.unit.currentData()
        keep = self.code_id
        self.code_id = None  # the code's source list and differences are rebuilt below
        self.comparison = None
        if not a or not b or a == b:
            self.model.set_comparison(None)
            n = len(self.ctx.project.coders.all())
            self.summary.setText("Choose two different coders." if n >= 2 else
                                 "Comparison needs two coders; this project has "
                                 f"{'one' if n == 1 else 'none'} (merge a colleague's copy first).")
            self._clear_diff()
            return
        try:
            self.comparison = compare(self.ctx.project, [a, b], unit=unit)
        except QualCoderError as exc:
            self.model.set_comparison(None)
            self.summary.setText(str(exc))
            self._clear_diff()
            return
        self.model.set_comparison(self.comparison)
        ov = self.comparison.overall
        if not self.comparison.rows:
            self.summary.setText(f"Neither {a} nor {b} has coded anything yet.")
        else:
            self.summary.setText(
                f"{len(self.comparison.rows)} codes over {self.comparison.sources} sources, unit: "
                f"{UNIT_LABELS[unit].lower()}. Overall kappa {_fmt(ov.kappa, 3)}, agreement "
                f"{_fmt(ov.agreement, 2)} %, alpha {_fmt(ov.alpha, 3)}. Lowest kappa first; select a code to "
                "see where the coders differed.")
        self.title_a.setText(f"<b>{_esc(a)}</b> (A)")
        self.title_b.setText(f"<b>{_esc(b)}</b> (B)")
        self.legend.setText(
            f"<span style='background:{BOTH_COLOR}'>&nbsp;both&nbsp;</span> "
            f"<span style='background:{A_COLOR}'>&nbsp;{_esc(a)} only&nbsp;</span> "
            f"<span style='background:{B_COLOR}'>&nbsp;{_esc(b)} only&nbsp;</span>")
        row = self.model.row_of(keep) if keep is not None else -1
        if row < 0 and self.comparison.rows:
            row = 0
        if row >= 0:
            self.select_row(row)
        else:
            self._clear_diff()

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
        rows = [x for x in self.comparison.by_source if x.code_id == r.code_id]
        rows.sort(key=lambda x: (-(x.a_only + x.b_only), x.source or ""))
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
        self.show_source(self.source.currentData())

    def show_source(self, source_id: int | None) -> None:
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
            self._map = OffsetMap(text)
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

    def export_to(self, path: str | Path, confirmed: bool = False) -> Path | None:
        from ..core.formats.agreement_export import export
        from .save_target import choose_target

        if self.comparison is None:
            self._message("Nothing to export: choose two coders first.")
            return None
        target = choose_target(self, path, self.ctx.project, confirmed=confirmed, title="Export coder comparison")
        if target is None:
            return None
        try:
            out = export(self.comparison, target)
        except (QualCoderError, OSError) as exc:
            self._message(f"Export failed: {exc}")
            return None
        self._message(f"Exported the comparison to {out}")
        return out

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


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --------------------------------------------------------------------------- show coders
class ShowCodersDialog(QDialog):
    """All coders / only mine / a chosen set; optionally colour the margin stripes by coder."""

    def __init__(self, coders: list[str], mine: str, visible: list[str] | None, by_coder: bool, parent=None):
        super().__init__(parent)
        self.setObjectName("showCodersDialog")
        self.setWindowTitle("Show coders")
        self.mine = mine
        self.all_radio = QRadioButton("All coders", self)
        self.all_radio.setObjectName("showAllCoders")
        self.mine_radio = QRadioButton(f"Only mine ({mine})", self)
        self.mine_radio.setObjectName("showMine")
        self.chosen_radio = QRadioButton("These coders:", self)
        self.chosen_radio.setObjectName("showChosen")
        group = QButtonGroup(self)
        for r in (self.all_radio, self.mine_radio, self.chosen_radio):
            group.addButton(r)
        self.list = QListWidget(self)
        self.list.setObjectName("coderList")
        for name in coders:
            item = QListWidgetItem(name, self.list)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if visible is None or name in visible else Qt.Unchecked)
        self.by_coder = QCheckBox("Colour the margin stripes by coder", self)
        self.by_coder.setObjectName("stripesByCoder")
        self.by_coder.setChecked(by_coder)
        if visible is None:
            self.all_radio.setChecked(True)
        elif visible == [mine]:
            self.mine_radio.setChecked(True)
        else:
            self.chosen_radio.setChecked(True)
        self.list.setEnabled(self.chosen_radio.isChecked())
        self.chosen_radio.toggled.connect(self.list.setEnabled)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        for w in (self.all_radio, self.mine_radio, self.chosen_radio, self.list, self.by_coder, buttons):
            lay.addWidget(w)

    def choice(self) -> list[str] | None:
        if self.all_radio.isChecked():
            return None
        if self.mine_radio.isChecked():
            return [self.mine]
        return [self.list.item(i).text() for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.Checked]


# --------------------------------------------------------------------------- merge report
class MergeReportDialog(QDialog):
    def __init__(self, report, parent=None):
        super().__init__(parent)
        self.setObjectName("mergeReport")
        self.setWindowTitle(f"Merged {report.other}")
        self.report = report
        head = QLabel(report.summary(), self)
        head.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("mergeReportText")
        self.text.setReadOnly(True)
        self.text.setPlainText("\n".join(report.lines()))
        note = QLabel("The whole merge is one step: Edit ▸ Undo takes it back.", self)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        for w in (head, self.text, note, buttons):
            lay.addWidget(w)
        self.resize(760, 520)


# --------------------------------------------------------------------------- team tools
class TeamTools(QObject):
    """The Tools-menu entries for team coding (object name ``teamTools``)."""

    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("teamTools")
        self.window = window
        self.view: AgreementView | None = None
        self.report_dialog: MergeReportDialog | None = None
        self.coders_dialog: ShowCodersDialog | None = None
        self.by_coder = False
        # its Tools-menu entries are declared in actions.py

    # -- comparison ------------------------------------------------------------------------
    def open_comparison(self) -> AgreementView | None:
        ctx = self.window.ctx
        if ctx is None:
            return None
        if self.view is None or self.view.ctx is not ctx:
            if self.view is not None:
                self.view.close()
                self.view.deleteLater()
            self.view = AgreementView(ctx, self.window)
            ctx.destroyed.connect(self._forget_view)
        else:
            self.view.reload_coders()
        self.view.show()
        self.view.raise_()
        self.view.activateWindow()
        return self.view

    def _forget_view(self, *_args) -> None:
        if self.view is not None:
            self.view.close()
            self.view.deleteLater()
            self.view = None

    # -- which coders are shown ----------------------------------------------------------------
    def show_coders_dialog(self) -> ShowCodersDialog | None:
        ctx = self.window.ctx
        if ctx is None:
            return None
        coders = [c.name for c in ctx.project.coders.all()]
        dlg = ShowCodersDialog(coders, ctx.project.coder, ctx.visible_coders, self.by_coder, self.window)
        dlg.accepted.connect(lambda: self.set_visible_coders(dlg.choice(), dlg.by_coder.isChecked()))
        self.coders_dialog = dlg
        dlg.open()
        return dlg

    def set_visible_coders(self, names: list[str] | None, by_coder: bool | None = None) -> None:
        """Show all coders (None) or only ``names``; optionally colour the stripes by coder."""
        ctx = self.window.ctx
        if ctx is None:
            return
        ctx.visible_coders = None if names is None else list(names)
        if by_coder is not None:
            self.by_coder = by_coder
            wb = self.window.workbench
            if wb is not None:
                colors = {}
                if by_coder:
                    for i, c in enumerate(ctx.project.coders.all()):
                        colors[c.name] = c.color or CODER_COLORS[i % len(CODER_COLORS)]
                v = wb.view
                v.set_codings(v.codings, v.code_colors, v.code_names, coder_colors=colors)
        ctx.changed.emit(Changes(tables={"codings"}))
        shown = "all coders" if names is None else (", ".join(names) or "no coder")
        self.window.show_message(f"Showing codings of {shown}.")

    # -- merge -------------------------------------------------------------------------
    def merge_dialog(self) -> None:
        if self.window.ctx is None:
            return
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Merge a colleague's copy", "",
            "QualCoder Lite projects (*.qlite);;REFI-QDA projects (*.qdpx);;All files (*)")
        if path:
            self.merge_file(Path(path))

    def merge_file(self, path: str | Path):
        """Merge ``path`` as one undoable step and show the report; returns it (None on failure)."""
        from ..core.services.team.merge import prepare_merge

        ctx = self.window.ctx
        if ctx is None:
            return None
        QGuiApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            cmd = prepare_merge(ctx.project, path)
            ctx.run(cmd)
        except (QualCoderError, OSError) as exc:
            QGuiApplication.restoreOverrideCursor()
            self.window.show_error("Merge failed — nothing was changed", str(exc))
            return None
        QGuiApplication.restoreOverrideCursor()
        report = cmd.result
        self.window.show_message(report.summary())
        if self.report_dialog is not None:
            self.report_dialog.close()
            self.report_dialog.deleteLater()
        self.report_dialog = MergeReportDialog(report, self.window)
        self.report_dialog.show()
        return report
