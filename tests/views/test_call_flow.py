"""The SDR's call block, driven from the keyboard as a rep works it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QTreeWidgetItem
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.commands import CommandRunner
from models.hygiene.account_links import refresh_matches
from models.reps import current_rep
from models.store import Account, Activity, Lead, Setting, User
from models.store.open import Store
from tests.conftest import FIXED_NOW
from tests.views.conftest import choose_london_sdr, open_window
from views.background import Background
from views.main_window import MainWindow
from views.queue_view import QueueView


@pytest.fixture
def london_window(qtbot: QtBot, demo_store: Store, background: Background,
        commands: CommandRunner) -> MainWindow:
    """A London SDR at 15:00 on a Tuesday: the calls block is under way."""
    choose_london_sdr(demo_store)
    return open_window(qtbot, demo_store, background, commands)


def _activities(store: Store, lead_id: str) -> list[Activity]:
    with store.sessions() as session:
        return list(session.scalars(select(Activity).where(Activity.lead_id == lead_id)
                                    .order_by(Activity.occurred_at)))


def _open_calls(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.today.current_block() is not None)
    assert window.today.current_block().kind == "calls"
    with qtbot.waitSignal(window.queue.lead_shown, timeout=5000):
        qtbot.keyClick(window.today, Qt.Key.Key_Return)
    assert window.current_screen() == "Queue"


def test_enter_on_today_starts_the_call_block_on_its_first_lead(
        qtbot: QtBot, london_window: MainWindow) -> None:
    _open_calls(qtbot, london_window)
    queue = london_window.queue
    assert queue.current_block() == "calls"
    first = queue.lead_ids()[0]
    assert queue.current_lead_id() == first
    assert "Talk track" in queue.talk_track.text()
    assert queue.panel.toPlainText().strip() != ""
    with qtbot.waitSignal(london_window.today.refreshed):
        london_window.today.refresh()
    current = london_window.today.current_block()
    assert current is not None and current.started


def test_groups_follow_persona_priority(qtbot: QtBot, london_window: MainWindow) -> None:
    _open_calls(qtbot, london_window)
    tree = london_window.queue.tree
    headers = [tree.topLevelItem(i).text(0).split("  (")[0]
               for i in range(tree.topLevelItemCount())]
    order = ["Executive buyer", "Technical decision maker", "Line manager",
             "Technical manager", "Practitioner", "Student", "Unclassified title"]
    assert headers == [name for name in order if name in headers]
    assert len(headers) >= 3


def test_dial_then_one_key_logs_the_outcome_with_the_note_and_shows_the_next_lead(
        qtbot: QtBot, london_window: MainWindow, demo_store: Store) -> None:
    _open_calls(qtbot, london_window)
    queue = london_window.queue
    first, second = queue.lead_ids()[:2]
    with qtbot.waitSignal(queue.dial_requested) as dialled:
        qtbot.keyClick(queue.tree, Qt.Key.Key_D)
    assert str(dialled.args[0]).startswith("tel:+")
    queue.note.setFocus()
    qtbot.keyClicks(queue.note, "12 seats, call at 4")
    assert queue.note.text() == "12 seats, call at 4"  # digits typed in the note stay there
    assert queue.current_lead_id() == first
    with qtbot.waitSignal(queue.lead_shown, timeout=5000):
        qtbot.keyClick(queue.tree, Qt.Key.Key_3)
    assert queue.current_lead_id() == second
    assert first not in queue.lead_ids()
    assert queue.note.text() == ""
    [logged] = [a for a in _activities(demo_store, first) if a.occurred_at == FIXED_NOW]
    assert (logged.kind, logged.outcome, logged.body) == ("call", "no answer",
                                                          "12 seats, call at 4")
    assert queue.message.text().startswith("Logged. Next:")


def test_call_back_asks_for_a_time_and_keeps_it(qtbot: QtBot, london_window: MainWindow,
                                                demo_store: Store) -> None:
    _open_calls(qtbot, london_window)
    queue = london_window.queue
    lead = queue.current_lead_id()
    assert lead is not None
    qtbot.keyClick(queue.tree, Qt.Key.Key_6)
    assert queue.call_back_row.isVisible()
    with qtbot.waitSignal(queue.touch_logged, timeout=5000):
        qtbot.keyClick(queue.call_back_at, Qt.Key.Key_Return)
    [logged] = [a for a in _activities(demo_store, lead) if a.occurred_at == FIXED_NOW]
    assert logged.outcome == "call back"
    assert logged.follow_up_at is not None
    assert logged.follow_up_at.astimezone().hour == 10
    assert logged.follow_up_at - FIXED_NOW < timedelta(days=2)
    with demo_store.sessions() as session:
        stored = session.get(Lead, lead)
        assert stored is not None and stored.cadence_due_at == logged.follow_up_at


def test_snooze_and_connected(qtbot: QtBot, london_window: MainWindow,
                              demo_store: Store) -> None:
    _open_calls(qtbot, london_window)
    queue = london_window.queue
    snoozed = queue.current_lead_id()
    with qtbot.waitSignal(queue.lead_shown, timeout=5000):
        qtbot.keyClick(queue.tree, Qt.Key.Key_S)
    assert snoozed not in queue.lead_ids()
    reached = queue.current_lead_id()
    with qtbot.waitSignal(queue.touch_logged, timeout=5000):
        qtbot.keyClick(queue.tree, Qt.Key.Key_1)
    assert "Contact made" in queue.message.text()
    with demo_store.sessions() as session:
        first = session.get(Lead, snoozed)
        second = session.get(Lead, reached)
        assert first is not None and second is not None
        assert first.snoozed_until == FIXED_NOW + timedelta(hours=1)
        assert second.cadence_state == "contacted"


def test_today_counts_the_calls_done_in_the_block(qtbot: QtBot,
                                                  london_window: MainWindow) -> None:
    _open_calls(qtbot, london_window)
    for _ in range(2):
        with qtbot.waitSignal(london_window.queue.touch_logged, timeout=5000):
            qtbot.keyClick(london_window.queue.tree, Qt.Key.Key_2)
    # Today is not on view while the rep calls: it catches up when shown.
    with qtbot.waitSignal(london_window.today.refreshed, timeout=5000):
        london_window.show_screen("Today")
    block = london_window.today.current_block()
    assert block is not None and block.done == 2
    assert "Touches today:" in london_window.today.figures.text()


def test_n_moves_to_the_next_lead_without_logging(qtbot: QtBot, london_window: MainWindow,
                                                  demo_store: Store) -> None:
    _open_calls(qtbot, london_window)
    queue = london_window.queue
    first, second = queue.lead_ids()[:2]
    with qtbot.waitSignal(queue.lead_shown, timeout=5000):
        qtbot.keyClick(queue.tree, Qt.Key.Key_N)
    assert queue.current_lead_id() == second
    assert first in queue.lead_ids()
    assert [a for a in _activities(demo_store, first) if a.occurred_at == FIXED_NOW] == []


def test_editing_my_day_changes_today(qtbot: QtBot, london_window: MainWindow) -> None:
    dialog = london_window.today.edit_day()
    assert dialog is not None
    dialog.weekday.setCurrentIndex(2)  # Tuesday, FIXED_NOW's weekday
    assert len(dialog.blocks()) == 4
    dialog.table.setCurrentCell(0, 0)
    dialog._remove_row()
    dialog.table.cellWidget(1, 1).setValue(0)  # a calls block of 0 minutes
    dialog.save()
    qtbot.waitUntil(lambda: "at least 5 minutes" in dialog.error.text())
    assert dialog.isVisible()
    dialog.table.cellWidget(1, 1).setValue(240)
    with qtbot.waitSignal(london_window.today.refreshed):
        dialog.save()
    kinds = [(card.block.kind, card.block.ends_at - card.block.starts_at)
             for card in london_window.today.cards]
    assert kinds == [("e-mail", timedelta(hours=3)), ("calls", timedelta(hours=4)),
                     ("wrap-up", timedelta(hours=1))]


def _group(queue: QueueView, heading: str) -> list[QTreeWidgetItem]:
    tree = queue.tree
    headers = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
               if tree.topLevelItem(i).text(0).startswith(heading)]
    return [h.child(i) for h in headers for i in range(h.childCount())]


def _open_cleanup(qtbot: QtBot, window: MainWindow) -> QueueView:
    queue = window.queue
    window.show_screen("Queue")
    with qtbot.waitSignal(queue.list_loaded, timeout=10_000):
        queue.open_block("clean-up")
    return queue


def test_the_cleanup_block_fixes_a_title_with_one_key(qtbot: QtBot, london_window: MainWindow,
                                                      demo_store: Store) -> None:
    queue = _open_cleanup(qtbot, london_window)
    fixable = [row for row in _group(queue, "Missing or bad data") if "→ " in row.text(0)]
    assert fixable
    queue.tree.setCurrentItem(fixable[0])
    lead_id = queue.current_lead_id()
    qtbot.keyClick(queue.tree, Qt.Key.Key_M)
    assert queue.message.text() == "For this lead press F."
    qtbot.keyClick(queue.tree, Qt.Key.Key_F)
    qtbot.waitUntil(lambda: queue.message.text().startswith("Fixed: "))
    assert lead_id not in queue.lead_ids()
    with demo_store.sessions() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None and lead.title_level is not None and lead.persona


def test_the_cleanup_block_merges_a_suspected_duplicate_with_one_key(
        qtbot: QtBot, london_window: MainWindow, demo_store: Store) -> None:
    rep = current_rep(demo_store.sessions)
    assert rep is not None
    with demo_store.sessions.begin() as session:
        session.add(Lead(id="first", first_name="Robert", last_name="Sato", company="Orion K.K.",
                         email="r.sato@orion.co.jp", owner_id=rep.id, stage="MQL",
                         created_at=FIXED_NOW - timedelta(days=5)))
        session.add(Lead(id="again", first_name="Bob", last_name="Sato", company="ORION",
                         email="R.Sato@orion.co.jp", owner_id=rep.id, stage="MQL",
                         created_at=FIXED_NOW - timedelta(days=1)))
    queue = _open_cleanup(qtbot, london_window)
    [row] = [row for row in _group(queue, "Suspected duplicates")
             if row.data(0, Qt.ItemDataRole.UserRole + 1) == "again"]
    assert "looks like Robert Sato" in row.text(0)
    queue.tree.setCurrentItem(row)
    qtbot.keyClick(queue.tree, Qt.Key.Key_M)
    # A merge asks first, naming what it does.
    box = queue.confirmation
    assert box is not None and box.isVisible()
    assert "keeps every activity" in box.informativeText()
    assert "deleted" in box.informativeText()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: queue.message.text().startswith("Merged"))
    assert "again" not in queue.lead_ids()  # every row of the merged lead is gone
    with demo_store.sessions() as session:
        assert session.get(Lead, "again") is None
        survivor = session.get(Lead, "first")
        assert survivor is not None and survivor.first_name == "Bob"


def test_the_cleanup_block_routes_links_and_creates_accounts_with_one_key_each(
        qtbot: QtBot, london_window: MainWindow, demo_store: Store) -> None:
    rep = current_rep(demo_store.sessions)
    assert rep is not None
    with demo_store.sessions.begin() as session:
        owner = session.scalars(select(User).where(User.role == "AM")).first()
        assert owner is not None
        session.add(Setting(key="matching.threshold", value=98))
        session.add_all([
            Account(id="cust", name="Quillfeather Analytics Inc.", kind="customer",
                    domain="quillfeather.com", owner_id=owner.id),
            Account(id="maybe", name="Brightwater Robotics Ltd", kind="prospect")])
        session.flush()
        for key, company, email in [("to-am", "Quillfeather", "ann@quillfeather.com"),
                                    ("confirm", "Brightwater Robotic", "b@gmail.com"),
                                    ("create", "Nobody Like Us Bakery", "c@nobodylikeus.com")]:
            session.add(Lead(id=key, last_name=key.title(), company=company, email=email,
                             owner_id=rep.id, stage="MQL", created_at=FIXED_NOW))
    refresh_matches(demo_store.sessions, FIXED_NOW)
    queue = _open_cleanup(qtbot, london_window)
    steps = [("Routed to the wrong person", "to-am", Qt.Key.Key_R, "Routed: "),
             ("Accounts to confirm", "confirm", Qt.Key.Key_A, "Linked"),
             ("No account yet", "create", Qt.Key.Key_C, "Account Nobody Like Us Bakery")]
    for heading, lead_id, key, message in steps:
        [row] = [r for r in _group(queue, heading)
                 if r.data(0, Qt.ItemDataRole.UserRole + 1) == lead_id]
        queue.tree.setCurrentItem(row)
        qtbot.keyClick(queue.tree, key)
        qtbot.waitUntil(lambda m=message: queue.message.text().startswith(m))
        assert lead_id not in queue.lead_ids()
    with demo_store.sessions() as session:
        leads = {k: session.get(Lead, k) for k in ("to-am", "confirm", "create")}
        assert leads["to-am"].owner_id == owner.id  # type: ignore[union-attr]
        assert leads["confirm"].account_id == "maybe"  # type: ignore[union-attr]
        created = session.get(Account, leads["create"].account_id)  # type: ignore[union-attr]
        assert created is not None and created.domain == "nobodylikeus.com"


class _Softphone(QObject):
    """A program registered for tel: links, as a softphone registers itself."""

    def __init__(self) -> None:
        super().__init__()
        self.called: list[str] = []

    @Slot(QUrl)
    def call(self, url: QUrl) -> None:
        self.called.append(url.toString())


def test_dialling_is_said_only_when_a_program_took_the_link(
        qtbot: QtBot, london_window: MainWindow) -> None:
    _open_calls(qtbot, london_window)
    queue = london_window.queue
    qtbot.keyClick(queue.tree, Qt.Key.Key_D)  # no program takes tel: links here
    assert not queue.message.text().startswith("Dialling")
    assert "dial_uri_template" in queue.message.text()
    softphone = _Softphone()
    QDesktopServices.setUrlHandler("tel", softphone, "call")
    try:
        qtbot.keyClick(queue.tree, Qt.Key.Key_D)
    finally:
        QDesktopServices.unsetUrlHandler("tel")
    assert softphone.called and softphone.called[0].startswith("tel:+")
    assert queue.message.text().startswith("Dialling +")
