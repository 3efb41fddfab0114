from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.commands import CommandRunner
from desktop.composition import window_services
from models.store.open import Store
from tests.conftest import FIXED_NOW
from views.background import Background
from views.main_window import MainWindow


@pytest.fixture
def background(qtbot: QtBot) -> Iterator[Background]:
    runner = Background()
    yield runner
    # Finish the work in flight and deliver its results while the test's widgets still exist,
    # so no result lands on a widget of a finished test.
    # A delivered result may start the next job (a list selects its first row, which loads
    # its detail): settle until nothing is left.
    for _ in range(10):
        runner.wait()
        QApplication.processEvents()
        if runner.idle():
            break


@pytest.fixture
def commands(qtbot: QtBot) -> Iterator[CommandRunner]:
    runner = CommandRunner()
    yield runner
    # Every write asked for runs and its result is delivered before the widgets go.
    for _ in range(10):
        runner.wait()
        QApplication.processEvents()
        if runner.idle():
            break
    runner.stop()


@pytest.fixture
def window(qtbot: QtBot, demo_store: Store, background: Background,
        commands: CommandRunner) -> MainWindow:
    main = MainWindow(window_services(demo_store, clock=lambda: FIXED_NOW, commands=commands),
                        background)
    qtbot.addWidget(main)
    main.show()
    main.start()
    qtbot.waitUntil(lambda: main.leads.model.rowCount() > 0 and bool(main.today.cards))
    return main


def activate(qtbot: QtBot, widget: QWidget) -> None:
    """Shortcuts and mnemonics go to the active window, as on a desktop."""
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)
