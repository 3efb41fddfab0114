"""The AE closes a deal in one form; marketing sees references and product feedback."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.commands import CommandRunner
from desktop.composition import window_services
from models.closing import deliveries
from models.drafts import load_draft, save_draft
from models.reps import choose_rep
from models.store import Account, Contact, Opportunity, User
from models.store.open import Store
from tests.conftest import FIXED_NOW
from tests.views.conftest import activate, cell, row_count
from views.background import Background
from views.close_form import CloseForm
from views.main_window import MainWindow, WindowServices


def _ae_window(qtbot: QtBot, store: Store, background: Background,
        commands: CommandRunner,
        services: Callable[[WindowServices], WindowServices] = lambda given: given,
        ) -> tuple[MainWindow, str]:
    """An AE with an open deal on an account that has two contacts."""
    with store.sessions.begin() as session:
        ae = session.scalars(select(User).where(User.role == "AE")).first()
        assert ae is not None
        account = Account(name="Cedar Health GmbH", kind="prospect", domain="cedar.de")
        session.add(account)
        session.flush()
        session.add_all([
            Contact(account_id=account.id, first_name="Jonas", last_name="Weber",
                    email="jonas@cedar.de", is_billing=True),
            Contact(account_id=account.id, first_name="Lea", last_name="Koch",
                    email="lea@cedar.de")])
        deal = Opportunity(name="Cedar Health - 40 seats", account_id=account.id,
                           owner_id=ae.id, stage="Negotiation", created_at=FIXED_NOW)
        session.add(deal)
    choose_rep(store.sessions, ae.id)
    window = MainWindow(services(window_services(store, clock=lambda: FIXED_NOW,
                                                 commands=commands)), background)
    qtbot.addWidget(window)
    window.show()
    window.show_screen("Opportunities")
    window.workspace.setCurrentWidget(window.opportunities)
    view = window.opportunities
    qtbot.waitUntil(lambda: any(row.id == deal.id for row in view._rows), timeout=15_000)
    view.table.selectRow([row.id for row in view._rows].index(deal.id))
    qtbot.waitUntil(lambda: view.close_button.isEnabled()
                    and view._detail is not None and view._detail.row.id == deal.id)
    return window, deal.id


def _open_close_form(qtbot: QtBot, window: MainWindow) -> CloseForm:
    activate(qtbot, window)
    qtbot.keyClick(window.opportunities.table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    form = window.opportunities.close_form
    assert form is not None and form.isVisible()
    qtbot.waitUntil(lambda: not form.reading)  # its kept draft, read aside
    activate(qtbot, form)
    return form


def test_closing_a_won_deal_from_the_keyboard_sends_every_team_its_hand_off(
        qtbot: QtBot, demo_store: Store, background: Background,
        commands: CommandRunner) -> None:
    window, deal_id = _ae_window(qtbot, demo_store, background, commands)
    form = _open_close_form(qtbot, window)
    qtbot.keyClick(form, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    assert form.won_box.isVisible()
    form.reason.setCurrentIndex(1)
    form.add_product_line()
    form.lines.cellWidget(0, 1).setValue(40)
    for box in (form.term, form.support, form.payment):
        box.setCurrentIndex(1)
    form.technical.item(1).setCheckState(Qt.CheckState.Checked)
    qtbot.keyClicks(form.new_contact, "Max Braun, max@cedar.de")
    form.reference.setChecked(True)
    form.reference_kinds["case study"].setChecked(True)
    with qtbot.waitSignal(form.closed):
        qtbot.keyClick(form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    teams = {d.team: d.state for d in deliveries(demo_store.sessions, deal_id)}
    assert set(teams) >= {"finance", "support", "marketing"}
    assert set(teams.values()) == {"waiting for sync"}
    qtbot.waitUntil(lambda: "Hand-offs from the close" in window.opportunities.detail
                    .toPlainText())
    assert "waiting for sync" in window.opportunities.detail.toPlainText()
    with demo_store.sessions() as session:
        deal = session.get(Opportunity, deal_id)
        assert deal is not None and deal.stage == "Closed Won" and deal.amount
    assert load_draft(demo_store.sessions, "close", deal_id) is None
    deals = window.opportunities
    assert deals.message.text().startswith("Closed won: ")
    qtbot.waitUntil(lambda: deals.current() is not None and deals.current().id == deal_id)
    other = next(i for i, row in enumerate(deals._rows) if row.id != deal_id)
    deals.table.selectRow(other)  # the message was about the deal just closed, not this one
    qtbot.waitUntil(lambda: deals.message.text() == "")
    window.show_screen("References")
    qtbot.waitUntil(lambda: row_count(window.references.table) >= 1)
    customers = [cell(window.references.table, r, 0)
                 for r in range(row_count(window.references.table))]
    assert "Cedar Health GmbH" in customers
    window.show_screen("Sync")  # what waits for the CRM, named as the rep knows it
    sync = window.sync
    qtbot.waitUntil(lambda: row_count(sync.outbox) > 0)
    named = {cell(sync.outbox, r, 1) for r in range(row_count(sync.outbox))}
    assert {"Close hand-off", "Reference", "Product line"} <= named
    assert not any("__c" in name for name in named)


def test_a_lost_deal_needs_its_reason_and_winner(qtbot: QtBot, demo_store: Store,
                                                 background: Background,
        commands: CommandRunner) -> None:
    window, _ = _ae_window(qtbot, demo_store, background, commands)
    form = _open_close_form(qtbot, window)
    qtbot.keyClick(form, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert not form.won_box.isVisible()
    assert form.competitor_label.text() == "Competitor that won"
    qtbot.keyClick(form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "lost reason code is required" in form.errors["reason_code"].text())
    assert form.isVisible()
    assert "competitor that won" in form.errors["competitor"].text()
    qtbot.keyClicks(form.competitor, "Northwind CRM")
    qtbot.waitUntil(lambda: not form.errors["competitor"].isVisibleTo(form))  # checked aside


def test_an_unfinished_close_is_kept_as_a_draft(qtbot: QtBot, demo_store: Store,
                                                background: Background,
        commands: CommandRunner) -> None:
    window, deal_id = _ae_window(qtbot, demo_store, background, commands)
    form = _open_close_form(qtbot, window)
    qtbot.keyClick(form, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(form.po_number, "PO-2211")
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: (load_draft(demo_store.sessions, "close", deal_id) or {}).get(
        "po_number") == "PO-2211")
    again = _open_close_form(qtbot, window)
    assert again.po_number.text() == "PO-2211" and again.won.isChecked()
    assert again.notice.text() == "Restored your unsaved draft."


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """Holds a read back until the test lets it go (and always at the end)."""
    opened = threading.Event()
    yield opened
    opened.set()


def _held_drafts(gate: threading.Event) -> Callable[[WindowServices], WindowServices]:
    def change(services: WindowServices) -> WindowServices:
        close = services.opportunities.close

        def slow_read(deal_id: str) -> dict[str, Any] | None:
            gate.wait(10)
            return close.load_draft(deal_id)
        return replace(services, opportunities=replace(
            services.opportunities, close=replace(close, load_draft=slow_read)))
    return change


def test_the_close_form_holds_its_fields_until_the_kept_draft_is_shown(
        qtbot: QtBot, demo_store: Store, background: Background, commands: CommandRunner,
        gate: threading.Event) -> None:
    window, deal_id = _ae_window(qtbot, demo_store, background, commands, _held_drafts(gate))
    save_draft(demo_store.sessions, "close", deal_id,
               {"outcome": "won", "po_number": "PO-2211"}, FIXED_NOW)
    activate(qtbot, window)
    qtbot.keyClick(window.opportunities.table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    form = window.opportunities.close_form
    assert form is not None and form.isVisible() and form.reading
    assert form.notice.text() == "Reading your unsaved draft…"
    assert not form.po_number.isEnabled() and not form.won.isEnabled()
    assert form.save_button is not None and not form.save_button.isEnabled()
    activate(qtbot, form)
    qtbot.keyClicks(form.po_number, "typed too early")
    qtbot.keyClick(form, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert form.isVisible() and not any(label.isVisibleTo(form)
                                        for label in form.errors.values())

    gate.set()
    qtbot.waitUntil(lambda: not form.reading)
    assert form.po_number.text() == "PO-2211" and form.won.isChecked()
    assert form.notice.text() == "Restored your unsaved draft."
    assert form.po_number.isEnabled() and form.save_button.isEnabled()
    focused = QApplication.focusWidget()
    assert focused is not None and form.fields.isAncestorOf(focused)  # ready to type


def test_closing_the_form_before_its_draft_is_read_leaves_the_draft_as_it_was(
        qtbot: QtBot, demo_store: Store, background: Background, commands: CommandRunner,
        gate: threading.Event) -> None:
    window, deal_id = _ae_window(qtbot, demo_store, background, commands, _held_drafts(gate))
    save_draft(demo_store.sessions, "close", deal_id,
               {"outcome": "lost", "competitor": "Northwind CRM"}, FIXED_NOW)
    form = window.opportunities.open_close_form()
    assert form is not None and form.reading
    activate(qtbot, form)
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert not form.isVisible()
    gate.set()
    qtbot.waitUntil(lambda: not form.reading)
    commands.wait()
    assert load_draft(demo_store.sessions, "close", deal_id) == {
        "outcome": "lost", "competitor": "Northwind CRM"}


def test_an_opportunity_is_created_by_hand(qtbot: QtBot, demo_store: Store,
                                           background: Background,
        commands: CommandRunner) -> None:
    window, _ = _ae_window(qtbot, demo_store, background, commands)
    view = window.opportunities
    view.create()
    qtbot.waitUntil(lambda: view.message.text() == "The opportunity needs a name.")
    view.new_name.setText("Orion Labs expansion")
    view.create()
    qtbot.waitUntil(lambda: any(r.name == "Orion Labs expansion" for r in view._rows))


def test_marketing_records_a_reference_use_and_reads_the_feedback(
        qtbot: QtBot, demo_store: Store, background: Background,
        commands: CommandRunner) -> None:
    from datetime import timedelta

    from models.closing import CloseDraft, LineItem, close_opportunity
    from models.store import Product

    window, deal_id = _ae_window(qtbot, demo_store, background, commands)
    with demo_store.sessions() as session:
        product = session.scalars(select(Product)).first()
        contacts = list(session.scalars(select(Contact).where(Contact.email.like("%cedar.de"))))
        assert product is not None
    close_opportunity(demo_store.sessions, deal_id, CloseDraft(
        outcome="won", reason_code="WIN-PRICE", competitor="Northwind CRM",
        requested_features=("Territory maps", "territory  maps"),
        lines=(LineItem(product.id, 10, 100.0),), contract_term_months=12,
        support_contract="Standard", billing_contact_id=contacts[0].id,
        payment_terms="Net 30", technical_contact_ids=(contacts[1].id,),
        reference_willing=True, reference_kinds=("call",)), None,
        FIXED_NOW - timedelta(days=1))
    window.show_screen("References")
    refs = window.references
    qtbot.waitUntil(lambda: refs.current() is not None)
    refs.table.selectRow([r.account for r in refs._rows].index("Cedar Health GmbH"))
    refs.record()
    qtbot.waitUntil(lambda: "Say what the reference was used for" in refs.message.text())
    refs.used_for.setText("Acme Freight evaluation")
    refs.record()
    qtbot.waitUntil(lambda: any(r.account == "Cedar Health GmbH" and r.uses == 1
                                for r in refs._rows))
    window.show_screen("Feedback")
    qtbot.waitUntil(lambda: row_count(window.feedback.features) > 0)
    features = {cell(window.feedback.features, r, 0):
                cell(window.feedback.features, r, 1)
                for r in range(row_count(window.feedback.features))}
    assert features["Territory maps"] == "2"  # counted whatever the spacing and case


def test_the_close_form_fits_the_screen_and_keeps_save_in_view_after_a_failed_save(
        qtbot: QtBot, demo_store: Store, background: Background,
        commands: CommandRunner) -> None:
    window, _ = _ae_window(qtbot, demo_store, background, commands)
    form = _open_close_form(qtbot, window)
    screen = form.screen().availableGeometry()
    qtbot.keyClick(form, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: form.notice.text().startswith("Some fields need attention"))
    assert form.height() <= screen.height() and form.width() <= screen.width()
    save = form.save_button
    assert save is not None and not save.visibleRegion().isEmpty()
    assert form.rect().contains(save.mapTo(form, save.rect().bottomRight()))
