"""How a CRM record becomes local values: worked out once per table, then applied per record.

A first pull converts 150,000 records, so the per-record work is only what each field needs:
most fields are taken as they come; date-times, dates and JSON are converted; a parent's CRM
id becomes its local id through one query per page and parent table.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, select
from sqlalchemy.orm import Session, class_mapper

from models.crm.datetimes import parse_datetime
from models.store import Lead, Synced, new_id
from models.store.bulk import BoundRows, bound_rows
from models.store.tracking import json_value, lead_search_key
from models.sync.fieldmap import REFERENCES, ObjectMap, model_of

Parents = dict[tuple[str, str], str | None]  # (parent table, CRM id) → local id


def _kind_of(local: str, column_type: Any) -> str | None:
    """How a CRM value becomes a local one: a parent's id, JSON, a date-time, a date, as is."""
    if local in REFERENCES:
        return "parent"
    if isinstance(column_type, JSON):
        return "json"
    try:
        python_type = column_type.python_type
    except (NotImplementedError, AttributeError):
        return None
    if python_type is datetime:
        return "datetime"
    return "date" if python_type is date else None


def _convert(value: Any, kind: str) -> Any:
    if kind == "json":
        return json.loads(value) if isinstance(value, str) else value
    if kind == "datetime":
        return parse_datetime(str(value))
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class RecordPlan:
    model: type[Synced]
    fields: tuple[tuple[str, str, str | None], ...]  # local column, CRM field, kind
    required: frozenset[str]  # columns that cannot hold a blank
    defaults: tuple[tuple[str, Any], ...]  # column → its default, scalar or callable

    def parents(self, session: Session, records: list[dict[str, Any]]) -> Parents:
        """The local ids of every parent the records point at: one query per parent table."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for local, crm, kind in self.fields:
            if kind == "parent":
                wanted[REFERENCES[local]].update(
                    r[crm] for r in records if r.get(crm) is not None)
        found: Parents = {}
        for table, crm_ids in wanted.items():
            model = model_of(table)
            found.update({(table, crm_id): None for crm_id in crm_ids})
            found.update({(table, crm_id): local_id for crm_id, local_id in session.execute(
                select(model.crm_id, model.id).where(model.crm_id.in_(crm_ids))).tuples()
                if crm_id is not None})
        return found

    def values(self, record: dict[str, Any], parents: Parents) -> dict[str, Any]:
        """The record's values as local columns; a blank the store cannot hold is left out
        (the local value, or the column's default, stays)."""
        values: dict[str, Any] = {}
        for local, crm, kind in self.fields:
            if crm not in record:
                continue
            value = record[crm]
            if value is not None and kind is not None:
                value = parents.get((REFERENCES[local], value)) if kind == "parent" \
                    else _convert(value, kind)
            if value is not None or local not in self.required:
                values[local] = value
        if "created_at" in self.required and values.get("created_at") is None \
                and record.get("CreatedDate"):
            values["created_at"] = parse_datetime(record["CreatedDate"])
        return values

    @staticmethod
    def base(values: dict[str, Any]) -> dict[str, Any]:
        """The values as the CRM last agreed them, in the outbox's JSON form."""
        return {key: json_value(value) for key, value in values.items()}

    def new_row(self, record: dict[str, Any], external_id: str,
                values: dict[str, Any]) -> dict[str, Any]:
        """A complete row for a record seen here for the first time."""
        row = dict(values)
        row["id"] = record.get(external_id) or new_id()
        for key, default in self.defaults:
            if row.get(key) is None:
                row[key] = default.arg if default.is_scalar else default.arg(None)
        row["crm_id"] = record["Id"]
        row["crm_modstamp"] = parse_datetime(record["SystemModstamp"])
        # The values themselves, not ``base(values)``: the store's JSON serialiser writes
        # dates and date-times as json_value spells them, and a first pull is spared the copy.
        row["base"] = values
        if self.model is Lead:
            row["search_key"] = lead_search_key(row.get("first_name"), row.get("last_name"),
                                                row.get("company"), row.get("email"))
        return row


@dataclass(frozen=True)
class PreparedPage:
    """A page of CRM records converted before it is stored: each record's local values, and
    the row it becomes if it is new here, bound for the driver. A pull prepares the next page
    while the current one is written (SQLite lets go of Python while it writes)."""

    plan: RecordPlan
    records: list[dict[str, Any]]
    values: list[dict[str, Any]]
    new_rows: BoundRows
    modstamps: list[datetime]


def prepare_page(session: Session, spec: ObjectMap, external_id: str,
                 records: list[dict[str, Any]]) -> PreparedPage:
    """Convert ``records``; ``session`` only reads (the local ids of their parents). Every
    record is also made a new row, bound: whether it is new here is known only when the page
    is stored, and most records of a large pull are."""
    plan = plan_for(spec)
    parents = plan.parents(session, records)
    values = [plan.values(record, parents) for record in records]
    rows = [plan.new_row(record, external_id, v) for record, v in zip(records, values, strict=True)]
    table = plan.model.__table__  # type: ignore[attr-defined]
    return PreparedPage(plan, records, values, bound_rows(session.get_bind().dialect, table, rows),
                        [row["crm_modstamp"] for row in rows])


_PLANS: dict[tuple[str, tuple[tuple[str, str], ...]], RecordPlan] = {}


def plan_for(spec: ObjectMap) -> RecordPlan:
    key = (spec.table, tuple(spec.fields.items()))
    if key not in _PLANS:
        model = model_of(spec.table)
        mapped = class_mapper(model).column_attrs
        kinds = {c.key: _kind_of(c.key, c.columns[0].type) for c in mapped}
        fields = tuple((local, crm, kinds.get(local)) for local, crm in spec.fields.items())
        _PLANS[key] = RecordPlan(
            model=model,
            fields=fields,
            required=frozenset(c.key for c in mapped if not c.columns[0].nullable),
            defaults=tuple((column.key, column.default)
                           for column in model.__table__.columns  # type: ignore[attr-defined]
                           if column.default is not None))
    return _PLANS[key]
