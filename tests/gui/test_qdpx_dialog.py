"""File ▸ Import / Export ▸ REFI-QDA entries, driven offscreen with the file dialogs patched."""

from __future__ import annotations

import zipfile

from PySide6.QtWidgets import QFileDialog


def _action(menu, name):
    (action,) = [a for a in menu.actions() if a.objectName() == name]
    return action


def _patch_dialogs(monkeypatch, open_path=None, save_path=None):
    if open_path is not None:
        monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(open_path), "")))
    if save_path is not None:
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(save_path), "")))


def test_menu_entries_and_their_enabled_state(qtbot):
    from qualcoder_lite.gui.main_window import MainWindow

    w = MainWindow(coder="alex")
    qtbot.addWidget(w)
    imports = {a.objectName(): a for a in w.menuImport.actions()}
    exports = {a.objectName(): a for a in w.menuExport.actions()}
    assert imports["actionImportRefiProject"].text().replace("&", "") == "REFI-QDA project…"
    assert imports["actionImportRefiCodebook"].text().replace("&", "") == "Codebook (.qdc/.csv)…"
    assert exports["actionExportRefiProject"].text().replace("&", "") == "REFI-QDA project…"
    assert exports["actionExportRefiCodebook"].text().replace("&", "") == "REFI-QDA codebook…"
    assert imports["actionImportRefiProject"].isEnabled()  # makes a new project: needs none open
    assert not imports["actionImportRefiCodebook"].isEnabled()
    assert not exports["actionExportRefiProject"].isEnabled()


def test_export_project_then_import_opens_the_new_file(window, qtbot, monkeypatch, tmp_path):
    out = tmp_path / "exported"  # no suffix: .qdpx is added
    _patch_dialogs(monkeypatch, save_path=out)
    _action(window.menuExport, "actionExportRefiProject").trigger()
    refi = window.refi_actions
    qtbot.waitUntil(lambda: refi.summary is not None, timeout=10000)
    assert (tmp_path / "exported.qdpx").exists()
    assert "project.qde" in zipfile.ZipFile(tmp_path / "exported.qdpx").namelist()
    assert refi.summary.text().startswith("exported 8 sources")
    n_codings = window.ctx.project.codings.count()

    refi.summary = None
    target = tmp_path / "reimported.qlite"
    _patch_dialogs(monkeypatch, open_path=tmp_path / "exported.qdpx", save_path=target)
    _action(window.menuImport, "actionImportRefiProject").trigger()
    qtbot.waitUntil(lambda: window.ctx is not None and window.ctx.project.path == target, timeout=10000)
    assert window.ctx.project.codings.count() == n_codings
    assert refi.summary.text().startswith("imported 8 sources")
    assert window.windowTitle().startswith("reimported")


def test_import_of_a_bad_archive_shows_one_error_and_creates_nothing(window, qtbot, monkeypatch, tmp_path):
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"PK\x03\x04 not really")
    target = tmp_path / "new.qlite"
    errors = []
    monkeypatch.setattr(window, "show_error", lambda title, text: errors.append((title, text)))
    _patch_dialogs(monkeypatch, open_path=bad, save_path=target)
    _action(window.menuImport, "actionImportRefiProject").trigger()
    qtbot.waitUntil(lambda: bool(errors), timeout=10000)
    assert str(bad) in errors[0][1] and "\n" not in errors[0][1]
    assert not target.exists()


def test_import_refuses_the_name_of_the_open_projects_log(window, qtbot, monkeypatch, tmp_path):
    src = tmp_path / "in.qdpx"
    src.write_bytes(b"PK\x03\x04 never read")
    target = window.ctx.project.path.with_name(window.ctx.project.path.name + "-wal")
    before = sorted(p.name for p in target.parent.iterdir())
    errors = []
    monkeypatch.setattr(window, "show_error", lambda title, text: errors.append((title, text)))
    _patch_dialogs(monkeypatch, open_path=src, save_path=target)
    _action(window.menuImport, "actionImportRefiProject").trigger()
    assert errors == [("Cannot import", f"{target}: is the name of a file kept beside the project "
                                        f"{window.ctx.project.path.name}; choose another name (nothing was created)")]
    assert sorted(p.name for p in target.parent.iterdir()) == before


def test_codebook_import_is_one_undo_step(window, qtbot, monkeypatch, tmp_path):
    frame = tmp_path / "frame.csv"
    frame.write_text("code,description\nDeductive/Trust,from 2016\nDeductive/Access,\n", encoding="utf-8")
    _patch_dialogs(monkeypatch, open_path=frame)
    project = window.ctx.project
    before = project.codes.count()
    _action(window.menuImport, "actionImportRefiCodebook").trigger()
    qtbot.waitUntil(lambda: window.refi_actions.job.reported, timeout=30000)
    assert project.codes.count() == before + 3
    assert window.refi_actions.summary.text().startswith("3 new codes")
    assert window.ctx.undo_stack.undoText() == "Import codebook frame.csv"
    window.ctx.undo_stack.undo()
    assert project.codes.count() == before


def test_export_codebook(window, qtbot, monkeypatch, tmp_path):
    out = tmp_path / "frame.qdc"
    _patch_dialogs(monkeypatch, save_path=out)
    _action(window.menuExport, "actionExportRefiCodebook").trigger()
    qtbot.waitUntil(lambda: window.refi_actions.summary is not None, timeout=10000)
    assert out.read_text(encoding="utf-8").startswith("<?xml")


def test_export_dialog_offers_nvivo_for_windows(window, qtbot, monkeypatch, tmp_path):
    """The save dialog's file type picks the target: NVivo for Windows gets UTF-16 offsets."""
    from qualcoder_lite.gui.qdpx_dialog import EXPORT_TARGET_FILTERS

    offered = []

    def save(parent, title, suggested, filters, *a, **k):
        offered.append(filters)
        return str(tmp_path / "nv.qdpx"), EXPORT_TARGET_FILTERS["nvivo-windows"]

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save))
    _action(window.menuExport, "actionExportRefiProject").trigger()
    qtbot.waitUntil(lambda: window.refi_actions.summary is not None, timeout=10000)
    assert all(f in offered[0] for f in EXPORT_TARGET_FILTERS.values())
    xml = zipfile.ZipFile(tmp_path / "nv.qdpx").read("project.qde").decode()
    assert 'origin="QualCoder Lite' in xml and "NVivo for Windows" in xml


# The export runs in a child process (``export_process``); these wrappers run the child's
# ``main`` with a step changed, the way the tests used to patch the export in this process.
_HOLD_WHILE_WRITING = """
import pathlib, sys, time
from qualcoder_lite.core.services.refi import export_process, interop

reached = pathlib.Path(sys.argv[1])
write_qdpx = interop.write_qdpx


def held_write(project, dest, origin, progress, **kw):
    def step(done, total, label):  # inside the write
        if label.startswith("Writing") and not reached.exists():
            reached.touch()
            deadline = time.monotonic() + 20
            while progress(done, total, label) and time.monotonic() < deadline:
                time.sleep(0.02)  # held until the app's cancel has arrived
            return progress(done, total, label)  # without a cancel, the write goes on
        return progress(done, total, label)

    return write_qdpx(project, dest, origin, step, **kw)


interop.write_qdpx = held_write
sys.exit(export_process.main())
"""

_FULL = """
import errno

class Full:
    \"\"\"A file on a full disk: every write fails.\"\"\"
    def __init__(self, fh):
        self.fh = fh
    def write(self, b):
        raise OSError(errno.ENOSPC, "No space left on device")
    def __getattr__(self, name):
        return getattr(self.fh, name)
"""

# the same full disk in the export's child process
_DISK_FULL = _FULL + """
import sys
from qualcoder_lite.core.services.refi import export_process, qdpx_write

real = qdpx_write._OnceFailing.__init__
qdpx_write._OnceFailing.__init__ = lambda self, fh: real(self, Full(fh))
sys.exit(export_process.main())
"""


def _child_runs(monkeypatch, tmp_path, script: str, *args) -> None:
    import sys

    from qualcoder_lite.core.services.refi import export_process

    wrapper = tmp_path / "child.py"
    wrapper.write_text(script, encoding="utf-8")
    monkeypatch.setattr(export_process, "_command", lambda: [sys.executable, str(wrapper), *map(str, args)])


def test_cancelling_an_export_while_it_writes_says_cancelled_not_failed(window, qtbot, monkeypatch, tmp_path):
    """Cancel pressed while the archive is being written (in the export's child process):
    the cancel raised inside the write is reported as a cancel (status bar), not as "Export
    failed … cannot be written", and nothing is left in the folder."""
    from PySide6.QtWidgets import QMessageBox, QPushButton

    folder = tmp_path / "exports"
    folder.mkdir()
    reached = tmp_path / "reached"
    _child_runs(monkeypatch, tmp_path, _HOLD_WHILE_WRITING, reached)
    _patch_dialogs(monkeypatch, save_path=folder / "cancelled.qdpx")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append((a[1], a[2])) or QMessageBox.Ok)
    _action(window.menuExport, "actionExportRefiProject").trigger()
    refi = window.refi_actions
    qtbot.waitUntil(reached.exists, timeout=30000)
    refi.progress.findChild(QPushButton).click()  # what the user does
    assert refi.worker.wait(60)
    qtbot.waitUntil(lambda: "cancelled" in window.statusBar().currentMessage() or bool(shown), timeout=30000)
    assert shown == []
    assert window.statusBar().currentMessage() == "Export REFI-QDA project cancelled; nothing was written."
    assert list(folder.iterdir()) == []


def test_a_failed_write_in_the_export_process_shows_the_same_message(window, qtbot, monkeypatch, tmp_path):
    """A full disk while the child writes: the window shows the message the export gives
    in this process, and nothing is written."""
    from qualcoder_lite.core.errors import QualCoderError
    from qualcoder_lite.core.services.refi import interop, qdpx_write

    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "full.qdpx"
    defined: dict = {}
    exec(_FULL, defined)  # the class the child process uses
    Full = defined["Full"]
    real = qdpx_write._OnceFailing.__init__
    with monkeypatch.context() as m:
        m.setattr(qdpx_write._OnceFailing, "__init__", lambda self, fh: real(self, Full(fh)))
        try:
            interop.export_qdpx(window.ctx.project, out)
        except QualCoderError as exc:
            expected = str(exc)
    assert "No space left on device" in expected and list(folder.iterdir()) == []

    _child_runs(monkeypatch, tmp_path, _DISK_FULL)
    _patch_dialogs(monkeypatch, save_path=out)
    errors = []
    monkeypatch.setattr(window, "show_error", lambda title, message: errors.append((title, message)))
    _action(window.menuExport, "actionExportRefiProject").trigger()
    qtbot.waitUntil(lambda: bool(errors), timeout=30000)
    assert errors == [("Export REFI-QDA project failed — nothing was written", expected)]
    assert list(folder.iterdir()) == []


def test_cancel_pressed_after_the_archive_was_written_shows_what_was_written(window, qtbot, monkeypatch, tmp_path):
    """Cancel that arrives once the export has published its archive (the dialog's last
    moment) came too late: the window says what was written, not "nothing was written"
    beside a file that exists."""
    from qualcoder_lite.core.services.refi import export_process

    target = tmp_path / "late.qdpx"
    real = export_process.export_qdpx_in_child

    def then_cancel(*args, **kwargs):
        report = real(*args, **kwargs)
        window.refi_actions.worker.cancel()  # the user's click, just after the write
        return report

    monkeypatch.setattr(export_process, "export_qdpx_in_child", then_cancel)
    _patch_dialogs(monkeypatch, save_path=target)
    _action(window.menuExport, "actionExportRefiProject").trigger()
    qtbot.waitUntil(lambda: window.refi_actions.summary is not None
                    or "cancelled" in window.statusBar().currentMessage(), timeout=60000)
    assert zipfile.is_zipfile(target)
    assert "cancelled" not in window.statusBar().currentMessage()
    assert window.refi_actions.summary is not None
