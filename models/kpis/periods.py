"""KPI periods: ISO weeks, calendar months and quarters in the team's timezone, as UTC bounds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session, sessionmaker

from models.kpis.targets import load_targets
from models.store import Setting

TEAM_TIMEZONE_SETTING = "team_timezone"
KINDS = ("week", "month", "quarter")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class PeriodError(ValueError):
    """A period the rep typed that cannot be read."""


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC; ``first_day`` and ``days`` in the team's calendar."""

    kind: str
    label: str
    first_day: date
    days: int
    timezone: str
    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def team_timezone(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        chosen = session.get(Setting, TEAM_TIMEZONE_SETTING)
    name = str(chosen.value) if chosen and chosen.value else str(
        load_targets().get("team_timezone", "UTC"))
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def _bounds(first: date, after: date, timezone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(timezone)
    return (datetime.combine(first, time(), zone).astimezone(UTC),
            datetime.combine(after, time(), zone).astimezone(UTC))


def _make(kind: str, label: str, first: date, after: date, timezone: str) -> Period:
    start, end = _bounds(first, after, timezone)
    return Period(kind, label, first, (after - first).days, timezone, start, end)


def week_of(day: date, timezone: str) -> Period:
    year, week, weekday = day.isocalendar()
    first = day - timedelta(days=weekday - 1)
    return _make("week", f"{year}-W{week:02d}", first, first + timedelta(days=7), timezone)


def month_of(day: date, timezone: str) -> Period:
    first = day.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    return _make("month", f"{first:%Y-%m}", first, after, timezone)


def quarter_of(day: date, timezone: str) -> Period:
    quarter = (day.month - 1) // 3
    first = date(day.year, quarter * 3 + 1, 1)
    after = date(day.year + 1, 1, 1) if quarter == 3 else date(day.year, quarter * 3 + 4, 1)
    return _make("quarter", f"{day.year}-Q{quarter + 1}", first, after, timezone)


def period_of(kind: str, moment: datetime, timezone: str) -> Period:
    """The week, month or quarter holding ``moment`` in the team's calendar."""
    day = moment.astimezone(ZoneInfo(timezone)).date()
    makers = {"week": week_of, "month": month_of, "quarter": quarter_of}
    if kind not in makers:
        raise PeriodError(f"A period is a week, a month or a quarter, not {kind!r}.")
    return makers[kind](day, timezone)


def parse_week(text: str, timezone: str) -> Period:
    """``2026-W48`` (ISO 8601) as a period in the team's timezone."""
    found = _WEEK.match(text.strip())
    if not found:
        raise PeriodError(f"Cannot read the week {text!r}: write it as YYYY-Www, e.g. 2026-W48.")
    try:
        monday = date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError:
        raise PeriodError(f"{found[1]} has no ISO week {found[2]}.") from None
    return week_of(monday, timezone)


def previous(period: Period) -> Period:
    day = period.first_day - timedelta(days=1)
    return {"week": week_of, "month": month_of, "quarter": quarter_of}[period.kind](
        day, period.timezone)


def weeks_ending(period: Period, count: int, now: datetime) -> list[Period]:
    """The ``count`` ISO weeks up to the one ``period`` ends in (or this week, if sooner),
    oldest first: the trend."""
    today = now.astimezone(ZoneInfo(period.timezone)).date()
    last_day = min(period.first_day + timedelta(days=period.days - 1), today)
    last = week_of(max(last_day, period.first_day), period.timezone)
    weeks = [last]
    while len(weeks) < count:
        weeks.append(previous(weeks[-1]))
    return weeks[::-1]


def working_days(period: Period, now: datetime | None = None) -> int:
    """Monday to Friday in the period, up to and including ``now``'s day if it falls inside:
    touches a day of a week under way are counted over the days gone, not the whole week."""
    days = period.days
    if now is not None and period.contains(now):
        days = (now.astimezone(ZoneInfo(period.timezone)).date() - period.first_day).days + 1
    return sum(1 for n in range(days) if (period.first_day + timedelta(days=n)).weekday() < 5)
