"""An import's worker processes (``reading.read_files``) meet Cancel and a dying worker as
an in-process read would: a Cancel does not wait for the file a worker is still reading, and
a worker that dies (killed, out of memory) costs no file: the rest are read here."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from qualcoder_lite.core.services.sources import reading

pytestmark = pytest.mark.skipif(sys.platform != "linux" or (os.cpu_count() or 1) < 2,
                                reason="the import's worker pool runs on Linux with several CPUs")


@pytest.fixture
def texts(tmp_path):
    paths = []
    for i in range(10):
        p = tmp_path / f"t{i:02}.txt"
        p.write_text(f"Interviewer: question {i}?\nP{i}: " + "we talk about practice " * 12_000, encoding="utf-8")
        paths.append(p)
    return paths


def test_cancel_does_not_wait_for_a_file_a_worker_still_reads(texts, monkeypatch):
    real, parent = reading.read_one, os.getpid()

    def slow(path, encoding=None, **kw):
        if os.getpid() != parent and path.name == "t03.txt":
            time.sleep(30)  # a huge file
        return real(path, encoding, **kw)

    monkeypatch.setattr(reading, "read_one", slow)  # the forked workers run this too
    asked = []

    def progress(done, total, label):
        asked.append(done)
        return asked.count(3) < 3  # Cancel pressed while t03 is being read

    def too_long(*_a):
        raise TimeoutError("the import waited for the worker's read")

    old = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(10)
    try:
        with pytest.raises(InterruptedError):
            for _path, _got in reading.read_files(texts, progress=progress):
                pass
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert asked.count(3) == 3  # asked again while waiting, not only between files


def test_a_worker_that_dies_costs_no_file(texts, monkeypatch):
    real, parent = reading.read_one, os.getpid()

    def dying(path, encoding=None, **kw):
        if os.getpid() != parent and path.name == "t02.txt":
            os._exit(9)  # killed mid-read
        return real(path, encoding, **kw)

    monkeypatch.setattr(reading, "read_one", dying)
    got = [(p.name, r.text if isinstance(r.text, str) else r.text.decode("utf-8"), r.word_index)
           for p, r in reading.read_files(texts)]
    expected = [(p.name, real(p).text, real(p).word_index) for p in texts]
    assert got == expected
