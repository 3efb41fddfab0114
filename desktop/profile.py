"""Where a profile keeps its data: ``--data-dir`` or the user's data directory."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path


def data_dir(chosen: str | None) -> Path:
    return Path(chosen).expanduser().resolve() if chosen \
        else user_data_path("RepDesk", appauthor=False)
