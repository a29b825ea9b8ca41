"""Shared test fixtures. Qt runs offscreen; fixtures are read in place from ../shared."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from tests.helpers import find_fixtures  # noqa: E402

FIXTURES = find_fixtures()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if FIXTURES is None:
        pytest.skip("shared fixtures not found (set QUALCODER_LITE_FIXTURES)")
    return FIXTURES


@pytest.fixture
def project():
    """An empty in-memory project with coder 'tester'."""
    from qualcoder_lite.core.project import memory_project

    p = memory_project(coder="tester")
    yield p
    p.close()


@pytest.fixture
def project_file(tmp_path):
    """Path of a new, empty project file (closed)."""
    from qualcoder_lite.core.project import new_project

    path = tmp_path / "study.qlite"
    new_project(path, coder="tester").close()
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo project built once per session; copy it before changing it."""
    from qualcoder_lite.core.services.sources.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.qlite"
    build_demo(path).close()
    return path


@pytest.fixture
def demo_file(demo_template, tmp_path) -> Path:
    import shutil

    dst = tmp_path / "demo.qlite"
    shutil.copy(demo_template, dst)
    return dst
