"""Per-user preferences on this laptop (recent projects, coder name per project).

Kept in a small JSON file in the user's config folder (``QUALCODER_LITE_CONFIG_DIR``
overrides it, e.g. in tests). Nothing here is project data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

MAX_RECENT = 10


def config_dir() -> Path:
    override = os.environ.get("QUALCODER_LITE_CONFIG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir("qualcoder-lite", appauthor=False))


def data_dir() -> Path:
    from ..core.userdirs import data_dir as _data_dir

    return _data_dir()


def _file() -> Path:
    return config_dir() / "preferences.json"


def load() -> dict:
    try:
        data = json.loads(_file().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # a damaged preferences file is replaced on the next save
    return data if isinstance(data, dict) else {}


def save(data: dict) -> None:
    path = _file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def recent_projects() -> list[str]:
    return [p for p in load().get("recent", []) if isinstance(p, str)]


def add_recent(path: Path) -> None:
    data = load()
    p = str(Path(path).resolve())
    recent = [p] + [r for r in data.get("recent", []) if r != p]
    data["recent"] = recent[:MAX_RECENT]
    save(data)


def coder_for(path: Path) -> str | None:
    return load().get("coders", {}).get(str(Path(path).resolve()))


def set_coder_for(path: Path, name: str) -> None:
    data = load()
    data.setdefault("coders", {})[str(Path(path).resolve())] = name
    save(data)
