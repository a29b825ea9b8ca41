"""Per-user folders on this laptop (backups, the demo copy, pending temporary files).

``QUALCODER_LITE_DATA_DIR`` overrides the data folder (tests, portable installs)."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    override = os.environ.get("QUALCODER_LITE_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("qualcoder-lite", appauthor=False))
