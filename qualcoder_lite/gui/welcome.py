"""The welcome page: recent projects, New, Open, the demo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from . import prefs


class WelcomePage(QWidget):
    openRequested = Signal(str)
    newRequested = Signal()
    browseRequested = Signal()
    demoRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("welcomePage")
        title = QLabel("<h1>QualCoder Lite</h1><p>Code interview transcripts, chart a framework matrix, "
                       "export Word quote tables. Everything stays on this computer.</p>", self)
        title.setWordWrap(True)
        self.recent = QListWidget(self)
        self.recent.setObjectName("recentList")
        self.recent.itemActivated.connect(lambda item: self.openRequested.emit(item.data(Qt.UserRole)))
        new = QPushButton("New project…", self)
        new.setObjectName("welcomeNew")
        opn = QPushButton("Open project…", self)
        opn.setObjectName("welcomeOpen")
        demo = QPushButton("Open the demo project", self)
        demo.setObjectName("welcomeDemo")
        new.clicked.connect(self.newRequested)
        opn.clicked.connect(self.browseRequested)
        demo.clicked.connect(self.demoRequested)
        buttons = QHBoxLayout()
        for b in (new, opn, demo):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 36, 48, 36)
        layout.addWidget(title)
        layout.addLayout(buttons)
        layout.addWidget(QLabel("<b>Recent projects</b>", self))
        layout.addWidget(self.recent, 1)
        self.reload()

    def reload(self) -> None:
        self.recent.clear()
        for p in prefs.recent_projects():
            path = Path(p)
            item = QListWidgetItem(f"{path.stem}    —    {path.parent}")
            item.setData(Qt.UserRole, p)
            if not path.exists():
                item.setText(item.text() + "   (missing)")
                item.setFlags(item.flags() & ~Qt.ItemIsEnabled)
            self.recent.addItem(item)
