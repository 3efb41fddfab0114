"""What the CRM removed since the last sync: records deleted there, and records merged into
another.

Per object, children first (so a parent can go once its children have), the CRM's deletion
log is read from where the last check stopped. When that start is older than the log keeps
(Salesforce: 15 days), or the CRM refuses it, every id the CRM has is listed instead and
compared with ours. Either way a row the CRM never had (no CRM id) is left alone, and a row
with the rep's unsent work is kept and becomes a conflict the rep settles
(``models.sync.conflicts``). A record merged away (its ``MasterRecordId`` says into which)
hands its children and the rep's edits to the surviving record before it goes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, class_mapper, sessionmaker

from models.crm.adapter import CrmAdapter, DeletionLogExpired
from models.crm.answers import is_crm_id
from models.store import Base, OutboxEntry, SyncConflict, Synced, SyncState
from models.store.tracking import FROM_CRM, data_columns, json_value
from models.sync.conflicts import DELETED_IN_CRM, RECORD_DELETED, deleted_while_edited
from models.sync.fieldmap import FieldMap, ObjectMap, model_of
from models.sync.pull import OVERLAP, PullReport, apply_page, pending_fields, select_fields

# How far back Salesforce's deleted-records endpoint answers.
DELETION_LOG = timedelta(days=15)
# The objects Salesforce merges; only they carry MasterRecordId.
MERGEABLE = frozenset({"Lead", "Contact", "Account"})
# Activities are archived after a year: a query no longer lists them, queryAll does.
ARCHIVED = frozenset({"Task", "Event"})
# Ids in one SOQL IN list: Salesforce caps the length of a query's URL.
IDS_PER_QUERY = 200
# Rows handled per local transaction.
BATCH = 500
T = TypeVar("T")


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _stamp(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%S}.000+0000"


def _quoted(ids: Sequence[str]) -> str:
    return ", ".join(f"'{i}'" for i in ids)


def pull_removals(sessions: sessionmaker[Session], adapter: CrmAdapter, fields: FieldMap,
                  now: Callable[[], datetime], report: PullReport) -> None:
    """Remove here what the CRM removed since each object's last check; the counts go to
    ``report`` (deleted, kept, conflicts, merged, reconciled)."""
    with sessions() as session:
        states = {state.object: state for state in session.scalars(select(SyncState))}
    done: dict[str, tuple[datetime, bool]] = {}  # object → (checked at, reconciled)
    try:
        for spec in reversed(fields.objects):
            state = states.get(spec.object)
            if state is None or state.last_pull_at is None:
                continue  # never pulled: nothing here came from the CRM's side
            done[spec.object] = _check(sessions, adapter, fields, spec,
                                       state.deletions_through, now, report)
    finally:
        # One write for every object checked, even when the run stops at a later one.
        _record(sessions, done, now())


def _check(sessions: sessionmaker[Session], adapter: CrmAdapter, fields: FieldMap,
           spec: ObjectMap, known: datetime | None, now: Callable[[], datetime],
           report: PullReport) -> tuple[datetime, bool]:
    """Remove what the CRM removed since ``known``; (when the check began, whether it had to
    compare every id)."""
    checked_at = now()
    gone = None
    if known is not None and known - OVERLAP > checked_at - DELETION_LOG:
        try:
            # The end reaches a little past our clock: the CRM's may run ahead of it.
            gone = set(adapter.deleted(spec.object, _stamp(known - OVERLAP),
                                       _stamp(checked_at + OVERLAP)))
        except DeletionLogExpired:
            gone = None
    reconciled = gone is None
    if gone is None:
        gone = _missing(sessions, adapter, spec)
        report.reconciled.append(spec.object)
    if gone:
        _remove(sessions, adapter, fields, spec, gone, now, report)
    return checked_at, reconciled


def _record(sessions: sessionmaker[Session], done: dict[str, tuple[datetime, bool]],
            moment: datetime) -> None:
    if not done:
        return
    with sessions.begin() as session:
        states = {state.object: state for state in session.scalars(
            select(SyncState).where(SyncState.object.in_(list(done))))}
        for obj, (checked_at, reconciled) in done.items():
            state = states.get(obj) or SyncState(object=obj)
            state.deletions_through = checked_at
            if reconciled:
                state.reconciled_at = moment
            session.add(state)


def _missing(sessions: sessionmaker[Session], adapter: CrmAdapter, spec: ObjectMap) -> set[str]:
    """CRM ids held here that the CRM no longer lists: one id-only query, paged."""
    if spec.object in ARCHIVED:
        pages = adapter.query_all(f"SELECT Id FROM {spec.object} WHERE IsDeleted = false")
    else:
        pages = adapter.query(f"SELECT Id FROM {spec.object}")
    listed = {record["Id"] for page in pages for record in page}
    model = model_of(spec.table)
    with sessions() as session:
        held = session.scalars(select(model.crm_id).where(model.crm_id.is_not(None)))
        return {crm_id for crm_id in held if crm_id and crm_id not in listed}


def _held(session: Session, table: str, crm_ids: Iterable[str]) -> dict[str, str]:
    """CRM id → local id, for those of ``crm_ids`` held here."""
    model = model_of(table)
    held: dict[str, str] = {}
    for chunk in _chunks(sorted(crm_ids), BATCH):
        for crm_id, local in session.execute(select(model.crm_id, model.id).where(
                model.crm_id.in_(chunk))).tuples():
            if crm_id:
                held[crm_id] = local
    return held


def _remove(sessions: sessionmaker[Session], adapter: CrmAdapter, fields: FieldMap,
            spec: ObjectMap, gone: set[str], now: Callable[[], datetime],
            report: PullReport) -> None:
    with sessions() as session:
        held = _held(session, spec.table, gone)
    if not held:
        return
    survivors: dict[str, str] = {}
    if spec.object in MERGEABLE:
        survivors = _survivors(sessions, adapter, fields, spec, sorted(held), report)
    for rows in _chunks(sorted(held.items()), BATCH):
        with sessions.begin() as session:
            session.info[FROM_CRM] = True
            merged = {local: survivors[crm] for crm, local in rows if crm in survivors}
            if merged:
                _hand_over(session, spec, merged, now())
                report.merged += len(merged)
            unsent = pending_fields(session, [local for _crm, local in rows])
            for _crm_id, local in rows:
                if local in merged:
                    report.kept += not _delete(session, spec.table, local)
                else:
                    _drop(session, spec.table, local, local in unsent, now(), report)


def _drop(session: Session, table: str, local: str, unsent: bool, now: datetime,
          report: PullReport) -> None:
    row = session.get(model_of(table), local)
    if row is None:
        return
    if unsent:
        report.kept += 1
        report.conflicts += deleted_while_edited(session, table, local, now)
    elif _delete(session, table, local):
        report.deleted += 1
    else:
        report.kept += 1  # other local rows still point at it


def _delete(session: Session, table: str, local: str) -> bool:
    row = session.get(model_of(table), local)
    if row is None:
        return True
    try:
        with session.begin_nested():
            session.delete(row)
    except IntegrityError:
        return False
    return True


# -- merges ------------------------------------------------------------------------------------
def _master_ids(adapter: CrmAdapter, obj: str, ids: Sequence[str]) -> dict[str, str]:
    """Deleted CRM id → the record it was merged into, for those that were merged."""
    found: dict[str, str] = {}
    for chunk in _chunks(ids, IDS_PER_QUERY):
        soql = (f"SELECT Id, MasterRecordId FROM {obj} "
                f"WHERE Id IN ({_quoted(chunk)}) AND IsDeleted = true")
        for page in adapter.query_all(soql):
            found.update({r["Id"]: r["MasterRecordId"] for r in page
                          if is_crm_id(r.get("MasterRecordId"))})
    return found


def _survivors(sessions: sessionmaker[Session], adapter: CrmAdapter, fields: FieldMap,
               spec: ObjectMap, gone: Sequence[str], report: PullReport) -> dict[str, str]:
    """CRM id of a merged-away record → local id of the record that survived it. A survivor
    not held here yet is pulled now; one merged away in turn hands over to its own master."""
    masters = _master_ids(adapter, spec.object, gone)
    if not masters:
        return {}
    final: dict[str, str] = {}
    held: dict[str, str] = {}
    for _round in range(3):
        final = {loser: _last_master(masters, master) for loser, master in masters.items()}
        held = _hold(sessions, adapter, fields, spec, set(final.values()), report)
        missing = sorted(set(final.values()) - set(held))
        further = _master_ids(adapter, spec.object, missing) if missing else {}
        if not further:
            break
        masters.update(further)
    return {loser: held[master] for loser, master in final.items() if master in held}


def _last_master(masters: dict[str, str], master: str) -> str:
    seen = {master}
    while master in masters and masters[master] not in seen:
        master = masters[master]
        seen.add(master)
    return master


def _hold(sessions: sessionmaker[Session], adapter: CrmAdapter, fields: FieldMap,
          spec: ObjectMap, crm_ids: set[str], report: PullReport) -> dict[str, str]:
    """Local ids of these CRM records, pulling those not held here yet."""
    def lookup() -> dict[str, str]:
        with sessions() as session:
            return _held(session, spec.table, crm_ids)

    held = lookup()
    missing = sorted(crm_ids - set(held))
    for chunk in _chunks(missing, IDS_PER_QUERY):
        soql = (f"SELECT {select_fields(spec, fields.external_id)} FROM {spec.object} "
                f"WHERE Id IN ({_quoted(chunk)})")
        for page in adapter.query(soql):
            with sessions.begin() as session:
                session.info[FROM_CRM] = True
                apply_page(session, spec, fields.external_id, page, report)
    return lookup() if missing else held


@cache
def _pointers(table: str) -> tuple[tuple[type[Any], str], ...]:
    """(model, attribute) of every column that points at a row of ``table``; primary keys
    left out (a row keyed by its parent, such as a lead's account match, goes with it)."""
    found = []
    for mapper in Base.registry.mappers:
        for column in mapper.local_table.columns:
            if column.primary_key:
                continue
            if any(fk.column.table.name == table for fk in column.foreign_keys):
                found.append((mapper.class_, mapper.get_property_by_column(column).key))
    return tuple(found)


def _hand_over(session: Session, spec: ObjectMap, merged: dict[str, str],
               now: datetime) -> None:
    """Local id of a merged-away row → local id of its survivor: children follow the survivor
    (the CRM moved its own already, so nothing is sent), and so does the rep's work."""
    table = spec.table
    for loser, survivor in merged.items():
        _keep_local_knowledge(session, spec, loser, survivor)
    for model, attribute in _pointers(table):
        for row in session.scalars(select(model).where(
                getattr(model, attribute).in_(list(merged)))):
            old = getattr(row, attribute)
            setattr(row, attribute, merged[old])
            if isinstance(row, Synced) and (row.base or {}).get(attribute) == old:
                row.base = {**(row.base or {}), attribute: merged[old]}
    _repoint_outbox(session, table, merged)
    for loser, survivor in merged.items():
        _move_edits(session, table, loser, survivor, now)


def _keep_local_knowledge(session: Session, spec: ObjectMap, loser: str, survivor: str) -> None:
    """What only RepDesk knows of the merged-away record (columns the CRM has no field for:
    persona, qualification, hand-off, cadence...) fills the survivor's blanks."""
    model = model_of(spec.table)
    old, new = session.get(model, loser), session.get(model, survivor)
    if old is None or new is None:
        return
    for column in data_columns(old):
        if column in spec.fields:
            continue
        value = getattr(old, column)
        if getattr(new, column) in (None, "", {}, []) and value not in (None, "", {}, []):
            setattr(new, column, value)


def _repoint_outbox(session: Session, table: str, merged: dict[str, str]) -> None:
    """Unsent edits of other records that name a merged-away row name its survivor."""
    pointers = {attribute for _model, attribute in _pointers(table)}
    for entry in session.scalars(select(OutboxEntry).where(OutboxEntry.state == "pending")):
        for attribute in ("fields", "base"):
            values = getattr(entry, attribute)
            moved = {key: merged[value] for key, value in values.items()
                     if key in pointers and isinstance(value, str) and value in merged}
            if moved:
                setattr(entry, attribute, {**values, **moved})


def _move_edits(session: Session, table: str, loser: str, survivor: str,
                now: datetime) -> None:
    """The rep's edits of a merged-away record are edits of its survivor: the push compares
    them with the survivor's CRM values, so a value someone else set there is a conflict,
    never overwritten. The survivor shows them at once."""
    target = session.get(model_of(table), survivor)
    if target is None:
        return
    moved: set[str] = set()
    for entry in session.scalars(select(OutboxEntry).where(
            OutboxEntry.record_id == loser, OutboxEntry.state.in_(("pending", "failed")))):
        if entry.state == "failed" and entry.error != DELETED_IN_CRM:
            continue
        if entry.op != "update":
            entry.state, entry.error = "done", f"merged into {survivor} in the CRM"
            continue  # its create reached the CRM already: the merge decided its values
        entry.record_id, entry.state, entry.error = survivor, "pending", None
        moved |= set(entry.fields)
    for conflict in session.scalars(select(SyncConflict).where(
            SyncConflict.record_id == loser, SyncConflict.resolved_at.is_(None))):
        if conflict.field == RECORD_DELETED:
            conflict.resolved_at, conflict.resolution = now, "merged"
            continue
        # Theirs is now the survivor's value; mine stays shown until the rep decides.
        conflict.record_id = survivor
        conflict.theirs = (target.base or {}).get(
            conflict.field, json_value(getattr(target, conflict.field)))
        setattr(target, conflict.field, _column_value(target, conflict.field, conflict.mine))
    latest: dict[str, Any] = {}
    for entry in session.scalars(select(OutboxEntry).where(
            OutboxEntry.record_id == survivor, OutboxEntry.state == "pending")
            .order_by(OutboxEntry.seq)):
        latest.update(entry.fields)
    for key in moved:
        if key in latest:
            setattr(target, key, _column_value(target, key, latest[key]))


def _column_value(row: Synced, key: str, value: Any) -> Any:
    """An outbox value (JSON) as the column holds it."""
    if not isinstance(value, str):
        return value
    try:
        python_type = class_mapper(type(row)).columns[key].type.python_type
    except (NotImplementedError, AttributeError, KeyError):
        return value
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type.__name__ == "date":
        return datetime.fromisoformat(value).date()
    return value
