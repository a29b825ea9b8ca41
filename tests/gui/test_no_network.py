"""Nothing leaves the laptop: opening, coding and exporting make no network connection and
no name lookup. An audit hook (``sys.addaudithook``) in a child process records every
socket connect and address lookup; Unix-domain (local) sockets are not network."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent("""
    import json, socket, sys
    events = []
    NET = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
           "socket.gethostbyaddr", "socket.getnameinfo", "socket.sendto", "urllib.Request", "http.client.connect",
           "ftplib.connect", "smtplib.connect"}
    def hook(event, args):
        if event not in NET:
            return
        if event == "socket.connect" and getattr(args[0], "family", None) == socket.AF_UNIX:
            return  # local IPC (e.g. a desktop bus), not the network
        events.append([event, repr(args)[:200]])
    sys.addaudithook(hook)
    sys.path.insert(0, __ROOT__)
    out = sys.argv[1]

    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from qualcoder_lite.core.services.sources.demo import build_demo
    from qualcoder_lite.gui.main_window import MainWindow
    build_demo(out + "/demo.qlite").close()
    w = MainWindow(coder="alex")
    w.open_path(__import__("pathlib").Path(out + "/demo.qlite"))
    w.show(); app.processEvents()
    wb = w.workbench
    view = wb.view
    from PySide6.QtGui import QTextCursor
    cur = view.textCursor(); cur.setPosition(20); cur.setPosition(60, QTextCursor.KeepAnchor); view.setTextCursor(cur)
    wb.codes.select_code(w.ctx.project.codes.all()[1].id)
    w.actionApplyCode.trigger()
    w.actionUndo.trigger(); w.actionRedo.trigger()
    w.show_view("matrix"); app.processEvents()
    job = w.matrix.export(out + "/matrix.docx", with_quotes=True)
    while not job.reported:  # the export runs as a job off the GUI thread
        app.processEvents(); __import__("time").sleep(0.01)
    p = w.ctx.project
    from qualcoder_lite.core.services.quotes import exports
    from qualcoder_lite.core.services.refi import interop
    from qualcoder_lite.core.services.quotes.quotes import ReportOptions
    exports.write_report(p, ReportOptions(), out + "/report.docx")
    exports.export_codebook(p, out + "/codebook.docx")
    interop.export_qdpx(p, out + "/project.qdpx")
    w.close_project()
    print(json.dumps(events))
""")


def test_open_code_export_make_no_network_calls(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QUALCODER_LITE_CONFIG_DIR=str(tmp_path / "c"),
               QUALCODER_LITE_DATA_DIR=str(tmp_path / "d"))
    proc = subprocess.run([sys.executable, "-c", CHILD.replace('__ROOT__', repr(str(ROOT))), str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    events = json.loads(proc.stdout.strip().splitlines()[-1])
    assert events == []
    for name in ("matrix.docx", "report.docx", "codebook.docx", "project.qdpx"):
        assert (tmp_path / name).exists(), name


def test_the_hook_does_see_a_connection(tmp_path):
    """The detector works: a real (refused) TCP connect to localhost is recorded."""
    code = CHILD.split("sys.addaudithook(hook)")[0] + textwrap.dedent("""
        sys.addaudithook(hook)
        s = socket.socket()
        try:
            s.connect(("127.0.0.1", 9))
        except OSError:
            pass
        print(json.dumps(events))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert [e[0] for e in json.loads(proc.stdout.strip())] == ["socket.connect"]
