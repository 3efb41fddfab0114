"""The KPIs and the Dashboard on a big profile: every KPI of a week, a month and a quarter for
the team and for one rep, and the dashboard from construction to its first numbers drawn.

``python -m tests.benchmarks.kpi_bench FOLDER`` on an existing profile, or ``--leads N
--activities M`` on a new demo profile whose activities are topped up to M with calls and
e-mails spread over the last 26 weeks; prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from models.demo.load import load_demo_data
from models.kpis.periods import period_of, team_timezone
from models.kpis.sheet import compute_sheet
from models.store import Activity, Lead
from models.store.base import new_id
from models.store.open import open_store
from tests.benchmarks.funnel_bench import _cpu_ms as cpu_ms
from tests.benchmarks.funnel_bench import median_ms

BATCH = 20_000


def top_up(folder: Path, activities: int, now: datetime, seed: int = 7) -> int:
    """Add calls and e-mails by the leads' owners until the profile holds ``activities``."""
    store = open_store(folder)
    try:
        with store.sessions() as session:
            have = session.scalar(select(func.count()).select_from(Activity)) or 0
            leads = session.execute(select(Lead.id, Lead.owner_id)
                                    .where(Lead.owner_id.is_not(None))).all()
        rng = random.Random(seed)
        missing = max(0, activities - have)
        table = Activity.__table__
        outcomes = ("connected", "voicemail", "no answer")
        done = 0
        while done < missing:
            rows = []
            for _ in range(min(BATCH, missing - done)):
                lead, owner = leads[rng.randrange(len(leads))]
                kind = "call" if rng.random() < 0.8 else "email"
                rows.append({"id": new_id(), "kind": kind, "lead_id": lead, "owner_id": owner,
                             "subject": kind, "occurred_at": now - timedelta(
                                 seconds=rng.randrange(26 * 7 * 86_400)),
                             "outcome": rng.choice(outcomes) if kind == "call" else None})
            with store.engine.begin() as connection:
                connection.execute(insert(table), rows)
            done += len(rows)
        return have + done
    finally:
        store.close()


def _dashboard_ms(folder: Path, now: datetime, rep_id: str | None) -> dict[str, float]:
    """From building the screen to its first numbers drawn, and to the whole sheet with its
    charts (QApplication offscreen); wall and CPU time."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.commands import CommandRunner
    from desktop.dashboard_services import dashboard_services
    from models.reps import find_rep
    from views.background import Background
    from views.dashboard_view import DashboardView

    app = QApplication.instance() or QApplication([])
    store = open_store(folder)
    samples: list[tuple[float, float, float, float]] = []
    try:
        rep = find_rep(store.sessions, rep_id) if rep_id else None
        for _ in range(4):
            background, commands = Background(), CommandRunner()
            started, cpu = time.perf_counter(), time.process_time()
            first: list[float] = []
            view = DashboardView(dashboard_services(store, lambda: now, rep), background,
                                 commands)
            view.resize(1190, 700)
            view.show()
            loop = QEventLoop()
            # The first numbers are on the tiles and in the reps table when this fires.
            view.first_numbers.connect(lambda _s, mark=first: mark.extend(
                (time.perf_counter(), time.process_time())))
            view.shown.connect(loop.quit)
            QTimer.singleShot(60_000, loop.quit)
            view.refresh()
            loop.exec()
            app.processEvents()
            first.extend((time.perf_counter(), time.process_time()))  # if it never fired
            samples.append(((first[0] - started) * 1000, (first[1] - cpu) * 1000,
                            (time.perf_counter() - started) * 1000,
                            (time.process_time() - cpu) * 1000))
            view.close()
            background.wait()
            commands.stop()
    finally:
        store.close()
    names = ("first_numbers_ms", "first_numbers_cpu_ms", "whole_ms", "whole_cpu_ms")
    return {name: round(statistics.median(s[n] for s in samples[1:]), 1)
            for n, name in enumerate(names)}


def measure(folder: Path, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    store = open_store(folder)
    try:
        with store.sessions() as session:
            leads = session.scalar(select(func.count()).select_from(Lead))
            activities = session.scalar(select(func.count()).select_from(Activity))
            busiest = session.execute(
                select(Activity.owner_id, func.count()).group_by(Activity.owner_id)
                .order_by(func.count().desc()).limit(1)).first()
        zone = team_timezone(store.sessions)
        figures: dict[str, Any] = {"leads": leads, "activities": activities}
        for kind in ("week", "month", "quarter"):
            period = period_of(kind, now, zone)
            figures[f"team_{kind}_ms"] = median_ms(
                lambda p=period: compute_sheet(store.sessions, p, now, trend_weeks=0), times=5)
            figures[f"team_{kind}_with_trend_ms"] = median_ms(
                lambda p=period: compute_sheet(store.sessions, p, now), times=5)
            figures[f"team_{kind}_with_trend_cpu_ms"] = cpu_ms(
                lambda p=period: compute_sheet(store.sessions, p, now), times=5)
        week = period_of("week", now, zone)
        figures["one_rep_week_ms"] = median_ms(
            lambda: compute_sheet(store.sessions, week, now, busiest[0] if busiest else None),
            times=5)
        figures["one_rep_week_cpu_ms"] = cpu_ms(
            lambda: compute_sheet(store.sessions, week, now, busiest[0] if busiest else None),
            times=5)
    finally:
        store.close()
    figures["dashboard_open_team"] = _dashboard_ms(folder, now, None)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.folder:
        print(json.dumps(measure(args.folder)))
        return
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp))
        load_demo_data(store.engine, args.leads, args.leads // 2, seed=2026, now=now)
        store.close()
        top_up(Path(tmp), args.activities, now)
        print(json.dumps(measure(Path(tmp), now)))


if __name__ == "__main__":
    sys.exit(main())
