"""Pull: bring the CRM's changes in, page by page, without losing a local edit.

A delta query on SystemModstamp (with a small overlap, the upsert being idempotent), paged
through nextRecordsUrl; each page is committed with its watermark, so an interrupted pull
resumes where it stopped. A record with pending local edits keeps those fields (a rebase) and
takes the CRM's values for the rest; ``base`` becomes the CRM's values. What the CRM deleted
or merged away is handled first, by ``models.sync.removals``.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from queue import Queue
from typing import Any, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from models.crm.adapter import CrmAdapter, take_refused
from models.crm.answers import MAX_PAGE
from models.store import OutboxEntry, SyncConflict, SyncState
from models.store.bulk import (
    BoundRows,
    insert_bound,
    restore_indexes,
    sized_to_hold,
    start_load,
)
from models.store.tracking import FROM_CRM
from models.sync.fieldmap import FieldMap, ObjectMap, model_of
from models.sync.records import PreparedPage, prepare_page
from models.sync.refusals import record_refusals, taken_in

OVERLAP = timedelta(minutes=2)
# A full read whose first page holds this many records loads an empty table as a bulk load
# (models.store.bulk): such a page means more follow (the CRM sends up to 2,000 a page, and
# fewer for wide records).
LOAD_FROM = 1000
# A page is written whole while a write holds SQLite's write lock under HOLD_S, and in parts
# once one held it longer (a page of 2,000 leads held it up to 0.48 s on a loaded machine, and
# a rep's save waits for one write): ``models.store.bulk.sized_to_hold``.
HOLD_S = 0.15
LEAST_PART = 200
T = TypeVar("T")


@dataclass
class PullReport:
    received: int = 0
    # Records the CRM sent that were not taken in (listed on the Sync screen with why).
    refused: int = 0
    created: int = 0
    rebased: int = 0
    deleted: int = 0
    # Rows the CRM no longer has that stay here: the rep's unsent work on them (each one a
    # conflict for the rep to settle), or local rows that still point at them.
    kept: int = 0
    conflicts: int = 0
    # Records merged into another in the CRM: their children and edits moved to the survivor.
    merged: int = 0
    # Objects whose ids were all compared with the CRM's (the deletion log was out of reach).
    reconciled: list[str] = field(default_factory=list)


def select_fields(spec: ObjectMap, external_id: str) -> str:
    """What a pull reads of each record, as a SOQL field list."""
    return ", ".join(["Id", "SystemModstamp", "CreatedDate", external_id,
                      *spec.fields.values()])


def _soql(spec: ObjectMap, external_id: str, since: datetime | None) -> str:
    fields = select_fields(spec, external_id)
    where = f" WHERE SystemModstamp > {since:%Y-%m-%dT%H:%M:%S}Z" if since else ""
    return f"SELECT {fields} FROM {spec.object}{where} ORDER BY SystemModstamp"


def pending_fields(session: Session, ids: list[str]) -> dict[str, set[str]]:
    """Per local id, the fields with the rep's unsent or unsettled work ("*": deleted here)."""
    pending: dict[str, set[str]] = defaultdict(set)
    for record_id, fields, op in session.execute(select(
            OutboxEntry.record_id, OutboxEntry.fields, OutboxEntry.op).where(
            OutboxEntry.record_id.in_(ids), OutboxEntry.state == "pending")).tuples():
        pending[record_id] |= set(fields) | ({"*"} if op == "delete" else set())
    # A field in conflict keeps the rep's value until the rep decides.
    for record_id, field_name in session.execute(select(
            SyncConflict.record_id, SyncConflict.field).where(
            SyncConflict.record_id.in_(ids), SyncConflict.resolved_at.is_(None))).tuples():
        pending[record_id].add(field_name)
    return pending


def apply_page(session: Session, spec: ObjectMap, external_id: str,
               records: list[dict[str, Any]], report: PullReport) -> datetime | None:
    """Store one page of CRM records (new ones inserted, known ones rebased); returns the
    newest SystemModstamp in it."""
    return apply_prepared(session, prepare_page(session, spec, external_id, records),
                          external_id, report)


def apply_prepared(session: Session, page: PreparedPage, external_id: str,
                   report: PullReport) -> datetime | None:
    """``apply_page`` for a page converted beforehand (``prepare_page``)."""
    model = page.plan.model
    records = page.records
    crm_ids = [r["Id"] for r in records]
    record_refusals(session, page.refused)
    report.refused += len(page.refused)
    taken_in(session, page.object, crm_ids)
    ext_ids = [r.get(external_id) for r in records if r.get(external_id)]
    existing = {row.crm_id or row.id: row for row in session.scalars(select(model).where(
        or_(model.crm_id.in_(crm_ids), model.id.in_(ext_ids))))}
    by_id = {row.id: row for row in existing.values()}
    pending = pending_fields(session, list(by_id))
    fresh: list[tuple[Any, ...]] = []
    for record, values, new_row, stamp in zip(records, page.values, page.new_rows.params,
                                              page.modstamps, strict=True):
        row = existing.get(record["Id"]) or by_id.get(record.get(external_id) or "")
        if row is None:
            fresh.append(new_row)
            report.created += 1
            report.received += 1
            continue
        kept = pending.get(row.id, set())
        if "*" in kept:
            continue  # deleted here, the delete is on its way
        for column, value in values.items():
            if column not in kept:
                setattr(row, column, value)
        report.rebased += bool(kept & set(values))
        row.crm_id = record["Id"]
        row.crm_modstamp = stamp
        row.base = page.plan.base(values)
        report.received += 1
    # New records straight to the driver: most of a first pull. Nothing here is a local
    # edit, so nothing goes to the outbox.
    insert_bound(session, BoundRows(page.new_rows.sql, fresh))
    return max(page.modstamps, default=None)


def prefetched(pages: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Fetch the next pages while the current one is stored: the CRM and the disk work at
    the same time. Errors from the fetching thread are raised here, in order."""
    queue: Queue[tuple[bool, Any]] = Queue(maxsize=depth)

    def fetch() -> None:
        try:
            for page in pages:
                queue.put((True, page))
        except BaseException as error:  # handed over to the consumer, not lost
            queue.put((False, error))
            return
        queue.put((False, None))

    threading.Thread(target=fetch, name="pull-prefetch", daemon=True).start()
    while True:
        ok, item = queue.get()
        if not ok:
            if item is not None:
                raise item
            return
        yield item


def _since(state: SyncState | None) -> datetime | None:
    """Where the delta starts. The overlap catches changes committed late with an earlier
    stamp; it is only needed when the last pull ran close to the newest change it saw."""
    if state is None or state.watermark is None:
        return None
    if state.last_pull_at and state.last_pull_at - state.watermark > OVERLAP:
        return state.watermark
    return state.watermark - OVERLAP


def pull(sessions: sessionmaker[Session], adapter: CrmAdapter, fields: FieldMap,
         now: Callable[[], datetime], removals: PullReport | None = None) -> PullReport:
    """Removals first (unless ``removals`` is the report of a pass already made in this sync),
    then each object's changes."""
    pause = getattr(sessions, "pause_after_write", 0.0)
    report = removals
    if report is None:
        # Imported here: removals store the records they fetch with this module's pages.
        from models.sync.removals import pull_removals

        report = PullReport()
        pull_removals(sessions, adapter, fields, now, report)
    for spec in fields.objects:
        with sessions() as session:
            since = _since(session.get(SyncState, spec.object))
        # A full read shows every record the CRM had when it started: no deletion before
        # that moment is left to learn.
        started = now() if since is None else None
        table = model_of(spec.table).__table__  # type: ignore[attr-defined]
        loading, size = False, MAX_PAGE
        try:
            pages = adapter.query(_soql(spec, fields.external_id, since))
            for number, page in enumerate(
                    prefetched(_prepared(sessions, adapter, spec, fields.external_id, pages))):
                newest = max(page.modstamps, default=None)
                parts = _parts(page, size)
                for part_number, part in enumerate(parts):
                    with sessions.begin() as session:
                        began = time.monotonic()
                        session.info[FROM_CRM] = True
                        if number == part_number == 0 and since is None \
                                and len(page.records) >= LOAD_FROM:
                            loading = start_load(session, table)
                        apply_prepared(session, part, fields.external_id, report)
                        # The page's watermark goes with its last part: a pull cut short
                        # between two parts reads the page again (taking a record in twice
                        # only finds it stored).
                        if part_number == len(parts) - 1:
                            _advance(session, spec.object, newest, started, now())
                    if part.records:
                        size = sized_to_hold(len(part.records),
                                             time.monotonic() - began - pause, HOLD_S,
                                             LEAST_PART, MAX_PAGE)
        finally:
            if loading:
                _restore_indexes(sessions, table)
    return report


def _parts(page: PreparedPage, size: int) -> list[PreparedPage]:
    """The page in parts of at most ``size`` records, each written in its own transaction
    (the refusals go with the first)."""
    if len(page.records) <= size:
        return [page]
    return [replace(page, records=page.records[start:start + size],
                    values=page.values[start:start + size],
                    new_rows=BoundRows(page.new_rows.sql,
                                       page.new_rows.params[start:start + size]),
                    modstamps=page.modstamps[start:start + size],
                    refused=page.refused if start == 0 else [])
            for start in range(0, len(page.records), size)]


def _restore_indexes(sessions: sessionmaker[Session], table: Any) -> None:
    """The indexes a load dropped, each built in its own transaction: on 100,000 leads all of
    them in one held SQLite's write lock for seconds, and a rep's save waited that long. A
    crash in between leaves some missing, which the store builds when it next opens."""
    while True:
        with sessions.begin() as session:
            if not restore_indexes(session.connection(), [table], at_most=1):
                return


def _with_refusals(adapter: CrmAdapter, pages: Iterator[list[dict[str, Any]]]
                   ) -> Iterator[tuple[list[dict[str, Any]], list[Any]]]:
    """Each page with the adapter's own refusals made while fetching it (not records at
    all, ids that are not ids): taken before the next page is asked for."""
    for records in pages:
        yield records, take_refused(adapter)


def _prepared(sessions: sessionmaker[Session], adapter: CrmAdapter, spec: ObjectMap,
              external_id: str,
              pages: Iterator[list[dict[str, Any]]]) -> Iterator[PreparedPage]:
    """Each page converted (its own short read session), in a thread of its own; the pages
    are fetched in another, so the CRM answers the next page while this one is converted
    (on a first pull each took about as long as the other)."""
    for records, refused in prefetched(_with_refusals(adapter, pages)):
        with sessions() as session:
            page = prepare_page(session, spec, external_id, records)
        page.refused[:0] = refused
        yield page


def _advance(session: Session, obj: str, newest: datetime | None, started: datetime | None,
             now: datetime) -> None:
    """Move the object's watermark past a stored page, in the page's transaction."""
    state = session.get(SyncState, obj) or SyncState(object=obj)
    if newest and (state.watermark is None or newest > state.watermark):
        state.watermark = newest
    if started and (state.deletions_through is None or started > state.deletions_through):
        state.deletions_through = started
    state.last_pull_at = now
    session.merge(state)
