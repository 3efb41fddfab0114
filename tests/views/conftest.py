from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop.composition import window_services
from models.store.open import Store
from tests.conftest import FIXED_NOW
from views.background import Background
from views.main_window import MainWindow


@pytest.fixture
def background(qtbot: QtBot) -> Iterator[Background]:
    runner = Background()
    yield runner
    runner.wait()


@pytest.fixture
def window(qtbot: QtBot, demo_store: Store, background: Background) -> MainWindow:
    main = MainWindow(window_services(demo_store, clock=lambda: FIXED_NOW), background)
    qtbot.addWidget(main)
    main.show()
    main.start()
    qtbot.waitUntil(lambda: main.leads.model.rowCount() > 0)
    return main
