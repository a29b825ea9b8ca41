"""The codebook view: every code with description, memo and counts, and under it Figure 1,
the thematic map (themes, sub-themes, overarching themes) with Export…."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QCheckBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton,
                               QScrollArea, QSpinBox, QSplitter, QTreeView, QVBoxLayout, QWidget)

from .code_model import swatch
from .context import Context


class CodebookView(QWidget):
    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = QStandardItemModel(self)
        self.tree = QTreeView(self)
        self.tree.setObjectName("codebookView")
        self.tree.setModel(self.model)
        self.tree.setWordWrap(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QTreeView.NoEditTriggers)
        self.tree.setSelectionMode(QTreeView.ExtendedSelection)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Vertical, self)
        split.addWidget(self.tree)
        split.addWidget(self._map_panel())
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split)
        self._svg = ""
        self._width = 0.0
        # filled when shown (MainWindow.show_view reloads it every time): reading every
        # code's counts and drawing the map here cost ~0.5 s of opening a 200,000-coding project
        ctx.changed.connect(self._on_changed)

    def _on_changed(self, _changes) -> None:
        if self.isVisible():  # an undone or redone choice of overarching themes, a renamed code ...
            self.reload()

    # ------------------------------------------------------------------ the thematic map
    def _map_panel(self) -> QWidget:
        panel = QWidget(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("<b>Figure 1, thematic map</b>"))
        bar.addWidget(QLabel("Levels:"))
        self.map_depth = QSpinBox(panel)
        self.map_depth.setObjectName("mapDepth")
        self.map_depth.setRange(1, 6)
        self.map_depth.setValue(2)
        self.map_depth.setToolTip("1: themes only; 2: themes and sub-themes; 3: one level more …")
        self.map_depth.valueChanged.connect(self.refresh_map)
        bar.addWidget(self.map_depth)
        self.map_colors = QCheckBox("Code colours", panel)
        self.map_colors.toggled.connect(self.refresh_map)
        bar.addWidget(self.map_colors)
        self.overarching_button = QPushButton("Overarching: selected codes", panel)
        self.overarching_button.setObjectName("mapOverarching")
        self.overarching_button.setToolTip("Draw the selected codes as overarching themes, in a band across the "
                                           "others (remembered in the project; undoable). With nothing selected: "
                                           "no overarching themes.")
        self.overarching_button.clicked.connect(self.set_overarching_from_selection)
        bar.addWidget(self.overarching_button)
        bar.addStretch(1)
        self.map_export = QPushButton("Export…", panel)
        self.map_export.setObjectName("mapExport")
        self.map_export.clicked.connect(self.export_map)
        bar.addWidget(self.map_export)
        self.map_label = QLabel(panel)
        self.map_label.setObjectName("mapPreview")
        self.map_label.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        scroll = QScrollArea(panel)
        scroll.setWidget(self.map_label)
        scroll.setWidgetResizable(True)
        box = QVBoxLayout(panel)
        box.setContentsMargins(4, 4, 4, 4)
        box.addLayout(bar)
        box.addWidget(scroll, 1)
        return panel

    def refresh_map(self) -> None:
        from PySide6.QtGui import QPixmap

        from ..core.services.quotes.thematic_map import map_svg
        from .figure_render import png_bytes

        svg, lay, themes, over = map_svg(self.ctx.project, depth=self.map_depth.value(),
                                         colors=self.map_colors.isChecked())
        self._svg, self._width = svg, lay.width
        empty = not themes and not over
        self.map_export.setEnabled(not empty)
        if empty:
            self.map_label.setPixmap(QPixmap())
            self.map_label.setText("No codes yet: the map shows the top-level codes (themes) and their sub-codes.")
            return
        pix = QPixmap()
        pix.loadFromData(png_bytes(svg, scale=1), "PNG")
        self.map_label.setPixmap(pix)

    def selected_code_ids(self) -> list[int]:
        ids = []
        for index in self.tree.selectionModel().selectedRows(0):
            code_id = self.model.itemFromIndex(index).data(Qt.UserRole)
            if code_id is not None:
                ids.append(int(code_id))
        return ids

    def set_overarching_from_selection(self) -> None:
        from ..core.services.quotes.thematic_map import SetOverarching

        self.ctx.run(SetOverarching(self.selected_code_ids()))
        self.refresh_map()

    def export_map(self, path: str | None = None) -> bool:
        """Ask for a file (or use ``path``) and write the map there: .svg, .png, .pdf or .docx."""
        from ..core.errors import QualCoderError
        from .figure_render import write_figure
        from .save_target import choose_target, from_dialog
        from ..core.services.sources.study import study_title

        if path is None:
            chosen, selected = QFileDialog.getSaveFileName(
                self, "Export the thematic map", "figure1.svg",
                "SVG picture (*.svg);;PNG image (*.png);;PDF (*.pdf);;Word document (*.docx)")
            suffix = "." + selected.split("*.")[-1].rstrip(")") if selected else ".svg"
            target = from_dialog(self, chosen, suffix, self.ctx.project, "Export the thematic map")
        else:
            target = choose_target(self, path, self.ctx.project, title="Export the thematic map")
        if target is None:
            return False
        self.refresh_map()
        try:
            write_figure(self._svg, self._width, target, title=study_title(self.ctx.project))
        except QualCoderError as exc:
            QMessageBox.warning(self, "Export the thematic map", str(exc))
            return False
        return True

    def reload(self) -> None:
        self.model.clear()
        self.model.setHorizontalHeaderLabels(["Code", "Description", "Memo (summary)", "Codings", "Cases"])
        counts = self.ctx.project.codes.counts()
        items: dict[int, QStandardItem] = {}
        for c in self.ctx.project.codes.all():
            n = counts.get(c.id, (0, 0, 0))
            name = QStandardItem(swatch(c.color), c.name)
            name.setData(c.id, Qt.UserRole)
            row = [name, QStandardItem(c.description), QStandardItem(c.memo), QStandardItem(str(n[0])),
                   QStandardItem(str(n[2]))]
            for it in row[3:]:
                it.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            parent = items.get(c.parent_id) if c.parent_id else self.model.invisibleRootItem()
            parent.appendRow(row)
            items[c.id] = name
        self.tree.expandAll()
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        self.refresh_map()
