"""Sources and cases (object name ``sourceList``): grouped by case or by an attribute,
filtered by attribute values, with coding counts."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QTreeView, QVBoxLayout, QWidget

from .context import Context

SOURCE_ROLE = Qt.UserRole + 1
_RIGHT = Qt.AlignRight | Qt.AlignVCenter  # built once: each ``|`` of Qt flags costs ~0.1 ms


class SourcePanel(QWidget):
    sourceActivated = Signal(int)
    errorRaised = Signal(str)

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = QStandardItemModel(self)
        self.tree = QTreeView(self)
        self.tree.setObjectName("sourceList")
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QTreeView.NoEditTriggers)
        self.tree.activated.connect(self._activated)
        self.tree.clicked.connect(self._activated)
        self.tree.setContextMenuPolicy(Qt.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.group = QComboBox(self)
        self.group.setObjectName("sourceGroupBy")
        self.show_only = QComboBox(self)
        self.show_only.setObjectName("sourceFilter")
        self.group.currentIndexChanged.connect(lambda _i: self.reload())
        self.show_only.currentIndexChanged.connect(lambda _i: self.reload())
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Group:", self))
        row.addWidget(self.group, 1)
        row2 = QHBoxLayout()
        row2.setContentsMargins(0, 0, 0, 0)
        row2.addWidget(QLabel("Show:", self))
        row2.addWidget(self.show_only, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addLayout(row2)
        layout.addWidget(self.tree, 1)
        self.reload_choices()

    def reload_choices(self) -> None:
        g, f = self.group.currentData(), self.show_only.currentData()
        for box in (self.group, self.show_only):
            box.blockSignals(True)
            box.clear()
        self.group.addItem("Case", "case")
        self.show_only.addItem("All sources", None)
        values = self.ctx.project.attributes.case_values()
        for attr in self.ctx.project.attributes.all("case"):
            self.group.addItem(attr.name, f"attr:{attr.name}")
            for v in sorted({vals[attr.name] for vals in values.values() if attr.name in vals}):
                self.show_only.addItem(f"{attr.name} = {v}", f"{attr.name}={v}")
        self.group.addItem("None (flat list)", "flat")
        self.group.setCurrentIndex(max(0, self.group.findData(g)))
        self.show_only.setCurrentIndex(max(0, self.show_only.findData(f)))
        for box in (self.group, self.show_only):
            box.blockSignals(False)
        self.reload(values)

    def reload(self, values: dict[int, dict[str, str]] | None = None) -> None:
        """Fill the list again (``values``: the cases' attribute values, when just read)."""
        project = self.ctx.project
        current = self.current_source_id()
        sources = project.sources.all()
        self.first_source_id = sources[0].id if sources else None  # by name, whatever is shown
        case_ids = {c.name: c.id for c in project.cases.all()}
        values = project.attributes.case_values() if values is None else values
        flt = self.show_only.currentData()
        mode = self.group.currentData() or "case"

        def attrs_of(src):
            return [values.get(case_ids.get(n), {}) for n in src.cases] or [{}]

        if flt:
            name, val = flt.split("=", 1)
            sources = [s for s in sources if any(a.get(name) == val for a in attrs_of(s))]
        self.model.clear()
        self._count_items: dict[int, list[tuple[QStandardItem, QStandardItem | None]]] = {}
        self.model.setHorizontalHeaderLabels(["Source", "Codings"])
        groups: dict[str, list] = {}
        for s in sources:
            if mode == "flat":
                keys = [""]
            elif mode == "case":
                keys = list(s.cases) or ["(no case)"]
            else:
                attr = mode.split(":", 1)[1]
                keys = sorted({a.get(attr, "(missing)") for a in attrs_of(s)})
            for k in keys:
                groups.setdefault(k, []).append(s)
        root = self.model.invisibleRootItem()
        for key in sorted(groups, key=lambda k: (k.startswith("("), k.casefold())):
            parent = root
            parent_count = None
            if mode != "flat":
                head = QStandardItem(key)
                total = sum(s.codings for s in groups[key])
                head.setData(None, SOURCE_ROLE)
                parent_count = QStandardItem(str(total))
                parent_count.setTextAlignment(_RIGHT)
                root.appendRow([head, parent_count])
                parent = head
            for s in groups[key]:
                item = QStandardItem(s.name)
                item.setData(s.id, SOURCE_ROLE)
                item.setToolTip(f"{s.name}\n{s.words:,} words · {s.kind}\ncases: {', '.join(s.cases) or '—'}")
                count = QStandardItem(str(s.codings))
                count.setTextAlignment(_RIGHT)
                count.setData(s.id, SOURCE_ROLE)
                parent.appendRow([item, count])
                self._count_items.setdefault(s.id, []).append((count, parent_count))
        self.tree.expandAll()
        self.tree.resizeColumnToContents(1)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, self.tree.header().ResizeMode.Stretch)
        if current is not None:
            self.select_source(current)

    def update_counts(self, source_ids) -> None:
        """Codings were added or removed: rewrite the counts of those sources and of their
        groups in place, without rebuilding the list (which loses nothing but takes time)."""
        source_ids = list(source_ids)
        found = self.ctx.project.sources.coding_counts(source_ids)  # one query, texts unread
        if any(sid not in found for sid in source_ids):  # a source itself went away: rebuild
            self.reload()
            return
        counts = {sid: found[sid] for sid in source_ids}
        items = getattr(self, "_count_items", {})
        refit = False  # the column is fitted again only when a count gains or loses a digit
        for sid, n in counts.items():
            for count, group in items.get(sid, ()):  # a source may be listed under several groups
                old = int(count.text())
                if old != n:
                    count.setText(str(n))
                    refit |= len(str(n)) != len(str(old))
                    if group is not None:
                        total = int(group.text()) + n - old
                        refit |= len(str(total)) != len(group.text())
                        group.setText(str(total))
        if refit:
            self.tree.resizeColumnToContents(1)

    def current_source_id(self) -> int | None:
        idx = self.tree.currentIndex()
        return idx.data(SOURCE_ROLE) if idx.isValid() else None

    def visible_source_ids(self) -> list[int]:
        out = []

        def walk(item):
            for r in range(item.rowCount()):
                child = item.child(r, 0)
                sid = child.data(SOURCE_ROLE)
                if sid is not None:
                    out.append(sid)
                walk(child)

        walk(self.model.invisibleRootItem())
        return out

    def select_source(self, source_id: int) -> None:
        for row in self.model.match(self.model.index(0, 0), SOURCE_ROLE, source_id, 1,
                                    Qt.MatchExactly | Qt.MatchRecursive):
            self.tree.setCurrentIndex(row)
            return

    def _activated(self, index) -> None:
        sid = index.siblingAtColumn(0).data(SOURCE_ROLE)
        if sid is not None:
            self.sourceActivated.emit(sid)

    # -- managing sources ------------------------------------------------------------
    def _run(self, cmd) -> bool:
        from ..core.errors import QualCoderError

        try:
            self.ctx.run(cmd)
        except QualCoderError as exc:
            self.errorRaised.emit(str(exc))
            return False
        return True

    def rename_current(self, name: str | None = None) -> bool:
        from PySide6.QtWidgets import QInputDialog

        from ..core.services.sources.sources import RenameSource

        sid = self.current_source_id()
        if sid is None:
            return False
        src = self.ctx.project.sources.get(sid)
        if name is None:
            name, ok = QInputDialog.getText(self, "Rename source", "New name:", text=src.name)
            if not ok or not name.strip():
                return False
        return self._run(RenameSource(sid, name))

    def set_cases_current(self, names: list[str] | None = None) -> bool:
        from PySide6.QtWidgets import QInputDialog

        from ..core.services.sources.sources import SetSourceCases

        sid = self.current_source_id()
        if sid is None:
            return False
        if names is None:
            src = self.ctx.project.sources.get(sid)
            text, ok = QInputDialog.getText(self, "Cases of this source",
                                            "Cases (comma-separated; new ones are created):",
                                            text=", ".join(src.cases))
            if not ok:
                return False
            names = [n.strip() for n in text.split(",")]
        return self._run(SetSourceCases(sid, names))

    def set_kind_current(self, kind: str) -> bool:
        from ..core.services.sources.sources import SetSourceKind

        sid = self.current_source_id()
        return sid is not None and self._run(SetSourceKind(sid, kind))

    def delete_current(self, confirm: bool = True) -> bool:
        from PySide6.QtWidgets import QMessageBox

        from ..core.services.sources.sources import DeleteSource

        sid = self.current_source_id()
        if sid is None:
            return False
        src = self.ctx.project.sources.get(sid)
        if confirm:
            answer = QMessageBox.question(
                self, "Delete source",
                f"Delete '{src.name}' with its {src.codings} coding{'s' if src.codings != 1 else ''}?\n"
                "You can undo this with Edit ▸ Undo.")
            if answer != QMessageBox.Yes:
                return False
        return self._run(DeleteSource(sid))

    def _context_menu(self, pos) -> None:
        from PySide6.QtWidgets import QMenu

        if self.current_source_id() is None:
            return
        menu = QMenu(self)
        menu.addAction("Rename…", self.rename_current)
        menu.addAction("Cases…", self.set_cases_current)
        kind = menu.addMenu("Kind")
        for k in ("transcript", "notes", "other"):
            kind.addAction(k, lambda k=k: self.set_kind_current(k))
        menu.addSeparator()
        menu.addAction("Delete…", self.delete_current)
        menu.addSeparator()
        menu.addAction("Table 1: participant characteristics…", self.open_table1)
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def open_table1(self):
        from .table1_dialog import open_table1

        return open_table1(self.window())
