"""Which local column is which CRM field, per table: data in resources/field_map.json, so a
team can rename fields the way its org names them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from models.store import Base, Synced
from resources import load_json

# Columns that point at another synced row: the CRM wants that row's CRM id.
REFERENCES = {"owner_id": "users", "account_id": "accounts", "lead_id": "leads",
              "contact_id": "contacts", "opportunity_id": "opportunities",
              "campaign_id": "campaigns", "product_id": "products", "handoff_to_id": "users",
              "reference_id": "reference_customers"}


@dataclass(frozen=True)
class ObjectMap:
    table: str
    object: str
    fields: dict[str, str]  # local column → CRM field

    @property
    def to_local(self) -> dict[str, str]:
        return {crm: local for local, crm in self.fields.items()}


@dataclass(frozen=True)
class FieldMap:
    external_id: str
    objects: tuple[ObjectMap, ...]  # parents before children

    def by_table(self, table: str) -> ObjectMap | None:
        return next((o for o in self.objects if o.table == table), None)

    def by_object(self, obj: str) -> ObjectMap | None:
        return next((o for o in self.objects if o.object == obj), None)


@cache
def field_map() -> FieldMap:
    raw = load_json("field_map.json")
    return FieldMap(raw["external_id"], tuple(
        ObjectMap(table, spec["object"], dict(spec["fields"]))
        for table, spec in raw["objects"].items()))


def model_of(table: str) -> type[Synced]:
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if issubclass(cls, Synced) and getattr(cls, "__tablename__", None) == table:
            return cls
    raise LookupError(table)


def to_crm_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)  # a long text field in the CRM
    return value


def values_equal(a: Any, b: Any) -> bool:
    """Equal as the CRM and the store would both read them (dates, numbers, blanks)."""
    if a in ("", None) and b in ("", None):
        return True
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    if isinstance(a, str) and isinstance(b, str) and a[:4].isdigit() and b[:4].isdigit():
        try:
            return datetime.fromisoformat(a.replace("+0000", "+00:00")) == \
                datetime.fromisoformat(b.replace("+0000", "+00:00"))
        except ValueError:
            return a == b
    return bool(a == b)
