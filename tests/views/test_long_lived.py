"""The window's objects are set aside from the cyclic collector once the desk is built: a full
collection then walks only what was made since, not the imports and every widget (such a
walk was the one stall over 100 ms of a 100,000-lead sync)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop.commands import CommandRunner
from desktop.desk import Desk
from models.store.open import Store
from tests.conftest import FIXED_NOW
from views.background import Background


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the tests collect as usual


def test_a_full_collection_after_the_desk_opens_walks_only_what_was_made_since(
        unfrozen: None, qtbot: QtBot, demo_store: Store, background: Background,
        commands: CommandRunner) -> None:
    assert gc.get_freeze_count() == 0
    window = Desk(demo_store, background, commands, clock=lambda: FIXED_NOW).open()
    qtbot.addWidget(window)
    set_aside, walked = gc.get_freeze_count(), len(gc.get_objects())
    # Every import and widget of the window is set aside; what a collection still walks is
    # the little made after it (the window's first reads).
    assert set_aside > 100_000
    assert walked < set_aside / 10
