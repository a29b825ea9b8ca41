"""No export ever replaces a project (issue 12, item 1).

Every command that writes a file is pointed at the project itself (by its name, a
symlink and a hard link), at another project (also one a second process holds open),
at an encrypted project, at an existing file without and with --force, and at a file an
office program holds. Each refusal is exit 1 with nothing written; the projects are
byte-for-byte unchanged. A SIGKILL at three points of an export leaves the previous file
as it was, and the next command removes the killed process's temporary file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# every command that writes a file: (argv with {P} the project, {O} the output); output suffix
WRITERS = [
    (["export-qdpx", "{P}", "{O}"], ".qdpx"),
    (["export-qdc", "{P}", "{O}"], ".qdc"),
    (["report", "{P}", "--out", "{O}"], ".docx"),
    (["codebook", "{P}", "--out", "{O}"], ".csv"),
    (["codebook", "{P}", "--out", "{O}"], ".docx"),
    (["export-source", "{P}", "GP01", "--out", "{O}"], ".docx"),
    (["matrix", "{P}", "--out", "{O}"], ".xlsx"),
    (["matrix", "{P}", "--out", "{O}"], ".csv"),
    (["matrix", "{P}", "--out", "{O}"], ".docx"),
    (["agreement", "{P}", "--coders", "alex", "sam", "--out", "{O}"], ".csv"),
    (["pseudonymise", "{P}", "suggest", "--out", "{O}"], ".csv"),
]
IDS = [f"{argv[0]}{'-' + argv[2] if argv[0] == 'pseudonymise' else ''}{suffix}" for argv, suffix in WRITERS]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def argv_for(template, project: Path, out: Path, *extra) -> list[str]:
    return [a.replace("{P}", str(project)).replace("{O}", str(out)) for a in template] + list(extra)


@pytest.fixture
def demo(demo_template, tmp_path) -> Path:
    folder = tmp_path / "study"
    folder.mkdir()
    dst = folder / "demo.qlite"
    shutil.copy(demo_template, dst)
    return dst


def run(cli, template, project, out, *extra):
    return cli(*argv_for(template, project, out, *extra))


def project_digests(*paths: Path) -> dict[str, str]:
    return {str(p): digest(p) for p in paths}


def test_every_writer_writes_a_new_file(cli, demo, tmp_path):
    """The guard lets ordinary exports through (otherwise every refusal test is empty)."""
    for i, (template, suffix) in enumerate(WRITERS):
        out = tmp_path / f"fresh{i}{suffix}"
        r = run(cli, template, demo, out)
        assert r.code == 0, (template, r.err)
        assert out.is_file() and out.stat().st_size > 0


@pytest.mark.parametrize(("template", "suffix"), WRITERS, ids=IDS)
def test_output_is_the_project_itself(cli, demo, template, suffix):
    before = digest(demo)
    link = demo.with_name("link" + suffix)
    link.symlink_to(demo.name)
    hard = demo.with_name("hard" + suffix)
    os.link(demo, hard)
    for out in (link, hard):
        r = run(cli, template, demo, out)
        assert r.code == 1, (out, r.err)
        assert "project" in r.err and "Traceback" not in r.err
        assert digest(demo) == before
    # the project's own name (whatever its extension): refused as a project or by its suffix
    r = run(cli, template, demo, demo)
    assert r.code in (1, 2) and digest(demo) == before


@pytest.mark.parametrize(("template", "suffix"), WRITERS, ids=IDS)
def test_output_is_another_project(cli, demo, tmp_path, template, suffix):
    other = tmp_path / ("other" + suffix)  # a project under an export's name
    shutil.copy(demo, other)
    before = digest(other)
    for extra in ((), ("--force",)):
        r = run(cli, template, demo, other, *extra)
        assert r.code == 1, r.err
        assert "never" in r.err and str(other) in r.err
        assert digest(other) == before


def test_output_is_an_encrypted_project(cli, demo, tmp_path, monkeypatch):
    pytest.importorskip("sqlcipher3", reason="the 'encrypt' extra is not installed")
    secret = tmp_path / "secret.qdpx"
    monkeypatch.setenv("QUALCODER_LITE_PASSPHRASE", "correct horse")
    assert cli("new", secret.with_suffix("")).code == 0  # makes secret.qlite
    enc = tmp_path / "secret.qlite"
    assert cli("encrypt", enc).code == 0
    shutil.copy(enc, secret)
    monkeypatch.delenv("QUALCODER_LITE_PASSPHRASE")
    before = digest(secret)
    r = cli("export-qdpx", demo, secret, "--force")
    assert r.code == 1 and "encrypted project" in r.err
    assert digest(secret) == before


@pytest.mark.parametrize(("template", "suffix"), WRITERS, ids=IDS)
def test_existing_file_needs_force(cli, demo, tmp_path, template, suffix):
    out = tmp_path / ("existing" + suffix)
    out.write_bytes(b"my own notes, not to be lost")
    r = run(cli, template, demo, out)
    assert r.code == 1 and "--force" in r.err
    assert out.read_bytes() == b"my own notes, not to be lost"
    r = run(cli, template, demo, out, "--force")
    assert r.code == 0, r.err
    assert out.read_bytes() != b"my own notes, not to be lost"


@pytest.mark.parametrize("lock_name", [".~lock.{}#", "~${}", "~${short}"])
def test_file_an_office_program_holds(cli, demo, tmp_path, lock_name):
    out = tmp_path / "tables.docx"
    out.write_bytes(b"open in Word")
    (tmp_path / lock_name.format(out.name, short=out.name[2:])).write_text("owner")
    r = cli("report", demo, "--out", out, "--force")
    assert r.code == 1 and "open in another program" in r.err
    assert out.read_bytes() == b"open in Word"


def test_project_companions_are_refused(cli, demo):
    for suffix in ("-wal", "-shm", ".lock"):
        companion = Path(str(demo) + suffix)
        companion.write_bytes(b"x")
        r = cli("codebook", demo, "--out", Path(str(companion) + ".csv"))  # a sibling name is fine
        assert r.code == 0
    r = cli("export-qdc", demo, Path(str(demo) + "-wal"), "--force")
    assert r.code == 1 and "belongs to the project" in r.err


HOLDER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from qualcoder_lite.core.project import open_project
    p = open_project(sys.argv[1], lock=True)
    print("HOLDING", flush=True)
    time.sleep(120)
""")


def test_output_is_a_project_another_process_has_open(demo, tmp_path, cli_subprocess):
    """The colleague's project is open in the app (a second process holds its lock)."""
    other = tmp_path / "open-elsewhere.qdpx"
    shutil.copy(demo, other)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER.format(root=str(ROOT)), str(other)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "HOLDING"
        before = digest(other)
        r = cli_subprocess("export-qdpx", demo, other, "--force")
        assert r.code == 1 and "never" in r.err
        assert digest(other) == before
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_import_qdpx_arguments_swapped(cli, demo, tmp_path):
    archive = tmp_path / "x.qdpx"
    assert cli("export-qdpx", demo, archive).code == 0
    before = digest(demo)
    r = cli("import-qdpx", demo, archive)
    assert r.code == 1
    assert r.err.strip().endswith("arguments in the wrong order: import-qdpx IN.qdpx PROJECT")
    r = cli("import-qdpx", demo, tmp_path / "new.qlite")
    assert r.code == 1 and "wrong order" in r.err
    assert digest(demo) == before and not (tmp_path / "new.qlite").exists()


def test_second_inputs_refuse_the_project_itself(cli, demo):
    hard = demo.with_name("colleague.qlite")
    os.link(demo, hard)
    link = demo.with_name("key.csv")
    link.symlink_to(demo.name)
    before = digest(demo)
    r = cli("merge", demo, hard)
    assert r.code == 2 and "is this project" in r.err
    r = cli("pseudonymise", demo, "apply", link)
    assert r.code == 2 and "is this project" in r.err
    assert digest(demo) == before


def test_remove_key_force_keeps_its_meaning():
    from qualcoder_lite.cli import build_parser

    args = build_parser().parse_args(["pseudonymise", "P", "remove-key", "--yes", "--force"])
    assert args.force is True and not hasattr(args, "replace_output")
    args = build_parser().parse_args(["pseudonymise", "P", "export-key", "key.csv", "--force"])
    assert args.replace_output is True


# --------------------------------------------------------------------------- kills
KILLED_EXPORT = textwrap.dedent("""
    import os, sys, time, zipfile
    sys.path.insert(0, {root!r})
    point = sys.argv[3]

    def stop():
        print("KILLME", flush=True)
        time.sleep(120)

    if point == "render":  # while the XML is built, before the temp file is written
        from qualcoder_lite.core.services.refi import qdpx_write as qdpx_export
        original = qdpx_export.render_project
        def render(*a, **k):
            out = original(*a, **k)
            stop()
        qdpx_export.render_project = render
    elif point == "zip":  # half-way through the archive: one source written, the next about to be
        original = zipfile.ZipFile.open
        def open_(self, name, mode="r", *a, **k):
            member = getattr(name, "filename", name)
            if mode == "w" and member.lower().startswith("sources/") and any(
                    i.filename.lower().startswith("sources/") for i in self.filelist):
                self.fp.flush()
                stop()
            return original(self, name, mode, *a, **k)
        zipfile.ZipFile.open = open_
    elif point == "rename":  # complete temp file, just before it replaces the old export
        from qualcoder_lite.core import outfile
        original = outfile.os.replace
        def replace(a, b):
            stop()
        outfile.os.replace = replace
    from qualcoder_lite.cli import main
    sys.exit(main(["export-qdpx", sys.argv[1], sys.argv[2], "--force"]))
""")


@pytest.mark.parametrize("point", ["render", "zip", "rename"])
def test_kill_during_export_keeps_the_previous_file(demo, tmp_path, point, cli_subprocess):
    out = tmp_path / "shared.qdpx"
    out.write_bytes(b"yesterday's export")
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-c", KILLED_EXPORT.format(root=str(ROOT)), str(demo), str(out), point],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() == "KILLME", proc.stderr.read()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert out.read_bytes() == b"yesterday's export"
    left = sorted(tmp_path.glob(".shared.qdpx.*.qltmp"))
    if point != "render":
        assert left, "the killed export had a temporary file"
        assert all((p.stat().st_mode & 0o777) == 0o600 for p in left)  # owner-only while it exists
    r = cli_subprocess("info", demo, env=env)  # any next command sweeps it
    assert r.code == 0, r.err
    assert not list(tmp_path.glob(".shared.qdpx.*.qltmp"))
    assert not list((tmp_path / "data" / "pending").glob("*.json"))
    assert out.read_bytes() == b"yesterday's export"


FULL_DISK = textwrap.dedent("""
    import resource, signal, sys
    sys.path.insert(0, {root!r})
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (8_000, 8_000))
    from qualcoder_lite.cli import main
    sys.exit(main(sys.argv[1:]))
""")


@pytest.mark.parametrize(("template", "suffix"), [WRITERS[0], WRITERS[2], WRITERS[6]], ids=["qdpx", "report", "xlsx"])
def test_full_disk_leaves_no_half_file(demo, tmp_path, template, suffix):
    out = tmp_path / ("big" + suffix)
    out.write_bytes(b"previous")
    import sqlite3

    keep = sqlite3.connect(demo)  # holds the project's -shm (32 KB, over the child's file-size limit)
    keep.execute("SELECT count(*) FROM sources").fetchone()
    proc = subprocess.run([sys.executable, "-c", FULL_DISK.format(root=str(ROOT)),
                           *argv_for(template, demo, out, "--force")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert str(out) in proc.stderr and "cannot be written" in proc.stderr
    assert out.read_bytes() == b"previous"
    keep.close()
    assert not list(tmp_path.glob(f".{out.name}.*"))


KILLED_MERGE = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from qualcoder_lite.core.services.team import merge_read as merge  # read_copy calls snapshot_of there
    original = merge.snapshot_of
    def snapshot_of(*a, **k):  # the colleague's copy sits in the scratch folder now
        print("KILLME", flush=True)
        time.sleep(120)
    merge.snapshot_of = snapshot_of
    from qualcoder_lite.cli import main
    sys.exit(main(["merge", sys.argv[1], sys.argv[2]]))
""")


def test_killed_merge_leaves_no_copy_of_the_colleagues_project(demo, tmp_path, cli_subprocess):
    import tempfile

    other = tmp_path / "colleague.qlite"
    shutil.copy(demo, other)
    proc = subprocess.Popen([sys.executable, "-c", KILLED_MERGE.format(root=str(ROOT)), str(demo), str(other)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "KILLME", proc.stderr.read()
    scratch = list(Path(tempfile.gettempdir()).glob(f"qualcoder-merge-{proc.pid}-*"))
    assert scratch and any(p.name == "copy.qlite" for p in scratch[0].iterdir())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert cli_subprocess("info", demo).code == 0  # the next command sweeps it
    assert not scratch[0].exists()
