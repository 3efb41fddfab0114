"""Salesforce's datetime text, read and written."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_datetime(text: str) -> datetime:
    """2026-11-23T03:05:00.000+0000 or …Z or …+00:00 → an aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)
