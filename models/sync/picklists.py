"""The reason-code catalogue follows the CRM: once per sync, the picklist of every CRM field
that holds a reason code (resources/field_map.json) is read from the CRM's describe. A new value
is added, filed by its prefix like the shipped codes ("D-…" disqualifies); a value the CRM no
longer offers becomes inactive here, never deleted, since past qualifications name it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.crm.adapter import (
    AuthError,
    CrmAdapter,
    CrmError,
    LimitExceeded,
    PicklistValue,
    TransientError,
)
from models.reason_codes import CODE_PREFIXES, valid_code
from models.store import ReasonCode
from models.sync.fieldmap import FieldMap

LABEL_LENGTH = 120


@dataclass
class PicklistReport:
    added: int = 0
    deactivated: int = 0
    reactivated: int = 0
    relabelled: int = 0
    # CRM values no category could be told for (no known prefix, or not a valid code).
    unfiled: list[str] = field(default_factory=list)
    # Objects whose describe the CRM refused (e.g. an org without that custom object).
    unread: list[str] = field(default_factory=list)


def reason_code_fields(fields: FieldMap) -> list[tuple[str, str]]:
    """(CRM object, CRM field) of every mapped column that holds a reason code."""
    return [(spec.object, crm) for spec in fields.objects
            for local, crm in spec.fields.items() if local.endswith("reason_code")]


def _offered(adapter: CrmAdapter, wanted: list[tuple[str, str]],
             report: PicklistReport) -> dict[str, PicklistValue]:
    offered: dict[str, PicklistValue] = {}
    for obj in sorted({obj for obj, _field in wanted}):
        try:
            picklists = adapter.picklists(obj)
        except (TransientError, AuthError, LimitExceeded):
            raise  # the run stops, as for any other call
        except CrmError:
            report.unread.append(obj)
            continue
        for value in (v for owner, name in wanted if owner == obj
                      for v in picklists.get(name, ())):
            if value.active or value.value not in offered:
                offered[value.value] = value
    return offered


def _category(code: str, prefixes: dict[str, str]) -> str | None:
    prefix, dash, _rest = code.partition("-")
    return prefixes.get(prefix.upper()) if dash else None


def _merge(session: Session, offered: Iterable[PicklistValue], report: PicklistReport) -> None:
    rows = {row.code: row for row in session.scalars(select(ReasonCode))}
    # Prefixes a team uses beyond the shipped ones are learnt from its own codes.
    prefixes = {**CODE_PREFIXES, **{code.partition("-")[0].upper(): row.applies_to
                                    for code, row in rows.items() if "-" in code}}
    listed: set[str] = set()
    covered: set[str] = set()
    for value in offered:
        row = rows.get(value.value)
        category = row.applies_to if row else _category(value.value, prefixes)
        if category is None or not valid_code(value.value):
            report.unfiled.append(value.value)
            continue
        listed.add(value.value)
        covered.add(category)
        label = value.label.strip()[:LABEL_LENGTH] or value.value
        if row is None:
            session.add(ReasonCode(code=value.value, applies_to=category, label=label,
                                   active=value.active))
            report.added += 1
            continue
        if row.active != value.active:
            row.active = value.active
            report.reactivated += value.active
            report.deactivated += not value.active
        if row.label != label:
            row.label = label
            report.relabelled += 1
    # Salesforce's describe leaves inactive values out. Only categories the CRM's picklist
    # speaks for are touched: the close and hand-off reasons may live in RepDesk alone.
    for code, row in rows.items():
        if row.active and row.applies_to in covered and code not in listed:
            row.active = False
            report.deactivated += 1


def refresh_reason_codes(sessions: sessionmaker[Session], adapter: CrmAdapter,
                         fields: FieldMap) -> PicklistReport:
    """Bring the local catalogue in line with the CRM's reason-code picklists. An unreadable
    or empty picklist changes nothing: reps are never left without reasons to choose."""
    report = PicklistReport()
    offered = _offered(adapter, reason_code_fields(fields), report)
    if offered:
        with sessions.begin() as session:
            _merge(session, offered.values(), report)
    return report
