"""Push: send the outbox to the CRM, exactly once, never overwriting anyone's edit.

Pending entries are coalesced per record, sent table by table (parents first) in batches of at
most 200. Creates are upserts on the external id (our local id), so they never make a duplicate;
one whose answer was lost is looked up before it is sent again (``models.sync.in_doubt``).
Before an update, the CRM's current values of the touched fields are read: server == base →
ours is sent; server == ours → already there; otherwise the field is a conflict, stored for the
rep and left alone, while the record's other fields go through. E-mails the CRM sends go last,
each at most once (``models.sync.mail``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.crm.adapter import CrmAdapter, OutcomeUnknown, SaveResult
from models.store import OutboxEntry, SyncConflict
from models.store.tracking import FROM_CRM, data_columns, json_value
from models.sync import mail, slots
from models.sync.changes import Change, PushReport, coalesce
from models.sync.conflicts import DELETED_IN_CRM, RECORD_DELETED, deleted_while_edited
from models.sync.fieldmap import (
    REFERENCES,
    FieldMap,
    ObjectMap,
    model_of,
    to_crm_value,
    values_equal,
)
from models.sync.in_doubt import deletion_label, look_up, merge_sent, unsettled_deletion

BATCH = 200
# What a change came to: (change, outbox state, error, CRM id to link, values agreed, the
# report's count it adds to).
Outcome = tuple[Change, str, str | None, str | None, dict[str, Any] | None, str | None]
__all__ = ["BATCH", "Change", "PushReport", "Pusher", "coalesce", "push"]


class Pusher:
    def __init__(self, sessions: sessionmaker[Session], adapter: CrmAdapter,
                 fields: FieldMap, now: Callable[[], datetime]) -> None:
        self.sessions, self.adapter, self.map, self.now = sessions, adapter, fields, now
        self.report = PushReport()
        self._outcomes: list[Outcome] = []
        self._parents: dict[tuple[str, str], str] = {}

    # -- bookkeeping -----------------------------------------------------------------------
    def _crm_ids(self, session: Session, table: str, ids: set[str]) -> dict[str, str]:
        model = model_of(table)
        rows = session.execute(select(model.id, model.crm_id).where(
            model.id.in_(ids), model.crm_id.is_not(None))).tuples()
        return {local: crm for local, crm in rows if crm}

    def _prefetch_parents(self, session: Session, spec: ObjectMap,
                          rows: list[dict[str, Any]]) -> None:
        """Translate every parent a batch points at in one query per parent table."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for values in rows:
            for local in spec.fields:
                parent, value = REFERENCES.get(local), values.get(local)
                if parent and value is not None and (parent, value) not in self._parents:
                    wanted[parent].add(value)
        for parent, ids in wanted.items():
            for local_id, crm_id in self._crm_ids(session, parent, ids).items():
                self._parents[(parent, local_id)] = crm_id

    def _parent_crm_id(self, session: Session, parent: str, local_id: str) -> str | None:
        # Only hits are kept: a parent missing now may be pushed later in this run.
        key = (parent, local_id)
        if key not in self._parents:
            found = self._crm_ids(session, parent, {local_id}).get(local_id)
            if found is None:
                return None
            self._parents[key] = found
        return self._parents[key]

    def _crm_record(self, session: Session, spec: ObjectMap,
                    values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """CRM field values, and the parents that are not in the CRM yet."""
        record: dict[str, Any] = {}
        missing = []
        for local, crm in spec.fields.items():
            if local not in values:
                continue
            value = values[local]
            parent = REFERENCES.get(local)
            if parent and value is not None:
                crm_id = self._parent_crm_id(session, parent, value)
                if crm_id is None:
                    missing.append(f"{parent} {value}")
                    continue
                value = crm_id
            record[crm] = to_crm_value(value)
        return record, missing

    def _finish(self, change: Change, state: str, error: str | None = None,
                crm_id: str | None = None, agreed: dict[str, Any] | None = None,
                counts: str | None = None) -> None:
        """Queue the outcome; ``_commit_outcomes`` writes a batch in one transaction and
        only then counts it (in the report's ``counts``), as it was finally written."""
        self._outcomes.append((change, state, error, crm_id, agreed, counts))

    def _commit_outcomes(self) -> None:
        if not self._outcomes:
            return
        outcomes, self._outcomes = self._outcomes, []
        with self.sessions.begin() as session:
            session.info[FROM_CRM] = True
            outcomes = self._not_linked_twice(session, outcomes)
            by_seq = {seq: outcome for outcome in outcomes for seq in outcome[0].seqs}
            for entry in session.scalars(select(OutboxEntry).where(
                    OutboxEntry.seq.in_(list(by_seq)))):
                _change, state, error, _crm_id, _agreed, _counts = by_seq[entry.seq]
                entry.state, entry.error = state, error
                entry.attempts += 1
            for change, _state, _error, crm_id, agreed, _counts in outcomes:
                if not (crm_id or agreed):
                    continue
                row = session.get(model_of(change.table), change.record_id)
                if row is not None:
                    if crm_id:
                        row.crm_id = crm_id
                    row.base = {**(row.base or {}), **(agreed or {})}
        for outcome in outcomes:
            if outcome[5] is not None:
                setattr(self.report, outcome[5], getattr(self.report, outcome[5]) + 1)

    def _not_linked_twice(self, session: Session, outcomes: list[Outcome]) -> list[Outcome]:
        """Outcomes whose CRM id another local row already holds (the store allows one row
        per CRM record) are kept on the outbox, failed with a message for the rep, instead
        of stopping the sync: both rows and the rep's edits stay as they are."""
        links: dict[tuple[str, str], str] = {}  # (table, CRM id) → the local row linking it
        for change, _state, _error, crm_id, _agreed, _counts in outcomes:
            if crm_id:
                links.setdefault((change.table, crm_id), change.record_id)
        held: dict[tuple[str, str], str] = {}
        for table in {table for table, _crm_id in links}:
            model = model_of(table)
            wanted = [crm_id for t, crm_id in links if t == table]
            held.update({(table, crm_id): local for local, crm_id in session.execute(
                select(model.id, model.crm_id).where(model.crm_id.in_(wanted))).tuples()
                if crm_id})
        kept: list[Outcome] = []
        for outcome in outcomes:
            change, crm_id = outcome[0], outcome[3]
            key = (change.table, crm_id or "")
            other = held.get(key) or links.get(key)
            if crm_id and other not in (None, change.record_id):
                # Counted once, as what it came to: not sent, whatever the answer said.
                outcome = (change, "failed", (
                    f"The CRM's record {crm_id} is already linked to another local record "
                    f"({other}); RepDesk did not link it a second time. Check whether the "
                    "two are one record."), None, None, "failed")
            kept.append(outcome)
        return kept

    def _wait(self, change: Change, reason: str) -> None:
        self.report.waiting += 1
        with self.sessions.begin() as session:
            for entry in session.scalars(select(OutboxEntry).where(
                    OutboxEntry.seq.in_(change.seqs))):
                entry.error = reason

    # -- sending ---------------------------------------------------------------------------
    def _row_values(self, session: Session, change: Change) -> dict[str, Any] | None:
        row = session.get(model_of(change.table), change.record_id)
        if row is None:
            return None
        if change.op == "update" and row.crm_id is None:
            # Never created in the CRM (it came in a bulk load): send the whole row.
            return {key: json_value(getattr(row, key)) for key in data_columns(row)}
        return dict(change.fields)

    def _apply(self, change: Change, result: SaveResult, sent: dict[str, Any]) -> None:
        if result.success:
            self._finish(change, "done", crm_id=result.crm_id, agreed=sent, counts="sent")
        else:
            self._finish(change, "failed", error=result.message, counts="failed")

    def _awaiting_decision(self, session: Session, changes: list[Change]) -> set[str]:
        """Records the CRM deleted and the rep has not decided about yet: an edit made since
        must not create them again behind the rep's back (Keep mine does that)."""
        return set(session.scalars(select(SyncConflict.record_id).where(
            SyncConflict.record_id.in_({c.record_id for c in changes}),
            SyncConflict.field == RECORD_DELETED, SyncConflict.resolved_at.is_(None))))

    def upserts(self, spec: ObjectMap, changes: list[Change]) -> None:
        ready: list[tuple[Change, dict[str, Any], dict[str, Any]]] = []
        with self.sessions() as session:
            undecided = self._awaiting_decision(session, changes)
            for change in [c for c in changes if c.record_id in undecided]:
                self._finish(change, "failed", error=DELETED_IN_CRM)
            changes = [c for c in changes if c.record_id not in undecided]
            loaded = [(change, self._row_values(session, change)) for change in changes]
            self._prefetch_parents(session, spec, [v for _c, v in loaded if v is not None])
            for change, values in loaded:
                if values is None:
                    self._finish(change, "done")
                    continue
                record, missing = self._crm_record(session, spec, values)
                if missing:
                    self._wait(change, f"waiting for {', '.join(missing)} to reach the CRM")
                    continue
                record[self.map.external_id] = change.record_id
                ready.append((change, record, values))
        fresh = [item for item in ready if not item[0].sent]
        absent = self._settle_in_doubt(spec, [item for item in ready if item[0].sent])
        # A new meeting whose time someone took in the CRM meanwhile is a conflict instead,
        # and one booked at the same moment from another desk steps back if it came second.
        sending = slots.free_slots_only(self, spec, fresh + absent)
        self._send_creates(spec, sending, again=True)
        slots.withdraw_second_bookings(self, spec, sending)

    def _send_creates(self, spec: ObjectMap,
                      ready: list[tuple[Change, dict[str, Any], dict[str, Any]]],
                      again: bool) -> None:
        for start in range(0, len(ready), BATCH):
            chunk = ready[start:start + BATCH]
            self._mark_sent(spec, chunk)
            try:
                results = self.adapter.upsert_at_most_once(
                    spec.object, [record for _, record, _ in chunk])
                self._own_answer(spec, chunk, results)
            except OutcomeUnknown:
                # Carried out or not: ask the CRM before anything is sent again.
                absent = self._settle_in_doubt(spec, chunk)
                if absent and not again:
                    raise
                self._send_creates(spec, absent, again=False)
                continue
            for (change, _record, values), result in zip(chunk, results, strict=True):
                self._apply(change, result, values)
            self._commit_outcomes()

    def _own_answer(self, spec: ObjectMap,
                    chunk: list[tuple[Change, dict[str, Any], dict[str, Any]]],
                    results: list[SaveResult]) -> None:
        """An upsert's answer names CRM ids but not our external ids, so a stale answer left
        on a kept-alive connection (the previous update's or create's) fits any request of
        the same size. One that names a record already linked to another local row, or one
        record twice, is not this request's: the creates are in doubt and looked up.

        Raises:
            OutcomeUnknown: the answer is another request's.
        """
        named = [r.crm_id for r in results if r.success and r.crm_id]
        if len({crm_id[:15] for crm_id in named}) < len(named):
            raise OutcomeUnknown(f"an upsert of {spec.object} was answered with one id twice")
        if not named:
            return
        model = model_of(spec.table)
        with self.sessions() as session:
            taken = session.execute(select(model.id, model.crm_id).where(
                model.crm_id.in_(named),
                model.id.not_in([change.record_id for change, _r, _v in chunk]))).first()
        if taken is not None:
            raise OutcomeUnknown(
                f"an upsert of {spec.object} was answered with {taken[1]}, the CRM id of "
                f"another local record ({taken[0]}): an answer to another request")

    def _mark_sent(self, spec: ObjectMap,
                   chunk: list[tuple[Change, dict[str, Any], dict[str, Any]]]) -> None:
        """Before an attempt leaves: what it carries, durably, so a lost answer is looked up
        instead of re-sent; and the e-mails these Tasks ask for, so the mail's own state
        decides whether it goes, whatever the Task's answers say."""
        by_seq: dict[int, Change] = {}
        for change, _record, values in chunk:
            for local, value in values.items():
                if local in spec.fields:
                    known = change.sent.setdefault(local, [])
                    if value not in known:
                        known.append(value)
            by_seq.update((seq, change) for seq in change.seqs)
        with self.sessions.begin() as session:
            for entry in session.scalars(select(OutboxEntry).where(
                    OutboxEntry.seq.in_(list(by_seq)))):
                entry.sent = dict(by_seq[entry.seq].sent)
            if spec.table == "activities":
                mail.expect(session, [change.record_id for change, _r, _v in chunk
                                      if change.op == "create"])

    def _settle_in_doubt(self, spec: ObjectMap,
                         doubtful: list[tuple[Change, dict[str, Any], dict[str, Any]]]
                         ) -> list[tuple[Change, dict[str, Any], dict[str, Any]]]:
        """Creates that may have reached the CRM: updated, settled or made conflicts by what
        the CRM holds under their external id; those it does not hold come back, to send."""
        if not doubtful:
            return []
        self.report.looked_up += len(doubtful)
        found = look_up(self.adapter, spec, self.map.external_id,
                        [change.record_id for change, _r, _v in doubtful])
        absent = []
        updates: list[tuple[Change, dict[str, Any], dict[str, Any]]] = []
        # One read session for the lot (WAL: it never blocks the writes made meanwhile).
        with self.sessions() as session:
            for change, record, values in doubtful:
                there = found[change.record_id]
                if there.live is not None:
                    crm_id = str(there.live["Id"])
                    merged = merge_sent(spec, values, change.sent, there.live)
                    for name, base, mine, theirs in merged.conflicts:
                        self._conflict(change, name, base, mine, theirs)
                    if not merged.send:
                        self._finish(change, "done", crm_id=crm_id, agreed=merged.agreed,
                                     counts="already_there")
                        continue
                    update, _missing = self._crm_record(session, spec, merged.send)
                    update["Id"] = crm_id
                    updates.append((change, update, {**merged.agreed, **merged.send}))
                    continue
                gone = unsettled_deletion(session, change.record_id, there.deleted or [])
                if gone is not None:
                    self._deleted_there(change, deletion_label(gone))
                else:
                    absent.append((change, record, values))
        if updates:
            results = self.adapter.update(spec.object, [update for _, update, _ in updates])
            for (change, update, agreed), result in zip(updates, results, strict=True):
                self._apply(change, SaveResult(update["Id"], result.success, False,
                                               result.errors), agreed)
        self._commit_outcomes()
        return absent

    def updates(self, spec: ObjectMap, changes: list[Change]) -> None:
        with self.sessions() as session:
            known = self._crm_ids(session, spec.table, {c.record_id for c in changes})
        first_time = [c for c in changes if c.record_id not in known]
        if first_time:
            self.upserts(spec, first_time)
        targets = [c for c in changes if c.record_id in known]
        for start in range(0, len(targets), BATCH):
            self._update_chunk(spec, targets[start:start + BATCH], known)

    def _update_chunk(self, spec: ObjectMap, chunk: list[Change], known: dict[str, str]) -> None:
        for change in [c for c in chunk if not set(c.fields) & set(spec.fields)]:
            # Recorded before only mapped columns were (an older store): nothing to send.
            chunk.remove(change)
            self._finish(change, "done")
        if not chunk:
            self._commit_outcomes()
            return
        crm_fields = sorted({spec.fields[f] for c in chunk for f in c.fields if f in spec.fields})
        current = self.adapter.retrieve(spec.object, [known[c.record_id] for c in chunk],
                                        crm_fields or ["Id"])
        sends: list[tuple[Change, dict[str, Any], dict[str, Any]]] = []
        for change, server in zip(chunk, current, strict=True):
            if server is None:
                self._deleted_there(change)
                continue
            send, agreed = self._merge(change, spec, server)
            if not send:
                self._finish(change, "done", agreed=agreed, counts="already_there")
                continue
            with self.sessions() as session:
                record, missing = self._crm_record(session, spec, send)
            if missing:
                self._wait(change, f"waiting for {', '.join(missing)} to reach the CRM")
                continue
            record["Id"] = known[change.record_id]
            sends.append((change, record, {**agreed, **send}))
        if sends:
            results = self.adapter.update(spec.object, [record for _, record, _ in sends])
            for (change, _record, agreed), result in zip(sends, results, strict=True):
                self._apply(change, result, agreed)
        self._commit_outcomes()

    def _merge(self, change: Change, spec: ObjectMap,
               server: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Three-way merge per field: (fields to send, fields already agreed)."""
        send: dict[str, Any] = {}
        agreed: dict[str, Any] = {}
        for local, mine in change.fields.items():
            crm = spec.fields.get(local)
            if crm is None:
                continue
            theirs, base = server.get(crm), change.base.get(local)
            if local in REFERENCES:
                send[local] = mine  # ids are translated, not compared
            elif values_equal(theirs, mine):
                agreed[local] = mine
            elif values_equal(theirs, base) or local not in change.base:
                send[local] = mine
            else:
                self._conflict(change, local, base, mine, theirs)
        return send, agreed

    def _deleted_there(self, change: Change, theirs: str | None = None) -> None:
        """Deleted (or merged away) in the CRM since this sync checked: the rep's edits are
        kept as a conflict to settle; the next sync hands a merged record's to its survivor."""
        self.report.conflicts += 1
        with self.sessions.begin() as session:
            deleted_while_edited(session, change.table, change.record_id, self.now())
            if theirs is not None:
                session.flush()
                for conflict in session.scalars(select(SyncConflict).where(
                        SyncConflict.record_id == change.record_id,
                        SyncConflict.field == RECORD_DELETED,
                        SyncConflict.resolved_at.is_(None))):
                    conflict.theirs = theirs
        self._finish(change, "failed", error=DELETED_IN_CRM)

    def _conflict(self, change: Change, field_name: str, base: Any, mine: Any,
                  theirs: Any) -> None:
        self.report.conflicts += 1
        with self.sessions.begin() as session:
            session.add(SyncConflict(table=change.table, record_id=change.record_id,
                                     field=field_name, base=base, mine=mine, theirs=theirs,
                                     found_at=self.now()))

    def deletes(self, spec: ObjectMap, changes: list[Change]) -> None:
        with self.sessions() as session:
            known = self._crm_ids(session, spec.table, {c.record_id for c in changes})
        # Deleted rows are gone from the store; their entries carry the CRM id.
        known.update({c.record_id: c.fields["crm_id"] for c in changes
                      if c.fields.get("crm_id")})
        # A create whose answer was lost may have made the record: its id is found there.
        known.update({local: str(there.live["Id"]) for local, there in look_up(
            self.adapter, spec, self.map.external_id,
            [c.record_id for c in changes if c.record_id not in known]).items() if there.live})
        for change in changes:
            if change.record_id not in known:
                self._finish(change, "done")  # never reached the CRM: nothing to delete
        targets = [c for c in changes if c.record_id in known]
        for start in range(0, len(targets), BATCH):
            chunk = targets[start:start + BATCH]
            results = self.adapter.delete([known[c.record_id] for c in chunk])
            for change, result in zip(chunk, results, strict=True):
                gone = any(e.get("statusCode") in ("ENTITY_IS_DELETED", "NOT_FOUND")
                           for e in result.errors)
                self._apply(change, SaveResult(result.crm_id, True) if gone else result, {})
            self._commit_outcomes()


def push(sessions: sessionmaker[Session], adapter: CrmAdapter, fields: FieldMap,
         now: Callable[[], datetime]) -> PushReport:
    """Send every pending edit. Raises TransientError/LimitExceeded/AuthError when the run must
    stop; whatever was acknowledged before stays done, the rest stays pending."""
    with sessions() as session:
        entries = list(session.scalars(select(OutboxEntry).where(
            OutboxEntry.state == "pending").order_by(OutboxEntry.seq)))
    tables = {spec.object: spec.table for spec in fields.objects}
    changes = coalesce(entries, tables.get)
    pusher = Pusher(sessions, adapter, fields, now)
    by_table: dict[str, dict[str, list[Change]]] = defaultdict(lambda: defaultdict(list))
    for change in changes:
        by_table[change.table][change.op].append(change)
    tasks = by_table.get("activities", {})
    held = slots.held_invitations(sessions, tasks.get("create", []))
    later = [c for c in tasks.get("create", []) if c.record_id in held]
    if later:
        tasks["create"] = [c for c in tasks["create"] if c.record_id not in held]
    for spec in fields.objects:
        ops = by_table.get(spec.table, {})
        if ops.get("create"):
            pusher.upserts(spec, ops["create"])
        if ops.get("update"):
            pusher.updates(spec, ops["update"])
    slots.recheck_left(pusher)  # Events an earlier sync created and stopped before asking
    task_spec = fields.by_table("activities")
    if later and task_spec is not None:  # meetings' invitations, after their Events
        still_held = slots.held_invitations(sessions, later)
        ready = [c for c in later if c.record_id not in still_held]
        if ready:
            pusher.upserts(task_spec, ready)
    for spec in reversed(fields.objects):  # children before parents
        if by_table.get(spec.table, {}).get("delete"):
            pusher.deletes(spec, by_table[spec.table]["delete"])
    pusher._commit_outcomes()  # outcomes that needed no call (rows gone, never created)
    slots.release_invitations(sessions)
    pusher.report.emails_sent, pusher.report.emails_unsure = mail.deliver(sessions, adapter, now)
    return pusher.report
