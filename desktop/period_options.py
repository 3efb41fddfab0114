"""--from and --to of the report commands (``funnel``, ``campaigns``): whole days in a timezone,
both included."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo


def add_period(parser: Any, start_help: str) -> None:
    parser.add_argument("--from", dest="start", metavar="DATE", help=start_help)
    parser.add_argument("--to", dest="end", metavar="DATE", help="last day, included")


def _day(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{flag} {text!r} is not a date: use YYYY-MM-DD, e.g. 2026-11-01") \
            from None


def period(args: argparse.Namespace, timezone: str) -> tuple[datetime | None, datetime | None]:
    """The instants --from and --to span in ``timezone``; ValueError says what is wrong."""
    zone = ZoneInfo(timezone)
    first, last = _day(args.start, "--from"), _day(args.end, "--to")
    if first and last and last < first:
        raise ValueError(f"--to {last} is before --from {first}.")
    start = datetime.combine(first, time(), zone) if first else None
    end = datetime.combine(last + timedelta(days=1), time(), zone) if last else None
    return start, end
