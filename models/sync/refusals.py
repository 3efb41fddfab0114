"""Records the CRM sent that RepDesk did not take in, kept where the Sync screen lists what
went wrong: the outbox, as entries the push never sends (op "receive", state "failed"), one per
record and reason. Taking the record in later (the CRM's copy was fixed) clears its entry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.crm.adapter import RefusedRecord
from models.store import OutboxEntry

RECEIVE = "receive"
# Refusals kept per run at most: a CRM sending nothing but bad records must not fill the store.
MOST_PER_PAGE = 200


def record_refusals(session: Session, refused: Sequence[RefusedRecord]) -> None:
    """One failed "receive" entry per refused record, its message the reason; a record
    refused again updates its entry."""
    if not refused:
        return
    now = datetime.now(UTC)
    kept = refused[:MOST_PER_PAGE]
    # Their entries from before, in one query rather than one per record.
    known = {(entry.object, entry.record_id, entry.error): entry
             for entry in session.scalars(select(OutboxEntry).where(
                 OutboxEntry.record_id.in_({(r.crm_id or "")[:36] for r in kept}),
                 OutboxEntry.op == RECEIVE, OutboxEntry.state == "failed"))}
    for refusal in kept:
        record_id = (refusal.crm_id or "")[:36]
        entry = known.get((refusal.object, record_id, refusal.message))
        if entry is not None:
            entry.created_at = now
            continue
        entry = OutboxEntry(object=refusal.object, record_id=record_id, op=RECEIVE,
                            fields={refusal.field[:60]: None}, base={},
                            created_at=now, state="failed", error=refusal.message)
        session.add(entry)
        known[(refusal.object, record_id, refusal.message)] = entry


def taken_in(session: Session, obj: str, crm_ids: Sequence[str]) -> None:
    """Records refused before and taken in now are no longer shown as refused."""
    if not crm_ids or session.scalar(select(OutboxEntry.seq).where(
            OutboxEntry.state == "failed", OutboxEntry.op == RECEIVE).limit(1)) is None:
        return  # the everyday case: nothing was ever refused, one indexed look
    for entry in session.scalars(select(OutboxEntry).where(
            OutboxEntry.object == obj, OutboxEntry.record_id.in_(crm_ids),
            OutboxEntry.op == RECEIVE, OutboxEntry.state == "failed")):
        entry.state = "done"
