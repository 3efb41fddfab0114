"""The one mechanism that turns every edit of a synced row into an outbox entry.

A ``before_flush`` hook on every ORM session looks at the synced rows being inserted, changed
or deleted and adds the matching ``OutboxEntry`` to the same flush, hence the same transaction.
Services just edit rows; they never write outbox entries by hand. Writes that come *from* the
CRM (the sync's pull) open their session with ``info={FROM_CRM: True}`` and are not echoed back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import (
    InstanceState,
    Mapper,
    Session,
    UOWTransaction,
    class_mapper,
)
from sqlalchemy.orm.attributes import instance_state

from models.store.base import Synced
from models.store.outbox import OutboxEntry
from models.store.people import Lead
from resources import load_json

FROM_CRM = "from_crm"


@cache
def crm_columns() -> dict[str, frozenset[str]]:
    """Per table, the columns the CRM receives (``resources/field_map.json``). Only they are
    recorded: an edit of anything else stays here, costs the sync no call and is not counted
    among the changes waiting for the CRM."""
    objects = load_json("field_map.json")["objects"]
    return {table: frozenset(spec["fields"]) for table, spec in objects.items()}


def _sent_to_crm(row: Synced) -> frozenset[str]:
    return crm_columns().get(getattr(row, "__tablename__", ""), frozenset())


def json_value(value: Any) -> Any:
    """A column value as it is written into the outbox's JSON."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def lead_search_key(
    first_name: str | None, last_name: str | None, company: str | None, email: str | None
) -> str:
    """What the leads search box matches against: name, company and e-mail, lower-cased."""
    parts = (first_name, last_name, company, email)
    return " ".join(p for p in parts if p).casefold()


def _mapper(row: Synced) -> Mapper[Any]:
    return class_mapper(type(row))


def _state(row: Synced) -> InstanceState[Any]:
    return instance_state(row)


def data_columns(row: Synced) -> list[str]:
    mapper = _mapper(row)
    return [c.key for c in mapper.column_attrs if c.key not in row.local_only]


def _apply_scalar_defaults(row: Synced) -> None:
    """Fill column defaults now, so the outbox sees the values the INSERT will write."""
    mapper = _mapper(row)
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        if getattr(row, attr.key) is not None or column.default is None:
            continue
        default = column.default
        if default.is_scalar:
            setattr(row, attr.key, default.arg)
        elif default.is_callable:
            setattr(row, attr.key, default.arg({}))


def _created(row: Synced, now: datetime) -> OutboxEntry | None:
    mapped = _sent_to_crm(row)
    if not mapped:
        return None
    _apply_scalar_defaults(row)
    fields = {key: json_value(getattr(row, key)) for key in data_columns(row) if key in mapped}
    return OutboxEntry(
        object=row.crm_object, record_id=row.id, op="create", fields=fields, base={}, created_at=now
    )


def _changed(row: Synced, now: datetime) -> OutboxEntry | None:
    state = _state(row)
    fields: dict[str, Any] = {}
    base: dict[str, Any] = {}
    agreed = row.base or {}
    # committed_state holds exactly the attributes touched since the last flush (in-place JSON
    # edits included), so unchanged columns cost nothing.
    for key in sorted((state.committed_state.keys() - row.local_only) & _sent_to_crm(row)):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        new = json_value(history.added[0] if history.added else None)
        old = json_value(history.deleted[0] if history.deleted else None)
        if new == old:
            continue
        fields[key] = new
        base[key] = agreed.get(key, old)
    if not fields:
        return None
    return OutboxEntry(
        object=row.crm_object, record_id=row.id, op="update", fields=fields, base=base,
        created_at=now,
    )


def _deleted(row: Synced, now: datetime) -> OutboxEntry | None:
    if not _sent_to_crm(row):
        return None
    # The row is gone once this commits: the entry keeps the CRM id the delete needs.
    return OutboxEntry(
        object=row.crm_object, record_id=row.id, op="delete", fields={"crm_id": row.crm_id},
        base=row.base or {}, created_at=now,
    )


def _refresh_search_key(row: Lead) -> None:
    row.search_key = lead_search_key(row.first_name, row.last_name, row.company, row.email)


@event.listens_for(Session, "before_flush")
def _record_edits(session: Session, flush: UOWTransaction, instances: object) -> None:
    for row in (*session.new, *session.dirty):
        if isinstance(row, Lead):
            _refresh_search_key(row)
    if session.info.get(FROM_CRM):
        return
    now = datetime.now(UTC)
    entries: list[OutboxEntry | None] = []
    for row in session.new:
        if isinstance(row, Synced):
            entries.append(_created(row, now))
    for row in session.dirty:
        if isinstance(row, Synced):
            entries.append(_changed(row, now))
    for row in session.deleted:
        if isinstance(row, Synced):
            entries.append(_deleted(row, now))
    session.add_all(entry for entry in entries if entry is not None)
