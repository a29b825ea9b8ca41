"""The coding workbench: sources | transcript | codes, with retrieval and search below."""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QLabel, QMenu, QSplitter, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from ..core.changes import Changes
from ..core.errors import QualCoderError
from ..core.services.coding.coding import AdjustCoding, ApplyCode, CodeInVivo, RemoveCoding, SetCodingMemo
from .code_panel import CodePanel
from .context import Context
from .find_bar import FindBar
from .search_panel import SearchPanel
from .segment_table import RetrievalPanel
from .source_panel import SourcePanel
from .transcript_view import TranscriptView


#: at most this many codings changed: patch the open source's codings instead of re-reading them
PATCH_LIMIT = 50


class BottomTabs(QTabWidget):
    """Retrieval and search. A page's size hint changing (the retrieval count getting
    shorter after an undo) makes QTabWidget lay itself out and repaint all of itself, and
    with it the frame and scroll bars of the table beneath (~5 ms). When the tab bar and the
    page keep their places, nothing QTabWidget paints itself has changed: that repaint is
    skipped (the page's own widgets still repaint what changed in them)."""

    def event(self, ev) -> bool:
        if ev.type() != QEvent.LayoutRequest or not self.isVisible():
            return super().event(ev)
        before = self._places()
        self.setAttribute(Qt.WA_UpdatesDisabled, True)  # not setUpdatesEnabled: that repaints
        try:
            done = super().event(ev)
        finally:
            self.setAttribute(Qt.WA_UpdatesDisabled, False)
        if self._places() != before:
            self.update()
        return done

    def _places(self) -> tuple:
        stack = self.findChild(QStackedWidget, "qt_tabwidget_stackedwidget")
        return (self.size(), self.tabBar().geometry(), stack.geometry() if stack is not None else None)


class QuietSplitter(QSplitter):
    """A splitter that lays its panes out again only when something it lays them out from
    has changed. A label's text changing (the heading's count after every coding) asks
    the splitters and everything above them up to the window to lay themselves out again
    (~1 ms), though each pane's size hints and limits are as they were."""

    def __init__(self, orientation, parent=None):
        super().__init__(orientation, parent)
        self._laid_out_from: tuple | None = None

    def _inputs(self) -> tuple:
        panes = (self.widget(i) for i in range(self.count()))
        return (self.size(), self.handleWidth(), self.orientation(), self.childrenCollapsible(), *(
            (w, w.isHidden(), w.sizeHint(), w.minimumSizeHint(), w.minimumSize(), w.maximumSize(), w.sizePolicy())
            for w in panes))

    def event(self, ev) -> bool:
        if ev.type() != QEvent.LayoutRequest:
            return super().event(ev)
        inputs = self._inputs()
        if inputs == self._laid_out_from:
            return True
        done = super().event(ev)
        self._laid_out_from = self._inputs()
        return done


class Workbench(QWidget):
    message = Signal(str)

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.sources = SourcePanel(ctx, self)
        self.view = TranscriptView(self)
        self.view.session = ctx.session
        self.find_bar = FindBar(self.view, self)
        self.codes = CodePanel(ctx, self)
        self.codes.has_selection = lambda: self.view.selection_cp() is not None
        self.retrieval = RetrievalPanel(ctx, self)
        ctx.quoteFormatChanged.connect(self.retrieval.model.forget_quotes)
        self.search = SearchPanel(ctx, self)
        self.heading = QLabel(self)
        self.heading.setObjectName("transcriptHeading")
        self.heading.setTextFormat(Qt.RichText)

        center = QWidget(self)
        cl = QVBoxLayout(center)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.heading)
        cl.addWidget(self.view, 1)
        cl.addWidget(self.find_bar)
        self.tabs = BottomTabs(self)
        self.tabs.setObjectName("bottomTabs")
        self.tabs.addTab(self.retrieval, "Retrieval")
        self.tabs.addTab(self.search, "Search")
        middle = QuietSplitter(Qt.Vertical, self)
        middle.addWidget(center)
        middle.addWidget(self.tabs)
        middle.setStretchFactor(0, 3)
        middle.setStretchFactor(1, 2)
        outer = QuietSplitter(Qt.Horizontal, self)
        outer.addWidget(self.sources)
        outer.addWidget(middle)
        outer.addWidget(self.codes)
        outer.setStretchFactor(0, 1)
        outer.setStretchFactor(1, 4)
        outer.setStretchFactor(2, 2)
        outer.setSizes([250, 800, 350])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(outer)

        self.sources.sourceActivated.connect(self.open_source)
        self.codes.applyRequested.connect(self.apply_codes)
        self.codes.errorRaised.connect(self.message)
        self.sources.errorRaised.connect(self.message)
        self.retrieval.errorRaised.connect(self.message)
        self.search.codeHitsRequested.connect(self.code_hits)
        self.view.pinnedKey.connect(self.apply_pinned)
        self.view.setContextMenuPolicy(Qt.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._view_menu)
        ctx.changed.connect(self.on_changed)
        ctx.codeSelected.connect(self._codes_selected)
        ctx.sourceRequested.connect(self.show_passage)
        from .anchors_gui import AnchorsUi  # annotations and see-also links: panels, margin marks

        self.anchors = AnchorsUi(self)
        self._update_heading()

    # -- showing sources ----------------------------------------------------------
    def open_source(self, source_id: int) -> None:
        project = self.ctx.project
        src = project.sources.get(source_id)
        if src is None:
            return
        codes = {c.id: c for c in project.codes.all()}
        self.view.show_source(
            source_id, project.sources.text(source_id), project.sources.turns(source_id),
            project.codings.for_source(source_id, self.ctx.visible_coders),
            {i: c.color for i, c in codes.items()}, {i: c.display_path for i, c in codes.items()},
        )
        self.sources.select_source(source_id)
        self.anchors.refresh()
        self._update_heading()

    def refresh_codings(self, src=None) -> None:
        """Read the open source's codings again (``src``: the source, when just read)."""
        if self.view.source_id is None:
            return
        project = self.ctx.project
        codes = {c.id: c for c in project.codes.all()}
        self.view.set_codings(project.codings.for_source(self.view.source_id, self.ctx.visible_coders),
                              {i: c.color for i, c in codes.items()}, {i: c.display_path for i, c in codes.items()})
        self._update_heading(src)

    def _patch_codings(self, changes: Changes, src=None) -> bool:
        """Only codings changed (a few): read just those and patch the view, which keeps the
        other highlights and stripes. False: refresh it whole (codes renamed or recoloured,
        many codings, no ids)."""
        sid, t = self.view.source_id, changes.tables
        if sid is None or t & {"codes", "coders"} or not changes.coding_ids or len(changes.coding_ids) > PATCH_LIMIT:
            return False
        if sid in changes.source_ids or any(c.id in changes.coding_ids for c in self.view.codings):
            coders = self.ctx.visible_coders
            fresh = [c for c in map(self.ctx.project.codings.get, sorted(changes.coding_ids))
                     if c is not None and c.source_id == sid and (coders is None or c.coder in coders)]
            self.view.patch_codings(set(changes.coding_ids), fresh)
            self._update_heading(src)
        return True

    def _update_heading(self, src=None) -> None:
        """``src``: the open source, when the caller has just read it (one read per change)."""
        sid = self.view.source_id
        if sid is None:
            self.heading.setText("<i>Choose a source on the left to read and code it.</i>")
            return
        if src is None or src.id != sid:
            src = self.ctx.project.sources.get(sid)
        if src is None:
            self.heading.setText("")
            return
        cases = ("case " + ", ".join(src.cases)) if src.cases else "no case"
        self.heading.setText(f"<b>{_esc(src.name)}</b> &nbsp;·&nbsp; {_esc(cases)} &nbsp;·&nbsp; "
                             f"{src.words:,} words &nbsp;·&nbsp; {src.codings} codings")

    def show_passage(self, source_id: int, start: int, end: int) -> None:
        if self.view.source_id != source_id:
            self.open_source(source_id)
        self.view.select_cp(start, end)
        self.view.setFocus()

    def _codes_selected(self, code_ids: list) -> None:
        self.retrieval.show_codes(code_ids)

    # -- coding --------------------------------------------------------------------
    def apply_codes(self, code_ids: list[int]) -> bool:
        sel = self.view.selection_cp()
        if sel is None or self.view.source_id is None:
            self.message.emit("Select some text in the transcript first.")
            return False
        try:
            self.ctx.run(ApplyCode(self.view.source_id, code_ids, sel[0], sel[1]))
        except QualCoderError as exc:
            self.message.emit(str(exc))
            return False
        return True

    def apply_current(self) -> bool:
        ids = self.codes.selected_code_ids()
        if not ids:
            self.message.emit("Choose a code in the code panel first (or press Ctrl+K).")
            return False
        return self.apply_codes(ids)

    def apply_pinned(self, key: int) -> None:
        pinned = self.codes.model.pinned()
        if key - 1 < len(pinned) and pinned[key - 1] is not None:
            self.apply_codes([pinned[key - 1]])
        else:
            self.message.emit(f"No code is pinned to key {key} (right-click a code ▸ Pin to key).")

    def new_code_from_selection(self) -> int | None:
        sel = self.view.selection_cp()
        if sel is None or self.view.source_id is None:
            self.message.emit("Select the words that should name the new code.")
            return None
        name = " ".join(self.view.text[sel[0]:sel[1]].split())
        name = re.sub(r"^[\W_]+|[\W_]+$", "", name)[:80] or "New code"
        cmd = CodeInVivo(self.view.source_id, sel[0], sel[1], name)
        try:
            self.ctx.run(cmd)
        except QualCoderError as exc:
            self.message.emit(str(exc))
            return None
        self.codes.select_code(cmd.result)
        return cmd.result

    def code_hits(self, spans: list[tuple[int, int, int]]) -> None:
        ids = self.codes.selected_code_ids()
        if not ids:
            self.message.emit("Choose the code for the hits in the code panel first.")
            return
        try:
            self.ctx.run(ApplyCode(0, ids, 0, 0, spans=spans))
        except QualCoderError as exc:
            self.message.emit(str(exc))

    def _view_menu(self, pos) -> None:
        menu = self.build_view_menu(pos)
        menu.exec(self.view.viewport().mapToGlobal(pos))

    def build_view_menu(self, pos) -> QMenu:
        menu = QMenu(self)
        cp = self.view.map.to_cp(self.view.cursorForPosition(pos).position())
        sel = self.view.selection_cp()
        if sel is not None:
            menu.addAction("Code selection with current code", self.apply_current)
            menu.addAction("New code from selection", self.new_code_from_selection)
        for c in self.view.codings_at(cp):
            name = self.view.code_names.get(c.code_id, "?")
            sub = menu.addMenu(f"Coding: {name} ({c.coder})")
            sub.addAction("Select this passage", lambda c=c: self.view.select_coding(c.id))
            sub.addAction("Remove coding", lambda c=c: self._run(RemoveCoding(c.id)))
            if sel is not None:
                sub.addAction("Set boundaries to the selection", lambda c=c, s=sel: self._run(AdjustCoding(c.id, *s)))
            sub.addAction("Memo…", lambda c=c: self._edit_memo(c))
        self.anchors.extend_menu(menu, sel, cp)
        return menu

    def _run(self, cmd) -> None:
        try:
            self.ctx.run(cmd)
        except QualCoderError as exc:
            self.message.emit(str(exc))

    def _edit_memo(self, coding) -> None:
        from PySide6.QtWidgets import QInputDialog

        text, ok = QInputDialog.getMultiLineText(self, "Coding memo", "Memo:", coding.memo)
        if ok:
            self._run(SetCodingMemo(coding.id, text))

    # -- reacting to changes ------------------------------------------------------------
    def on_changed(self, changes: Changes) -> None:
        t = changes.tables
        sid = self.view.source_id
        if "sources" in t and sid is not None and sid in changes.source_ids:
            # the open source was deleted, renamed or its text rewritten (pseudonymisation):
            # offsets only make sense with the text they point into
            if self.ctx.project.sources.get(sid) is None:
                self.view.show_source(None, "", [], [], {}, {})
            elif self.view.text != self.ctx.project.sources.text(sid):
                self.open_source(sid)
            else:
                self._update_heading()
        if t & {"codes", "codings", "matrix_cells", "settings"}:
            only_counts = "codings" in t and not t & {"codes", "settings"} and bool(changes.code_ids)
            # the counts can be updated in the sources named when no case or source changed
            in_sources = only_counts and bool(changes.source_ids) and not t & {"cases", "case_sources", "sources"}
            self.codes.refresh(changes.code_ids if only_counts else None,
                               set(changes.source_ids) if in_sources else None)
        if "speaker_roles" in t:  # interviewer turns are cut from quotes
            self.retrieval.model.forget_quotes()
        if t & {"codes", "codings"}:
            sid = self.view.source_id
            src = self.ctx.project.sources.get(sid) if sid is not None else None
            if sid is not None and src is None:
                self.view.show_source(None, "", [], [], {}, {})
            elif not self._patch_codings(changes, src):
                self.refresh_codings(src)
            shown = set(self.retrieval.model.code_ids)
            if "codes" in t or not changes.code_ids or changes.code_ids & shown:
                self.retrieval.model.refresh(changes)
        if t & {"sources", "cases", "case_sources", "attributes", "attribute_values"}:
            self.sources.reload_choices()
            self.retrieval.reload_filters()
        elif "codings" in t:
            if changes.source_ids:
                self.sources.update_counts(changes.source_ids)
            else:
                self.sources.reload()


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
