"""The quote-table dialog's three tabs (Quotes, Table layout, Title page): the widgets
that gather the choices ``ReportDialog`` turns into ``ReportOptions``."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
    QListWidget, QListWidgetItem, QPlainTextEdit, QSpinBox, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from ..core.services.quotes.quote_render import STYLE_LABELS, STYLES
from ..core.services.quotes.quotes import TABLE_STYLES, cite_fields

FONTS = ("Arial", "Calibri", "Times New Roman", "Helvetica", "Georgia", "Liberation Sans", "Liberation Serif")
KEY_ROLE = Qt.UserRole + 1


class ReportTabs:
    """The tab-building half of ``ReportDialog``; every change calls ``self._changed``."""

    # -- tabs ------------------------------------------------------------------------
    def _quotes_tab(self) -> QWidget:
        w = QWidget(self)
        layout = QVBoxLayout(w)
        layout.addWidget(self._codes_box(w), 3)
        layout.addWidget(self._filters_box(w), 2)
        layout.addWidget(self._coders_box(w), 0)
        return w

    def _codes_box(self, w: QWidget) -> QGroupBox:
        box = QGroupBox("Codes — one table per checked code (none checked: one per theme)", w)
        bl = QVBoxLayout(box)
        self.codes = QTreeWidget(box)
        self.codes.setObjectName("reportCodes")
        self.codes.setHeaderLabels(["Code", "Codings"])
        self.codes.setColumnWidth(0, 300)
        self.code_items: dict[str, QTreeWidgetItem] = {}
        counts = self.project.codes.counts()
        parents: dict[int, QTreeWidgetItem] = {}
        for c in self.project.codes.all():
            parent = parents.get(c.parent_id) if c.parent_id else self.codes.invisibleRootItem()
            item = QTreeWidgetItem(parent, [c.name, str(counts.get(c.id, (0,))[0] or "")])
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(0, Qt.Unchecked)
            item.setData(0, KEY_ROLE, c.path_str)
            item.setTextAlignment(1, Qt.AlignRight | Qt.AlignVCenter)
            parents[c.id] = item
            self.code_items[c.path_str] = item
        self.codes.expandAll()
        self.codes.itemChanged.connect(lambda *_: self._changed())
        self.descendants = QCheckBox("Include sub-codes of checked codes", box)
        self.descendants.setObjectName("reportDescendants")
        self.descendants.toggled.connect(self._changed)
        bl.addWidget(self.codes, 1)
        bl.addWidget(self.descendants)
        return box

    def _filters_box(self, w: QWidget) -> QGroupBox:
        fbox = QGroupBox("Participants — only those with the checked values (same attribute: any of them)", w)
        fl = QVBoxLayout(fbox)
        self.filters = QTreeWidget(fbox)
        self.filters.setObjectName("reportFilters")
        self.filters.setHeaderHidden(True)
        self.filter_items: dict[str, QTreeWidgetItem] = {}
        values: dict[str, set[str]] = {}
        for vals in list(self.project.attributes.case_values().values()) + list(
                self.project.attributes.source_values().values()):
            for k, v in vals.items():
                if v != "":
                    values.setdefault(k, set()).add(v)
        for attr in self.project.attributes.all():
            if attr.name not in values or attr.name in self._filter_roots():
                continue
            root = QTreeWidgetItem(self.filters, [attr.name])
            root.setFlags(root.flags() & ~Qt.ItemIsUserCheckable)
            for v in sorted(values[attr.name], key=_natural):
                item = QTreeWidgetItem(root, [v])
                item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
                item.setCheckState(0, Qt.Unchecked)
                spec = f"{attr.name}={v}"
                item.setData(0, KEY_ROLE, spec)
                self.filter_items[spec] = item
        self.filters.expandAll()
        self.filters.itemChanged.connect(lambda *_: self._changed())
        fl.addWidget(self.filters)
        return fbox

    def _coders_box(self, w: QWidget) -> QGroupBox:
        cbox = QGroupBox("Coders (none checked: everyone)", w)
        cl = QVBoxLayout(cbox)
        self.coders = QListWidget(cbox)
        self.coders.setObjectName("reportCoders")
        self.coders.setMaximumHeight(90)
        for c in self.project.coders.all():
            item = QListWidgetItem(c.name, self.coders)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Unchecked)
        self.coders.itemChanged.connect(lambda *_: self._changed())
        cl.addWidget(self.coders)
        self.include_interviewer = QCheckBox("Keep interviewer turns in quotes", cbox)
        self.include_interviewer.setObjectName("reportIncludeInterviewer")
        self.merge = QCheckBox("Show passages coded by several coders once", cbox)
        self.merge.setObjectName("reportMerge")
        for cb in (self.include_interviewer, self.merge):
            cb.toggled.connect(self._changed)
            cl.addWidget(cb)
        return cbox

    def _filter_roots(self) -> set[str]:
        return {self.filters.topLevelItem(i).text(0) for i in range(self.filters.topLevelItemCount())}

    def _layout_tab(self) -> QWidget:
        w = QWidget(self)
        form = QFormLayout(w)
        self._column_rows(w, form)
        self._order_rows(w, form)
        self._caption_rows(w, form)
        self._print_rows(w, form)
        return w

    def _column_rows(self, w: QWidget, form: QFormLayout) -> None:
        """Columns and citation."""
        self.columns = QListWidget(w)
        self.columns.setObjectName("reportColumns")
        self.columns.setDragDropMode(QAbstractItemView.InternalMove)
        self.columns.setToolTip("Check the columns to print; drag to reorder; double-click to rename a header.")
        self.columns.setMaximumHeight(170)
        self.columns.model().rowsMoved.connect(lambda *_: self._changed())
        self.columns.itemChanged.connect(lambda *_: self._changed())
        form.addRow("Columns:", self.columns)

        self.cite = QLineEdit(w)
        self.cite.setObjectName("reportCite")
        self.cite.textChanged.connect(self._changed)
        self.cite_field = QComboBox(w)
        self.cite_field.setObjectName("reportCiteField")
        self.cite_field.addItem("Insert field…")
        for f in cite_fields(self.project):
            self.cite_field.addItem(f)
        self.cite_field.activated.connect(self._insert_field)
        row = QHBoxLayout()
        row.addWidget(self.cite, 1)
        row.addWidget(self.cite_field)
        form.addRow("Citation:", row)

    def _order_rows(self, w: QWidget, form: QFormLayout) -> None:
        """Row order, grouping and sub-headings."""
        attrs = [a.name for a in self.project.attributes.all()]
        self.order = QComboBox(w)
        self.order.setObjectName("reportOrder")
        self.order.addItem("Participant", "case")
        self.order.addItem("Position in the transcript", "position")
        for a in attrs:
            self.order.addItem(f"Attribute: {a}", f"attribute:{a}")
        self.order.currentIndexChanged.connect(self._changed)
        form.addRow("Order rows by:", self.order)

        self.group_by = QComboBox(w)
        self.group_by.setObjectName("reportGroupBy")
        self.group_by.addItem("No sub-headings", None)
        for a in attrs:
            self.group_by.addItem(a, a)
        self.group_by.currentIndexChanged.connect(self._changed)
        form.addRow("Group rows by:", self.group_by)
        self.group_label = QLineEdit(w)
        self.group_label.setObjectName("reportGroupLabel")
        self.group_label.setToolTip("Sub-heading text; {attribute} and {value} are filled in, e.g. '{value} interviews'")
        self.group_label.textChanged.connect(self._changed)
        form.addRow("Sub-heading:", self.group_label)

    def _caption_rows(self, w: QWidget, form: QFormLayout) -> None:
        """Table numbering and caption."""
        self.prefix = QLineEdit(w)
        self.prefix.setObjectName("reportPrefix")
        self.prefix.setMaximumWidth(90)
        self.start = QSpinBox(w)
        self.start.setObjectName("reportStart")
        self.start.setRange(0, 999)
        self.prefix.textChanged.connect(self._changed)
        self.start.valueChanged.connect(self._changed)
        row = QHBoxLayout()
        row.addWidget(QLabel("Table", w))
        row.addWidget(self.prefix)
        row.addWidget(self.start)
        row.addStretch(1)
        form.addRow("Numbering:", row)
        self.table_title = QLineEdit(w)
        self.table_title.setObjectName("reportTableTitle")
        self.table_title.setToolTip("Caption after the number; {code}, {path} and {description} are filled in")
        self.table_title.textChanged.connect(self._changed)
        form.addRow("Caption:", self.table_title)

    def _print_rows(self, w: QWidget, form: QFormLayout) -> None:
        """Quote style, time markers, table style, font and paper."""
        self.quote_style = QComboBox(w)
        self.quote_style.setObjectName("reportQuoteStyle")
        for key in STYLES:
            self.quote_style.addItem(STYLE_LABELS[key], key)
        self.quote_style.setToolTip("How quotes are printed here and wherever the project shows them")
        self.quote_style.currentIndexChanged.connect(self._changed)
        form.addRow("Quote style:", self.quote_style)
        self.keep_times = QCheckBox("Keep the transcript's time markers in quotes", w)
        self.keep_times.setObjectName("reportKeepTimes")
        self.keep_times.toggled.connect(self._changed)
        form.addRow("", self.keep_times)

        self.style_box = QComboBox(w)
        self.style_box.setObjectName("reportStyle")
        for s, label in zip(TABLE_STYLES, ("Journal (three rules)", "Grid (all borders)", "Plain")):
            self.style_box.addItem(label, s)
        self.style_box.currentIndexChanged.connect(self._changed)
        form.addRow("Table style:", self.style_box)
        self.font_box = QComboBox(w)
        self.font_box.setObjectName("reportFont")
        self.font_box.setEditable(True)
        self.font_box.addItems(FONTS)
        self.font_box.currentTextChanged.connect(self._changed)
        self.font_size = QDoubleSpinBox(w)
        self.font_size.setObjectName("reportFontSize")
        self.font_size.setRange(6, 24)
        self.font_size.setSingleStep(0.5)
        self.font_size.setSuffix(" pt")
        self.font_size.valueChanged.connect(self._changed)
        row = QHBoxLayout()
        row.addWidget(self.font_box, 1)
        row.addWidget(self.font_size)
        form.addRow("Font:", row)
        self.page_size = QComboBox(w)
        self.page_size.setObjectName("reportPageSize")
        self.page_size.addItems(["A4", "Letter"])
        self.page_size.currentIndexChanged.connect(self._changed)
        self.landscape = QCheckBox("Landscape pages for the tables", w)
        self.landscape.setObjectName("reportLandscape")
        self.landscape.toggled.connect(self._changed)
        row = QHBoxLayout()
        row.addWidget(self.page_size)
        row.addWidget(self.landscape, 1)
        form.addRow("Paper:", row)

    def _title_tab(self) -> QWidget:
        w = QWidget(self)
        form = QFormLayout(w)
        self.title = QLineEdit(w)
        self.title.setObjectName("reportTitle")
        self.title.textChanged.connect(self._changed)
        form.addRow("Title:", self.title)
        self.standard_note = QCheckBox("Use the standard method note (kept up to date with your choices)", w)
        self.standard_note.setObjectName("reportStandardNote")
        self.standard_note.toggled.connect(self._note_mode)
        form.addRow(self.standard_note)
        self.method_note = QPlainTextEdit(w)
        self.method_note.setObjectName("reportMethodNote")
        self.method_note.textChanged.connect(self._changed)
        form.addRow("Method note:", self.method_note)
        form.addRow(QLabel("The title page also shows the project name, the date and the list of tables.", w))
        return w


def _natural(s: str):
    from ..core.services.quotes.quotes import natural_key

    return natural_key(s)
