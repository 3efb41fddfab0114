"""Event-loop stalls in the window while a full sync runs in the background.

A 5 ms heartbeat timer records how late each tick comes while the Sync screen pulls everything
from a sandbox in its own process, and the rep keeps a draft every 100 ms through the command
runner (as a form does while typing): each save meets the sync's write lock. Prints one JSON
line, with how long the saves took from asking to done.
"""

from __future__ import annotations

import json
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from desktop.commands import CommandRunner
from desktop.composition import window_services
from desktop.long_lived import set_aside
from models.store.open import open_store
from views.background import Background
from views.main_window import MainWindow

BEAT_MS = 5


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main(leads: int, accounts: int) -> None:
    port = _port()
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "desktop", "sandbox", "--port", str(port), "--seed-leads",
         str(leads), "--seed-accounts", str(accounts)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
    try:
        assert sandbox.stdout is not None
        sandbox.stdout.readline()
        app = QApplication([])
        app.setApplicationName("RepDesk stall probe")
        with tempfile.TemporaryDirectory() as folder:
            store = open_store(Path(folder))
            background = Background()
            commands = CommandRunner()
            services = window_services(store, commands=commands)
            window = MainWindow(services, background)
            set_aside()  # as the desk does once the window is built
            window.show()
            window.show_screen("Sync")
            window.sync.crm_url.setText(f"http://127.0.0.1:{port}")
            gaps: list[float] = []
            last = [time.perf_counter()]

            def beat() -> None:
                now = time.perf_counter()
                gaps.append((now - last[0]) * 1000 - BEAT_MS)
                last[0] = now

            timer = QTimer(interval=BEAT_MS)
            timer.timeout.connect(beat)
            timer.start()
            saves: list[float] = []
            # Each save's own time, from its turn on the runner to saved: how long it waited
            # for SQLite's write lock (the asked-to-saved time adds the saves queued before).
            writes: list[float] = []

            def save(asked: float) -> object:
                began = time.perf_counter()
                done = services.qualify.save_draft(
                    "bench-lead", {"next_step": f"typed at {asked:.3f}"})
                writes.append((time.perf_counter() - began) * 1000)
                return done

            def keep_draft() -> None:
                asked = time.perf_counter()
                commands.run("Keep the draft", lambda: save(asked),
                             lambda _: saves.append((time.perf_counter() - asked) * 1000))

            typing = QTimer(interval=100)
            typing.timeout.connect(keep_draft)
            typing.start()
            loop = QEventLoop()
            window.sync.synced.connect(loop.quit)
            started = time.perf_counter()
            window.sync.sync_now()
            QTimer.singleShot(600_000, loop.quit)
            loop.exec()
            seconds = time.perf_counter() - started
            # After a sync the window matches the new leads to their accounts (a writer
            # too): the rep keeps typing until it is done.
            matched = QTimer(interval=50)
            matched.timeout.connect(lambda: background.idle() and loop.quit())
            matched.start()
            loop.exec()
            matched.stop()
            after_sync = time.perf_counter() - started - seconds
            timer.stop()
            typing.stop()
            commands.wait()
            app.processEvents()
            commands.stop()
            background.wait()
            window.close()
            store.close()
        stalls = sorted(max(0.0, gap) for gap in gaps)
        print(json.dumps({
            "sync_s": round(seconds, 1), "ticks": len(stalls),
            "p99_stall_ms": round(stalls[int(len(stalls) * 0.99) - 1], 1) if stalls else None,
            "max_stall_ms": round(stalls[-1], 1) if stalls else None,
            "median_stall_ms": round(statistics.median(stalls), 2) if stalls else None,
            "draft_saves": len(saves),
            "draft_save_p99_ms": round(sorted(saves)[int(len(saves) * 0.99) - 1], 1)
            if saves else None,
            "draft_save_max_ms": round(max(saves), 1) if saves else None,
            "draft_write_max_ms": round(max(writes), 1) if writes else None,
            "draft_write_p99_ms": round(sorted(writes)[int(len(writes) * 0.99) - 1], 1)
            if writes else None,
            "matching_after_sync_s": round(after_sync, 1),
            "report": window.sync.message.text()}))
    finally:
        sandbox.send_signal(signal.SIGINT)
        try:
            sandbox.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sandbox.kill()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
