"""Hostile input at the edges (issue 12, items 9 and 10), through real files, real child
processes, a real pipe and a real full file system.

Item 9, resource limits (``core/limits.py``): a REFI-QDA file of duplicate selections is
refused in bounded memory; selections past the per-source limit are left out and listed;
attribute rows for ids that match no case create no case unless asked (``--create-cases``,
or the app's question); attribute tables past the row, column, cell and value limits are
refused, the project unchanged.

Item 10, one line naming the file and the cause, never a traceback and never transcript
text: an RTF ``\\u`` escape past any code point; a damaged text page read by search,
segments and export; an export onto a full disk or past the file size limit; output into
a pipe whose reader went away (``| head``); code trees nested thousands deep.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest

from qualcoder_lite.core import limits

ROOT = Path(__file__).resolve().parents[2]
NS = "urn:QDA-XML:project:1.0"
SECRET = "QUINCEWORD"  # a word of the transcript that must never appear in a message
TEXT = (f"Interviewer: How did the referral go?\n\nP1: The referral was {SECRET} quick and the link worker "
        "was kind to us.\n\n") * 40


def qcl(*args, cwd: Path | None = None, **kw) -> subprocess.CompletedProcess:
    """``qualcoder-lite ARGS`` in a child process."""
    return subprocess.run([sys.executable, "-m", "qualcoder_lite", *map(str, args)], capture_output=True,
                          text=True, timeout=600, cwd=cwd, **kw)


# The command line in a child that reports its own peak memory in KiB: VmHWM, the high-water
# mark of the memory it has had since exec. (ru_maxrss would do on a fresh process, but Linux
# carries it over from the parent at fork and exec: a 3 GB pytest would look like 3 GB here.)
_MEASURED = r"""
import resource, sys
from qualcoder_lite.cli import main
code = main(sys.argv[2:])
try:
    with open("/proc/self/status") as st:
        peak = next(int(line.split()[1]) for line in st if line.startswith("VmHWM:"))
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with open(sys.argv[1], "w") as fh:
    fh.write(str(peak))
sys.exit(code)
"""


def measured(tmp_path: Path, *args) -> tuple[subprocess.CompletedProcess, float]:
    """(result, peak resident memory in MB) of ``qualcoder-lite ARGS`` in a fresh child."""
    report = tmp_path / f"rss-{uuid.uuid4().hex[:6]}.txt"
    proc = subprocess.run([sys.executable, "-c", _MEASURED, str(report), *map(str, args)], capture_output=True,
                          text=True, timeout=600, cwd=ROOT)
    return proc, int(report.read_text()) / 1024


def one_line(proc: subprocess.CompletedProcess) -> str:
    """The failure message: exactly one line, ours, no traceback."""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("qualcoder-lite: "), proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    return lines[0]


def new_project(tmp_path: Path, *texts: tuple[str, str]) -> Path:
    """A project made through the command line, one transcript (and case) per (name, text)."""
    proj = tmp_path / "P.qlite"
    assert qcl("new", proj, "--coder", "ann").returncode == 0
    files = []
    for name, text in texts:
        f = tmp_path / f"{name}.txt"
        f.write_text(text, encoding="utf-8")
        files.append(f)
    if files:
        r = qcl("import", proj, *files)
        assert r.returncode == 0, r.stderr
    return proj


def leftovers(folder: Path, stem: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith((stem, f".{stem}")))


# --------------------------------------------------------------------------- REFI-QDA files
def write_qdpx(path: Path, selections: list[tuple[int, int]], text: str = TEXT,
               case_selection: int | None = None) -> list[str]:
    """A .qdpx with one source, one code and one PlainTextSelection per (start, end), and
    a case P1 referring to selection number ``case_selection``; returns the selection
    GUIDs. Numbered GUIDs, as a generator would write them."""
    code, src, user = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    stem = str(uuid.uuid4())[:24]
    guids = [f"{stem}{i:012x}" for i in range(len(selections))]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("project.qde", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<Project xmlns="{NS}" name="hostile" origin="t">'
                     f'<Users><User guid="{user}" name="u"/></Users>'
                     f'<CodeBook><Codes><Code guid="{code}" name="Referrals" isCodable="true"/></Codes></CodeBook>'
                     .encode())
            if case_selection is not None:
                fh.write(f'<Cases><Case guid="{uuid.uuid4()}" name="P1"><SelectionRef '
                         f'targetGUID="{guids[case_selection]}"/></Case></Cases>'.encode())
            fh.write(f'<Sources><TextSource guid="{src}" name="s" plainTextPath="internal://{src}.txt">\n'.encode())
            for g, (a, b) in zip(guids, selections):
                fh.write(f'<PlainTextSelection guid="{g}" startPosition="{a}" endPosition="{b}" creatingUser="{user}">'
                         f'<Coding guid="{g}" creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding>'
                         '</PlainTextSelection>\n'.encode())
            fh.write(b"</TextSource></Sources></Project>\n")
        zf.writestr(f"sources/{src}.txt", text)
    return guids


def test_a_flood_of_duplicate_selections_is_refused_in_bounded_memory(tmp_path):
    """Before: 150,000 copies of one selection took ~450 MB and were all read (320,000 took
    1.15 GB); now the duplicates are dropped as the XML streams by and the file is refused
    past the duplicate limit, nothing created."""
    n = limits.MAX_DUPLICATE_SELECTIONS + 50_000
    src = tmp_path / "dupes.qdpx"
    write_qdpx(src, [(45, 80)] * n)
    proc, rss = measured(tmp_path, "import-qdpx", src, tmp_path / "out.qlite", "--coder", "ann")
    assert proc.returncode == 1
    line = one_line(proc)
    assert "dupes.qdpx" in line and f"more than {limits.MAX_DUPLICATE_SELECTIONS:,} duplicate selections" in line
    assert not (tmp_path / "out.qlite").exists() and not leftovers(tmp_path, "out.qlite")
    assert rss < 200, f"peak memory {rss:.0f} MB"


def test_duplicate_selections_are_dropped_counted_and_keep_their_case_link(tmp_path):
    # the case refers to the last copy of the duplicated selection, which is dropped
    write_qdpx(tmp_path / "d.qdpx", [(45, 80)] * 300 + [(10, 30)], case_selection=299)
    proc = qcl("import-qdpx", tmp_path / "d.qdpx", tmp_path / "d.qlite", "--json", "--coder", "ann")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["codings"] == 2
    dropped = {k: v for k, v in report["skipped"].items() if k.startswith("duplicate selections")}
    assert list(dropped.values()) == [299], report["skipped"]
    cases = json.loads(qcl("cases", tmp_path / "d.qlite", "list", "--json").stdout)
    assert [(c["case"], c["sources"]) for c in cases] == [("P1", ["s"])]


def test_selections_past_the_per_source_limit_are_left_out_and_listed(tmp_path):
    per = limits.MAX_SELECTIONS_PER_SOURCE
    text = "word " * 20_000  # 100,000 characters: room for every span to differ
    spans = [(i % 90_000, i % 90_000 + 5 + i // 90_000) for i in range(per + 7)]
    write_qdpx(tmp_path / "many.qdpx", spans, text=text)
    proc = qcl("import-qdpx", tmp_path / "many.qdpx", tmp_path / "m.qlite", "--coder", "ann")
    assert proc.returncode == 0, proc.stderr
    assert "7 selections over the limits not imported" in proc.stdout.splitlines()[0]
    assert f"refused: source 's': 7 selections over the limit of {per:,} per source not imported" in proc.stdout
    info = json.loads(qcl("info", tmp_path / "m.qlite", "--json").stdout)
    assert info["codings"] == per


# --------------------------------------------------------------------------- attribute tables
def test_attribute_rows_for_unknown_ids_create_no_case_unless_asked(tmp_path):
    proj = new_project(tmp_path, ("P1", TEXT), ("P2", TEXT.replace("P1:", "P2:") + "More.\n"))
    unknown = [f"X{i:03d}" for i in range(1, 31)]
    csv = tmp_path / "cases.csv"
    csv.write_text("case,wave\nP1,2016\nP2,2021\n" + "".join(f"{x},2021\n" for x in unknown), encoding="utf-8")

    proc = qcl("attributes", proj, csv, "--coder", "ann")
    assert proc.returncode == 0, proc.stderr
    assert "left out 30 rows whose case id matches no case" in proc.stderr
    assert ", ".join(unknown[:limits.UNMATCHED_SHOWN]) + " and 20 more" in proc.stderr
    assert "--create-cases" in proc.stderr
    cases = json.loads(qcl("cases", proj, "list", "--json").stdout)
    assert [(c["case"], c["attributes"]) for c in cases] == [("P1", {"wave": "2016"}), ("P2", {"wave": "2021"})]

    proc = qcl("attributes", proj, csv, "--create-cases", "--coder", "ann")
    assert proc.returncode == 0, proc.stderr
    assert "created 30 cases without sources" in proc.stderr
    assert len(json.loads(qcl("cases", proj, "list", "--json").stdout)) == 32

    only_unknown = tmp_path / "others.csv"
    only_unknown.write_text("case,role\nY1,GP\nY2,GP\n", encoding="utf-8")
    before = proj.read_bytes()
    proc = qcl("attributes", proj, only_unknown, "--coder", "ann")
    assert proc.returncode == 1
    line = one_line(proc)
    assert "others.csv" in line and "nothing was imported" in line and "Y1, Y2" in line
    assert proj.read_bytes() == before


def _csv(path: Path, header: list[str], rows) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(header) + "\n")
        for row in rows:
            fh.write(",".join(row) + "\n")
    return path


def _xlsx(path: Path, header: list[str], rows) -> Path:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


TABLES = {
    "rows.csv": (lambda p: _csv(p, ["case", "wave"], ([f"C{i}", "2016"] for i in range(limits.MAX_ATTRIBUTE_ROWS + 1))),
                 f"more than {limits.MAX_ATTRIBUTE_ROWS:,} rows"),
    "rows.xlsx": (lambda p: _xlsx(p, ["case", "wave"], ([f"C{i}", 2016] for i in range(limits.MAX_ATTRIBUTE_ROWS + 1))),
                  f"more than {limits.MAX_ATTRIBUTE_ROWS:,} rows"),
    "columns.csv": (lambda p: _csv(p, ["case"] + [f"a{i}" for i in range(limits.MAX_ATTRIBUTE_COLUMNS + 1)],
                                   [["P1"] + ["x"] * (limits.MAX_ATTRIBUTE_COLUMNS + 1)]),
                    f"more than {limits.MAX_ATTRIBUTE_COLUMNS:,} attribute columns"),
    "cells.csv": (lambda p: _csv(p, ["case"] + [f"a{i}" for i in range(100)],
                                 ([f"C{i}"] + ["1"] * 100 for i in range(limits.MAX_ATTRIBUTE_CELLS // 100 + 1))),
                  f"more than {limits.MAX_ATTRIBUTE_CELLS:,} values"),
    "value.csv": (lambda p: _csv(p, ["case", "notes"], [["P1", "n" * (limits.MAX_ATTRIBUTE_VALUE_CHARS + 1)]]),
                  f"the limit is {limits.MAX_ATTRIBUTE_VALUE_CHARS:,}"),
    "case-id.csv": (lambda p: _csv(p, ["case", "wave"], [["P" * (limits.MAX_ATTRIBUTE_NAME_CHARS + 1), "2016"]]),
                    f"longer than {limits.MAX_ATTRIBUTE_NAME_CHARS:,} characters"),
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_attribute_tables_past_a_limit_are_refused_and_change_nothing(tmp_path, name):
    proj = new_project(tmp_path, ("P1", TEXT))
    make, reason = TABLES[name]
    table = make(tmp_path / name)
    before = proj.read_bytes()
    proc = qcl("attributes", proj, table, "--create-cases", "--coder", "ann")
    assert proc.returncode == 1, proc.stdout
    line = one_line(proc)
    assert name in line and reason in line
    assert proj.read_bytes() == before


def test_a_sheet_declaring_every_column_costs_only_its_cells(tmp_path):
    """A worksheet may declare A1:XFD1048576; openpyxl pads each row to the declared width.
    Before: the header came back with 16,382 empty names ("column 3 has an empty attribute
    name"); now the two real columns import."""
    proj = new_project(tmp_path, ("P1", TEXT), ("P2", TEXT + "Again.\n"))
    plain = _xlsx(tmp_path / "plain.xlsx", ["case", "wave"], [["P1", 2016], ["P2", 2021]])
    wide = tmp_path / "wide.xlsx"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(wide, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":  # openpyxl writes no <dimension>: declare one
                assert b"<dimension" not in body and b"<sheetViews>" in body
                body = body.replace(b"<sheetViews>", b'<dimension ref="A1:XFD1048576"/><sheetViews>', 1)
            zout.writestr(info, body)
    proc = qcl("attributes", proj, wide, "--json", "--coder", "ann")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["values_added"] == 2


def test_the_app_asks_before_creating_cases_for_unknown_ids(qtbot, tmp_path, monkeypatch):
    """No: the rows are left out; Cancel: nothing changes; Yes: the cases are created."""
    from PySide6.QtWidgets import QMessageBox

    from qualcoder_lite.gui.attribute_sheet import open_sheet
    from qualcoder_lite.gui.main_window import MainWindow

    monkeypatch.setenv("QUALCODER_LITE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("QUALCODER_LITE_DATA_DIR", str(tmp_path / "data"))
    proj = new_project(tmp_path, ("P1", TEXT))
    csv = tmp_path / "cases.csv"
    csv.write_text("case,wave\nP1,2016\n" + "".join(f"N{i:02d},2021\n" for i in range(1, 13)), encoding="utf-8")
    w = MainWindow(coder="ann")
    qtbot.addWidget(w)
    assert w.open_path(str(proj), coder="ann")
    try:
        sheet = open_sheet(w)
        project = w.ctx.project
        asked: list[str] = []
        answer = [QMessageBox.Cancel]
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or answer[0])
        assert not sheet.import_file(str(csv))
        assert "12 of the 13 rows" in asked[0] and "N01, N02" in asked[0] and "and 2 more" in asked[0]
        assert project.cases.count() == 1 and not project.attributes.all()
        answer[0] = QMessageBox.No
        assert sheet.import_file(str(csv))
        assert project.cases.count() == 1 and "12 rows left out" in sheet.status.text()
        assert project.attributes.case_values()[project.cases.id_of("P1")] == {"wave": "2016"}
        answer[0] = QMessageBox.Yes
        assert sheet.import_file(str(csv))
        assert project.cases.count() == 13 and len(asked) == 3
    finally:
        w.close_project()


# --------------------------------------------------------------------------- item 10: messages
def test_rtf_with_a_character_code_past_any_code_point(tmp_path):
    proj = new_project(tmp_path)
    rtf = tmp_path / "odd.rtf"
    rtf.write_text("{\\rtf1 \\u99999999999? text}", encoding="ascii")
    before = proj.read_bytes()
    proc = qcl("import", proj, rtf, "--coder", "ann")
    assert proc.returncode == 1
    line = one_line(proc)
    assert "odd.rtf" in line and "damaged" in line and "out of range" in line
    assert proj.read_bytes() == before


def _damage_text(proj: Path, word: str) -> None:
    """Overwrite every stored copy of ``word`` with bytes that are not UTF-8 (a damaged
    page of the source's text); the project is closed and checkpointed."""
    data = bytearray(proj.read_bytes())
    raw = word.encode()
    assert data.count(raw) > 0
    i = data.find(raw)
    while i >= 0:
        data[i:i + 4] = b"\xff\xfe\xff\xfe"
        i = data.find(raw, i + 4)
    proj.write_bytes(bytes(data))


@pytest.mark.parametrize("command", [["search", "referral"], ["search", "kind"], ["segments"],
                                     ["export-qdpx", "OUT.qdpx"]])
def test_a_damaged_text_page_is_named_without_quoting_the_transcript(tmp_path, command):
    proj = new_project(tmp_path, ("P1", TEXT))
    assert qcl("codes", proj, "add", "Referrals").returncode == 0
    assert qcl("autocode", proj, "--code", "Referrals", "--pattern", "referral", "--unit", "sentence").returncode == 0
    assert not Path(f"{proj}-wal").exists()
    _damage_text(proj, SECRET[:-4])
    args = [command[0], proj, *[tmp_path / a if a.endswith(".qdpx") else a for a in command[1:]]]
    proc = qcl(*args)
    assert proc.returncode == 1
    line = one_line(proc)
    assert "P.qlite" in line and "damaged" in line
    assert "referral" not in line.lower() and "link worker" not in line and "WORD" not in line
    assert "refused the change" not in line
    assert not (tmp_path / "OUT.qdpx").exists()


def test_a_damaged_schema_page_is_named(tmp_path):
    """Found by flipping bytes in project pages: a table name that is not UTF-8 in the
    schema (sqlite_master) raised UnicodeDecodeError from every command."""
    proj = new_project(tmp_path, ("P1", TEXT))
    data = bytearray(proj.read_bytes())
    i = data.find(b"settingssettings")  # the record's name and tbl_name fields, side by side
    assert i > 0
    data[i:i + 2] = b"\xedA"
    proj.write_bytes(bytes(data))
    for args in (["info", proj], ["segments", proj], ["codes", proj, "list"]):
        proc = qcl(*args)
        assert proc.returncode == 1
        line = one_line(proc)
        assert "P.qlite" in line and "damaged" in line


def _qdpx_project(tmp_path: Path) -> Path:
    """A project whose .qdpx export is about 300 KB (text that does not compress)."""
    import random

    rng = random.Random(5)
    text = "".join(chr(0x4E00 + rng.randrange(20_000)) for _ in range(150_000))
    return new_project(tmp_path, ("P1", f"Interviewer: Hello?\n\nP1: {text}\n"))


@pytest.fixture
def small_fs(tmp_path):
    """A 64 KB tmpfs (root only); skipped where it cannot be mounted."""
    mnt = tmp_path / "full"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_export_qdpx_onto_a_full_disk(tmp_path, small_fs):
    proj = _qdpx_project(tmp_path)
    out = small_fs / "P.qdpx"
    proc = qcl("export-qdpx", proj, out)
    assert proc.returncode == 1
    assert one_line(proc) == f"qualcoder-lite: {out}: cannot be written (No space left on device); nothing was written"
    assert os.listdir(small_fs) == []  # no temporary file left behind


# RLIMIT_FSIZE in the child: the archive, not the project's -wal/-shm, passes the limit
_FSIZE = r"""
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
from qualcoder_lite.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_export_qdpx_past_the_file_size_limit(tmp_path):
    proj = _qdpx_project(tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "P.qdpx"
    proc = subprocess.run([sys.executable, "-c", _FSIZE, "export-qdpx", str(proj), str(out)], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 1
    assert one_line(proc) == f"qualcoder-lite: {out}: cannot be written (File too large); nothing was written"
    assert os.listdir(out_dir) == []


def test_output_into_a_pipe_closed_early(tmp_path):
    """`qualcoder-lite segments P | head -1`: exit 0 and nothing more (no "Broken pipe")."""
    text = "".join(f"P1: line {i} talks about the referral pathway again\n\n" for i in range(3000))
    proj = new_project(tmp_path, ("P1", text))
    assert qcl("codes", proj, "add", "T").returncode == 0
    assert qcl("autocode", proj, "--code", "T", "--pattern", "referral", "--unit", "paragraph").returncode == 0
    args = [sys.executable, "-m", "qualcoder_lite", "segments", str(proj)]
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout.readline()  # like `head -1`: one line, then the reader is gone
        child.stdout.close()
        err = child.stderr.read().decode()
        code = child.wait(timeout=120)
    assert code == 0, err
    assert err == ""  # not "Broken pipe", not "Exception ignored", not the segment count


def test_code_trees_nested_thousands_deep(tmp_path):
    proj = new_project(tmp_path, ("P1", TEXT))
    deep_csv = tmp_path / "deep.csv"
    deep_csv.write_text("path\n" + "/".join(f"level {i}" for i in range(2_000)) + "\n", encoding="utf-8")
    deep_txt = tmp_path / "deep.txt"
    deep_txt.write_text("\n".join(" " * i + f"level {i}" for i in range(3_000)) + "\n", encoding="utf-8")
    for book, where in ((deep_csv, "row 2"), (deep_txt, f"line {limits.MAX_CODE_DEPTH + 1}")):
        proc = qcl("import-qdc", book, proj, "--coder", "ann")
        assert proc.returncode == 1
        line = one_line(proc)
        assert book.name in line and where in line and f"more than {limits.MAX_CODE_DEPTH}" in line
    # a colleague's copy (or a damaged file) whose codes nest 3,000 deep
    other = tmp_path / "other.qlite"
    assert qcl("new", other, "--coder", "bob").returncode == 0
    with contextlib.closing(sqlite3.connect(other)) as conn, conn:
        parent = None
        for i in range(3_000):
            parent = conn.execute("INSERT INTO codes (guid, parent_id, name, description, color, memo, position, "
                                  "created) VALUES (?, ?, ?, '', '#336699', '', 0, '2024-01-01')",
                                  (str(uuid.uuid4()), parent, f"c{i}")).lastrowid
    before = proj.read_bytes()
    for args in (["codes", other, "list"], ["export-qdpx", other, tmp_path / "o.qdpx"], ["merge", proj, other]):
        proc = qcl(*args)
        assert proc.returncode == 1, args
        line = one_line(proc)
        assert "other.qlite" in line and f"more than {limits.MAX_CODE_DEPTH} levels" in line
    assert proj.read_bytes() == before
    proc = qcl("codes", proj, "add", "/".join(["x"] * (limits.MAX_CODE_DEPTH + 1)))
    assert proc.returncode == 2 and "at most 100 levels" in one_line(proc)
