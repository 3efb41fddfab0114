"""Qualifying from the keyboard, drafts that survive, and the AE's hand-off inbox."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.commands import CommandRunner
from desktop.composition import window_services
from models.drafts import load_draft
from models.reps import choose_rep
from models.store import Lead, Opportunity, User
from models.store.open import Store
from tests.conftest import FIXED_NOW
from tests.views.conftest import activate, cell, row_count
from views.background import Background
from views.main_window import MainWindow
from views.qualification_form import QualificationForm


def _open_form(qtbot: QtBot, window: MainWindow) -> tuple[str, QualificationForm]:
    activate(qtbot, window)
    window.show_screen("Leads")
    lead_id = window.leads.model.lead_id(0)
    qtbot.waitUntil(lambda: window.leads.qualify_button.isEnabled())
    qtbot.keyClick(window.leads.table, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.qualification_form is not None
                    and window.qualification_form.isVisible())
    form = window.qualification_form
    assert form is not None
    activate(qtbot, form)
    return lead_id, form


def _stage(store: Store, lead_id: str) -> Lead:
    with store.sessions() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead


def test_an_a_lead_is_qualified_from_the_keyboard_and_handed_to_an_ae(
        qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    lead_id, form = _open_form(qtbot, window)
    qtbot.keyClick(form, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    assert form.category() == "A"
    form.reason.setFocus()
    qtbot.keyClick(form.reason, Qt.Key.Key_Down)
    assert form.reason.currentData() is not None
    for criterion, edit in form.answers.items():
        if not edit.text():
            qtbot.keyClicks(edit, f"{criterion} confirmed on the call")
    qtbot.keyClicks(form.next_step, "Technical demo on Thursday")
    with qtbot.waitSignal(form.qualified):
        qtbot.keyClick(form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    lead = _stage(demo_store, lead_id)
    assert (lead.stage, lead.category, lead.handoff_state) == ("SQL", "A", "pending")
    assert lead.handoff_due_at == FIXED_NOW + timedelta(hours=48)
    assert load_draft(demo_store.sessions, "qualification", lead_id) is None


def test_saving_an_incomplete_form_shows_inline_messages(qtbot: QtBot,
                                                         window: MainWindow) -> None:
    _, form = _open_form(qtbot, window)
    qtbot.keyClick(form, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(form, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: form.errors["reason_code"].isVisibleTo(form))
    assert form.isVisible()
    assert "reason code is required" in form.errors["reason_code"].text()
    assert form.errors["next_step"].isVisibleTo(form)
    qtbot.keyClicks(form.next_step, "Call back after budget review")
    # Checked again, off the UI thread, as the rep types.
    qtbot.waitUntil(lambda: not form.errors["next_step"].isVisibleTo(form))


def test_a_draft_survives_cancel_and_is_restored(qtbot: QtBot, window: MainWindow,
                                                 demo_store: Store) -> None:
    lead_id, form = _open_form(qtbot, window)
    qtbot.keyClick(form, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(form.features, "Salesforce sync, dark mode")
    # Written while typing, before any close: a crash now would keep it too.
    qtbot.waitUntil(lambda: (load_draft(demo_store.sessions, "qualification", lead_id) or {})
                    .get("requested_features") == ["Salesforce sync", "dark mode"])
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert not form.isVisible()
    _, again = _open_form(qtbot, window)
    assert again is not form
    assert again.category() == "C"
    assert again.features.text() == "Salesforce sync, dark mode"
    assert again.notice.text() == "Restored your unsaved draft."


def test_the_ae_accepts_and_rejects_hand_offs_in_the_inbox(
        qtbot: QtBot, demo_store: Store, background: Background,
        commands: CommandRunner) -> None:
    from models.qualification import QualificationDraft, save_qualification

    with demo_store.sessions() as session:
        ae = session.scalars(select(User).where(User.role == "AE").order_by(User.name)).first()
        sdr = session.scalars(select(User).where(User.role == "SDR-inbound")).first()
        assert ae is not None and sdr is not None
        leads = list(session.scalars(select(Lead.id).where(
            Lead.stage == "MQL", Lead.owner_id == sdr.id).limit(2)))
    for lead_id in leads:
        save_qualification(demo_store.sessions, lead_id, QualificationDraft(
            category="B", reason_code="B-NEXT-BUDGET", framework="AN",
            answers={"Authority": "CFO", "Need": "Forecasting"}, next_step="Demo",
            handoff_to_id=ae.id), sdr.id, FIXED_NOW - timedelta(hours=50))
    choose_rep(demo_store.sessions, sdr.id)
    window = MainWindow(window_services(demo_store, clock=lambda: FIXED_NOW, commands=commands),
                        background)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: "Hand-offs overdue with AEs: <b>2</b>"  # the SDR sees them
                    in window.today.figures.text())
    inbox = window.inbox
    inbox.ae.setCurrentIndex(inbox.ae.findData(ae.id))
    window.show_screen("Opportunities")
    qtbot.waitUntil(lambda: row_count(inbox.table) == 2)
    # The SDR may look at the AE's inbox, not decide for them.
    assert not inbox.accept_button.isEnabled() and "only they can" in inbox.message.text()
    window.close()
    choose_rep(demo_store.sessions, ae.id)
    window = MainWindow(window_services(demo_store, clock=lambda: FIXED_NOW, commands=commands),
                        background)
    qtbot.addWidget(window)
    window.show()
    assert window.current_screen() == "Opportunities"  # an AE's desk opens on the inbox
    inbox = window.inbox
    assert inbox.ae_id() == ae.id
    qtbot.waitUntil(lambda: row_count(inbox.table) == 2)
    assert inbox.accept_button.isEnabled()
    assert cell(inbox.table, 0, 0).startswith("OVERDUE 2 h")
    # the chosen hand-off's time, beside the buttons that decide it
    assert inbox.time_left.isVisible() and inbox.time_left.text().startswith("OVERDUE 2 h")
    assert "2 overdue" in inbox.summary.text()
    first = inbox.current()
    assert first is not None
    qtbot.keyClick(inbox.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert "reason is required" in inbox.message.text()
    inbox.reason.setCurrentIndex(1)
    qtbot.keyClick(inbox.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    box = inbox.confirmation  # rejecting asks first and says what follows
    assert box is not None and box.isVisible()
    assert "back to nurture" in box.informativeText()
    with qtbot.waitSignal(inbox.decided) as rejected:
        box.button(QMessageBox.StandardButton.Yes).click()
    assert rejected.args == [first.lead_id, "rejected"]
    assert _stage(demo_store, first.lead_id).stage == "nurture"
    qtbot.waitUntil(lambda: row_count(inbox.table) == 1)
    second = inbox.current()
    assert second is not None
    # What the SDR learned is in front of the AE, with who learned it.
    qtbot.waitUntil(lambda: "CFO" in inbox.learned.toPlainText())
    assert "Forecasting" in inbox.learned.toPlainText()
    assert cell(inbox.table, 0, 5) == sdr.name
    activate(qtbot, window)
    inbox.table.setFocus()
    # Seed 004: no acceptance until every criterion of an opportunity is confirmed.
    activate(qtbot, window)
    inbox.table.setFocus()
    qtbot.keyClick(inbox.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "confirm that it is an opportunity" in inbox.message.text())
    activate(qtbot, window)
    inbox.table.setFocus()
    for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4):
        qtbot.keyClick(inbox.table, key, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: len(inbox.checks.confirmed()) == 4)
    with qtbot.waitSignal(inbox.decided):
        qtbot.keyClick(inbox.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert _stage(demo_store, second.lead_id).stage == "converted"  # a contact now
    with demo_store.sessions() as session:
        assert session.scalars(select(Opportunity).where(
            Opportunity.lead_id == second.lead_id)).one().owner_id == ae.id
    qtbot.waitUntil(lambda: row_count(inbox.table) == 0)
    assert inbox.summary.text() == "No hand-off is waiting."
