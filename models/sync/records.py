"""How a CRM record becomes local values: worked out once per table, then applied per record.

A first pull converts 150,000 records, so the per-record work is only what each field needs:
most fields are taken as they come (checked to be a value that fits the column); date-times,
dates and JSON are converted; a parent's CRM id becomes its local id through one query per page
and parent table. A record with a value that does not fit is refused, by object, id and field,
and the rest of the page goes on.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Session, class_mapper

from models.crm.adapter import RefusedRecord
from models.crm.answers import is_crm_id, shown
from models.crm.datetimes import parse_datetime
from models.store import Lead, Synced, new_id
from models.store.bulk import BoundRows, bound_rows
from models.store.tracking import json_value, lead_search_key
from models.sync.fieldmap import REFERENCES, ObjectMap, model_of

Parents = dict[tuple[str, str], str | None]  # (parent table, CRM id) → local id
# A text column with no length takes what Salesforce's longest text field holds.
LONGEST_TEXT = 131_072
# RepDesk's own ids (the external id) are UUIDs.
LOCAL_ID_LENGTH = 36
KIND_NAMES = {"datetime": "date-time", "date": "date", "json": "JSON text"}
_ABSENT = object()


class Refusal(Exception):
    """A value of a record that the store cannot take: the field and why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field} {reason}")
        self.field, self.reason = field, reason


def _too_long(field: str, value: str, limit: int) -> Refusal:
    return Refusal(field, f"is {len(value):,} characters long; RepDesk's column holds {limit:,}")


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
    if python_type is bool:
        return "flag"
    if python_type in (int, float, Decimal):
        return "number"
    return "date" if python_type is date else None


def _convert(value: Any, kind: str) -> Any:
    if kind == "json":
        return json.loads(value) if isinstance(value, str) else value
    if not isinstance(value, str):
        raise TypeError(kind)
    if kind == "datetime":
        return parse_datetime(value)
    return date.fromisoformat(value[:10])


def _limit(column_type: Any) -> int:
    length = getattr(column_type, "length", None) if isinstance(column_type, String) else None
    return min(length or LONGEST_TEXT, LONGEST_TEXT)


@dataclass(frozen=True)
class RecordPlan:
    model: type[Synced]
    # local column, CRM field, kind, the longest text it takes
    fields: tuple[tuple[str, str, str | None, int], ...]
    required: frozenset[str]  # columns that cannot hold a blank
    defaults: tuple[tuple[str, Any], ...]  # column → its default, scalar or callable

    def parents(self, session: Session, records: list[dict[str, Any]]) -> Parents:
        """The local ids of every parent the records point at: one query per parent table."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for local, crm, kind, _limit in self.fields:
            if kind == "parent":
                wanted[REFERENCES[local]].update(
                    r[crm] for r in records if isinstance(r.get(crm), str))
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
        (the local value, or the column's default, stays).

        Raises:
            Refusal: a value the column cannot take (a list or an object where a value
                belongs, text longer than the column, a date that is not one).
        """
        values: dict[str, Any] = {}
        # The commonest cases first, without a call: a first pull runs this 150,000 times.
        for local, crm, kind, limit in self.fields:
            value = record.get(crm, _ABSENT)
            if value is None:
                pass
            elif value is _ABSENT:
                continue
            elif kind is None:
                if type(value) is str:
                    if len(value) > limit:
                        raise _too_long(crm, value, limit)
                elif isinstance(value, list | dict):
                    raise Refusal(crm, f"is {shown(value)}, where a single value belongs")
            elif kind == "number":
                if type(value) is not int and type(value) is not float:
                    raise Refusal(crm, f"is {shown(value)}, not a number")
            elif kind == "flag":
                if type(value) is not bool:
                    raise Refusal(crm, f"is {shown(value)}, not a true or false")
            elif kind == "parent":
                if not isinstance(value, str):
                    raise Refusal(crm, f"is {shown(value)}, not the id of a record")
                value = parents.get((REFERENCES[local], value))
            else:
                value = self._converted(crm, value, kind, limit)
            if value is not None or local not in self.required:
                values[local] = value
        if "created_at" in self.required and values.get("created_at") is None \
                and record.get("CreatedDate"):
            values["created_at"] = self._converted("CreatedDate", record["CreatedDate"],
                                                   "datetime", limit=64)
        return values

    @staticmethod
    def _converted(crm: str, value: Any, kind: str, limit: int) -> Any:
        if isinstance(value, str) and len(value) > limit:
            raise _too_long(crm, value, limit)
        try:
            return _convert(value, kind)
        except (ValueError, TypeError) as error:
            raise Refusal(crm, f"is {shown(value)}, not a {KIND_NAMES[kind]}") from error

    def checked(self, record: dict[str, Any], external_id: str,
                parents: Parents) -> tuple[dict[str, Any], datetime]:
        """``values`` of a record whose id, stamp and external id are sound too; the stamp.

        Raises:
            Refusal: what is wrong, by field.
        """
        if not is_crm_id(record.get("Id")):
            raise Refusal("Id", f"is {shown(record.get('Id'))}, not a Salesforce id")
        ours = record.get(external_id)
        if ours is not None and (not isinstance(ours, str) or len(ours) > LOCAL_ID_LENGTH):
            raise Refusal(external_id, f"is {shown(ours)}, not a RepDesk id")
        text = record.get("SystemModstamp")
        try:
            stamp = parse_datetime(text)  # type: ignore[arg-type]
        except (TypeError, ValueError) as error:
            raise Refusal("SystemModstamp", f"is {shown(text)}, not a date-time") from error
        return self.values(record, parents), stamp

    @staticmethod
    def base(values: dict[str, Any]) -> dict[str, Any]:
        """The values as the CRM last agreed them, in the outbox's JSON form."""
        return {key: json_value(value) for key, value in values.items()}

    def new_row(self, record: dict[str, Any], external_id: str, values: dict[str, Any],
                stamp: datetime) -> dict[str, Any]:
        """A complete row for a record seen here for the first time."""
        row = dict(values)
        row["id"] = record.get(external_id) or new_id()
        for key, default in self.defaults:
            if row.get(key) is None:
                row[key] = default.arg if default.is_scalar else default.arg(None)
        row["crm_id"] = record["Id"]
        row["crm_modstamp"] = stamp
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
    object: str
    records: list[dict[str, Any]]
    values: list[dict[str, Any]]
    new_rows: BoundRows
    modstamps: list[datetime]
    # Records of the page that were not taken in, and why.
    refused: list[RefusedRecord]


def prepare_page(session: Session, spec: ObjectMap, external_id: str,
                 records: list[Any]) -> PreparedPage:
    """Convert ``records``; ``session`` only reads (the local ids of their parents). Every
    record is also made a new row, bound: whether it is new here is known only when the page
    is stored, and most records of a large pull are. A record that cannot be taken in is
    refused; the others go on."""
    plan = plan_for(spec)
    parents = plan.parents(session, [r for r in records if isinstance(r, dict)])
    kept: list[dict[str, Any]] = []
    values: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    refused: list[RefusedRecord] = []
    for record in records:
        if not isinstance(record, dict):
            refused.append(RefusedRecord(spec.object, None, "the record",
                                         f"is {shown(record)}, not a record"))
            continue
        try:
            record_values, stamp = plan.checked(record, external_id, parents)
        except Refusal as why:
            crm_id = record.get("Id")
            refused.append(RefusedRecord(spec.object, crm_id if is_crm_id(crm_id) else None,
                                         why.field, why.reason))
            continue
        kept.append(record)
        values.append(record_values)
        rows.append(plan.new_row(record, external_id, record_values, stamp))
    table = plan.model.__table__  # type: ignore[attr-defined]
    bound = bound_rows(session.get_bind().dialect, table, rows)
    return PreparedPage(plan, spec.object, kept, values, bound,
                        [row["crm_modstamp"] for row in rows], refused)


_PLANS: dict[tuple[str, tuple[tuple[str, str], ...]], RecordPlan] = {}


def plan_for(spec: ObjectMap) -> RecordPlan:
    key = (spec.table, tuple(spec.fields.items()))
    if key not in _PLANS:
        model = model_of(spec.table)
        mapped = class_mapper(model).column_attrs
        kinds = {c.key: _kind_of(c.key, c.columns[0].type) for c in mapped}
        limits = {c.key: _limit(c.columns[0].type) for c in mapped}
        fields = tuple((local, crm, kinds.get(local), limits.get(local, LONGEST_TEXT))
                       for local, crm in spec.fields.items())
        _PLANS[key] = RecordPlan(
            model=model,
            fields=fields,
            required=frozenset(c.key for c in mapped if not c.columns[0].nullable),
            defaults=tuple((column.key, column.default)
                           for column in model.__table__.columns  # type: ignore[attr-defined]
                           if column.default is not None))
    return _PLANS[key]
