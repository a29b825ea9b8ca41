"""File ▸ Export: quote tables (a dialog with a live preview), the codebook and a coded
transcript, written in a background worker with a progress dialog (``export_jobs``).

The dialog only gathers choices into ``ReportOptions`` and shows the core's HTML of the
first table; selecting quotes and writing Word files is the core's work (services/quotes,
services/exports). Choices are remembered per project (setting ``report_options``); the
quote style, time markers, interviewer turns and citation chosen here are the project's
quote format, used wherever a quote is shown. Clicking a quote in the preview edits it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QLabel, QListWidgetItem, QSplitter, QTabWidget, QTextBrowser, QVBoxLayout,
    QWidget,
)

from ..core.errors import QualCoderError
from ..core.services.quotes.quotes import BUILTIN_COLUMNS, ReportOptions, default_method_note
from ..core.services.quotes.report_build import build_report
from .export_jobs import export_codebook, export_transcript, run_export  # noqa: F401 (menu entries)
from .report_tabs import FONTS, KEY_ROLE, ReportTabs  # noqa: F401 (FONTS, KEY_ROLE: used by tests and callers)

SETTINGS_KEY = "report_options"
PREVIEW_DELAY_MS = 250


# ----------------------------------------------------------------------------- the dialog
class ReportDialog(ReportTabs, QDialog):
    """Quote tables: choose codes, columns, citation, order, grouping, filters and layout;
    the first table is previewed as you change them."""

    def __init__(self, window, parent=None):
        super().__init__(parent or window)
        self.window_ = window
        self.project = window.ctx.project
        self.setObjectName("reportDialog")
        self.setWindowTitle("Export quote tables")
        self.resize(1180, 760)
        self._loading = False
        self._valid = False
        self.worker = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(PREVIEW_DELAY_MS)
        self.timer.timeout.connect(self.refresh_preview)

        tabs = QTabWidget(self)
        tabs.setObjectName("reportTabs")
        tabs.addTab(self._quotes_tab(), "Quotes")
        tabs.addTab(self._layout_tab(), "Table layout")
        tabs.addTab(self._title_tab(), "Title page")

        self.preview = QTextBrowser(self)
        self.preview.setObjectName("reportPreview")
        self.preview.setOpenLinks(False)
        self.preview.anchorClicked.connect(self._quote_clicked)
        self.status = QLabel(self)
        self.status.setObjectName("reportStatus")
        self.status.setWordWrap(True)
        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(QLabel("<b>Preview</b> — the first table as it will appear", right))
        rl.addWidget(self.preview, 1)
        rl.addWidget(self.status)

        split = QSplitter(Qt.Horizontal, self)
        split.addWidget(tabs)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([460, 720])

        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton("Export…", QDialogButtonBox.AcceptRole)
        self.export_button.setObjectName("reportExport")
        self.buttons.addButton(QDialogButtonBox.Close)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.buttons)

        window.ctx.destroyed.connect(self.reject)  # the project was closed: so is this dialog
        saved = ReportOptions.from_dict(self.project.settings.get(SETTINGS_KEY))
        self.set_options(saved)
        self.refresh_preview()

    # -- options <-> widgets ---------------------------------------------------------
    def set_options(self, opts: ReportOptions) -> None:
        self._loading = True
        try:
            for path, item in self.code_items.items():
                item.setCheckState(0, Qt.Checked if path in opts.codes else Qt.Unchecked)
            self.descendants.setChecked(opts.descendants or not opts.codes)
            for spec, item in self.filter_items.items():
                item.setCheckState(0, Qt.Checked if spec in opts.where else Qt.Unchecked)
            for i in range(self.coders.count()):
                it = self.coders.item(i)
                it.setCheckState(Qt.Checked if it.text() in opts.coders else Qt.Unchecked)
            self.include_interviewer.setChecked(opts.include_interviewer)
            self.merge.setChecked(opts.merge_overlaps)
            self._fill_columns(opts.columns)
            self.cite.setText(opts.cite)
            self.order.setCurrentIndex(max(0, self.order.findData(opts.order)))
            self.group_by.setCurrentIndex(max(0, self.group_by.findData(opts.group_by)))
            self.group_label.setText(opts.group_label)
            self.prefix.setText(opts.prefix)
            self.start.setValue(opts.start)
            self.table_title.setText(opts.table_title)
            self.style_box.setCurrentIndex(max(0, self.style_box.findData(opts.table_style)))
            self.quote_style.setCurrentIndex(max(0, self.quote_style.findData(opts.quote_style)))
            self.keep_times.setChecked(opts.keep_times)
            self.font_box.setCurrentText(opts.font)
            self.font_size.setValue(opts.font_size)
            self.page_size.setCurrentText(opts.page_size)
            self.landscape.setChecked(opts.landscape)
            self.title.setText(opts.title)
            self.standard_note.setChecked(opts.method_note is None)
            self.method_note.setReadOnly(opts.method_note is None)
            if opts.method_note is not None:
                self.method_note.setPlainText(opts.method_note)
        finally:
            self._loading = False

    def _fill_columns(self, specs: list[str]) -> None:
        self.columns.clear()
        chosen = {}
        for spec in specs:
            key, _, header = spec.partition("=")
            key = key.strip()
            if key.startswith("attribute:"):
                key = key.split(":", 1)[1]
            chosen[key] = header.strip()
        available = list(BUILTIN_COLUMNS) + [a.name for a in self.project.attributes.all()
                                             if a.name not in BUILTIN_COLUMNS]
        ordered = [k for k in chosen if k in available] + [k for k in available if k not in chosen]
        for key in ordered:
            default = BUILTIN_COLUMNS.get(key) or key.replace("_", " ").capitalize()
            item = QListWidgetItem(chosen.get(key) or default, self.columns)
            item.setData(KEY_ROLE, key)
            item.setData(KEY_ROLE + 1, default)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable | Qt.ItemIsEditable | Qt.ItemIsDragEnabled)
            item.setCheckState(Qt.Checked if key in chosen else Qt.Unchecked)

    def options(self) -> ReportOptions:
        codes = [p for p, it in self.code_items.items() if it.checkState(0) == Qt.Checked]
        where = [s for s, it in self.filter_items.items() if it.checkState(0) == Qt.Checked]
        coders = [self.coders.item(i).text() for i in range(self.coders.count())
                  if self.coders.item(i).checkState() == Qt.Checked]
        columns = []
        for i in range(self.columns.count()):
            it = self.columns.item(i)
            if it.checkState() != Qt.Checked:
                continue
            key, default, text = it.data(KEY_ROLE), it.data(KEY_ROLE + 1), it.text().strip()
            columns.append(key if not text or text == default else f"{key}={text}")
        return ReportOptions(
            codes=codes, descendants=self.descendants.isChecked(), where=where, coders=coders,
            order=self.order.currentData() or "case", group_by=self.group_by.currentData(),
            group_label=self.group_label.text() or "{attribute}: {value}", cite=self.cite.text(),
            columns=columns, include_interviewer=self.include_interviewer.isChecked(),
            merge_overlaps=self.merge.isChecked(), prefix=self.prefix.text(), start=self.start.value(),
            table_title=self.table_title.text() or "{path}", landscape=self.landscape.isChecked(),
            title=self.title.text(), method_note=None if self.standard_note.isChecked()
            else self.method_note.toPlainText(),
            font=self.font_box.currentText().strip() or "Arial", font_size=self.font_size.value(),
            table_style=self.style_box.currentData() or "journal", page_size=self.page_size.currentText(),
            quote_style=self.quote_style.currentData() or "apa", keep_times=self.keep_times.isChecked(),
        )

    # -- live preview ----------------------------------------------------------------
    def _changed(self, *_args) -> None:
        if not self._loading:
            self.timer.start()

    def _note_mode(self, standard: bool) -> None:
        self.method_note.setReadOnly(standard)
        self._changed()

    def _insert_field(self, index: int) -> None:
        if index > 0:
            self.cite.insert("{" + self.cite_field.itemText(index) + "}")
            self.cite_field.setCurrentIndex(0)
            self.cite.setFocus()

    def refresh_preview(self) -> None:
        """Build the first table with the current choices and show it (or say what is wrong)."""
        from ..core.services.quotes.report_html import table_html

        self.timer.stop()
        if not self.project_is_open():
            return
        opts = self.options()
        try:
            report = build_report(self.project, opts, max_tables=1)
        except QualCoderError as exc:
            self._show_problem(str(exc))
            return
        if self.standard_note.isChecked():  # (the conventions of the previewed table; export: of all)
            example = next((q.citation for q in report.tables[0].quotes if q.citation), None) if report.tables else None
            self.method_note.blockSignals(True)
            self.method_note.setPlainText(default_method_note(opts, example, report.conventions, report.examples()))
            self.method_note.blockSignals(False)
        if not report.tables:
            self._show_problem("No coded passages match these choices, so there is nothing to export.")
            return
        table = report.tables[0]
        self.preview.setHtml(table_html(report, table, max_rows=60, links=True))
        self._preview_quotes = {q.coding_id: q for q in table.quotes}
        n, p = len(table.quotes), len(table.participants)
        self.status.setStyleSheet("")
        self.status.setText(f"{table.label}: {n} quote{'s' if n != 1 else ''} from {p} "
                            f"participant{'s' if p != 1 else ''}. Export writes every table.")
        self._valid = True
        self.export_button.setEnabled(True)

    def _show_problem(self, text: str) -> None:
        self.preview.setHtml(f"<p style='color:#555'><i>{_html(text)}</i></p>")
        self.status.setStyleSheet("color: #b00020;")
        self.status.setText(text)
        self._valid = False
        self.export_button.setEnabled(False)

    # -- saving and exporting --------------------------------------------------------
    def project_is_open(self) -> bool:
        ctx = self.window_.ctx
        return ctx is not None and ctx.project is self.project

    def remember(self) -> None:
        """Save the choices with the project (not when it was closed under the dialog); a
        new quote format is announced so open views render their quotes again."""
        if self.project_is_open():
            before = ReportOptions.from_dict(self.project.settings.get(SETTINGS_KEY)).quote_format()
            opts = self.options()
            self.project.settings.put(SETTINGS_KEY, opts.to_dict())
            if opts.quote_format() != before:
                self.window_.ctx.quoteFormatChanged.emit()

    # -- editing a quote from the preview ---------------------------------------------
    def _quote_clicked(self, url) -> None:
        from ..core.services.quotes.report_html import QUOTE_LINK

        link = url.toString()
        if link.startswith(QUOTE_LINK) and link[len(QUOTE_LINK):].isdigit():
            self.edit_quote(int(link[len(QUOTE_LINK):]))

    def edit_quote(self, coding_id: int, text: str | None = None) -> bool:
        """Edit a previewed quote (the dialog, or ``text`` straight away) as one undoable
        step; the preview follows. The quote is rendered in the format chosen here."""
        from .quote_edit_dialog import edit_quote

        if not self.project_is_open():
            return False
        self.remember()  # the editor renders in the format chosen here
        quote = getattr(self, "_preview_quotes", {}).get(coding_id)
        span = (quote.start, quote.end) if quote is not None else (None, None)
        changed = edit_quote(self, self.window_.ctx, coding_id, *span, text=text)
        if changed:
            self.refresh_preview()
        return changed

    def done(self, result: int) -> None:  # closing by any route remembers the choices
        self.remember()
        super().done(result)

    def export(self, path: str | Path | None = None):
        """Ask for a file (unless given) and write the report in the background."""
        self.refresh_preview()
        if not self._valid:
            return None
        from .save_target import choose_target, from_dialog

        if path is None:
            name = f"{self.project.name}-quote-tables.docx"
            start_dir = str(self.project.path.parent / name) if self.project.path else name
            chosen, _ = QFileDialog.getSaveFileName(self, "Export quote tables", start_dir, "Word document (*.docx)")
            path = from_dialog(self, chosen, ".docx", self.project, "Export quote tables")
        else:
            path = choose_target(self, Path(path).with_suffix(".docx"), self.project, title="Export quote tables")
        if path is None:
            return None
        opts = self.options()
        self.remember()

        def job(project, progress):
            from ..core.services.quotes.exports import write_report

            return write_report(project, opts, path, progress=progress)

        self.worker = run_export(self.window_, "Export quote tables", job, parent=self)
        if self.worker is not None:
            self.worker.signals.finished.connect(lambda _r: self.accept())
        else:
            self.accept()
        return self.worker


def _html(s: str) -> str:
    from html import escape

    return escape(s)


# ----------------------------------------------------------------------------- menu entries
def open_report_dialog(window) -> ReportDialog | None:
    if window.ctx is None:
        return None
    dlg = ReportDialog(window)
    window._report_dialog = dlg
    dlg.open()
    return dlg
