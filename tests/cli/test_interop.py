"""export-qdpx, import-qdpx, export-qdc, import-qdc: summaries, JSON, exit codes."""

from __future__ import annotations

import zipfile
from pathlib import Path


def test_export_then_import_qdpx(cli, demo_file, tmp_path):
    out = tmp_path / "demo.qdpx"
    r = cli("export-qdpx", demo_file, out, "--json")
    assert r.code == 0, r.err
    counts = r.json()
    assert counts["sources"] == 8 and counts["codings"] > 0 and counts["file"] == str(out)
    assert "project.qde" in zipfile.ZipFile(out).namelist()

    r = cli("import-qdpx", out, tmp_path / "copy", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert (tmp_path / "copy.qlite").exists() and data["project"] == str(tmp_path / "copy.qlite")
    for key in ("sources", "codes", "codings", "cases", "memos", "matrix_cells"):
        assert data[key] == counts[key], key
    assert data["missing_sources"] == [] and data["kept_aside"]["codings"] == 0

    r = cli("info", tmp_path / "copy.qlite", "--json")
    assert r.json()["codings"] == counts["codings"]


def test_import_qdpx_plain_summary_and_missing_sources(cli, fixtures_dir, tmp_path):
    qdpx = fixtures_dir / "refi-atlas-standard-project" / "files" / "TestProject.qdpx"
    r = cli("import-qdpx", qdpx, tmp_path / "atlas.qlite")
    assert r.code == 0, r.err
    first = r.out.splitlines()[0]
    assert first.startswith("imported 0 sources, 14 codes") and "8 sources missing" in first
    assert "missing source: Mabel.txt" in r.out


def test_import_qdpx_refuses_to_overwrite(cli, demo_file, tmp_path):
    qdpx = tmp_path / "d.qdpx"
    assert cli("export-qdpx", demo_file, qdpx).code == 0
    before = demo_file.read_bytes()
    r = cli("import-qdpx", qdpx, demo_file)
    assert r.code == 1 and "already exists" in r.err and str(demo_file) in r.err
    assert demo_file.read_bytes() == before


def test_import_qdpx_bad_archive_exit_1_nothing_created(cli, tmp_path):
    bad = tmp_path / "bad.qdpx"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("project.qde", "<Project")
    r = cli("import-qdpx", bad, tmp_path / "new.qlite")
    assert r.code == 1
    assert r.err.count("\n") == 1 and str(bad) in r.err and "not well-formed" in r.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.qdpx"]


def test_export_of_an_empty_project_is_exit_1_without_file(cli, project_file, tmp_path):
    r = cli("export-qdpx", project_file, tmp_path / "x.qdpx")
    assert r.code == 1 and "nothing to export" in r.err
    assert not (tmp_path / "x.qdpx").exists()
    r = cli("export-qdc", project_file, tmp_path / "x.qdc")
    assert r.code == 1 and not (tmp_path / "x.qdc").exists()


def test_codebook_export_and_merge(cli, demo_file, project_file, tmp_path):
    qdc = tmp_path / "frame.qdc"
    r = cli("export-qdc", demo_file, qdc, "--json")
    assert r.code == 0 and r.json()["codes"] > 0
    r = cli("import-qdc", qdc, project_file, "--json")
    assert r.code == 0, r.err
    first = r.json()
    assert first["created"] == r.json()["created"] > 0 and first["conflicts"] == []
    r = cli("import-qdc", qdc, project_file, "--json")  # a second time: everything matches by GUID
    again = r.json()
    assert again["created"] == 0 and again["matched_by_guid"] == first["created"]


def test_import_qdc_from_csv_with_conflicts(cli, project_file, tmp_path):
    assert cli("codes", project_file, "add", "Access/Cost", "--description", "money").code == 0
    csv = tmp_path / "frame.csv"
    csv.write_text("code,description\nAccess/Cost,price of care\nAccess/Distance,travel\n", encoding="utf-8")
    r = cli("import-qdc", csv, project_file)
    assert r.code == 0, r.err
    assert r.out.startswith("1 new codes")
    assert "conflict: 'Access/Cost'" in r.out


def test_usage_errors_exit_2(cli_subprocess, cli, tmp_path):
    r = cli_subprocess("export-qdpx")
    assert r.code == 2 and "required" in r.err
    assert cli_subprocess("import-qdpx", tmp_path / "x.qdpx").code == 2
    r = cli("import-qdc", tmp_path / "missing.qdc", tmp_path / "missing.qlite")
    assert r.code == 1 and "missing.qlite" in r.err


def test_import_qdc_unreadable_file_exit_1_project_unchanged(cli, project_file, tmp_path):
    bad = tmp_path / "bad.qdc"
    bad.write_text("<CodeBook", encoding="utf-8")
    r = cli("import-qdc", bad, project_file)
    assert r.code == 1 and str(bad) in r.err
    r = cli("codes", project_file, "list", "--json")
    assert r.json() == []


def test_subprocess_round_trip(cli_subprocess, demo_file, tmp_path: Path):
    out = tmp_path / "demo.qdpx"
    r = cli_subprocess("export-qdpx", demo_file, out)
    assert r.code == 0, r.err
    assert r.out.startswith("exported 8 sources")


def test_export_qdpx_for_nvivo_windows(cli, project_file, tmp_path):
    """--for nvivo-windows writes UTF-16 offsets: after an emoji, one more than code points."""
    import re
    import zipfile

    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.coding.codes import AddCode
    from qualcoder_lite.core.services.coding.coding import ApplyCode
    from tests.helpers import add_text_source

    text = "Great 😀 day."
    with open_project(project_file, coder="ana") as p:
        sid = add_text_source(p, "E", text)
        p.execute(AddCode("Joy"))
        p.execute(ApplyCode(sid, p.codes.find("Joy").id, text.index("day"), text.index("day") + 3))
    for target, expected in (("standard", (8, 11)), ("nvivo-windows", (9, 12))):
        out = tmp_path / f"{target}.qdpx"
        args = ["export-qdpx", project_file, out] + (["--for", target] if target != "standard" else [])
        r = cli(*args)
        assert r.code == 0, r.err
        xml = zipfile.ZipFile(out).read("project.qde").decode()
        m = re.search(r'startPosition="(\d+)" endPosition="(\d+)"', xml)
        assert (int(m.group(1)), int(m.group(2))) == expected


def test_refi_summaries_count_one_in_the_singular(cli, project_file, tmp_path):
    """'exported 1 source, 1 code, 1 coding', never '1 sources' (the import says the same)."""
    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.coding.codes import AddCode
    from qualcoder_lite.core.services.coding.coding import ApplyCode
    from tests.helpers import add_text_source

    with open_project(project_file, coder="ana") as p:
        sid = add_text_source(p, "E", "One passage only.")
        p.execute(AddCode("Only"))
        p.execute(ApplyCode(sid, p.codes.find("Only").id, 0, 3))
    out = tmp_path / "one.qdpx"
    r = cli("export-qdpx", project_file, out)
    assert r.code == 0 and r.out.startswith("exported 1 source, 1 code, 1 coding, 0 cases, 0 memos to "), r.out
    r = cli("import-qdpx", out, tmp_path / "back.qlite")
    assert r.code == 0 and r.out.startswith("imported 1 source, 1 code, 1 coding, 0 cases, 0 memos"), r.out
