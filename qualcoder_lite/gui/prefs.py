"""Per-user preferences on this laptop (recent projects, coder name per project).

Kept in a small JSON file in the user's config folder (``QUALCODER_LITE_CONFIG_DIR``
overrides it, e.g. in tests). Nothing here is project data.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core import outfile
from ..core.userdirs import config_dir

MAX_RECENT = 10


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
    """Write the preferences; an ``OutputError`` naming the file when it cannot be written
    (a full disk, a read-only folder): callers go on without them."""
    path = _file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise outfile.OutputError(path, f"cannot be written ({exc.strerror or exc})") from None
    text = json.dumps(data, indent=2, ensure_ascii=False)
    outfile.save_own_file(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


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
