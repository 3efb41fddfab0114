"""The window as the rep left it: its size and place, and where each list-and-detail divider
sits, kept in the profile (``window.ini``) and restored at the next start."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter

FILE_NAME = "window.ini"


class WindowMemory:
    def __init__(self, window: QMainWindow, profile: Path) -> None:
        self._window = window
        self._settings = QSettings(str(profile / FILE_NAME), QSettings.Format.IniFormat)

    def _splitters(self) -> list[QSplitter]:
        return [s for s in self._window.findChildren(QSplitter) if s.objectName()]

    def restore(self) -> None:
        """Put the window and its dividers back (a window off every screen is left where Qt
        puts it: ``restoreGeometry`` moves it onto a screen)."""
        geometry = self._settings.value("window/geometry")
        if geometry is not None:
            self._window.restoreGeometry(geometry)
        for splitter in self._splitters():
            state = self._settings.value(f"dividers/{splitter.objectName()}")
            if state is not None:
                splitter.restoreState(state)

    def save(self) -> None:
        self._settings.setValue("window/geometry", self._window.saveGeometry())
        for splitter in self._splitters():
            self._settings.setValue(f"dividers/{splitter.objectName()}", splitter.saveState())
        self._settings.sync()
