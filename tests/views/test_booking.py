"""Booking a meeting from the queue by keyboard after a connected call, and the lead's
meetings logged by hand and marked held or no-show on the same screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.commands import CommandRunner
from models.meetings import log_meeting
from models.store import Activity, Lead, Meeting, OutboxEntry, User
from models.store.mail import WAITING, EmailSend
from models.store.open import Store
from tests.conftest import FIXED_NOW
from tests.views.conftest import activate, choose_london_sdr, open_window
from ui.keys import REGISTERED
from views.background import Background
from views.booking_dialog import BookingDialog
from views.main_window import MainWindow


@pytest.fixture
def london_window(qtbot: QtBot, demo_store: Store, background: Background,
                  commands: CommandRunner) -> MainWindow:
    choose_london_sdr(demo_store)
    return open_window(qtbot, demo_store, background, commands)


def _connected_then_b(qtbot: QtBot, window: MainWindow) -> tuple[str, BookingDialog]:
    qtbot.waitUntil(lambda: window.today.current_block() is not None)
    with qtbot.waitSignal(window.queue.lead_shown, timeout=5000):
        qtbot.keyClick(window.today, Qt.Key.Key_Return)
    queue = window.queue
    reached = queue.current_lead_id()
    assert reached is not None
    with qtbot.waitSignal(queue.touch_logged, timeout=5000):
        qtbot.keyClick(queue.tree, Qt.Key.Key_1)
    qtbot.keyClick(queue.tree, Qt.Key.Key_B)
    dialog = queue.booking
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.slots.count() > 0, timeout=5000)
    return reached, dialog


def test_b_after_a_connected_call_books_the_chosen_slot_with_arrows_and_enter(
        qtbot: QtBot, london_window: MainWindow, demo_store: Store) -> None:
    reached, dialog = _connected_then_b(qtbot, london_window)
    # The hand-off rule's AE is chosen, and the slot list has the keyboard.
    assert "suggested by the hand-off rule" in dialog.ae.currentText()
    # The first slot in the lead's business hours is chosen, and the list has the keyboard.
    start = dialog.slots.currentRow()
    assert dialog.slots.hasFocus() and start >= 0
    assert "for the lead)" in dialog.slots.item(start).text()
    assert all("outside their hours" in dialog.slots.item(row).text()
               for row in range(start))
    second = dialog.slots.item(start + 1).data(Qt.ItemDataRole.UserRole)
    qtbot.keyClick(dialog.slots, Qt.Key.Key_Down)
    with qtbot.waitSignal(dialog.booked, timeout=5000):
        qtbot.keyClick(dialog.slots, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert london_window.queue.message.text().startswith("Meeting booked with ")
    with demo_store.sessions() as session:
        meeting = session.scalars(select(Meeting).where(Meeting.lead_id == reached)).one()
        lead = session.get(Lead, reached)
        ae = session.get(User, meeting.owner_id)
        queued = set(session.scalars(select(OutboxEntry.object).where(
            OutboxEntry.record_id == meeting.id)))
        send = session.get(EmailSend, meeting.invitation_id) if meeting.invitation_id else None
        invitation = session.get(Activity, meeting.invitation_id) \
            if meeting.invitation_id else None
    assert meeting.starts_at == second and meeting.starts_at > FIXED_NOW
    assert ae is not None and ae.name in dialog.ae.currentText()
    assert lead is not None and (lead.handoff_to_id, lead.handoff_state) == (ae.id, "pending")
    assert queued == {"Event"}
    if lead.email and not lead.email_opt_out:
        assert send is not None and send.state == WAITING
        assert invitation is not None and "BEGIN:VCALENDAR" in (invitation.body or "")
    assert any(e.keys == "B" and e.where == "Queue" for e in REGISTERED.values())


def test_tab_walks_the_booking_screen_in_reading_order(
        qtbot: QtBot, london_window: MainWindow) -> None:
    _reached, dialog = _connected_then_b(qtbot, london_window)
    dialog.activateWindow()
    dialog.ae.setFocus()
    seen: list[QWidget] = []
    for _ in range(9):
        seen.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert seen == [dialog.ae, dialog.slots, dialog.book_button, dialog.meetings,
                    dialog.held, dialog.no_show, dialog.by_hand, dialog.log_button,
                    dialog.close_button]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_meeting_logged_by_hand_is_marked_held_and_a_future_one_is_refused(
        qtbot: QtBot, london_window: MainWindow, demo_store: Store) -> None:
    reached, dialog = _connected_then_b(qtbot, london_window)
    # Set on an earlier call, held this morning.
    dialog.by_hand.setDateTime(QDateTime(FIXED_NOW - timedelta(hours=5)))
    qtbot.keyClick(dialog.by_hand, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: "·" in dialog.meetings.item(0).text(), timeout=5000)
    assert dialog.message.text() == "Meeting logged."
    assert dialog.meetings.item(0).text().endswith("booked")
    qtbot.keyClick(dialog.meetings, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.meetings.item(0).text().endswith("held"), timeout=5000)
    with demo_store.sessions() as session:
        [meeting] = session.scalars(select(Meeting).where(Meeting.lead_id == reached))
        assert meeting.state == "held"
        assert session.scalars(select(OutboxEntry.fields).where(
            OutboxEntry.record_id == meeting.id, OutboxEntry.op == "update")).all() == [
            {"state": "held"}]
    # A meeting still to come cannot be held yet: told, nothing changes.
    dialog.by_hand.setDateTime(QDateTime(FIXED_NOW + timedelta(days=1)))
    qtbot.keyClick(dialog.by_hand, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.meetings.count() == 2, timeout=5000)
    dialog.meetings.setCurrentRow(0)  # the latest first
    qtbot.keyClick(dialog.meetings, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: "not started" in dialog.message.text(), timeout=5000)
    assert dialog.meetings.item(0).text().endswith("booked")


def test_ctrl_m_on_the_leads_screen_opens_a_lead_s_meetings_to_mark_them(
        qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    """A lead met last week is off the queue: its meeting is marked from the Leads screen."""
    activate(qtbot, window)
    window.show_screen("Leads")
    lead_id = window.leads.model.lead_id(0)
    qtbot.waitUntil(lambda: window.leads.qualify_button.isEnabled())
    with demo_store.sessions() as session:
        ae = session.scalars(select(User.id).where(User.role == "AE")).first()
    assert ae is not None
    log_meeting(demo_store.sessions, lead_id, ae, FIXED_NOW - timedelta(days=6), None,
                FIXED_NOW - timedelta(days=7))
    qtbot.keyClick(window.leads.table, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    dialog = window.meetings_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.meetings.count() == 1
                    and dialog.meetings.item(0).text().endswith("booked"), timeout=5000)
    dialog.meetings.setFocus()
    qtbot.keyClick(dialog.meetings, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.meetings.item(0).text().endswith("held"), timeout=5000)
    assert any(e.keys == "Ctrl+M" and e.where == "Leads" for e in REGISTERED.values())
