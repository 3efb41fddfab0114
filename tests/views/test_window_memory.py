"""The window opens as the rep left it: its size and each list-and-detail divider."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QSplitter
from pytestqt.qtbot import QtBot

from desktop.commands import CommandRunner
from desktop.composition import window_services
from desktop.window_memory import WindowMemory
from models.store.open import Store
from tests.conftest import FIXED_NOW
from views.background import Background
from views.main_window import MainWindow


def test_size_and_dividers_are_remembered(qtbot: QtBot, window: MainWindow, demo_store: Store,
                                          background: Background, commands: CommandRunner,
                                          tmp_path: Path) -> None:
    window.show_screen("Queue")
    room = window.screen().availableGeometry()
    window.resize(room.width() - 90, room.height() - 70)  # smaller than the screen, not ours
    size = (window.width(), window.height())
    divider = window.findChild(QSplitter, "queueDivider")
    assert divider is not None
    divider.setSizes([500, divider.width() - 500 - divider.handleWidth()])
    chosen = divider.sizes()
    WindowMemory(window, tmp_path).save()
    again = MainWindow(window_services(demo_store, clock=lambda: FIXED_NOW, commands=commands),
                       background)
    qtbot.addWidget(again)
    WindowMemory(again, tmp_path).restore()
    again.show()
    again.show_screen("Queue")
    assert (again.width(), again.height()) == size
    restored = again.findChild(QSplitter, "queueDivider")
    assert restored is not None
    qtbot.waitUntil(lambda: restored.sizes() == chosen)
