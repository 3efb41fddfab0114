"""A slot two reps booked offline, as the second rep sees it on the Sync screen, and settled
there with the usual buttons."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.commands import CommandRunner
from desktop.composition import window_services
from models.crm.sandbox.server import SandboxServer
from models.store import Meeting
from models.store.open import Store, open_store
from tests.integration.conftest import connect
from tests.integration.test_booking_sync import _two_offline_bookings
from tests.views.conftest import cell, row_count
from views.background import Background
from views.main_window import MainWindow


@pytest.fixture
def second_store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "second-rep")
    yield opened
    opened.close()


def test_the_second_rep_takes_theirs_on_the_sync_screen(
        qtbot: QtBot, store: Store, second_store: Store, server: SandboxServer,
        background: Background, commands: CommandRunner) -> None:
    ids, _start = _two_offline_bookings(connect(server), store, second_store)
    window = MainWindow(window_services(second_store, commands=commands), background)
    qtbot.addWidget(window)
    window.show()
    window.show_screen("Sync")
    view = window.sync
    qtbot.waitUntil(lambda: row_count(view.conflicts) == 1, timeout=5000)
    assert cell(view.conflicts, 0, 1) == "(time taken in the CRM)"
    assert "Seoul Cargo" in cell(view.conflicts, 0, 3)
    assert "Lyon Freight" in cell(view.conflicts, 0, 4)
    view.take_theirs.click()
    qtbot.waitUntil(lambda: row_count(view.conflicts) == 0, timeout=5000)
    with second_store.sessions() as session:
        assert ids["second"] not in session.scalars(select(Meeting.lead_id)).all()
