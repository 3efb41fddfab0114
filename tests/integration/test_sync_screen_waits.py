"""What the Sync screen says about a lead whose create was in doubt and which was then deleted
in the CRM: it waits for the rep's decision, and so do the calls logged on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.commands import CommandRunner
from desktop.composition import window_services
from models.crm.adapter import CrmError
from models.store import Activity, Lead
from models.store.open import Store
from models.stranded_tasks import drop_stranded
from models.touches import log_touch
from tests.integration.conftest import Crm, clock
from tests.integration.fault_rig import Rig, planned_faults
from tests.views.conftest import activate
from views.background import Background
from views.sync_view import SyncView


@pytest.fixture
def rig(crm: Crm) -> Iterator[Rig]:
    with planned_faults(crm) as planned:
        yield planned


def _lines(table: QAbstractItemView, columns: int) -> list[list[str]]:
    model = table.model()
    return [[str(model.index(r, c).data()) for c in range(columns)]
            for r in range(model.rowCount())]


def _deleted_after_a_lost_create(rig: Rig, store: Store) -> str:
    """A lead whose create reached the CRM with its answer lost, then deleted there by a
    colleague, with two calls the rep logged on it since."""
    with store.sessions.begin() as session:
        lead = Lead(first_name="Yuki", last_name="Sato", company="Orion Labs",
                    created_at=clock())
        session.add(lead)
    # The create reaches the CRM but its answer is lost, and so is every look-up after it.
    rig.fault("PATCH", "composite/sobjects/Lead/RepDesk_Id__c", "lost")
    rig.fault("GET", "/queryAll", "drop", times=5)
    with pytest.raises(CrmError):
        rig.sync(store)
    [made] = [r for r in rig.crm.sandbox.store.all("Lead")
              if r.fields.get("RepDesk_Id__c") == lead.id]
    rig.crm.sandbox.store.delete("Lead", made.id)
    rig.sync(store)
    log_touch(store.sessions, lead.id, None, "call", clock(), "no answer")
    log_touch(store.sessions, lead.id, None, "call", clock(), "voicemail",
              note="Left word about the pilot in March")
    rig.sync(store)
    return lead.id


@pytest.fixture
def screen(qtbot: QtBot, store: Store) -> Iterator[SyncView]:
    """The Sync screen on ``store``, wired as the window wires it."""
    commands, background = CommandRunner(), Background()
    view = SyncView(window_services(store, clock=clock, commands=commands).sync, background,
                    commands)
    qtbot.addWidget(view)
    view.show()
    yield view
    commands.wait()
    background.wait()
    commands.stop()


def _shown(qtbot: QtBot, view: SyncView, rows: int) -> list[list[str]]:
    view.refresh()
    qtbot.waitUntil(lambda: view.outbox.model().rowCount() == rows)
    return _lines(view.outbox, 6)


def test_a_lead_deleted_in_the_crm_after_a_lost_create_waits_for_the_rep_and_so_do_its_tasks(
        qtbot: QtBot, rig: Rig, store: Store, screen: SyncView) -> None:
    lead_id = _deleted_after_a_lost_create(rig, store)

    lines = _shown(qtbot, screen, 3)
    [lead_line] = [line for line in lines if line[1] == "Lead"]
    tasks = [line for line in lines if line[1] == "Task"]
    assert lead_line[0] == "your decision"  # not "refused": the CRM refused nothing
    assert lead_line[5] == (
        "Deleted in the CRM: decide under Conflicts whether to create it again (Keep mine) or "
        "to leave it deleted (Take theirs: the 2 tasks then never go); 2 tasks wait for it.")
    assert len(tasks) == 2
    for task in tasks:
        assert task[0] == "blocked"
        assert task[5] == ("waits for your decision on the lead Yuki Sato (Orion Labs), "
                           "deleted in the CRM (see Conflicts)")
    [conflict] = _lines(screen.conflicts, 5)
    assert conflict[1] == "(deleted in the CRM)"
    assert conflict[3] == "the lead Yuki Sato (Orion Labs), kept here until you decide"

    # Keep mine, as the line says: the lead is created again and its tasks follow it.
    screen.conflicts.selectRow(0)
    screen.keep_mine.click()
    qtbot.waitUntil(lambda: screen.conflicts.model().rowCount() == 0)
    rig.sync(store)
    rig.sync(store)
    assert _shown(qtbot, screen, 0) == []
    [again] = [r for r in rig.crm.sandbox.store.all("Lead")
               if r.fields.get("RepDesk_Id__c") == lead_id]
    assert len([r for r in rig.crm.sandbox.store.all("Task")
                if r.fields.get("WhoId") == again.id]) == 2


def _left_deleted(qtbot: QtBot, rig: Rig, store: Store, screen: SyncView) -> str:
    """The lead above, and the rep chose Take theirs on it; then a sync."""
    lead_id = _deleted_after_a_lost_create(rig, store)
    _shown(qtbot, screen, 3)
    screen.conflicts.selectRow(0)
    screen.take_theirs.click()  # the calls still point at the lead: it stays here
    qtbot.waitUntil(lambda: screen.conflicts.model().rowCount() == 0)
    rig.sync(store)
    return lead_id


def test_tasks_of_a_lead_left_deleted_say_they_cannot_go(
        qtbot: QtBot, rig: Rig, store: Store, screen: SyncView) -> None:
    _left_deleted(qtbot, rig, store, screen)

    tasks = _shown(qtbot, screen, 2)
    for task in tasks:
        assert task[1] == "Task"
        assert task[5] == ("cannot go: the lead Yuki Sato (Orion Labs) was deleted in the CRM "
                           "and you chose to leave it deleted")


def _press(qtbot: QtBot, key: Qt.Key) -> None:
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, key)


def test_the_rep_reads_the_tasks_that_cannot_go_and_drops_them_by_keyboard(
        qtbot: QtBot, rig: Rig, store: Store, screen: SyncView) -> None:
    lead_id = _left_deleted(qtbot, rig, store, screen)
    _shown(qtbot, screen, 2)
    qtbot.waitUntil(screen.stranded.isVisible)
    # What each task holds is on screen before anything goes.
    listed = _lines(screen.stranded.tasks, 4)
    assert [line[:2] for line in listed] == [
        ["the lead Yuki Sato (Orion Labs)", "Call: no answer"],
        ["the lead Yuki Sato (Orion Labs)", "Call: voicemail"]]
    assert [line[3] for line in listed] == ["", "Left word about the pilot in March"]

    # One task: from the list, Down to the second, Tab to "Discard this task", Space.
    activate(qtbot, screen)
    screen.stranded.tasks.setFocus()
    qtbot.waitUntil(screen.stranded.tasks.hasFocus)
    _press(qtbot, Qt.Key.Key_Down)
    _press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is screen.stranded.discard
    _press(qtbot, Qt.Key.Key_Space)
    # The screen reads itself again from what the drop says it changed.
    qtbot.waitUntil(lambda: screen.stranded.tasks.model().rowCount() == 1)
    assert _lines(screen.stranded.tasks, 4)[0][1] == "Call: no answer"
    qtbot.waitUntil(lambda: screen.outbox.model().rowCount() == 1)
    assert screen.message.text().startswith("Dropped 1 task (Call: voicemail, ")
    with store.sessions() as session:
        assert session.get(Lead, lead_id) is not None  # the other task still points at it

    # The last one: Alt+A, "Drop this task"; the lead then goes here too, as Take theirs said.
    assert screen.stranded.drop_all.text() == "Drop this t&ask"
    qtbot.keyClick(screen, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not screen.stranded.isVisible())
    qtbot.waitUntil(lambda: screen.outbox.model().rowCount() == 0)
    assert screen.message.text().endswith(
        "The lead Yuki Sato (Orion Labs): removed here too, as in the CRM.")
    with store.sessions() as session:
        assert session.get(Lead, lead_id) is None
        assert session.scalars(select(Activity).where(Activity.lead_id == lead_id)).all() == []
    before = len(list(rig.crm.sandbox.store.all("Task")))
    rig.sync(store)
    assert len(list(rig.crm.sandbox.store.all("Task"))) == before  # nothing went
    assert [r for r in rig.crm.sandbox.store.all("Lead")
            if r.fields.get("RepDesk_Id__c") == lead_id] == []
    assert _shown(qtbot, screen, 0) == []


def test_a_task_that_can_go_is_never_dropped(
        qtbot: QtBot, rig: Rig, store: Store, screen: SyncView) -> None:
    """A list shown before the rep chose Keep mine: the drop is refused, nothing is lost."""
    _deleted_after_a_lost_create(rig, store)
    with store.sessions() as session:
        ids = list(session.scalars(select(Activity.id)))
    with pytest.raises(ValueError, match="nothing was dropped"):
        drop_stranded(store.sessions, ids)
    _shown(qtbot, screen, 3)
    screen.conflicts.selectRow(0)
    screen.take_theirs.click()
    qtbot.waitUntil(lambda: screen.conflicts.model().rowCount() == 0)
    drop_stranded(store.sessions, ids[:1])
    with pytest.raises(ValueError, match="nothing was dropped"):
        drop_stranded(store.sessions, ids)  # one of them is gone already
    with store.sessions() as session:
        assert list(session.scalars(select(Activity.id))) == ids[1:]
