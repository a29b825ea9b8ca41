"""Annotations and see-also links in the coding workbench: the panels (object names
``annotationPanel`` and ``linkPanel``, tabs beside Retrieval and Search), the margin marks,
the transcript's context-menu entries and the window's actions (Code ▸ Annotate selection…,
Ctrl+Shift+A; Code ▸ Start see-also link from selection). Every change is a core command run
through the context, so it is one step on the one undo stack."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (QHBoxLayout, QInputDialog, QLabel, QListWidget, QListWidgetItem, QMenu, QPushButton,
                               QVBoxLayout, QWidget)

from ..core.errors import QualCoderError
from ..core.services.anchors.annotations import AddAnnotation, DeleteAnnotation, EditAnnotation, annotations
from ..core.services.anchors.links import AddLink, DeleteLink, links
from ..core.services.anchors.spans import excerpt
from .anchor_marks import AnchorMarks

ANNOTATE_SHORTCUT = "Ctrl+Shift+A"


def _buttons(parent: QWidget, specs: list[tuple[str, str, object]]) -> QHBoxLayout:
    row = QHBoxLayout()
    for name, text, slot in specs:
        b = QPushButton(text, parent)
        b.setObjectName(name)
        b.clicked.connect(slot)
        row.addWidget(b)
        setattr(parent, name, b)
    row.addStretch(1)
    return row


class AnnotationPanel(QWidget):
    """The open source's annotations; clicking one selects its passage."""

    def __init__(self, ui: "AnchorsUi", parent=None):
        super().__init__(parent)
        self.setObjectName("annotationPanel")
        self.list = QListWidget(self)
        self.list.setObjectName("annotationList")
        self.list.setWordWrap(True)
        self.list.itemClicked.connect(lambda item: ui.select_annotation(item.data(Qt.UserRole)))
        self.list.itemActivated.connect(lambda item: ui.select_annotation(item.data(Qt.UserRole)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(_buttons(self, [("annotationAdd", f"Annotate selection… ({ANNOTATE_SHORTCUT})",
                                          lambda: ui.annotate_selection()),
                                         ("annotationEdit", "Edit…", lambda: ui.edit_annotation(self.current())),
                                         ("annotationDelete", "Delete", lambda: ui.delete_annotation(self.current()))]))
        layout.addWidget(self.list, 1)

    def current(self):
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.UserRole)

    def show_items(self, items: list) -> None:
        keep = self.current()
        self.list.clear()
        for a in items:
            item = QListWidgetItem(f"{a.start}–{a.end}  “{excerpt(a.text, 160)}”  — {a.author or 'unknown'}")
            item.setData(Qt.UserRole, a)
            item.setToolTip(a.text)
            self.list.addItem(item)
            if keep is not None and keep.id == a.id:
                self.list.setCurrentItem(item)


class LinkPanel(QWidget):
    """See-also links from and to the open source; clicking one follows it."""

    def __init__(self, ui: "AnchorsUi", parent=None):
        super().__init__(parent)
        self.setObjectName("linkPanel")
        self.list = QListWidget(self)
        self.list.setObjectName("linkList")
        self.list.itemClicked.connect(lambda item: ui.follow_link(item.data(Qt.UserRole)))
        self.list.itemActivated.connect(lambda item: ui.follow_link(item.data(Qt.UserRole)))
        self.pending = QLabel(self)
        self.pending.setObjectName("linkPending")
        self.pending.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(_buttons(self, [("linkStart", "Start link from selection", ui.start_link),
                                         ("linkToSelection", "Link to selection", lambda: ui.finish_link(False)),
                                         ("linkToSource", "Link to this source", lambda: ui.finish_link(True)),
                                         ("linkCancel", "Cancel", ui.cancel_link),
                                         ("linkDelete", "Delete link", lambda: ui.delete_link(self.current()))]))
        layout.addWidget(self.pending)
        layout.addWidget(self.list, 1)

    def current(self):
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.UserRole)

    def show_items(self, items: list, source_id: int | None) -> None:
        self.list.clear()
        for ln in items:
            if ln.source_id == source_id:
                where = "" if ln.to_whole_source else f" {ln.target_start}–{ln.target_end}"
                text = f"{ln.start}–{ln.end} → {ln.target_source}{where}"
            else:
                text = f"← from {ln.source} {ln.start}–{ln.end}"
                if not ln.to_whole_source:
                    text += f" (to {ln.target_start}–{ln.target_end})"
            item = QListWidgetItem(text)
            item.setData(Qt.UserRole, ln)
            self.list.addItem(item)


class AnchorsUi(QObject):
    """Annotations and links of the workbench's open source: panels, marks and commands."""

    def __init__(self, workbench):
        super().__init__(workbench)
        self.wb = workbench
        self.ctx = workbench.ctx
        self.pending: tuple[int, int, int] | None = None  # a link's origin, waiting for its target
        self.annotation_panel = AnnotationPanel(self, workbench)
        self.link_panel = LinkPanel(self, workbench)
        workbench.tabs.addTab(self.annotation_panel, "Annotations")
        workbench.tabs.addTab(self.link_panel, "See-also links")
        self.marks = AnchorMarks(workbench.view, self.select_annotation, self.follow_link)
        workbench.view.margin_layers.append(self.marks)
        self.ctx.changed.connect(self._on_changed)
        self._show_pending()

    # -- showing ---------------------------------------------------------------------
    def refresh(self) -> None:
        sid = self.wb.view.source_id
        project = self.ctx.project
        found = annotations(project, sid) if sid is not None else []
        linked = links(project, sid) if sid is not None else []
        self.annotation_panel.show_items(found)
        self.link_panel.show_items(linked, sid)
        self.marks.set(found, [ln for ln in linked if ln.source_id == sid])

    def _on_changed(self, changes) -> None:
        if changes.tables & {"annotations", "links", "sources", "coders"}:
            if self.pending is not None and self.ctx.project.sources.get(self.pending[0]) is None:
                self.pending = None
                self._show_pending()
            self.refresh()

    def _run(self, cmd) -> bool:
        try:
            self.ctx.run(cmd)
        except QualCoderError as exc:
            self.wb.message.emit(str(exc))
            return False
        return True

    def _selection(self, what: str) -> tuple[int, int, int] | None:
        sel = self.wb.view.selection_cp()
        if sel is None or self.wb.view.source_id is None:
            self.wb.message.emit(f"Select the passage {what} in the transcript first.")
            return None
        return self.wb.view.source_id, sel[0], sel[1]

    # -- annotations -------------------------------------------------------------------
    def annotate_selection(self, text: str | None = None) -> int | None:
        span = self._selection("to annotate")
        if span is None:
            return None
        if text is None:
            text, ok = QInputDialog.getMultiLineText(self.wb, "Annotate selection", "Annotation:")
            if not ok:
                return None
        if not text.strip():
            self.wb.message.emit("An annotation needs some text.")
            return None
        cmd = AddAnnotation(*span, text)
        return cmd.result if self._run(cmd) else None

    def edit_annotation(self, ann, text: str | None = None) -> None:
        if ann is None:
            return
        if text is None:
            text, ok = QInputDialog.getMultiLineText(self.wb, "Edit annotation", "Annotation:", ann.text)
            if not ok:
                return
        self._run(EditAnnotation(ann.id, text))

    def delete_annotation(self, ann) -> None:
        if ann is not None:
            self._run(DeleteAnnotation(ann.id))

    def select_annotation(self, ann) -> None:
        """Show the annotated passage, selected, and the annotation in the panel."""
        if ann is None:
            return
        self.wb.show_passage(ann.source_id, ann.start, ann.end)
        lst = self.annotation_panel.list
        for i in range(lst.count()):
            if lst.item(i).data(Qt.UserRole).id == ann.id:
                lst.setCurrentRow(i)
        self.wb.tabs.setCurrentWidget(self.annotation_panel)

    # -- see-also links ----------------------------------------------------------------------
    def start_link(self) -> None:
        span = self._selection("to link from")
        if span is not None:
            self.pending = span
            self._show_pending()

    def cancel_link(self) -> None:
        self.pending = None
        self._show_pending()

    def finish_link(self, whole_source: bool) -> int | None:
        if self.pending is None:
            self.wb.message.emit("Start a link from a selection first (right-click ▸ Start see-also link).")
            return None
        if whole_source:
            if self.wb.view.source_id is None:
                return None
            target = (self.wb.view.source_id, None, None)
        else:
            target = self._selection("to link to")
            if target is None:
                return None
        cmd = AddLink(*self.pending, *target)
        if not self._run(cmd):
            return None
        self.cancel_link()
        return cmd.result

    def _show_pending(self) -> None:
        p = self.pending
        if p is None:
            self.link_panel.pending.setText("To link two passages: select one, Start link, then select the other "
                                            "(in any source) and Link to selection.")
        else:
            name = self.ctx.project.sources.get(p[0]).name
            self.link_panel.pending.setText(f"Linking from <b>{name}</b> {p[1]}–{p[2]}: select the target and "
                                            "choose Link to selection, or Link to this source.")
        for b in ("linkToSelection", "linkToSource", "linkCancel"):
            getattr(self.link_panel, b).setEnabled(p is not None)

    def follow_link(self, ln) -> None:
        """Open the other end of a link: its target, or its origin when the open source is the target."""
        if ln is None:
            return
        if ln.source_id == self.wb.view.source_id:
            if ln.to_whole_source:
                self.wb.open_source(ln.target_source_id)
                self.wb.view.setFocus()
            else:
                self.wb.show_passage(ln.target_source_id, ln.target_start, ln.target_end)
        else:
            self.wb.show_passage(ln.source_id, ln.start, ln.end)

    def delete_link(self, ln) -> None:
        if ln is not None:
            self._run(DeleteLink(ln.id))

    # -- the transcript's context menu -----------------------------------------------------------
    def extend_menu(self, menu: QMenu, sel, cp: int) -> None:
        menu.addSeparator()
        if sel is not None:
            menu.addAction(f"Annotate selection…\t{ANNOTATE_SHORTCUT}", lambda: self.annotate_selection())
            menu.addAction("Start see-also link from selection", self.start_link)
            if self.pending is not None:
                menu.addAction("Link to the selection (see also)", lambda: self.finish_link(False))
        if self.pending is not None:
            menu.addAction("Link to this whole source (see also)", lambda: self.finish_link(True))
        for a in self.marks.annotations:
            if a.start <= cp < a.end:
                sub = menu.addMenu(f"Annotation: {excerpt(a.text, 40)}")
                sub.addAction("Edit…", lambda a=a: self.edit_annotation(a))
                sub.addAction("Delete annotation", lambda a=a: self.delete_annotation(a))
        for ln in self.marks.links:
            if ln.start <= cp < ln.end:
                menu.addAction(f"Follow see-also link to {ln.target_source}", lambda ln=ln: self.follow_link(ln))


def _ui(window):
    wb = getattr(window, "workbench", None)
    return getattr(wb, "anchors", None) if window.ctx is not None else None


def annotate_selection(window) -> None:
    """Code ▸ Annotate selection… (Ctrl+Shift+A; declared in ``actions.py``)."""
    ui = _ui(window)
    if ui is not None:
        ui.annotate_selection()


def start_link(window) -> None:
    """Code ▸ Start see-also link from selection (declared in ``actions.py``)."""
    ui = _ui(window)
    if ui is not None:
        ui.start_link()
