"""Demo mode's whole loop in the window, against its own sandbox CRM over loopback: an edit
is sent, a change made in the CRM as another user is pulled, a conflict is made and settled,
and a change that cannot go is shown as a problem."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop.composition import build_window
from desktop.crm_connection import CrmConnection
from desktop.demo import DemoCrm, make_demo, other_user, start_demo_crm
from models.crm.sandbox.server import SandboxServer
from models.store import Account, Contact, Lead
from models.store.open import DATABASE_NAME, Store, open_store
from tests.views.conftest import cell, row_count
from views.background import Background
from views.lead_fields_dialog import LeadFieldsDialog
from views.main_window import MainWindow

SYNC_TIMEOUT_MS = 60_000


@dataclass
class Demo:
    store: Store
    server: SandboxServer
    window: MainWindow
    crm: CrmConnection


@pytest.fixture
def demo(qtbot: QtBot, tmp_path: Path, background: Background) -> Iterator[Demo]:
    make_demo(tmp_path / DATABASE_NAME, leads=300, accounts=120, seed=2026)
    store = open_store(tmp_path)
    server = start_demo_crm(store)
    window, crm = build_window(store, background,
                               demo=DemoCrm(store, server, other_user(store, None)))
    qtbot.addWidget(window)
    window.show()
    yield Demo(store, server, window, crm)
    window.close()
    server.stop()
    store.close()


def _open_first_lead(qtbot: QtBot, window: MainWindow) -> str:
    window.show_screen("Leads")
    window.leads.search_now()
    qtbot.waitUntil(lambda: window.leads.shown_lead_id is not None)
    lead_id = window.leads.shown_lead_id
    assert lead_id is not None
    return lead_id


def _fill_and_save(qtbot: QtBot, window: MainWindow, values: dict[str, str]) -> str:
    """Type ``values`` into the dialog that opens and save; the line the rep is shown."""
    qtbot.waitUntil(lambda: window.lead_dialog is not None and window.lead_dialog.isVisible())
    dialog = window.lead_dialog
    assert isinstance(dialog, LeadFieldsDialog)
    for name, value in values.items():
        dialog.fields[name].setText(value)
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    window.lead_dialog = None
    return str(saved.args[0]) if saved.args else ""


def _sync(qtbot: QtBot, window: MainWindow) -> str:
    window.show_screen("Sync")
    view = window.sync
    qtbot.waitUntil(lambda: bool(view.crm_url.text()))  # the demo CRM's address
    with qtbot.waitSignal(view.synced, timeout=SYNC_TIMEOUT_MS):
        view.sync_button.click()
    return view.message.text()


def _crm_lead(demo: Demo, lead_id: str) -> dict[str, object]:
    with demo.store.sessions() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None and lead.crm_id is not None
        crm_id = lead.crm_id
    record = demo.server.sandbox.store.get("Lead", crm_id)
    assert record is not None
    return record.fields


def test_an_edit_is_sent_a_crm_change_pulled_and_a_conflict_settled(
        qtbot: QtBot, demo: Demo) -> None:
    window = demo.window
    lead_id = _open_first_lead(qtbot, window)

    window.leads.edit_button.click()
    _fill_and_save(qtbot, window, {"title": "Head of Demos"})
    window.refresh_status()
    qtbot.waitUntil(lambda: window.status.pending.text().startswith("1 change waiting"))
    assert _sync(qtbot, window).startswith("Synced: 1 sent")
    assert _crm_lead(demo, lead_id)["Title"] == "Head of Demos"
    qtbot.waitUntil(lambda: window.status.connection.text().startswith("Online"))

    # Another user changes the phone in the CRM: the next sync brings it here.
    window.show_screen("Leads")
    window.demo_change_action.trigger()
    said = _fill_and_save(qtbot, window, {"phone": "+44 20 7946 0000"})
    assert "changed the lead's phone in the CRM" in said
    assert ", 1 received" in _sync(qtbot, window)
    with demo.store.sessions() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None and lead.phone == "+44 20 7946 0000"
    window.show_screen("Leads")
    qtbot.waitUntil(lambda: "+44 20 7946 0000" in window.leads.panel.toPlainText())

    # Both change the title: a conflict, settled by keeping mine.
    window.leads.edit_button.click()
    _fill_and_save(qtbot, window, {"title": "CTO"})
    window.demo_change_action.trigger()
    _fill_and_save(qtbot, window, {"title": "Chief Technology Officer"})
    assert "1 conflict to settle" in _sync(qtbot, window)
    view = window.sync
    qtbot.waitUntil(lambda: row_count(view.conflicts) == 1)
    assert [cell(view.conflicts, 0, c) for c in (1, 3, 4)] == [
        "title", "CTO", "Chief Technology Officer"]
    view.keep_mine.click()
    qtbot.waitUntil(lambda: row_count(view.conflicts) == 0)
    assert _sync(qtbot, window).startswith("Synced: 1 sent")
    assert _crm_lead(demo, lead_id)["Title"] == "CTO"


def test_changing_in_the_crm_with_no_lead_open_says_what_to_do(
        qtbot: QtBot, demo: Demo) -> None:
    window = demo.window
    window.show_screen("Today")
    window.leads._shown = None

    window.demo_change_action.trigger()

    assert window.current_screen() == "Leads"
    assert "Open a lead" in window.status.currentMessage()


def test_a_change_blocked_by_a_missing_parent_is_a_problem_not_waiting(
        qtbot: QtBot, demo: Demo) -> None:
    with demo.store.sessions.begin() as session:
        # An account the CRM refuses (no name) and a contact of it, which cannot go first.
        account = Account(name="", kind="prospect")
        session.add(account)
        session.flush()
        session.add(Contact(account_id=account.id, last_name="Ng"))
    window = demo.window

    message = _sync(qtbot, window)

    assert "1 refused by the CRM" in message and "1 cannot be sent yet" in message
    view = window.sync

    def states() -> dict[str, str]:
        return {cell(view.outbox, row, 1): cell(view.outbox, row, 0)
                for row in range(row_count(view.outbox))}

    qtbot.waitUntil(lambda: states() == {"Account": "refused", "Contact": "blocked"})
    window.refresh_status()
    qtbot.waitUntil(lambda: "cannot be sent" in window.status.connection.text())
    assert not window.status.connection.text().startswith("Online")
    assert "1 blocked" in window.status.pending.text()
