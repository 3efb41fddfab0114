"""The funnel report on a big profile: the whole team, all time and one month, and one rep.

``python -m tests.benchmarks.funnel_bench FOLDER`` on an existing profile, or with
``--leads N`` on a new demo profile; prints JSON.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from models.funnel_report import funnel_report
from models.store import Lead
from models.store.open import open_store
from tests.benchmarks.profiles import measure_from_command_line


def median_ms(run: Any, times: int = 7) -> float:
    run()  # the first run reads the pages into the cache, as the dashboard's second does
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1)


def _cpu_ms(run: Any, times: int = 7) -> float:
    """The process's own CPU time: on a machine other work keeps busy, the wall time above
    counts the waits for a core as well."""
    samples = []
    for _ in range(times):
        started = time.process_time()
        run()
        samples.append((time.process_time() - started) * 1000)
    return round(statistics.median(samples), 1)


def measure(folder: Path) -> dict[str, Any]:
    store = open_store(folder)
    try:
        with store.sessions() as session:
            leads = session.scalar(select(func.count()).select_from(Lead))
            busiest = session.execute(
                select(Lead.owner_id, func.count()).group_by(Lead.owner_id)
                .order_by(func.count().desc()).limit(1)).first()
        month = datetime.now(UTC) - timedelta(days=30)
        report = funnel_report(store.sessions)
        return {
            "leads": leads,
            "team_all_time_ms": median_ms(lambda: funnel_report(store.sessions)),
            "team_all_time_cpu_ms": _cpu_ms(lambda: funnel_report(store.sessions)),
            "team_last_30_days_ms": median_ms(lambda: funnel_report(store.sessions, month)),
            "one_rep_ms": median_ms(
                lambda: funnel_report(store.sessions, None, None, [busiest[0]])),
            "stages": {s.stage: s.entered for s in report.stages},
        }
    finally:
        store.close()


if __name__ == "__main__":
    measure_from_command_line(measure, __doc__)
