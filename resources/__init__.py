"""Data files shipped with RepDesk: defaults, the reason-code catalogue, styles, icons."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any


def read_text(name: str) -> str:
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


def load_json(name: str) -> Any:
    return json.loads(read_text(name))
