"""Run in a fresh process by the benchmarks: open the window on a profile, time the leads
table, and report peak memory. Prints one JSON line."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from desktop.composition import window_services
from models.leads import LeadDirectory
from models.store.open import open_store
from tests.benchmarks.peak import peak_mb
from views.background import Background
from views.main_window import MainWindow

SEARCHES = ("smith", "acme", "gmail.com", "jennifer smith", "logistics ltd", "zzqx")


def _log_until_next_shown(app: QApplication, window: MainWindow, rounds: int) -> list[float]:
    """Milliseconds from an outcome key to the next lead on screen, as the rep waits it."""
    queue = window.queue
    loop = QEventLoop()
    queue.lead_shown.connect(loop.quit)
    window.show_screen("Queue")
    queue.open_block("calls")
    loop.exec()
    timings = []
    for _ in range(rounds):
        if len(queue.lead_ids()) < 2:
            break
        started = time.perf_counter()
        queue.log("no answer")
        loop.exec()
        app.processEvents()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _wait_for(app: QApplication, done: Callable[[], bool]) -> None:
    """Wait in an event loop, as the app does: Qt frees a closed form (``deleteLater``) only
    there, never in a ``processEvents`` loop, where closed forms piled up and were counted."""
    if done():
        return
    loop = QEventLoop()
    check = QTimer(interval=2)
    check.timeout.connect(lambda: done() and loop.quit())
    check.start()
    loop.exec()
    check.stop()


def _saved_or_refused(form: Any) -> bool:
    return not form.isVisible() or bool(form.notice.text())


def _qualify(app: QApplication, window: MainWindow, lead_ids: list[str]) -> dict[str, list[float]]:
    """Open the qualification form on a lead, fill it as an A lead, save it."""
    opened, saved = [], []
    for lead_id in lead_ids:
        window.qualification_form = None
        started = time.perf_counter()
        window.open_qualification(lead_id)
        _wait_for(app, lambda: window.qualification_form is not None
                  and window.qualification_form.isVisible())
        opened.append((time.perf_counter() - started) * 1000)
        form = window.qualification_form
        assert form is not None
        form.set_category("A")
        form.reason.setCurrentIndex(1)
        for edit in form.answers.values():
            if not edit.text():
                edit.setText("confirmed on the call")
        form.next_step.setText("Demo on Thursday")
        started = time.perf_counter()
        form.save()
        # The save runs through the command runner: timed from the key to the form closed.
        _wait_for(app, lambda form=form: _saved_or_refused(form))
        saved.append((time.perf_counter() - started) * 1000)
        assert not form.isVisible(), form.notice.text()
    return {"open_ms": opened, "save_ms": saved}


def _close_deals(app: QApplication, window: MainWindow, rounds: int) -> list[float]:
    """Fill the close form as a won deal with every hand-off and time its save."""
    view = window.opportunities
    window.show_screen("Opportunities")
    window.workspace.setCurrentWidget(view)
    _wait_for(app, lambda: bool(view._rows))
    timings = []
    for number in range(rounds):
        view.table.selectRow(number)
        row = view._rows[number]
        _wait_for(app, lambda row=row: view._detail is not None and view._detail.row.id == row.id)
        form = view.open_close_form()
        assert form is not None
        _wait_for(app, lambda form=form: not form.reading)  # its kept draft, read aside
        form.won.setChecked(True)
        form.reason.setCurrentIndex(1)
        form.add_product_line()
        form.lines.cellWidget(0, 1).setValue(60)
        for box in (form.term, form.support, form.payment):
            box.setCurrentIndex(1)
        form.new_billing.setText("Ana Costa, ana@example.com")
        form.new_contact.setText("Max Braun, max@example.com")
        form.reference.setChecked(True)
        form.reference_kinds["call"].setChecked(True)
        window._background.wait()  # time the save, not the previous round's list reload
        started = time.perf_counter()
        form.save()
        _wait_for(app, lambda form=form: _saved_or_refused(form))
        timings.append((time.perf_counter() - started) * 1000)
        assert not form.isVisible(), form.notice.text()
        view.include_closed.setChecked(False)
        # The list reloads after the save: the next pick is made in the new one.
        _wait_for(app, window._background.idle)
    return timings


def main(folder: Path, at: datetime) -> None:
    app = QApplication([])
    app.setApplicationName("RepDesk benchmark")
    store = open_store(folder)
    background = Background()
    window = MainWindow(window_services(store, clock=lambda: at), background)
    window.resize(1440, 880)
    window.show()
    window.show_screen("Leads")
    table, model = window.leads.table, window.leads.model

    # Wait in an event loop, as the app does: a busy processEvents() loop would starve the
    # worker thread of the GIL and measure the probe instead of the app.
    loop = QEventLoop()
    window.leads.leads_shown.connect(loop.quit)
    started = time.perf_counter()
    window.start()
    loop.exec()
    table.viewport().repaint()
    opened = time.perf_counter() - started

    started = time.perf_counter()
    table.scrollToBottom()
    table.viewport().repaint()
    scrolled = time.perf_counter() - started

    directory = LeadDirectory(store.sessions)
    search_ms = {}
    for text in SEARCHES:
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            directory.search(text)
            runs.append((time.perf_counter() - started) * 1000)
        search_ms[text] = statistics.median(runs)
    log_ms = _log_until_next_shown(app, window, rounds=20)
    mql = LeadDirectory(store.sessions).search("")[:400:20]
    qualify = _qualify(app, window, mql)
    close_ms = _close_deals(app, window, rounds=10)
    background.wait()
    print(json.dumps({
        "log_to_next_ms": log_ms,
        "qualify": qualify,
        "close_ms": close_ms,
        "rows": model.rowCount(),
        "open_ms": opened * 1000,
        "scroll_to_end_ms": scrolled * 1000,
        "search_ms": search_ms,
        "peak_rss_mb": peak_mb(),
    }))
    window.close()
    store.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), datetime.fromisoformat(sys.argv[2]))
