"""`pseudonymise PROJECT suggest|apply|export-key|remove-key` end to end on the demo project."""

from __future__ import annotations

import csv
import html
import zipfile
from pathlib import Path

import pytest

from qualcoder_lite.core.project import open_project
from tests.helpers import dump

NAMES = {"Dr Fraser": "[GP_F]", "Siobhán": "[P_S]", "Kirsty": "[P_K]", "Callum": "[P_C]",
         "Glenmorie Health Centre": "[ORG_1]", "Glenmorie": "[PLACE_1]", "Millbrae Medical Group": "[ORG_2]"}


def _key(path: Path, rows, header=True) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        if header:
            w.writerow(["real", "pseudonym"])
        w.writerows(rows)
    return path


def _all_text(path: Path) -> str:
    """Everything a reader of the file could see: every member of a zip (docx, xlsx, qdpx),
    or the file itself."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            parts = [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
            parts += z.namelist()
        return html.unescape("\n".join(parts))
    return path.read_text(encoding="utf-8-sig")


def test_suggest_lists_candidates(cli, demo_file, tmp_path):
    r = cli("pseudonymise", demo_file, "suggest", "--json")
    assert r.code == 0, r.err
    rows = {s["real"]: s for s in r.json()}
    assert {"Dr Fraser", "Siobhán", "Glenmorie Health Centre"} <= set(rows)
    assert rows["Glenmorie Health Centre"]["kind"] == "organisation"
    assert set(rows["Siobhán"]) == {"real", "pseudonym", "kind", "count", "sources"}
    r = cli("pseudonymise", demo_file, "suggest", "--limit", "3")
    assert r.code == 0 and len(r.out.splitlines()) == 3 and "apply KEY.csv" in r.err
    draft = tmp_path / "draft.csv"
    r = cli("pseudonymise", demo_file, "suggest", "--out", draft)
    assert r.code == 0 and "wrote" in r.err
    rows = list(csv.reader(draft.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["real", "pseudonym"] and ["Dr Fraser", rows[1 + [x[0] for x in rows[1:]].index("Dr Fraser")][1]] in rows
    assert cli("pseudonymise", demo_file, "suggest", "--limit", "0").code == 2


def test_apply_replaces_names_everywhere_and_every_export_is_clean(cli, demo_file, tmp_path):
    key = _key(tmp_path / "key.csv", NAMES.items())
    r = cli("pseudonymise", demo_file, "apply", key, "--coder", "pi", "--json")
    assert r.code == 0, r.err
    result = r.json()
    assert result["names_added"] == len(NAMES) and result["occurrences"] > 10
    assert result["replacements"]["Siobhán"] == 2
    r = cli("segments", demo_file, "--json")
    assert r.code == 0
    segs = r.out
    assert "[P_K]" in segs
    assert not [n for n in NAMES if n in segs]
    outs = {
        "qdpx": (("export-qdpx", demo_file, tmp_path / "p.qdpx"), tmp_path / "p.qdpx"),
        "report": (("report", demo_file, "--out", tmp_path / "r.docx"), tmp_path / "r.docx"),
        "matrix": (("matrix", demo_file, "--out", tmp_path / "m.csv", "--with-quotes"), tmp_path / "m.csv"),
        "codebook": (("codebook", demo_file, "--out", tmp_path / "c.docx"), tmp_path / "c.docx"),
        "source": (("export-source", demo_file, "GP01", "--out", tmp_path / "s.docx"), tmp_path / "s.docx"),
    }
    for what, (args, path) in outs.items():
        r = cli(*args)
        assert r.code == 0, (what, r.err)
        text = _all_text(path)
        assert [n for n in NAMES if n in text] == [], what
    # the plain-text search finds pseudonyms, not names
    assert cli("search", demo_file, "Siobhán", "--json").json() == []


def test_apply_reports_bad_rows_and_changes_nothing(cli, demo_file, tmp_path):
    with open_project(demo_file) as p:
        before = dump(p)
    bad = _key(tmp_path / "bad.csv", [("Kirsty", "[P_K]"), ("", "[P_X]"), ("Kirsty", "[P_Y]"), ("Callum", "Kirsty")])
    r = cli("pseudonymise", demo_file, "apply", bad)
    assert r.code == 1
    assert r.err.count("\n") == 1 and str(bad) in r.err
    assert "row 3: the real name is empty" in r.err
    assert "row 4: 'Kirsty' repeats row 2" in r.err
    assert "row 5: the pseudonym 'Kirsty' is also a real name (row 2)" in r.err
    r = cli("pseudonymise", demo_file, "apply", _key(tmp_path / "cols.csv", [("Kirsty", "[P_K]", "x")]))
    assert r.code == 1 and "row 2: expected 2 columns" in r.err
    r = cli("pseudonymise", demo_file, "apply", tmp_path / "missing.csv")
    assert r.code == 1 and "no such file" in r.err
    with open_project(demo_file) as p:
        assert dump(p) == before


def test_apply_without_header_and_again_with_more_names(cli, demo_file, tmp_path):
    assert cli("pseudonymise", demo_file, "apply", _key(tmp_path / "a.csv", [("Kirsty", "[P_K]")], header=False)).code == 0
    r = cli("pseudonymise", demo_file, "apply", _key(tmp_path / "b.csv", [("Kirsty", "[P_K]"), ("Callum", "[P_C]")]))
    assert r.code == 0, r.err
    assert "key: 2 names" in r.out
    r = cli("pseudonymise", demo_file, "apply", _key(tmp_path / "c.csv", [("Kirsty", "[P_Z]")]))
    assert r.code == 1 and "already in the key as '[P_K]'" in r.err
    r = cli("pseudonymise", demo_file, "apply", _key(tmp_path / "d.csv", [("Nobody Here", "[P_N]")]))
    assert r.code == 0 and "not found in any source text: 'Nobody Here'" in r.err


def test_export_key_then_remove_it_for_good(cli, demo_file, tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODER_LITE_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "key-export.csv"
    r = cli("pseudonymise", demo_file, "export-key", out)
    assert r.code == 1 and "nothing to export" in r.err and not out.exists()
    assert cli("pseudonymise", demo_file, "apply", _key(tmp_path / "k.csv", NAMES.items())).code == 0
    r = cli("pseudonymise", demo_file, "export-key", out)
    assert r.code == 0 and "7 names" in r.out
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert dict(rows[1:]) == NAMES

    r = cli("pseudonymise", demo_file, "remove-key")
    assert r.code == 2
    assert "irreversible" in r.err and "--yes" in r.err and r.err.count("\n") == 1
    with open_project(demo_file) as p:
        assert p.settings.get("pseudonym_key")

    r = cli("pseudonymise", demo_file, "remove-key", "--yes")
    assert r.code == 0, r.err
    assert "cannot be undone" in r.out and "VACUUM" in r.out
    assert "backup" in r.out
    with open_project(demo_file) as p:
        assert p.settings.get("pseudonym_key") is None
    raw = demo_file.read_bytes()
    assert not [n for n in NAMES if n.encode("utf-8") in raw]

    r = cli("pseudonymise", demo_file, "remove-key", "--yes")
    assert r.code == 1 and "already removed" in r.err
    r = cli("pseudonymise", demo_file, "export-key", tmp_path / "again.csv")
    assert r.code == 1 and "removed" in r.err


def test_remove_key_refuses_while_names_remain_unless_forced(cli, demo_file, tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODER_LITE_DATA_DIR", str(tmp_path / "data"))
    assert cli("pseudonymise", demo_file, "apply", _key(tmp_path / "k.csv", [("Kirsty", "[P_K]")])).code == 0
    late = tmp_path / "LW09.txt"
    late.write_text("Interviewer: Hi\n\nLW09: Kirsty said hello.\n", encoding="utf-8")
    assert cli("import", demo_file, late).code == 0
    r = cli("pseudonymise", demo_file, "remove-key", "--yes")
    assert r.code == 1 and "'Kirsty' (1)" in r.err
    r = cli("pseudonymise", demo_file, "remove-key", "--yes", "--force", "--json")
    assert r.code == 0 and r.json()["still_present"] == {"Kirsty": 1} and r.json()["irreversible"] is True


@pytest.mark.parametrize("args", [("pseudonymise",), ("pseudonymise", "x.qlite"), ("pseudonymise", "x.qlite", "nope")])
def test_usage_errors_exit_2(cli, args):
    with pytest.raises(SystemExit) as exc:
        cli(*args)
    assert exc.value.code == 2
