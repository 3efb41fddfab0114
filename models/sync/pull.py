"""Pull: bring the CRM's changes in, page by page, without losing a local edit.

A delta query on SystemModstamp (with a small overlap, the upsert being idempotent), paged
through nextRecordsUrl; each page is committed with its watermark, so an interrupted pull
resumes where it stopped. A record with pending local edits keeps those fields (a rebase) and
takes the CRM's values for the rest; ``base`` becomes the CRM's values. What the CRM deleted
or merged away is handled first, by ``models.sync.removals``.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from queue import Queue
from typing import Any, TypeVar

from sqlalchemy import JSON, insert, or_, select
from sqlalchemy.orm import Session, class_mapper, sessionmaker

from models.crm.adapter import CrmAdapter
from models.crm.datetimes import parse_datetime
from models.store import Lead, OutboxEntry, SyncConflict, Synced, SyncState, new_id
from models.store.tracking import FROM_CRM, json_value, lead_search_key
from models.sync.fieldmap import REFERENCES, FieldMap, ObjectMap, model_of

OVERLAP = timedelta(minutes=2)
T = TypeVar("T")


@dataclass
class PullReport:
    received: int = 0
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
    return "date" if python_type.__name__ == "date" else None


def _local_value(session: Session, local: str, value: Any, kind: str | None,
                 parents: dict[tuple[str, str], str | None]) -> Any:
    if value is None or kind is None:
        return value
    if kind == "parent":
        key = (REFERENCES[local], value)
        if key not in parents:  # one lookup per parent and page, not per record
            model = model_of(key[0])
            parents[key] = session.scalar(select(model.id).where(model.crm_id == value))
        return parents[key]
    if kind == "json":
        return json.loads(value) if isinstance(value, str) else value
    if kind == "datetime":
        return parse_datetime(str(value))
    return datetime.fromisoformat(str(value)[:10]).date()


def _defaults(model: type[Synced]) -> tuple[tuple[str, Any], ...]:
    """Column → its default, for the columns that have one (scalar or callable)."""
    if model not in _DEFAULTS:
        _DEFAULTS[model] = tuple(
            (column.key, column.default)
            for column in model.__table__.columns  # type: ignore[attr-defined]
            if column.default is not None)
    return _DEFAULTS[model]


_DEFAULTS: dict[type[Synced], tuple[tuple[str, Any], ...]] = {}


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
    model = model_of(spec.table)
    mapped = class_mapper(model).column_attrs
    kinds = {c.key: _kind_of(c.key, c.columns[0].type) for c in mapped}
    plan = [(local, crm, kinds.get(local)) for local, crm in spec.fields.items()]
    required = {c.key for c in mapped if not c.columns[0].nullable}
    crm_ids = [r["Id"] for r in records]
    ext_ids = [r.get(external_id) for r in records if r.get(external_id)]
    existing = {row.crm_id or row.id: row for row in session.scalars(select(model).where(
        or_(model.crm_id.in_(crm_ids), model.id.in_(ext_ids))))}
    by_id = {row.id: row for row in existing.values()}
    pending = pending_fields(session, list(by_id))
    newest = None
    fresh: list[dict[str, Any]] = []
    parents: dict[tuple[str, str], str | None] = {}
    for record in records:
        row = existing.get(record["Id"]) or by_id.get(record.get(external_id) or "")
        values = {local: _local_value(session, local, record[crm], kind, parents)
                  for local, crm, kind in plan if crm in record}
        # A blank the store cannot hold keeps the local value (or the column's default).
        values = {k: v for k, v in values.items() if v is not None or k not in required}
        if "created_at" in required and values.get("created_at") is None \
                and record.get("CreatedDate"):
            values["created_at"] = parse_datetime(record["CreatedDate"])
        if row is None:
            fresh.append(_new_row(model, record, external_id, values))
            report.created += 1
            report.received += 1
            stamp = fresh[-1]["crm_modstamp"]
            newest = max(newest, stamp) if newest else stamp
            continue
        kept = pending.get(row.id, set())
        if "*" in kept:
            continue  # deleted here, the delete is on its way
        for column, value in values.items():
            if column not in kept:
                setattr(row, column, value)
        report.rebased += bool(kept & set(values))
        row.crm_id = record["Id"]
        row.crm_modstamp = parse_datetime(record["SystemModstamp"])
        row.base = {key: json_value(value) for key, value in values.items()}
        report.received += 1
        newest = max(newest, row.crm_modstamp) if newest else row.crm_modstamp
    if fresh:
        # New records in one executemany: most of a first pull, and the ORM would triple its
        # cost. Nothing here is a local edit, so nothing goes to the outbox.
        session.execute(insert(model.__table__), fresh)  # type: ignore[attr-defined]
    return newest


def _new_row(model: type[Synced], record: dict[str, Any], external_id: str,
             values: dict[str, Any]) -> dict[str, Any]:
    row = dict(values)
    row["id"] = record.get(external_id) or new_id()
    for key, default in _defaults(model):
        if row.get(key) is None:
            row[key] = default.arg if default.is_scalar else default.arg(None)
    row["crm_id"] = record["Id"]
    row["crm_modstamp"] = parse_datetime(record["SystemModstamp"])
    row["base"] = {key: json_value(value) for key, value in values.items()}
    if model is Lead:
        row["search_key"] = lead_search_key(row.get("first_name"), row.get("last_name"),
                                            row.get("company"), row.get("email"))
    return row


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
        for page in prefetched(adapter.query(_soql(spec, fields.external_id, since))):
            with sessions.begin() as session:
                session.info[FROM_CRM] = True
                newest = apply_page(session, spec, fields.external_id, page, report)
                state = session.get(SyncState, spec.object) or SyncState(object=spec.object)
                if newest and (state.watermark is None or newest > state.watermark):
                    state.watermark = newest
                if started and (state.deletions_through is None
                                or started > state.deletions_through):
                    state.deletions_through = started
                state.last_pull_at = now()
                session.merge(state)
    return report
