"""The ``{!Event.*}`` merge fields: the meeting a mail is about, its time written in the
recipient's own timezone (a lead in Lyon reads 15:00 Paris time, not the AE's New York time)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.store import Meeting


def recipient_zone(timezone: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(timezone) if timezone else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _meeting(session: Session, lead_id: str | None, opportunity_id: str | None,
             now: datetime) -> Meeting | None:
    """The next booked meeting (else the latest booked one) of the lead or the deal."""
    about = []
    if lead_id:
        about.append(Meeting.lead_id == lead_id)
    if opportunity_id:
        about.append(Meeting.opportunity_id == opportunity_id)
    if not about:
        return None
    booked = select(Meeting).where(or_(*about), Meeting.state == "booked")
    coming = session.scalars(booked.where(Meeting.starts_at >= now)
                             .order_by(Meeting.starts_at).limit(1)).first()
    return coming or session.scalars(booked.order_by(Meeting.starts_at.desc()).limit(1)).first()


def event_values(session: Session, lead_id: str | None, opportunity_id: str | None,
                 timezone: str | None, now: datetime) -> dict[str, str | None]:
    meeting = _meeting(session, lead_id, opportunity_id, now)
    if meeting is None:
        return {"event.subject": None, "event.start": None, "event.end": None,
                "event.when": None}
    zone = recipient_zone(timezone)
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    return {
        "event.subject": meeting.subject,
        "event.start": f"{start:%A %d %B %Y, %H:%M} ({zone.key})",
        "event.end": f"{end:%A %d %B %Y, %H:%M} ({zone.key})",
        "event.when": f"{start:%A %d %B %Y, %H:%M}–{end:%H:%M} ({zone.key})",
    }
