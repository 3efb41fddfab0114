"""The application's look, from resources/theme.qss."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from resources import read_text


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setStyleSheet(read_text("theme.qss"))
