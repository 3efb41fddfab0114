"""What the Sync screen says about a lead whose create was in doubt and which was then deleted
in the CRM: it waits for the rep's decision, and so do the calls logged on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.qtbot import QtBot

from desktop.commands import CommandRunner
from desktop.composition import window_services
from models.crm.adapter import CrmError
from models.store import Lead
from models.store.open import Store
from models.touches import log_touch
from tests.integration.conftest import Crm, clock
from tests.integration.fault_rig import Rig, planned_faults
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
    for _ in range(2):
        log_touch(store.sessions, lead.id, None, "call", clock(), "no answer")
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


def test_tasks_of_a_lead_left_deleted_say_they_cannot_go(
        qtbot: QtBot, rig: Rig, store: Store, screen: SyncView) -> None:
    _deleted_after_a_lost_create(rig, store)
    _shown(qtbot, screen, 3)
    screen.conflicts.selectRow(0)
    screen.take_theirs.click()  # the calls still point at the lead: it stays here
    qtbot.waitUntil(lambda: screen.conflicts.model().rowCount() == 0)
    rig.sync(store)

    tasks = _shown(qtbot, screen, 2)
    for task in tasks:
        assert task[1] == "Task"
        assert task[5] == ("cannot go: the lead Yuki Sato (Orion Labs) was deleted in the CRM "
                           "and you chose to leave it deleted")
