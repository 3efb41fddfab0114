"""The dashboard's chart colours, from the theme's palette (resources/chart_colours.json)."""

from __future__ import annotations

import json
from functools import cache

from PySide6.QtGui import QColor

from resources import read_text


@cache
def _palette() -> dict[str, str]:
    loaded: dict[str, str] = json.loads(read_text("chart_colours.json"))
    return loaded


def colour(name: str) -> QColor:
    return QColor(_palette().get(name, "#000000"))
