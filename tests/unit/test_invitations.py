"""A meeting invitation's calendar file follows RFC 5545 and its time reads in the lead's
timezone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.invitations import Invitation, ics, when_for

START = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def _invitation(**changes: str) -> Invitation:
    fields = dict(uid="0193-abc", subject="Meeting: Lyon Freight, demo; pricing",
                  starts_at=START, ends_at=START + timedelta(minutes=30),
                  organizer="hugo@example.com", attendee="chloe@lyonfreight.fr",
                  description="Agenda:\nDemo\nPricing " + "x" * 120)
    fields.update(changes)
    return Invitation(**fields)  # type: ignore[arg-type]


def test_the_calendar_file_is_rfc_5545() -> None:
    text = ics(_invitation(), START - timedelta(days=1))
    lines = text.split("\r\n")
    assert text.endswith("\r\n") and lines[0] == "BEGIN:VCALENDAR"
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "DTSTART:20261202T080000Z\r\n" in unfolded
    assert "DTEND:20261202T083000Z\r\n" in unfolded
    assert "SUMMARY:Meeting: Lyon Freight\\, demo\\; pricing\r\n" in unfolded
    assert "DESCRIPTION:Agenda:\\nDemo\\nPricing " in unfolded
    assert "METHOD:REQUEST" in unfolded and "UID:0193-abc@repdesk" in unfolded


def test_the_time_reads_in_the_lead_s_timezone() -> None:
    assert when_for(_invitation(), "America/New_York") == \
        "Wednesday 02 December 2026, 03:00–03:30 (America/New_York)"
    assert when_for(_invitation(), "Europe/Paris").endswith("09:00–09:30 (Europe/Paris)")
