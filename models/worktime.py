"""Working time across timezones: when a rep works and when a lead may be called.

All arithmetic is on wall-clock times in each party's own timezone (zoneinfo), so DST changes
and weekends fall where they do for each of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SEARCH_DAYS = 21


@dataclass(frozen=True)
class Hours:
    """Daily hours on some weekdays (0 = Monday), in a timezone."""

    timezone: str
    start: time = time(9, 0)
    end: time = time(17, 0)
    weekdays: frozenset[int] = frozenset(range(5))

    def interval_on(self, day: date) -> tuple[datetime, datetime] | None:
        """The hours on a local calendar day, as aware datetimes; None on a day off."""
        if day.weekday() not in self.weekdays:
            return None
        zone = ZoneInfo(self.timezone)
        return datetime.combine(day, self.start, zone), datetime.combine(day, self.end, zone)

    def intervals_from(self, moment: datetime, days: int = SEARCH_DAYS
                       ) -> Iterator[tuple[datetime, datetime]]:
        first = moment.astimezone(ZoneInfo(self.timezone)).date() - timedelta(days=1)
        for offset in range(days + 1):
            interval = self.interval_on(first + timedelta(days=offset))
            if interval and interval[1] > moment:
                yield interval

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.timezone))
        interval = self.interval_on(local.date())
        return interval is not None and interval[0] <= moment < interval[1]


def first_shared_moment(after: datetime, rep: Hours, lead: Hours | None) -> tuple[datetime, bool]:
    """The earliest moment at or after ``after`` when the rep works and the lead may be called.

    Returns the moment and whether it lies inside the rep's hours. When the two never overlap
    (a Sydney lead worked from New York), the lead's window wins on the rep's working days: the
    call is made early or late rather than at the lead's night.
    """
    if lead is None:
        start, _ = next(rep.intervals_from(after))
        return max(start, after), True
    rep_windows = list(rep.intervals_from(after))
    for lead_start, lead_end in lead.intervals_from(after):
        for rep_start, rep_end in rep_windows:
            start, end = max(lead_start, rep_start, after), min(lead_end, rep_end)
            if start < end:
                return start, True
    for lead_start, lead_end in lead.intervals_from(after):
        start = max(lead_start, after)
        rep_day = start.astimezone(ZoneInfo(rep.timezone)).weekday()
        if rep_day in rep.weekdays and start < lead_end:
            return start, False
    raise ValueError("no calling time within three weeks; check the working days")
