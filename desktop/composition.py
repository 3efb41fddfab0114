"""The composition root: builds services on a store and hands them to the window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from models.dayplan import plan_day
from models.leads import LeadDirectory
from models.records import DayBlockPlan
from models.reps import current_rep
from models.store.open import Store
from models.sync.status import sync_status
from views.main_window import WindowServices


def system_clock() -> datetime:
    return datetime.now(UTC)


def window_services(store: Store, clock: Callable[[], datetime] = system_clock) -> WindowServices:
    rep = current_rep(store.sessions)
    rep_id, timezone = (rep.id, rep.timezone) if rep else (None, "UTC")

    def day_plan() -> list[DayBlockPlan]:
        today = clock().astimezone(ZoneInfo(timezone)).date()
        return plan_day(store.sessions, rep_id, today, timezone)

    return WindowServices(
        rep=rep,
        leads=LeadDirectory(store.sessions),
        day_plan=day_plan,
        sync_status=lambda: sync_status(store.sessions),
        now=clock,
    )
