"""Booking a meeting on a big profile: the AE's free slots over five working days, then the
booking itself (the Event, the hand-off, the invitation with its calendar file, their outbox
entries) in one transaction, with the AEs' calendars full of Events as after a pull.

``python -m tests.benchmarks.meeting_bench FOLDER`` on an existing profile, or with
``--leads N`` on a new demo profile; prints JSON. Wall and CPU time are both given: on a
loaded machine the wall time also counts the waits for a core.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from models.booking import book, slot_choices
from models.store import Lead, Meeting, User
from models.store.open import Store, open_store
from models.vocab import Role
from tests.benchmarks.profiles import measure_from_command_line

EVENTS_PER_AE = 2_000  # about a year of a busy calendar, half behind, half ahead
TIMES = 9


def _timed(run: Callable[[], Any]) -> tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    run()
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000


def _fill_calendars(store: Store, now: datetime) -> int:
    """Events in every AE's calendar, as a pull brings them (no outbox, a CRM id each)."""
    rng = random.Random(2026)
    with store.sessions.begin() as session:
        aes = list(session.scalars(select(User.id).where(User.role == Role.AE)))
        if session.scalar(select(func.count()).select_from(Meeting)) >= EVENTS_PER_AE:
            return len(aes)
        rows = []
        for number, ae in enumerate(aes):
            for event in range(EVENTS_PER_AE):
                start = (now + timedelta(days=rng.randint(-180, 180),
                                         hours=rng.randint(0, 23))).replace(
                    minute=rng.choice((0, 30)), second=0, microsecond=0)
                rows.append({"id": f"bench-{number}-{event}", "subject": "Customer call",
                             "starts_at": start, "ends_at": start + timedelta(minutes=30),
                             "owner_id": ae, "state": "booked", "created_at": now,
                             "crm_id": f"00U{number:05d}{event:07d}AAA"[:18]})
        for start in range(0, len(rows), 1_000):
            session.execute(insert(Meeting), rows[start:start + 1_000])
        return len(aes)


def measure(folder: Path) -> dict[str, Any]:
    store = open_store(folder)
    try:
        now = datetime.now(UTC)
        aes = _fill_calendars(store, now)
        with store.sessions() as session:
            leads = session.scalar(select(func.count()).select_from(Lead))
            ae = session.scalars(select(User.id).where(User.role == Role.AE)).first()
            sdr = session.scalars(select(User.id).where(User.role != Role.AE)).first()
            targets = list(session.scalars(select(Lead.id).where(
                Lead.email.is_not(None)).limit(TIMES + 1)))
        assert ae is not None
        slots_wall, slots_cpu, book_wall, book_cpu = [], [], [], []
        slot_choices(store.sessions, ae, "America/New_York", now)  # pages into the cache
        for lead_id in targets[:TIMES]:
            found: list[Any] = []
            wall, cpu = _timed(lambda into=found: into.extend(
                slot_choices(store.sessions, ae, "America/New_York", now)))
            slots_wall.append(wall)
            slots_cpu.append(cpu)
            start = found[0].starts_at
            wall, cpu = _timed(lambda lead=lead_id, at=start: book(
                store.sessions, lead, ae, at, sdr, now))
            book_wall.append(wall)
            book_cpu.append(cpu)
        both = [a + b for a, b in zip(slots_wall, book_wall, strict=True)]
        both_cpu = [a + b for a, b in zip(slots_cpu, book_cpu, strict=True)]
        return {
            "leads": leads, "aes": aes, "events_per_ae": EVENTS_PER_AE,
            "slots_ms": round(statistics.median(slots_wall), 1),
            "slots_cpu_ms": round(statistics.median(slots_cpu), 1),
            "book_ms": round(statistics.median(book_wall), 1),
            "book_cpu_ms": round(statistics.median(book_cpu), 1),
            "total_ms": round(statistics.median(both), 1),
            "total_cpu_ms": round(statistics.median(both_cpu), 1),
        }
    finally:
        store.close()


if __name__ == "__main__":
    measure_from_command_line(measure, __doc__)
