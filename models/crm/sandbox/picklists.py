"""The sandbox org's picklists: Lead Status with RepDesk's funnel stages and the
qualification's reason code with the team's qualification reasons, the way an admin sets up an
org for RepDesk (the fields are those named in resources/field_map.json).

Values are changed in-process (``add``, ``deactivate``, ``set``) to play an admin editing the
org. Like Salesforce, describe lists active values only: a deactivated value stays on the
records that hold it but is no longer offered.
"""

from __future__ import annotations

import threading
from typing import Any

from resources import load_json

LEAD_STATUSES = (("MCL", "Marketing captured (MCL)"), ("MQL", "Marketing qualified (MQL)"),
                 ("SAL", "Sales accepted (SAL)"), ("SQL", "Sales qualified (SQL)"),
                 ("nurture", "Nurture"), ("converted", "Converted"),
                 ("disqualified", "Disqualified"))
DEFAULT_STATUS = "MQL"
QUALIFICATION_CATEGORIES = ("A", "B", "C", "D")


def value(code: str, label: str, active: bool = True, default: bool = False) -> dict[str, Any]:
    """One entry of a field's ``picklistValues``, in Salesforce's shape."""
    return {"active": active, "defaultValue": default, "label": label, "validFor": None,
            "value": code}


def _defaults() -> dict[tuple[str, str], list[dict[str, Any]]]:
    return {
        ("Lead", "Status"): [value(code, label, default=code == DEFAULT_STATUS)
                             for code, label in LEAD_STATUSES],
        ("Qualification__c", "Reason_Code__c"): [
            value(row["code"], row["label"]) for row in load_json("reason_codes.json")
            if row["applies_to"] in QUALIFICATION_CATEGORIES],
    }


class Picklists:
    """Every picklist field of the org and its values, in the order describe lists them.
    Thread-safe."""

    def __init__(self) -> None:
        self._fields = _defaults()
        self._lock = threading.Lock()

    def of(self, obj: str) -> dict[str, list[dict[str, Any]]]:
        """Field name → its active values, for one object, as describe lists them."""
        with self._lock:
            return {field: [dict(v) for v in values if v["active"]]
                    for (owner, field), values in self._fields.items() if owner == obj}

    def objects(self) -> set[str]:
        with self._lock:
            return {owner for owner, _field in self._fields}

    def set(self, obj: str, field: str, values: list[dict[str, Any]]) -> None:
        """Replace a field's values (adds the field when the org had no such picklist)."""
        with self._lock:
            self._fields[(obj, field)] = [dict(v) for v in values]

    def add(self, obj: str, field: str, code: str, label: str) -> None:
        with self._lock:
            self._fields.setdefault((obj, field), []).append(value(code, label))

    def deactivate(self, obj: str, field: str, code: str) -> None:
        """What Salesforce does when an admin deactivates a value: it stays, inactive, so
        records that hold it keep it."""
        with self._lock:
            for entry in self._fields.get((obj, field), []):
                if entry["value"] == code:
                    entry["active"] = False
