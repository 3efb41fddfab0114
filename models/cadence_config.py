"""Cadence and queue settings as data: the cadence steps from the store, the rest from
resources/queue.json."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache
from typing import Any

import phonenumbers
from phonenumbers import timezone as phone_timezones
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.cadence import Cadence, SlaRule, Step
from models.store import Cadence as CadenceRow
from models.store import CadenceStep
from models.worktime import Hours
from resources import load_json


@dataclass(frozen=True)
class QueueSettings:
    calling_start: time
    calling_end: time
    rep_start: time
    rep_end: time
    rep_weekdays: frozenset[int]
    sla: SlaRule
    trial_expiring_days: int
    target_segment_min_employees: int
    dial_uri_template: str

    def rep_hours(self, timezone: str) -> Hours:
        return Hours(timezone, self.rep_start, self.rep_end, self.rep_weekdays)

    def calling_window(self, timezone: str | None) -> Hours | None:
        if timezone is None:
            return None
        return Hours(timezone, self.calling_start, self.calling_end)


@cache
def queue_settings() -> QueueSettings:
    raw: dict[str, Any] = load_json("queue.json")
    window, hours = raw["calling_window"], raw["rep_hours"]
    return QueueSettings(
        calling_start=time.fromisoformat(window["start"]),
        calling_end=time.fromisoformat(window["end"]),
        rep_start=time.fromisoformat(hours["start"]),
        rep_end=time.fromisoformat(hours["end"]),
        rep_weekdays=frozenset(hours["weekdays"]),
        sla=SlaRule(raw["first_touch_sla_hours"], raw["at_risk_hours"]),
        trial_expiring_days=raw["trial_expiring_days"],
        target_segment_min_employees=raw["target_segment_min_employees"],
        dial_uri_template=raw["dial_uri_template"],
    )


@cache
def _trial() -> dict[str, Any]:
    found: dict[str, Any] = load_json("nurture.json")["trial"]
    return found


def trial_expiry(expires_at: datetime | None, source: str | None,
                 created_at: datetime) -> datetime | None:
    """When the lead's evaluation ends: as recorded, else the default length (14 days) from
    its creation for a trial lead, so the cadence's last call before expiry still happens."""
    if expires_at is not None or source not in _trial()["sources"]:
        return expires_at
    return created_at + timedelta(days=int(_trial()["days"]))


def load_cadence(session: Session, key: str | None) -> Cadence:
    """The named cadence, or the default one."""
    query = select(CadenceRow)
    query = query.where(CadenceRow.key == key) if key else query.where(
        CadenceRow.is_default.is_(True))
    row = session.scalars(query).first()
    if row is None:
        raise LookupError(f"no cadence {key!r}" if key else "no default cadence configured")
    steps = session.scalars(select(CadenceStep).where(CadenceStep.cadence_key == row.key)
                            .order_by(CadenceStep.position))
    return Cadence(row.key, tuple(
        Step(s.position, s.channel, s.anchor, s.offset_hours, s.window_hours, s.template_name)
        for s in steps))


def lead_timezone(timezone: str | None, phone: str | None) -> str | None:
    """The lead's own timezone, else the one its phone number gives (when it gives one)."""
    if timezone:
        return timezone
    if not phone or not phone.startswith("+"):
        return None
    try:
        zones = phone_timezones.time_zones_for_number(phonenumbers.parse(phone))
    except phonenumbers.NumberParseException:
        return None
    known = [z for z in zones if z != "Etc/Unknown"]
    return known[0] if known else None
