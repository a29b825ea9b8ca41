"""A .qdpx import derives its texts in worker processes started while project.qde is read
(``refi.qdpx_prefetch``): what it stores is what the import stores without them, a worker's
result is taken only when its text is the text read here, and a worker that fails or reads
another text costs time, never a difference."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

from qualcoder_lite.core.errors import InputError
from qualcoder_lite.core.project import memory_project
from qualcoder_lite.core.services.refi import build, qdpx_prefetch
from qualcoder_lite.core.services.refi.interop import export_qdpx, import_qdpx
from qualcoder_lite.core.services.sources import reading
from qualcoder_lite.core.services.sources.importing import CaseRule, import_files, text_hash
from tests.core.test_import_speed_paths import _files, _qdpx_stored

N = 9


@pytest.fixture
def qdpx(tmp_path, monkeypatch):
    project = memory_project(coder="alex")
    import_files(project, _files(tmp_path, N), CaseRule(pattern=r"^(P\d+)"))
    path = tmp_path / "all.qdpx"
    export_qdpx(project, path)
    monkeypatch.setattr(build, "now_iso", lambda: "2026-01-01T00:00:00+00:00")  # the import's time
    return path


def _pooled(monkeypatch) -> list[str]:
    """Workers allowed for a few small texts; returns the texts derived in this process."""
    monkeypatch.setattr(reading, "POOL_MIN_FILES", 2)
    monkeypatch.setattr(reading, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(reading.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(reading, "DERIVE_AHEAD", 2)
    here: list[str] = []
    real = reading.derive
    monkeypatch.setattr(reading, "derive", lambda text: here.append(text) or real(text))
    return here


def _claims(monkeypatch) -> list[bool]:
    """For each source text read, whether a worker had started on it while the XML was read."""
    got: list[bool] = []
    real = qdpx_prefetch.Prefetch.claim
    monkeypatch.setattr(qdpx_prefetch.Prefetch, "claim", lambda self, m: got.append(bool(f := real(self, m))) or f)
    return got


def test_workers_started_while_reading_store_the_same(qdpx, tmp_path, monkeypatch):
    import_qdpx(qdpx, tmp_path / "here.qlite")
    here = _pooled(monkeypatch)
    claims = _claims(monkeypatch)
    import_qdpx(qdpx, tmp_path / "pooled.qlite")
    assert claims == [True] * N  # every text was handed over as its TextSource streamed by
    assert not here  # and its worker's result taken: nothing derived in this process
    stored = _qdpx_stored(tmp_path / "here.qlite")
    assert len(stored["sources"]) == N and len(stored["speaker_turns"]) > N
    assert _qdpx_stored(tmp_path / "pooled.qlite") == stored
    # the SHA-256 compared with the workers' is the sources' text_hash: the same as a text's own
    with contextlib.closing(sqlite3.connect(tmp_path / "pooled.qlite")) as conn:
        rows = conn.execute("SELECT text, text_hash FROM sources").fetchall()
    assert len(rows) == N and all(h == text_hash(t) for t, h in rows)


def test_a_worker_that_reads_another_text_is_not_taken(qdpx, tmp_path, monkeypatch):
    import_qdpx(qdpx, tmp_path / "here.qlite")
    here = _pooled(monkeypatch)
    claims = _claims(monkeypatch)
    # the workers (forked after this) normalise differently: their texts are not the import's
    monkeypatch.setattr(qdpx_prefetch, "normalise", lambda text: text.replace("P1", "Q1"))
    import_qdpx(qdpx, tmp_path / "pooled.qlite")
    assert claims == [True] * N
    assert len(here) == N  # every text derived again here
    assert _qdpx_stored(tmp_path / "pooled.qlite") == _qdpx_stored(tmp_path / "here.qlite")


def test_a_worker_that_fails_costs_time_not_a_difference(qdpx, tmp_path, monkeypatch):
    import_qdpx(qdpx, tmp_path / "here.qlite")
    here = _pooled(monkeypatch)

    def refuse(where, data):
        raise InputError(where, "cannot be read in a worker")

    monkeypatch.setattr(qdpx_prefetch, "decode_bytes", refuse)
    import_qdpx(qdpx, tmp_path / "pooled.qlite")
    assert len(here) == N
    assert _qdpx_stored(tmp_path / "pooled.qlite") == _qdpx_stored(tmp_path / "here.qlite")


def test_texts_past_the_budget_are_derived_by_the_same_workers(qdpx, tmp_path, monkeypatch):
    import_qdpx(qdpx, tmp_path / "here.qlite")
    here = _pooled(monkeypatch)
    claims = _claims(monkeypatch)
    sizes = [p.stat().st_size for p in sorted(tmp_path.glob("P* interview.txt"))]  # the sources' order
    assert len(sizes) == N
    monkeypatch.setattr(qdpx_prefetch, "BUDGET_BYTES", sum(sizes[:3]))  # three texts while reading
    import_qdpx(qdpx, tmp_path / "pooled.qlite")
    assert claims.count(True) == 3
    assert not here  # the others by the workers too, as the import wrote them
    assert _qdpx_stored(tmp_path / "pooled.qlite") == _qdpx_stored(tmp_path / "here.qlite")


def test_no_workers_off_the_main_thread(qdpx, tmp_path, monkeypatch):
    import threading

    here = _pooled(monkeypatch)
    claims = _claims(monkeypatch)
    t = threading.Thread(target=import_qdpx, args=(qdpx, tmp_path / "thread.qlite"))
    t.start()
    t.join()
    assert not claims and len(here) == N  # no fork beside other threads (the GUI's jobs)
