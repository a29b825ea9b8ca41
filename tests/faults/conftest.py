"""Fault-injection tests use the command line in-process (``cli``) and as a real child
process (``cli_subprocess``), as the tests of the command line do."""

from tests.cli.conftest import cli, cli_subprocess  # noqa: F401  (fixtures)
