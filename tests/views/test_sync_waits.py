"""The Sync screen while another sync of the same profile runs (a ``repdesk sync`` from the
shell holds the profile's sync lock): it says its sync waits for that one, goes back to
"Syncing…" once it has the lock, and gives up with a message, losing nothing, when the other
runs longer than it waits. The real window, its real sync process and the real sandbox CRM
over loopback, behind the fault proxy."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.crm_connection import SYNCING_TEXT, WAITING_TEXT
from models.store import Lead, OutboxEntry
from models.store.open import Store
from models.sync.lock import lock_file, one_sync_at_a_time
from tests.views.conftest import SyncDesk, sync_desk
from views.background import Background

SYNC_TIMEOUT_MS = 60_000


@pytest.fixture
def desk(qtbot: QtBot, tmp_path: Path, background: Background) -> Iterator[SyncDesk]:
    with sync_desk(qtbot, tmp_path, background, behind_proxy=True) as made:
        with made.store.sessions.begin() as session:
            session.add(Lead(last_name="Sato", company="Orion", created_at=datetime.now(UTC)))
        yield made


def _crm_leads(desk: SyncDesk) -> list[str]:
    return [r.fields["LastName"] for r in desk.server.sandbox.store.all("Lead")]


def _outbox_states(store: Store) -> list[str]:
    with store.sessions() as session:
        return [e.state for e in session.query(OutboxEntry)]


def test_the_sync_screen_says_it_waits_for_another_sync_of_the_profile_then_goes_on(
        qtbot: QtBot, desk: SyncDesk) -> None:
    view = desk.window.sync
    # Once it has the lock, its first create is held until the screen has said "Syncing…"
    # again, so that state can be seen before the report replaces it.
    seen_syncing = threading.Event()

    def hold_the_create(method: str, path: str) -> None:
        if method == "PATCH" and "RepDesk_Id__c" in path:
            seen_syncing.wait(SYNC_TIMEOUT_MS / 1000)

    desk.proxy.before_forward.append(hold_the_create)
    with one_sync_at_a_time(lock_file(desk.store.sessions)):  # as a repdesk sync would
        view.sync_button.click()
        qtbot.waitUntil(lambda: view.message.text() == WAITING_TEXT, timeout=SYNC_TIMEOUT_MS)
        assert not view.sync_button.isEnabled()
        assert _crm_leads(desk) == []
    qtbot.waitUntil(lambda: view.message.text() == SYNCING_TEXT, timeout=SYNC_TIMEOUT_MS)
    seen_syncing.set()
    qtbot.waitUntil(view.sync_button.isEnabled, timeout=SYNC_TIMEOUT_MS)
    assert view.message.text().startswith("Synced: 1 sent"), view.message.text()
    assert _crm_leads(desk) == ["Sato"]


def test_a_sync_that_waits_too_long_for_another_gives_up_and_keeps_everything_for_the_next(
        qtbot: QtBot, desk: SyncDesk) -> None:
    view = desk.window.sync
    desk.crm.wait_at_most = 1.0  # the real limit is minutes; the lock below never ends
    with one_sync_at_a_time(lock_file(desk.store.sessions)):
        view.sync_button.click()
        qtbot.waitUntil(lambda: view.message.text().startswith("The sync stopped"),
                        timeout=SYNC_TIMEOUT_MS)
        said = view.message.text()
        assert said == ("The sync stopped: Another sync of this profile has been running for "
                        "over 1 second, so this one gave up before sending anything; "
                        "everything waits for the next sync. Nothing is lost.")
        assert view.sync_button.isEnabled()
        assert _crm_leads(desk) == []
        assert _outbox_states(desk.store) == ["pending"]
    # The other sync has ended: the next one sends what waited.
    view.sync_button.click()
    qtbot.waitUntil(view.sync_button.isEnabled, timeout=SYNC_TIMEOUT_MS)
    assert view.message.text().startswith("Synced: 1 sent"), view.message.text()
    assert _crm_leads(desk) == ["Sato"]
    assert _outbox_states(desk.store) == ["done"]
