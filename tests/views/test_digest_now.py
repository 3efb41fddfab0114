"""A manager's "Send digest now" on the Dashboard, over the sandbox CRM on loopback: one mail,
however often it is pressed; offline, it says so and the mail waits for the next sync."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.commands import CommandRunner
from desktop.crm_connection import CrmConnection
from desktop.dashboard_services import dashboard_services
from models.crm.sandbox.server import Sandbox, SandboxServer
from models.kpis.periods import period_of, team_timezone
from models.records import RepProfile
from models.reps import find_rep
from models.store import Activity, User
from models.store.open import Store
from models.sync.status import remember_crm
from views.background import Background
from views.dashboard_view import DashboardView

SYNC_TIMEOUT_MS = 60_000


def clock() -> datetime:
    return datetime.now(UTC)


def _team(store: Store) -> tuple[RepProfile, RepProfile]:
    with store.sessions.begin() as session:
        session.add_all([User(name="Ana Silva", email="ana@example.com", role="manager"),
                         User(name="Cleo Park", email="cleo@example.com", role="SDR-inbound")])
    with store.sessions.begin() as session:
        sdr = session.query(User).filter_by(name="Cleo Park").one()
        session.add(Activity(kind="call", owner_id=sdr.id, subject="Call: connected",
                             outcome="connected", occurred_at=clock()))
    ana, cleo = (find_rep(store.sessions, e) for e in ("ana@example.com", "cleo@example.com"))
    assert ana is not None and cleo is not None
    return ana, cleo


@pytest.fixture
def connection(store: Store) -> Iterator[CrmConnection]:
    crm = CrmConnection(store, clock)
    yield crm
    crm.close()


def _dashboard(qtbot: QtBot, store: Store, rep: RepProfile, crm: CrmConnection,
               background: Background, commands: CommandRunner) -> DashboardView:
    view = DashboardView(dashboard_services(store, clock, rep, sync_now=crm.sync_now),
                         background, commands)
    qtbot.addWidget(view)
    view.resize(1300, 700)
    view.show()
    return view


def test_send_now_mails_this_week_s_digest_once(
        qtbot: QtBot, store: Store, server: SandboxServer, connection: CrmConnection,
        background: Background, commands: CommandRunner) -> None:
    ana, _cleo = _team(store)
    remember_crm(store.sessions, server.base_url)
    view = _dashboard(qtbot, store, ana, connection, background, commands)
    digest = view.digest
    assert digest is not None
    digest.button.setFocus()
    qtbot.keyClick(digest.button, Qt.Key.Key_Space)
    assert not digest.button.isEnabled()  # while it writes and sends
    qtbot.waitUntil(lambda: digest.outcome.text().startswith("Sent"), timeout=SYNC_TIMEOUT_MS)
    assert digest.button.isEnabled()
    assert digest.outcome.text().startswith("Sent to ana@example.com (")
    week = period_of("week", clock(), team_timezone(store.sessions)).label
    mails = server.sandbox.sent_emails
    assert [(m["to"], m["subject"]) for m in mails] == [
        ("ana@example.com", f"RepDesk digest {week} so far")]
    assert "Cleo Park" in mails[0]["body"]
    qtbot.mouseClick(digest.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: digest.outcome.text().startswith("Already sent this week ("),
                    timeout=SYNC_TIMEOUT_MS)
    assert len(server.sandbox.sent_emails) == 1


def test_offline_it_says_why_and_the_next_press_sends_it(
        qtbot: QtBot, store: Store, server: SandboxServer, connection: CrmConnection,
        background: Background, commands: CommandRunner) -> None:
    ana, _cleo = _team(store)
    gone = SandboxServer(Sandbox()).start()
    remember_crm(store.sessions, gone.base_url)
    gone.stop()  # the CRM cannot be reached
    view = _dashboard(qtbot, store, ana, connection, background, commands)
    digest = view.digest
    assert digest is not None
    digest.button.click()
    qtbot.waitUntil(lambda: digest.outcome.text().startswith("Not sent"),
                    timeout=SYNC_TIMEOUT_MS)
    assert "could not be reached" in digest.outcome.text()
    assert digest.button.isEnabled()
    remember_crm(store.sessions, server.base_url)  # back online
    digest.button.click()
    qtbot.waitUntil(lambda: digest.outcome.text().startswith("Sent"), timeout=SYNC_TIMEOUT_MS)
    assert len(server.sandbox.sent_emails) == 1


def test_a_rep_s_dashboard_has_no_send_button(
        qtbot: QtBot, store: Store, connection: CrmConnection, background: Background,
        commands: CommandRunner) -> None:
    _ana, cleo = _team(store)
    assert _dashboard(qtbot, store, cleo, connection, background, commands).digest is None
