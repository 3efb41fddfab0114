"""Which months the Lead Velocity Rate compares (seed 003: month-over-month growth of
qualified leads, i.e. leads that entered SQL).

A week or a month reads the month it ends in against the month before, as DOMAIN.md defines
it ("this month − last month"): on 1 December the week of 30 November reads December's first
day against all of November, so the figure names the months it compares and says when the
first is still under way ("Dec so far vs Nov"). A quarter reads its
last *complete* month against the month before it: a quarter under way measures its latest
month that has ended (on 1 December, November against October), so the figure does not
swing with the first days of a month; while a quarter's first month is still running, that
is the previous quarter's last month.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from models.kpis.periods import Period, month_of, previous


def lvr_months(period: Period, now: datetime | None = None) -> tuple[Period, Period]:
    """(the month measured, the month before it) for ``period`` as of ``now``."""
    last_day = period.first_day + timedelta(days=period.days - 1)
    if period.kind != "quarter" or now is None:
        measured = month_of(last_day, period.timezone)
        return measured, previous(measured)
    today = now.astimezone(ZoneInfo(period.timezone)).date()
    measured = month_of(min(last_day, today), period.timezone)
    if measured.end > now:  # still under way: the month before is the last complete one
        measured = previous(measured)
    return measured, previous(measured)


def lvr_label(period: Period, now: datetime | None = None) -> str:
    """The months compared, for the digest and the tile's tip: "2026-12 so far against
    2026-11"."""
    measured, before = lvr_months(period, now)
    return f"{measured.label}{_so_far(measured, now)} against {before.label}"


def lvr_compared(period: Period, now: datetime | None = None) -> str:
    """The same, short enough for the tile itself: "Dec so far vs Nov"."""
    measured, before = lvr_months(period, now)
    return f"{measured.first_day:%b}{_so_far(measured, now)} vs {before.first_day:%b}"


def _so_far(month: Period, now: datetime | None) -> str:
    return " so far" if now is not None and month.contains(now) else ""
