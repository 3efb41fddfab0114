"""Rows written straight to the driver are stored exactly as the ORM stores them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.sqlite import DATETIME

from models.store import Lead
from models.store.bulk import insert_rows
from models.store.open import Store


def _raw(store: Store, lead_id: str) -> dict[str, Any]:
    with sqlite3.connect(store.path) as connection:
        cursor = connection.execute("SELECT * FROM leads WHERE id = ?", (lead_id,))
        names = [column[0] for column in cursor.description]
        row = cursor.fetchone()
    return {name: value for name, value in zip(names, row, strict=True) if name != "id"}


def test_a_bulk_row_reads_and_is_stored_as_an_orm_row(store: Store) -> None:
    values: dict[str, Any] = {
        "first_name": "Zoë", "last_name": "Ørsted", "company": "Fjord AS", "stage": "MQL",
        "employees": 40, "do_not_call": True, "email_opt_out": False,
        "registration": {"webinar": "Q3 launch", "answers": [1, "two", None]},
        "created_at": datetime(2026, 10, 22, 5, 33, 57, 91453, tzinfo=UTC),
        "trial_expires_at": datetime(2026, 12, 1, 0, 0, tzinfo=UTC),
        "follow_up_on": date(2026, 12, 3), "search_key": "zoë ørsted fjord as",
        "crm_id": "00Q000000000001AAA", "base": {"last_name": "Ørsted"},
    }
    with store.sessions.begin() as session:
        session.add(Lead(id="orm", **values))
        insert_rows(session, Lead.__table__, [{**values, "id": "bulk",  # type: ignore[arg-type]
                                               "crm_id": "00Q000000000002AAA"}])
    orm, bulk = _raw(store, "orm"), _raw(store, "bulk")
    assert {**orm, "crm_id": None} == {**bulk, "crm_id": None}
    with store.sessions() as session:
        read = session.scalars(select(Lead).where(Lead.id == "bulk")).one()
    assert (read.created_at, read.follow_up_on, read.registration, read.do_not_call) == (
        values["created_at"], values["follow_up_on"], values["registration"], True)


def test_date_times_are_stored_as_sqlalchemys_datetime_text(store: Store) -> None:
    made = datetime(2026, 10, 22, 7, 33, 57, 91453, tzinfo=timezone(timedelta(hours=2)))
    with store.sessions.begin() as session:
        session.add(Lead(id="paris", last_name="Roy", company="Rive", created_at=made,
                         trial_expires_at=made.replace(microsecond=0), search_key="roy"))
    raw = _raw(store, "paris")
    expected = DATETIME().bind_processor(sqlite.dialect())
    assert expected is not None
    assert raw["created_at"] == expected(datetime(2026, 10, 22, 5, 33, 57, 91453)) == \
        "2026-10-22 05:33:57.091453"
    assert raw["trial_expires_at"] == "2026-10-22 05:33:57.000000"
    with store.sessions() as session:
        read = session.get(Lead, "paris")
        assert read is not None and read.created_at == made

