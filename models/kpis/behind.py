"""The records behind a KPI's number, as the dashboard lists them when a number is opened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Behind:
    """One record counted in a figure: what it is, whose, when, and the lead it opens."""

    record_id: str
    lead_id: str | None
    title: str
    detail: str
    at: datetime | None
