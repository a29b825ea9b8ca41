"""The cyclic collector pause used by long exports (services.gcpause)."""

import gc

import pytest

from qualcoder_lite.core.services.gcpause import no_cyclic_gc


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_pauses_and_enables_again(collector_on):
    with no_cyclic_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_enabled_again_after_an_error(collector_on):
    with pytest.raises(OSError), no_cyclic_gc():
        raise OSError("disk full")
    assert gc.isenabled()


def test_leaves_a_paused_collector_paused(collector_on):
    gc.disable()
    with no_cyclic_gc():
        pass
    assert not gc.isenabled()
    gc.enable()


def test_a_report_is_written_with_the_collector_paused(collector_on, tmp_path, monkeypatch):
    from qualcoder_lite.core.project import new_project
    from qualcoder_lite.core.services.quotes import exports

    seen = []
    monkeypatch.setattr(exports, "build_report", lambda *a, **k: seen.append(gc.isenabled()) or _raise())
    project = new_project(tmp_path / "p.qlite")
    try:
        with pytest.raises(RuntimeError):
            exports.write_report(project, exports.ReportOptions(), tmp_path / "r.docx")
    finally:
        project.close()
    assert seen == [False]
    assert gc.isenabled()


def _raise():
    raise RuntimeError("stop here")


def test_a_qdpx_export_is_written_with_the_collector_paused(collector_on, demo_file, tmp_path, monkeypatch):
    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.refi import interop

    seen = []
    monkeypatch.setattr(interop, "write_qdpx", lambda *a, **k: seen.append(gc.isenabled()) or _raise())
    with open_project(demo_file, coder="alex") as project, pytest.raises(RuntimeError):
        interop.export_qdpx(project, tmp_path / "p.qdpx")
    assert seen == [False]
    assert gc.isenabled()


def test_a_qdpx_import_reads_and_builds_with_the_collector_paused(collector_on, demo_file, tmp_path, monkeypatch):
    from qualcoder_lite.core.project import open_project
    from qualcoder_lite.core.services.refi import interop

    with open_project(demo_file, coder="alex") as project:
        interop.export_qdpx(project, tmp_path / "p.qdpx")
    seen = []
    real_read = interop.read_qdpx
    monkeypatch.setattr(interop, "read_qdpx", lambda *a, **k: seen.append(gc.isenabled()) or real_read(*a, **k))
    monkeypatch.setattr(interop, "build_project", lambda *a, **k: seen.append(gc.isenabled()) or _raise())
    with pytest.raises(RuntimeError):
        interop.import_qdpx(tmp_path / "p.qdpx", tmp_path / "imported.qlite")
    assert seen == [False, False]
    assert gc.isenabled()
    assert not (tmp_path / "imported.qlite").exists()
