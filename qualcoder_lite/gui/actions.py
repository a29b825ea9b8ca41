"""Every menu and action of the main window, declared once.

The table below is the whole menu bar, in order: each menu has an id (``file``,
``file.export``, ``tools.queries`` …), each action its object name, text, shortcuts, the
condition that enables it and the handler it runs. A feature adds its entries here, by
menu id; nothing reaches a menu by its position. ``Actions.sync`` is the one place that
enables and disables them when the project (or its undo history) changes.

A handler is ``".path.on.window"`` (a method of the window or of one of its tool objects,
called with ``args``) or ``"module:function"`` (a function of a ``gui`` module, imported
when first triggered and called with the window, then ``args``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu


@dataclass(frozen=True)
class MenuSpec:
    id: str
    title: str
    attr: str | None = None  # the window attribute that holds the QMenu (menuExport …)
    object_name: str = ""


@dataclass(frozen=True)
class ActionSpec:
    id: str  # the QAction's objectName (tests and users' habits rely on it)
    menu: str  # the id of the menu it is shown in
    text: str
    handler: str
    args: tuple = ()
    shortcut: tuple = ()  # key sequences (text or QKeySequence.StandardKey), first is primary
    enabled_when: str | None = "project"  # a key of CONDITIONS; None: always enabled
    checkable: bool = False
    checked: bool = False
    passes_checked: bool = False  # the handler receives the new checked state
    group: str | None = None  # an exclusive QActionGroup
    status_tip: str = ""
    label: str | None = None  # a key of LABELS: text that follows the state
    attr: str | None = None  # the window attribute, when it is not the object name


@dataclass(frozen=True)
class Separator:
    menu: str


@dataclass(frozen=True)
class SubMenu:
    menu: str  # the parent menu's id
    spec: MenuSpec


# -- the menu bar -----------------------------------------------------------------------
MENU_BAR = (
    MenuSpec("file", "&File"),
    MenuSpec("edit", "&Edit"),
    MenuSpec("code", "&Code"),
    MenuSpec("view", "&View"),
    MenuSpec("tools", "&Tools", attr="menuTools"),
    MenuSpec("help", "&Help"),
)

# Tool objects created with the window (they keep a feature's windows and workers);
# handlers reach them as ``.refi_actions.import_project`` and so on.
TOOLS = (
    ("refi_actions", "qdpx_dialog:RefiActions"),
    ("team_tools", "team_tools:TeamTools"),
    ("query_tools", "queries_view:QueryTools"),
)

A = ActionSpec
ENTRIES = (
    # File
    A("actionNewProject", "file", "&New project…", ".new_dialog", shortcut=(QKeySequence.New,), enabled_when=None),
    A("actionOpenProject", "file", "&Open project…", ".open_dialog", shortcut=(QKeySequence.Open,),
      enabled_when=None),
    A("actionOpenDemo", "file", "Open the &demo project", ".open_demo", enabled_when=None),
    Separator("file"),
    A("actionImportSources", "file", "&Import sources…", ".import_dialog", shortcut=("Ctrl+I",),
      enabled_when="writable", attr="actionImport"),
    A("actionImportAttributes", "file", "Import case &attributes (CSV, Excel)…",
      "commands:import_attributes_dialog", enabled_when="writable"),
    A("actionImportSurvey", "file", "Import &survey (CSV, Excel)…", "survey_dialog:open_survey",
      enabled_when="writable"),
    SubMenu("file", MenuSpec("file.import", "Import", attr="menuImport")),
    SubMenu("file", MenuSpec("file.export", "&Export", attr="menuExport")),
    Separator("file"),
    A("actionProjectProperties", "file", "Project &properties…", "commands:project_properties"),
    A("actionRestoreBackup", "file", "Restore &backup…", "safety_menu:restore_backup", enabled_when="project_file"),
    A("actionEncrypt", "file", "&Encrypt project…", "safety_menu:encrypt_project", enabled_when="plain_file"),
    A("actionDecrypt", "file", "&Decrypt project…", "safety_menu:decrypt_project", enabled_when="encrypted_file"),
    Separator("file"),
    A("actionCloseProject", "file", "&Close project", "._close_clicked", shortcut=(QKeySequence.Close,),
      attr="actionClose"),
    A("actionQuit", "file", "&Quit", ".close", shortcut=(QKeySequence.Quit,), enabled_when=None),
    # File ▸ Import
    A("actionImportRefiProject", "file.import", "REFI-QDA &project…", ".refi_actions.import_project",
      enabled_when=None),  # it makes a new project file
    A("actionImportRefiCodebook", "file.import", "&Codebook (.qdc/.csv)…", ".refi_actions.import_codebook"),
    # File ▸ Export
    A("actionExportQuoteTables", "file.export", "&Quote tables…", "report_dialog:open_report_dialog"),
    A("actionExportCodebook", "file.export", "&Codebook…", "report_dialog:export_codebook"),
    A("actionExportTranscript", "file.export", "Coded &transcript…", "report_dialog:export_transcript"),
    A("actionExportRefiProject", "file.export", "REFI-QDA p&roject…", ".refi_actions.export_project"),
    A("actionExportRefiCodebook", "file.export", "REFI-QDA code&book…", ".refi_actions.export_codebook"),
    A("actionExportTable1", "file.export", "Table &1: participants…", "table1_dialog:open_table1"),
    # Edit
    A("actionUndo", "edit", "&Undo", "commands:undo", shortcut=(QKeySequence.Undo,), enabled_when="can_undo",
      label="undo"),
    A("actionRedo", "edit", "&Redo", "commands:redo", shortcut=("Ctrl+Shift+Z", "Ctrl+Y"), enabled_when="can_redo",
      label="redo"),
    Separator("edit"),
    A("actionFind", "edit", "&Find in transcript…", "commands:find", shortcut=(QKeySequence.Find,)),
    A("actionSearchAll", "edit", "&Search all sources…", "commands:search_all", shortcut=("Ctrl+Shift+F",)),
    Separator("edit"),
    A("actionSetCoder", "edit", "Set &coder name…", ".ask_coder", attr="actionCoder"),
    A("actionEditTranscript", "edit", "&Edit transcript…", "edit_transcript_dialog:edit_transcript",
      enabled_when="writable", status_tip="Correct the open source's text; codings follow the words"),
    # Code
    A("actionApplyCode", "code", "&Apply selected code to the selection", "commands:apply_code",
      shortcut=("Ctrl+Return", "Ctrl+Enter"), enabled_when="writable"),
    A("actionQuickCode", "code", "&Quick code…", ".quick_code", shortcut=("Ctrl+K",), enabled_when="writable"),
    A("actionNewCodeFromSelection", "code", "&New code from selection (in vivo)",
      "commands:new_code_from_selection", shortcut=("Ctrl+Shift+N",), enabled_when="writable"),
    A("actionNewCode", "code", "New code…", "commands:new_code", shortcut=("Ctrl+Alt+N",), enabled_when="writable"),
    Separator("code"),
    A("actionSnapWords", "code", "Snap selections to whole &words", "commands:snap_to_words", enabled_when=None,
      checkable=True, passes_checked=True),
    A("actionClickToCode", "code", "Click a code to code the selection", "commands:click_to_code",
      enabled_when=None, checkable=True, checked=True, passes_checked=True),
    Separator("code"),
    # keyboard parity with dragging a code (in the code tree: Ctrl+X, Ctrl+V, Ctrl+Shift+M)
    A("actionMoveCode", "code", "&Move code to…", "commands:move_code"),
    A("actionAnnotate", "code", "&Annotate selection…", "anchors_gui:annotate_selection",
      shortcut=("Ctrl+Shift+A",), enabled_when="writable"),
    A("actionStartLink", "code", "Start see-also &link from selection", "anchors_gui:start_link",
      enabled_when="writable"),
    # View
    A("actionViewCoding", "view", "&Coding", ".show_view", args=("coding",), shortcut=("Ctrl+1",),
      checkable=True, group="views"),
    A("actionViewMatrix", "view", "&Framework matrix", ".show_view", args=("matrix",), shortcut=("Ctrl+2",),
      checkable=True, group="views"),
    A("actionViewCodebook", "view", "Code&book", ".show_view", args=("codebook",), shortcut=("Ctrl+3",),
      checkable=True, group="views"),
    Separator("view"),
    A("actionFocusSources", "view", "Go to sources", "._focus", args=("sources",), shortcut=("Alt+1",),
      enabled_when=None),
    A("actionFocusTranscript", "view", "Go to transcript", "._focus", args=("view",), shortcut=("Alt+2",),
      enabled_when=None),
    A("actionFocusCodes", "view", "Go to codes", "._focus", args=("codes",), shortcut=("Alt+3",), enabled_when=None),
    A("actionFocusRetrieval", "view", "Go to retrieval", "._focus", args=("retrieval",), shortcut=("Alt+4",),
      enabled_when=None),
    # Tools
    A("actionCoderComparison", "tools", "Coder &comparison…", ".team_tools.open_comparison"),
    A("actionShowCoders", "tools", "Show c&oders…", ".team_tools.show_coders_dialog"),
    A("actionMergeCopy", "tools", "&Merge a colleague's copy…", ".team_tools.merge_dialog"),
    A("actionPseudonymise", "tools", "&Pseudonymise…", "pseudonym_dialog:open_pseudonym_dialog",
      status_tip="Replace real names by pseudonyms everywhere; export or remove the key"),
    A("actionAttributeSheet", "tools", "&Attribute sheet…", "attribute_sheet:open_sheet"),
    A("actionMemos", "tools", "&Journal and memos…", "memos_dialog:open_memos", shortcut=("Ctrl+M",)),
    SubMenu("tools", MenuSpec("tools.queries", "&Queries", object_name="menuQueries")),
    # Tools ▸ Queries
    A("actionQueryCoverage", "tools.queries", "Code &summary and coverage…", ".query_tools.open", args=(0,)),
    A("actionQueryCooccurrence", "tools.queries", "Code &co-occurrence…", ".query_tools.open", args=(1,)),
    A("actionQueryWords", "tools.queries", "&Word frequency…", ".query_tools.open", args=(2,)),
    # Help
    A("actionAbout", "help", "&About QualCoder Lite", "commands:about", enabled_when=None),
)
del A


# -- when an action is enabled -------------------------------------------------------------
def _project(w) -> bool:
    return w.ctx is not None


def _writable(w) -> bool:
    return w.ctx is not None and not w.ctx.project.read_only


def _project_file(w) -> bool:
    """A writable project in a file (not in memory): backups, encryption."""
    return _writable(w) and w.ctx.project.path is not None


def _plain_file(w) -> bool:
    from .safety_menu import can_encrypt

    return _project_file(w) and not w.ctx.project.encrypted and can_encrypt()


def _encrypted_file(w) -> bool:
    return _project_file(w) and w.ctx.project.encrypted


def _can_undo(w) -> bool:
    return w.ctx is not None and w.ctx.undo_stack.canUndo()


def _can_redo(w) -> bool:
    return w.ctx is not None and w.ctx.undo_stack.canRedo()


CONDITIONS: dict[str, Callable[[object], bool]] = {
    "project": _project, "writable": _writable, "project_file": _project_file, "plain_file": _plain_file,
    "encrypted_file": _encrypted_file, "can_undo": _can_undo, "can_redo": _can_redo,
}

LABELS: dict[str, Callable[[object], str]] = {
    "undo": lambda w: f"&Undo {w.ctx.undo_stack.undoText()}" if _can_undo(w) else "&Undo",
    "redo": lambda w: f"&Redo {w.ctx.undo_stack.redoText()}" if _can_redo(w) else "&Redo",
}


def action_specs() -> list[ActionSpec]:
    return [e for e in ENTRIES if isinstance(e, ActionSpec)]


def resolve(window, handler: str) -> Callable:
    """The callable a handler string names (see the module's docstring)."""
    if handler.startswith("."):
        target = window
        for part in handler[1:].split("."):
            target = getattr(target, part)
        return target
    module, name = handler.split(":")
    fn = getattr(importlib.import_module(f"{__package__}.{module}"), name)
    return lambda *args: fn(window, *args)


class Actions:
    """The window's menus and actions, built from the table above."""

    def __init__(self, window):
        self.window = window
        self.menus: dict[str, QMenu] = {}
        self.actions: dict[str, QAction] = {}
        self.specs: dict[str, ActionSpec] = {}
        self._groups: dict[str, QActionGroup] = {}
        for attr, target in TOOLS:
            module, cls = target.split(":")
            setattr(window, attr, getattr(importlib.import_module(f"{__package__}.{module}"), cls)(window))
        for spec in MENU_BAR:
            self._add_menu(spec, window.menuBar().addMenu(spec.title))
        for entry in ENTRIES:
            if isinstance(entry, Separator):
                self.menus[entry.menu].addSeparator()
            elif isinstance(entry, SubMenu):
                self._add_menu(entry.spec, self.menus[entry.menu].addMenu(entry.spec.title))
            else:
                self.menus[entry.menu].addAction(self._make(entry))
        self.sync()

    def _add_menu(self, spec: MenuSpec, menu: QMenu) -> None:
        if spec.object_name:
            menu.setObjectName(spec.object_name)
        self.menus[spec.id] = menu
        if spec.attr:
            setattr(self.window, spec.attr, menu)

    def _make(self, spec: ActionSpec) -> QAction:
        w = self.window
        a = QAction(spec.text, w)
        a.setObjectName(spec.id)
        if spec.shortcut:
            a.setShortcuts([QKeySequence(s) for s in spec.shortcut])
        if spec.status_tip:
            a.setStatusTip(spec.status_tip)
        a.setCheckable(spec.checkable)
        a.setChecked(spec.checked)
        if spec.group:
            self._groups.setdefault(spec.group, QActionGroup(w)).addAction(a)
        a.triggered.connect(lambda checked=False, s=spec: self.run(s, checked))
        w.addAction(a)  # shortcuts work wherever focus is
        setattr(w, spec.attr or spec.id, a)
        self.actions[spec.id] = a
        self.specs[spec.id] = spec
        return a

    def run(self, spec: ActionSpec, checked: bool = False):
        fn = resolve(self.window, spec.handler)
        return fn(*spec.args, checked) if spec.passes_checked else fn(*spec.args)

    def sync(self) -> None:
        """Enable each action by its condition, and relabel those whose text follows the
        state (Undo/Redo name the step). Called whenever the project or its history changes."""
        w = self.window
        for name, a in self.actions.items():
            spec = self.specs[name]
            if spec.enabled_when is not None:
                a.setEnabled(CONDITIONS[spec.enabled_when](w))
            if spec.label is not None:
                a.setText(LABELS[spec.label](w))
