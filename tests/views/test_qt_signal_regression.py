"""PySide6 6.12.0 aborts the interpreter after a few thousand signals into Python slots
(each delivery drops a reference to None). The app runs on qasync, which delivers every
callback that way; this test fails if a PySide6 upgrade brings the bug back."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal
from pytestqt.qtbot import QtBot

DELIVERIES = 20_000


class _Emitter(QObject):
    fired = Signal(object)


def test_twenty_thousand_signals_and_timers_reach_python_slots(qtbot: QtBot) -> None:
    emitter = _Emitter()
    received: list[object] = []
    emitter.fired.connect(received.append)
    none_refs = sys.getrefcount(None)
    for number in range(DELIVERIES):
        emitter.fired.emit(None if number % 2 else True)
    ticks: list[int] = []
    timer = QTimer(interval=0)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    qtbot.waitUntil(lambda: len(ticks) >= DELIVERIES // 4, timeout=30_000)
    timer.stop()
    assert len(received) == DELIVERIES
    # The broken release lost one reference to None per delivery.
    assert sys.getrefcount(None) >= none_refs - 100
