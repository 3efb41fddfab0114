"""Creates whose answer never came: what the CRM holds under our external id decides.

Before an attempt leaves, the values it carries are written to its outbox entries (``sent``).
While they stay pending, the create may or may not have been carried out, so it is never sent
again blind: the CRM is asked for the record by external id (``queryAll``, so a deleted one is
seen too). Absent: it is created. Present: it is an update whose base is what was sent (a field
the CRM still holds as sent takes ours; one someone changed since is a conflict). Deleted
there: a "deleted in the CRM" conflict, never a silent re-create.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.crm.adapter import CrmAdapter
from models.store import SyncConflict
from models.sync.conflicts import RECORD_DELETED
from models.sync.fieldmap import REFERENCES, ObjectMap, to_crm_value, values_equal

# Ids in one SOQL IN list: Salesforce caps the length of a query's URL.
IDS_PER_QUERY = 200


@dataclass
class Found:
    """What the CRM holds under one external id."""

    live: dict[str, Any] | None = None
    deleted: list[str] | None = None  # CRM ids of deleted records that held it


def look_up(adapter: CrmAdapter, spec: ObjectMap, external_id: str,
            ids: Sequence[str]) -> dict[str, Found]:
    """Every record, live or deleted, that holds one of ``ids`` as its external id."""
    fields = ", ".join(sorted(set(spec.fields.values()) - {"Id", external_id}))
    found: dict[str, Found] = {i: Found() for i in ids}
    for start in range(0, len(ids), IDS_PER_QUERY):
        quoted = ", ".join(f"'{i}'" for i in ids[start:start + IDS_PER_QUERY])
        soql = (f"SELECT Id, IsDeleted, {external_id}{', ' if fields else ''}{fields} "
                f"FROM {spec.object} WHERE {external_id} IN ({quoted})")
        for page in adapter.query_all(soql):
            for record in page:
                entry = found.get(str(record.get(external_id)))
                if entry is None:
                    continue
                if record.get("IsDeleted"):
                    entry.deleted = [*(entry.deleted or []), str(record.get("Id"))]
                else:
                    entry.live = record
    return found


def deletion_label(crm_id: str) -> str:
    """What a "deleted in the CRM" conflict of a create in doubt shows as theirs; it also
    says which deleted record the rep has already decided about."""
    return f"deleted in the CRM ({crm_id})"


def unsettled_deletion(session: Session, record_id: str, deleted: list[str]) -> str | None:
    """The CRM id of a deleted record the rep has not decided about yet: one they chose to
    create again ("keep mine") is not a reason to ask twice."""
    settled = {str(theirs) for theirs in session.scalars(select(SyncConflict.theirs).where(
        SyncConflict.record_id == record_id, SyncConflict.field == RECORD_DELETED,
        SyncConflict.resolved_at.is_not(None)))}
    return next((i for i in deleted if deletion_label(i) not in settled), None)


@dataclass
class Merged:
    send: dict[str, Any]
    agreed: dict[str, Any]
    conflicts: list[tuple[str, Any, Any, Any]]  # (field, base, mine, theirs)


def merge_sent(spec: ObjectMap, values: dict[str, Any], sent: dict[str, list[Any]],
               server: dict[str, Any]) -> Merged:
    """Three-way per field, the base being every value an unconfirmed attempt carried (any of
    them may be what the CRM applied): theirs == mine → agreed; theirs still one we sent (or
    blank where we never sent the field) → ours goes; mine is all we ever sent → theirs, a
    colleague's later edit, stays (the pull brings it); anything else → a conflict."""
    merged = Merged({}, {}, [])
    for local, mine in values.items():
        crm = spec.fields.get(local)
        if crm is None:
            continue
        theirs = server.get(crm)
        ours = sent.get(local, [None])
        if local in REFERENCES:
            merged.send[local] = mine  # ids are translated, not compared
        elif _same(theirs, mine):
            merged.agreed[local] = mine
        elif any(_same(theirs, value) for value in ours):
            merged.send[local] = mine
        elif not all(values_equal(mine, value) for value in ours):
            # Several values went out and none of them is the CRM's: the colleague may have
            # changed one that never arrived while the rep's never reached them.
            merged.conflicts.append((local, ours[-1], mine, theirs))
    return merged


def _same(theirs: Any, local: Any) -> bool:
    return values_equal(theirs, local) or values_equal(theirs, to_crm_value(local))
