"""The demo's files are found from a checkout too (tests run from a clean clone with the
package imported from the source tree, where ``qualcoder_lite.resources`` is not a package)."""

from __future__ import annotations

from importlib import resources

from qualcoder_lite.core.services.sources import demo


def test_demo_files_are_found_in_a_checkout_without_the_resources_package(monkeypatch):
    def missing(name):
        raise ModuleNotFoundError(name)

    monkeypatch.setattr(resources, "files", missing)
    found = demo.demo_dir()
    assert found.is_dir() and (found / "codebook.csv").is_file() and any((found / "transcripts").iterdir())
