"""A date field that reads the same on every desktop: "Tue 01 Dec 2026", as the screens write
dates, rather than the system's short form (in some locales "1 02 2027": day or month?)."""

from __future__ import annotations

from PySide6.QtWidgets import QDateEdit

DATE_FORMAT = "ddd dd MMM yyyy"


def date_field() -> QDateEdit:
    field = QDateEdit(calendarPopup=True)
    field.setDisplayFormat(DATE_FORMAT)
    return field
