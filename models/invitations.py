"""A meeting's invitation: the text in the lead's own timezone, and an RFC 5545 calendar file
(``.ics``, METHOD:REQUEST) any mail client adds to a calendar. Times in the file are UTC, which
every client shows in its own zone; lines are escaped, folded at 75 octets, ended by CRLF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Invitation:
    uid: str
    subject: str
    starts_at: datetime
    ends_at: datetime
    organizer: str  # the AE's e-mail
    attendee: str  # the lead's e-mail
    description: str = ""


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> list[str]:
    """RFC 5545 3.1: at most 75 octets a line, continued lines start with a space."""
    parts: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not parts else 74
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = char
        else:
            current += char
    parts.append(current)
    return [parts[0], *(" " + part for part in parts[1:])]


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ics(invitation: Invitation, now: datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//RepDesk//Meetings//EN",
        "METHOD:REQUEST", "BEGIN:VEVENT",
        f"UID:{invitation.uid}@repdesk", f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(invitation.starts_at)}", f"DTEND:{_utc(invitation.ends_at)}",
        f"SUMMARY:{_escape(invitation.subject)}",
        f"DESCRIPTION:{_escape(invitation.description)}",
        f"ORGANIZER:mailto:{invitation.organizer}",
        f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{invitation.attendee}",
        "STATUS:CONFIRMED", "END:VEVENT", "END:VCALENDAR",
    ]
    return "".join(f"{part}\r\n" for line in lines for part in _fold(line))


def when_for(invitation: Invitation, timezone: str | None) -> str:
    """The meeting's time as the lead reads it, in their own timezone."""
    zone = ZoneInfo(timezone or "UTC")
    start, end = invitation.starts_at.astimezone(zone), invitation.ends_at.astimezone(zone)
    return f"{start:%A %d %B %Y, %H:%M}–{end:%H:%M} ({zone.key})"
