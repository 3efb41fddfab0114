"""The Dashboard's pictures for ``desktop.screenshots``: as the signed-in rep sees it, for the
team, and on a manager's desk (with "Send digest now"); and the digest's HTML page as a
browser lays it out, 900 px wide and wide."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop.commands import CommandRunner
from desktop.composition import window_services
from models.kpis.digest_html import digest_html
from models.kpis.periods import period_of, team_timezone
from models.kpis.sheet import compute_sheet
from models.reps import choose_rep, current_rep, team_members
from models.store.open import Store
from views.background import Background
from views.dashboard_view import DashboardView
from views.main_window import MainWindow

Settle = Callable[[int], None]
COUNTED_WITHIN_S = 60


def _counted(view: DashboardView, settle: Settle) -> None:
    """Until the whole sheet (the trend, waterfall and reasons too) is drawn."""
    started = time.monotonic()
    settle(300)
    while (view.sheet is None or not view.sheet.complete) \
            and time.monotonic() - started < COUNTED_WITHIN_S:
        settle(200)
    settle(200)


def _dashboard(window: MainWindow, settle: Settle, path: Path,
               rep_id: str | None = "mine") -> Path:
    window.show_screen("Dashboard")
    view = window.dashboard
    assert view is not None
    settle(100)
    if rep_id != "mine":
        view.show_for(rep_id, "week")
    _counted(view, settle)
    window.grab().save(str(path))
    return path


def dashboards(window: MainWindow, store: Store, now: datetime, settle: Settle,
               out: Path) -> list[Path]:
    """The rep's own, the team's, then a manager's window (the team, with the send button)."""
    written = [_dashboard(window, settle, out / "dashboard-rep.png"),
               _dashboard(window, settle, out / "dashboard-team.png", rep_id=None)]
    managers = team_members(store.sessions, "manager")
    signed_in = current_rep(store.sessions)
    if managers:
        choose_rep(store.sessions, managers[0].id)
        background, commands = Background(), CommandRunner()
        manager = MainWindow(window_services(store, clock=lambda: now, commands=commands),
                             background)
        manager.resize(window.size())
        manager.show()
        written.append(_dashboard(manager, settle, out / "dashboard-manager.png"))
        manager.close()
        background.wait()
        commands.wait()
        commands.stop()
        if signed_in is not None:
            choose_rep(store.sessions, signed_in.id)
    return written + digest_pages(store, now, out)


def digest_pages(store: Store, now: datetime, out: Path) -> list[Path]:
    """This week's team digest as a browser shows it, in a 900 px window and a wide one."""
    period = period_of("week", now, team_timezone(store.sessions))
    page = out / "digest.html"
    page.write_text(digest_html(compute_sheet(store.sessions, period, now), "Team"),
                    encoding="utf-8")
    written = []
    for width in (900, 1366):
        picture = out / f"digest-{width}.png"
        # A process of its own: the browser engine loads before any QApplication.
        subprocess.run([sys.executable, "-m", "desktop.page_shot", str(page), "--width",
                        str(width), "--png", str(picture)], check=True, timeout=180,
                       capture_output=True)
        written.append(picture)
    QApplication.processEvents()
    return written
