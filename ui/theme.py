"""The application's look: the style sheet (resources/theme.qss) and the named colours
(resources/colours.json) that views use where a style sheet cannot reach: table cells, rich
text and chart-like marks. Views name a colour by what it means, never by its value."""

from __future__ import annotations

import json
from functools import cache

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QApplication

from resources import read_text


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setStyleSheet(read_text("theme.qss"))


@cache
def _colours() -> dict[str, str]:
    loaded: dict[str, str] = json.loads(read_text("colours.json"))
    return loaded


def hex_colour(name: str) -> str:
    """``name``'s colour as ``#rrggbb``, for rich text."""
    return _colours()[name]


def brush(name: str) -> QBrush:
    """``name``'s colour for an item's text (a table cell, a tree row)."""
    return QBrush(QColor(hex_colour(name)))


def coloured(text: str, name: str) -> str:
    """Rich text: ``text`` (already escaped) in ``name``'s colour."""
    return f"<span style='color:{hex_colour(name)}'>{text}</span>"
