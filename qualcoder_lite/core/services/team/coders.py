"""Registering the project's coder (``new --coder NAME`` records the name at once)."""

from __future__ import annotations

from ...commands import Command


class RegisterCoder(Command):
    """Add the project's coder to its coders (nothing changes when already there)."""

    name = "Register coder"

    def apply(self, p, rec):
        return p.coders.ensure(rec, p.coder)
