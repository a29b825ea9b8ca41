"""The one place that says where this laptop's per-user folders are: the data folder
(backups, the demo copy, pending temporary files) and the config folder (preferences).

``QUALCODER_LITE_DATA_DIR`` and ``QUALCODER_LITE_CONFIG_DIR`` override them (tests,
portable installs)."""

from __future__ import annotations

import os
from pathlib import Path

APP = "qualcoder-lite"


def data_dir() -> Path:
    override = os.environ.get("QUALCODER_LITE_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def config_dir() -> Path:
    override = os.environ.get("QUALCODER_LITE_CONFIG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir(APP, appauthor=False))
