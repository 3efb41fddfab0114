"""The one boundary every value crosses on its way in: numbers finite and within their field's
range, dates within a span RepDesk can plan in, text within its column.

Forms, imports, the commands and the sync all take values from somewhere RepDesk does not
control; SQLite stores whatever it is given (an ``inf`` price, a 10^20 quantity it then cannot
read back), so each field's range is stated here once and checked where a service takes input.
A value outside is refused with ``OutOfBounds``, whose message names the field and the range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Column, String


@dataclass(frozen=True)
class NumberRange:
    label: str
    low: float
    high: float
    whole: bool = False
    unit: str = ""

    def describe(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        return f"{kind} from {_figure(self.low)} to {_figure(self.high)}{self.unit}"


# The widest figures a rep can mean. Prices and amounts also fit their Numeric columns
# (12 and 14 digits with 2 decimals); counts fit SQLite's 64-bit integers many times over.
NUMBERS: dict[str, NumberRange] = {
    "employees": NumberRange("Employees", 0, 10_000_000, whole=True),
    "quantity": NumberRange("Quantity", 1, 1_000_000, whole=True),
    "unit_price": NumberRange("Price", 0, 1_000_000_000),
    "list_price": NumberRange("List price", 0, 1_000_000_000),
    "amount": NumberRange("Amount", 0, 999_999_999_999),
    "contract_term_months": NumberRange("Contract term", 1, 120, whole=True, unit=" months"),
    "leads": NumberRange("The number of leads", 0, 1_000_000, whole=True),
    "accounts": NumberRange("The number of accounts", 0, 1_000_000, whole=True),
    "seed": NumberRange("The seed", 0, 2**63 - 1, whole=True),
    "port": NumberRange("The port", 0, 65_535, whole=True),
}
# Dates a rep enters or plans with: far enough back for any record, far enough ahead for any
# contract, and far from the calendar's end (year 9999), where adding a day overflows.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
# Planning (``repdesk queue --at``, follow-up dates): within ten years of today.
PLANNING_SPAN = timedelta(days=3653)


class OutOfBounds(ValueError):
    """A value outside what its field takes; the message names the field and the range."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _figure(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def number(field: str, value: Any) -> float:
    """``value`` as a finite number within ``field``'s range (an int for whole fields).

    Raises:
        OutOfBounds: not a number, not finite, not whole where it must be, or out of range.
    """
    bounds = NUMBERS[field]
    refused = OutOfBounds(field, f"{bounds.label} must be {bounds.describe()} "
                                 f"(it was {_shown(value)}).")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(str(value).strip().replace(",", ""))
        except ValueError:
            raise refused from None
    if isinstance(value, float) and not math.isfinite(value):
        raise refused
    if not bounds.low <= value <= bounds.high:
        raise refused
    if bounds.whole:
        if isinstance(value, float) and not value.is_integer():
            raise refused
        return int(value)
    return float(value)


def whole(field: str, value: Any) -> int:
    return int(number(field, value))


def problem(field: str, value: Any) -> str | None:
    """The message for a value ``number`` would refuse, else None (for forms' field maps)."""
    try:
        number(field, value)
    except OutOfBounds as error:
        return str(error)
    return None


def day(label: str, value: date, earliest: date = EARLIEST, latest: date = LATEST) -> date:
    """``value`` when it falls between ``earliest`` and ``latest`` (both included)."""
    shown = value.date() if isinstance(value, datetime) else value
    if not earliest <= shown <= latest:
        raise OutOfBounds(label, f"{label} must be between {earliest:%d %b %Y} and "
                                 f"{latest:%d %b %Y} (it was {shown:%d %b %Y}).")
    return value


def planned(label: str, moment: datetime, now: datetime) -> datetime:
    """A moment to plan for: within PLANNING_SPAN of ``now``."""
    # The moment's own calendar date: converting a moment near year 9999 to UTC overflows.
    today = now.astimezone(UTC).date()
    day(label, moment.date(), today - PLANNING_SPAN, today + PLANNING_SPAN)
    return moment


def text(label: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise OutOfBounds(label, f"{label} is {len(value):,} characters long; at most "
                                 f"{limit:,} fit.")
    return value


def column_limit(column: Column[Any] | Any) -> int | None:
    """The length a text column takes (None: any)."""
    kind = getattr(column, "type", None)
    return kind.length if isinstance(kind, String) and kind.length else None


def fits(label: str, value: str | None, column: Column[Any] | Any) -> str | None:
    """``value`` when it fits ``column`` (a mapped attribute or a table column)."""
    limit = column_limit(getattr(column, "expression", column))
    if value is not None and limit is not None:
        text(label, value, limit)
    return value


MAX_ADDRESS = 2_048


def crm_address(url: str) -> str:
    """A CRM's address as a rep typed it: http(s), a host, a valid port, nothing else odd.
    (Whether plain http is allowed for that host is the CRM adapter's rule.)"""
    label = "The CRM's address"
    text(label, url, MAX_ADDRESS)
    parsed = urlsplit(url.strip())
    try:
        port_ok = parsed.port is None or parsed.port > 0
    except ValueError:
        port_ok = False
    if parsed.scheme not in ("http", "https") or not parsed.hostname or not port_ok \
            or any(char.isspace() for char in url.strip()):
        raise OutOfBounds(label, f"{label} must be a web address with a host, such as "
                                 f"https://yourcompany.my.salesforce.com (it was "
                                 f"{_shown(url)}).")
    return url.strip()
