"""Where an export from the app goes: the core's output guard, with the app's questions.

Every export dialog asks for a file name and hands it here. A project (this one, any
other, an encrypted one), a file another program holds or a folder is refused with the
guard's message; an existing file is replaced only when the user said so (the file
dialog's own "Replace?" question, or ours when the name was changed or given in code).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from ..core.outfile import Output, OutputError, check


def choose_target(parent: QWidget, path: str | Path, project=None, confirmed: bool = False,
                  title: str = "Export") -> Output | None:
    """An ``Output`` for ``path`` the user may write, or None (after telling them why).

    ``confirmed``: the user already agreed to replace an existing file at exactly this
    path (Qt's save dialog asks)."""
    p = Path(path)
    project_path = getattr(project, "path", None)
    out = Output(p, force=True, project=Path(project_path) if project_path else None)
    try:
        check(out)  # the refusals --force cannot lift
    except OutputError as exc:
        QMessageBox.warning(parent, f"{title}: cannot write here", str(exc))
        return None
    if p.exists() and not confirmed:
        answer = QMessageBox.question(parent, f"{title}: replace file?",
                                      f"{p.name} already exists in {p.parent}.\nReplace it?",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return None
    return out


def from_dialog(parent: QWidget, chosen: str, suffix: str, project=None, title: str = "Export") -> Output | None:
    """The target for a name picked in a save dialog, with ``suffix`` added when missing
    (a name the dialog did not confirm is asked about again)."""
    if not chosen:
        return None
    p = Path(chosen)
    confirmed = True
    if suffix and p.suffix.lower() != suffix.lower():
        p = p.with_name(p.name + suffix) if not p.suffix else p.with_suffix(suffix)
        confirmed = False
    return choose_target(parent, p, project, confirmed=confirmed, title=title)


def target_of(parent: QWidget, target: "str | Path | Output", project=None, title: str = "Export") -> Output | None:
    """``target`` as an Output: one the save dialog already confirmed is used as it is; a
    bare path (given in code) is checked and asked about like any other."""
    if isinstance(target, Output):
        return target
    return choose_target(parent, target, project, title=title)
