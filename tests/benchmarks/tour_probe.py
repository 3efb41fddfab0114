"""Run in a fresh process by the benchmarks: the window on a profile, taken through every
screen and a search in the Leads screen, as a rep looks around. Prints one JSON line with the
window process's peak memory (resident set) and where it stood after each step."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from desktop.composition import window_services
from models.store.open import open_store
from tests.benchmarks.peak import peak_mb
from views.background import Background
from views.main_window import MainWindow

SEARCH = "smith"


def resident_mb() -> int:
    """The process's resident set now, in MB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


def _settle(background: Background, ms: int = 300) -> None:
    """Let the screen load as the app does: in an event loop, until its jobs are done."""
    loop = QEventLoop()
    while True:
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        if background.idle():
            return


def main(folder: Path, at: datetime) -> None:
    app = QApplication([])
    app.setApplicationName("RepDesk tour probe")
    store = open_store(folder)
    background = Background()
    window = MainWindow(window_services(store, clock=lambda: at), background)
    window.resize(1440, 880)
    window.show()
    window.start()
    steps: dict[str, int] = {}
    _settle(background)
    steps["opened"] = resident_mb()
    for round_number in (1, 2):
        for name in window.screen_names():
            window.show_screen(name)
            _settle(background)
            steps[f"{name} {round_number}"] = resident_mb()
        window.show_screen("Leads")
        window.leads.search_box.setText(SEARCH)
        window.leads.search_now()
        _settle(background)
        window.leads.table.scrollToBottom()
        window.leads.search_box.setText("")
        window.leads.search_now()
        _settle(background)
        window.leads.table.scrollToBottom()
        _settle(background)
        steps[f"search {round_number}"] = resident_mb()
    print(json.dumps({"peak_rss_mb": peak_mb(), "rss_mb": steps,
                      "rows": window.leads.model.rowCount()}))
    window.close()
    store.close()
    del app


if __name__ == "__main__":
    main(Path(sys.argv[1]), datetime.fromisoformat(sys.argv[2]))
