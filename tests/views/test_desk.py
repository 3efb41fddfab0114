"""A desk per role: "Work as…" signs another person of the demo team in; the desk follows."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.commands import CommandRunner
from desktop.desk import Desk
from models.reps import current_rep
from models.store.open import Store
from tests.conftest import FIXED_NOW
from views.background import Background
from views.main_window import MainWindow


def test_working_as_an_ae_turns_the_desk_to_the_hand_off_inbox(
        qtbot: QtBot, demo_store: Store, background: Background,
        commands: CommandRunner) -> None:
    desk = Desk(demo_store, background, commands, can_switch=True, clock=lambda: FIXED_NOW)
    sdr_window = desk.open()  # the desk closes and deletes it when it builds the next
    assert sdr_window.current_screen() == "Today"
    # The team is read in the background; the menu fills when it arrives.
    qtbot.waitUntil(lambda: len(sdr_window.work_as_menu.actions()) > 1)
    people = {a.text(): a for a in sdr_window.work_as_menu.actions()}
    assert any("(SDR-inbound)" in text for text in people)
    [mine] = [a for a in people.values() if a.isChecked()]
    assert "(SDR" in mine.text()
    ae_action = next(a for text, a in people.items() if text.endswith("(AE)"))
    ae_label = ae_action.text()
    ae_action.trigger()
    qtbot.waitUntil(lambda: desk.window is not sdr_window, timeout=10_000)
    ae_window = desk.window
    assert ae_window is not None
    qtbot.addWidget(ae_window)
    rep = current_rep(demo_store.sessions)
    assert rep is not None and rep.role == "AE"
    assert ae_label.startswith(rep.name)
    assert ae_window.current_screen() == "Opportunities"
    assert ae_window.windowTitle().endswith(rep.name)
    assert ae_window.inbox.ae_id() == rep.id
    windows = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, MainWindow) and w.isVisible()]
    assert windows == [ae_window]


def test_without_demo_mode_nobody_else_can_be_worked_as(
        qtbot: QtBot, demo_store: Store, background: Background,
        commands: CommandRunner) -> None:
    window = Desk(demo_store, background, commands, clock=lambda: FIXED_NOW).open()
    qtbot.addWidget(window)
    assert "Work as" not in [a.text().replace("&", "") for a in window.menuBar().actions()
                             [0].menu().actions()]
