"""Fault-injection tests use the command line in-process (``cli``) and as a real child
process (``cli_subprocess``), as the tests of the command line do."""

from tests.cli.conftest import cli, cli_subprocess  # noqa: F401  (fixtures)


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path, monkeypatch):
    """Backups and notes of pending temporary files go to this test's own folder."""
    monkeypatch.setenv("QUALCODER_LITE_DATA_DIR", str(tmp_path / "data"))
