"""A screen that closes while its slow read runs (a window rebuilt for another rep, say) is
not handed the result: nothing is shown on a widget that no longer exists."""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from views.background import Background


class Panel(QLabel):
    def show_result(self, text: str) -> None:
        self.setText(text)


def test_a_result_for_a_closed_screen_is_dropped_without_an_error(qtbot: QtBot) -> None:
    background = Background()
    panel = Panel()
    release = threading.Event()

    def slow_read() -> str:
        release.wait(10)
        return "Brian Wright"

    background.run("detail", slow_read, panel.show_result)
    shiboken6.delete(panel)  # the window holding it is gone
    release.set()
    qtbot.waitUntil(background.idle)  # delivered (and dropped) with no exception raised


def test_a_result_for_a_screen_still_open_is_shown(qtbot: QtBot) -> None:
    background = Background()
    panel = Panel()
    qtbot.addWidget(panel)
    background.run("detail", lambda: "Brian Wright", panel.show_result)
    qtbot.waitUntil(lambda: panel.text() == "Brian Wright")
