"""The Sync screen with the sandbox CRM on loopback: pending changes, a sync, a conflict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot

from desktop.commands import CommandRunner
from desktop.composition import window_services
from models.crm.sandbox.server import SandboxServer
from models.crm.sandbox.store import bulk_load
from models.store import Lead
from models.store.open import Store
from tests.views.conftest import cell, row_count
from views.background import Background
from views.main_window import MainWindow


def test_pending_changes_sync_and_a_conflict_is_settled(
        qtbot: QtBot, store: Store, background: Background, server: SandboxServer,
        commands: CommandRunner) -> None:
    with store.sessions.begin() as session:
        lead = Lead(last_name="Weber", company="Cedar Health", title="IT Manager",
                    created_at=datetime.now(UTC))
        session.add(lead)
    window = MainWindow(window_services(store, commands=commands), background)
    qtbot.addWidget(window)
    window.show()
    view = window.sync
    window.show_screen("Sync")
    qtbot.waitUntil(lambda: row_count(view.outbox) == 1)
    assert cell(view.outbox, 0, 0) == "waiting"
    assert cell(view.outbox, 0, 1) == "Lead"
    view.crm_url.setText(server.base_url)
    with qtbot.waitSignal(view.synced, timeout=10_000):
        view.sync_button.click()
    assert view.message.text().startswith("Synced: 1 sent")
    qtbot.waitUntil(lambda: row_count(view.outbox) == 0)
    window.refresh_status()
    qtbot.waitUntil(lambda: window.status.connection.text().startswith("Online"))

    [record] = server.sandbox.store.all("Lead")
    server.sandbox.store.update("Lead", record.id, {"Title": "Head of IT"})
    with store.sessions.begin() as session:
        local = session.get(Lead, lead.id)
        assert local is not None
        local.title = "CIO"
    with qtbot.waitSignal(view.synced, timeout=10_000):
        view.sync_button.click()
    assert "1 conflict to settle" in view.message.text()
    qtbot.waitUntil(lambda: row_count(view.conflicts) == 1)
    assert [cell(view.conflicts, 0, c) for c in (1, 3, 4)] == ["title", "CIO",
                                                                      "Head of IT"]
    view.keep_mine.click()
    qtbot.waitUntil(lambda: row_count(view.conflicts) == 0)
    with qtbot.waitSignal(view.synced, timeout=10_000):
        view.sync_button.click()
    assert server.sandbox.store.get("Lead", record.id).fields["Title"] == "CIO"  # type: ignore[union-attr]


def test_a_sync_that_cannot_reach_the_crm_says_so_and_keeps_the_changes(
        qtbot: QtBot, store: Store, background: Background,
        commands: CommandRunner) -> None:
    with store.sessions.begin() as session:
        session.add(Lead(last_name="Sato", company="Orion", created_at=datetime.now(UTC)))
    window = MainWindow(window_services(store, commands=commands), background)
    qtbot.addWidget(window)
    window.show_screen("Sync")
    view = window.sync
    view.crm_url.setText("http://127.0.0.1:9")  # nothing listens there
    view.sync_now()
    qtbot.waitUntil(lambda: view.sync_button.isEnabled(), timeout=20_000)
    assert "The sync stopped" in view.message.text() and "Nothing is lost" in view.message.text()
    qtbot.waitUntil(lambda: row_count(view.outbox) == 1)


def test_a_record_the_crm_sent_malformed_is_listed_as_not_taken_in(
        qtbot: QtBot, store: Store, background: Background, server: SandboxServer) -> None:
    bulk_load(server.sandbox.store, "Lead", [
        {"LastName": "Weber", "Company": "Cedar Health", "Title": ["IT", "Manager"]},
        {"LastName": "Okafor", "Company": "Blue Ridge", "Title": "CTO"}], timedelta(days=1))
    window = MainWindow(window_services(store), background)
    qtbot.addWidget(window)
    window.show()
    view = window.sync
    window.show_screen("Sync")
    view.crm_url.setText(server.base_url)
    with qtbot.waitSignal(view.synced, timeout=10_000):
        view.sync_button.click()
    assert view.message.text() == ("Synced: 0 sent, 1 received, 1 from the CRM not taken in "
                                   "(see the list).")
    qtbot.waitUntil(lambda: row_count(view.outbox) == 1)
    cells = [cell(view.outbox, 0, column) for column in range(6)]
    assert cells[:4] == ["not taken in", "Lead", "from the CRM", "Title"]
    assert cells[5].startswith("Lead 00Q") and "Title is ['IT', 'Manager'], where a single " \
        "value belongs; the record was not taken in" in cells[5]
    window.refresh_status()
    qtbot.waitUntil(lambda: "waiting to sync" in window.status.pending.text())
    assert window.status.pending.text() == "0 changes waiting to sync"  # none of the rep's


def test_an_email_that_may_not_have_been_sent_is_shown_and_resent_on_request(
        qtbot: QtBot, store: Store, background: Background, server: SandboxServer,
        commands: CommandRunner) -> None:
    from models.emails import send_email

    with store.sessions.begin() as session:
        lead = Lead(first_name="Yuki", last_name="Sato", company="Orion Labs",
                    email="yuki@orion.co.jp", created_at=datetime.now(UTC))
        session.add(lead)
    send_email(store.sessions, lead.id, None, "Your trial", "Hi Yuki", "crm", datetime.now(UTC))
    window = MainWindow(window_services(store, commands=commands), background)
    qtbot.addWidget(window)
    window.show()
    view = window.sync
    window.show_screen("Sync")
    assert not view.resend.isVisible()  # nothing to decide
    view.crm_url.setText(server.base_url)
    server.sandbox.faults.queue("drop")  # the lead's create: dropped, retried
    with qtbot.waitSignal(view.synced, timeout=10_000):
        view.sync_button.click()
    assert len(server.sandbox.sent_emails) == 1
    # As if the send's answer had been lost: the CRM may or may not have sent it.
    from sqlalchemy import update

    from models.store import EmailSend
    with store.sessions.begin() as session:
        session.execute(update(EmailSend).values(state="unsure", message="lost"))
    view.refresh()
    qtbot.waitUntil(lambda: row_count(view.emails) == 1)
    assert view.resend.isVisible()
    assert [cell(view.emails, 0, c) for c in (0, 1)] == ["yuki@orion.co.jp", "Your trial"]
    assert "may not have been sent" in cell(view.emails, 0, 3)
    with qtbot.waitSignal(view.synced, timeout=10_000):
        view.sync_button.click()
    assert len(server.sandbox.sent_emails) == 1  # never again by itself

    view.resend.click()
    qtbot.waitUntil(lambda: "goes again with the next sync" in view.message.text())
    qtbot.waitUntil(lambda: row_count(view.emails) == 0)
    with qtbot.waitSignal(view.synced, timeout=10_000):
        view.sync_button.click()
    assert len(server.sandbox.sent_emails) == 2
    assert not view.resend.isVisible()
