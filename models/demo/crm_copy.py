"""The demo's CRM: the profile's records in a sandbox CRM under ids that agree, so the profile
stands exactly where a first pull from that CRM would have left it. An edit then goes out as
an update, a change made in the CRM comes back with the next pull, and the two can meet in a
conflict, as with a real org.

Demo data is copied as it is generated (``CrmCopy`` is handed each batch before the batch is
written locally); a demo profile made before its CRM held anything is copied from the store
(``copy_to_crm``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, Table, select

from models.crm.sandbox.store import SandboxStore, bulk_load
from models.store import Base, SyncState
from models.store.engine import session_factory
from models.store.tracking import json_value
from models.sync.fieldmap import REFERENCES, FieldMap, field_map, model_of, to_crm_value
from models.sync.pull import OVERLAP

# Written in the CRM this long before the copy, so the first sync's delta can start after
# every copied record and still before any change made since.
AGE = timedelta(hours=1)


class CrmCopy:
    """Rows on their way into the store, copied into ``crm`` first: each row gets its CRM id,
    SystemModstamp and agreed values (``base``), as a pull would have given it."""

    def __init__(self, crm: SandboxStore, fields: FieldMap | None = None) -> None:
        self.crm, self.map = crm, fields or field_map()
        self.crm_ids: dict[tuple[str, str], str] = {}  # (table, local id) → CRM id
        self.newest: dict[str, datetime] = {}
        self.copied: dict[str, int] = {}

    def __call__(self, table: str, rows: list[dict[str, Any]]) -> None:
        spec = self.map.by_table(table)
        if spec is None or not rows:
            return
        columns = [(local, crm, REFERENCES.get(local)) for local, crm in spec.fields.items()]
        # Only dates, times and numbers change on their way into JSON, only JSON values on
        # their way to the CRM: the other values (most of them) are taken as they are.
        to_json, to_text = _converted(table, [local for local, _, _ in columns])
        records = []
        for row in rows:
            # What the CRM and the profile agree on, in the outbox's JSON form.
            row["base"] = agreed = {local: row.get(local) for local, _, _ in columns}
            for local in to_json:
                agreed[local] = json_value(agreed[local])
            records.append(self._record(columns, agreed, row["id"], to_text))
        made = bulk_load(self.crm, spec.object, records, AGE, commit=False)
        for row, (crm_id, moment) in zip(rows, made, strict=True):
            self.crm_ids[(table, row["id"])] = crm_id
            row["crm_id"], row["crm_modstamp"] = crm_id, moment
        newest = made[-1][1]
        self.newest[spec.object] = max(newest, self.newest.get(spec.object, newest))
        self.copied[spec.object] = self.copied.get(spec.object, 0) + len(rows)

    def _record(self, columns: list[tuple[str, str, str | None]], agreed: dict[str, Any],
                local_id: str, to_text: frozenset[str]) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for local, crm, parent in columns:
            value = agreed[local]
            if value is None:
                continue  # a record read back carries the fields that were set
            if parent is not None:
                value = self.crm_ids.get((parent, value))
                if value is None:
                    continue  # a parent the CRM does not have (none in demo data)
            record[crm] = to_crm_value(value) if local in to_text else value
        record[self.map.external_id] = local_id
        return record

    def finish(self, engine: Engine, at: datetime) -> dict[str, int]:
        """Commit the CRM's side and leave every object's watermarks as a complete first pull
        at ``at`` leaves them; returns the records copied per object."""
        self.crm.commit()
        with session_factory(engine).begin() as session:
            for spec in self.map.objects:
                state = session.get(SyncState, spec.object) or SyncState(object=spec.object)
                newest = self.newest.get(spec.object)
                if newest is not None:
                    # A pull reads from whole seconds, and from OVERLAP before the watermark
                    # when it has no pull time of its own: start past the copy's last
                    # record even then. The copy is AGE old, so no later change is skipped.
                    newest = newest.replace(microsecond=0) + OVERLAP + timedelta(seconds=1)
                    if state.watermark is None or newest > state.watermark:
                        state.watermark = newest
                # No last_pull_at: the rep's first sync is still to come ("Last sync: never").
                state.deletions_through = at
                session.merge(state)
        return self.copied


@cache
def _kind(table: str, local: str) -> type | None:
    """The Python type of a column's values (None: not known, so always converted)."""
    column = Base.metadata.tables[table].columns.get(local)
    try:
        return column.type.python_type if column is not None else None
    except NotImplementedError:
        return None


def _converted(table: str, locals_: list[str]) -> tuple[list[str], frozenset[str]]:
    """The columns ``json_value`` may change (dates, times, decimals) and those
    ``to_crm_value`` may change once they are in JSON form (dicts and lists)."""
    kinds = {local: _kind(table, local) for local in locals_}
    to_json = [local for local, kind in kinds.items()
               if kind is None or issubclass(kind, date | Decimal)]
    to_text = frozenset(local for local, kind in kinds.items()
                        if kind is None or issubclass(kind, dict | list))
    return to_json, to_text


def needs_copy(engine: Engine, crm: SandboxStore, fields: FieldMap | None = None) -> bool:
    """An empty CRM beside a profile whose records have no CRM id yet."""
    fields = fields or field_map()
    if any(crm.rows(o.object) for o in fields.objects):
        return False
    with engine.connect() as connection:
        for spec in fields.objects:
            model = model_of(spec.table)
            if connection.scalar(select(model.id).where(model.crm_id.is_(None)).limit(1)):
                return True
    return False


def copy_to_crm(engine: Engine, crm: SandboxStore, now: Callable[[], datetime],
                fields: FieldMap | None = None) -> dict[str, int]:
    """Copy every stored record with no CRM id into ``crm`` (parents first) and give the
    local rows their CRM ids. Returns records copied per object."""
    copy = CrmCopy(crm, fields)
    for spec in copy.map.objects:
        table = model_of(spec.table).__table__  # type: ignore[attr-defined]
        with engine.connect() as connection:
            rows = [dict(r._mapping) for r in connection.execute(select(
                table.c.id, table.c.crm_id, *(table.c[local] for local in spec.fields)))]
        copy.crm_ids.update({(spec.table, r["id"]): r["crm_id"] for r in rows if r["crm_id"]})
        fresh = [r for r in rows if not r["crm_id"]]
        copy(spec.table, fresh)
        if fresh:
            with engine.begin() as connection:
                _give_crm_ids(connection, table, fresh)
    return copy.finish(engine, now())


def _give_crm_ids(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Each row's CRM id, SystemModstamp and agreed values, in one ``executemany`` with the
    values bound by the columns' own types (as ``models.store.bulk`` binds a load)."""
    dialect = connection.dialect

    def bind(key: str) -> Callable[[Any], Any]:
        processor = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        return processor if processor is not None else (lambda value: value)

    stamp, agreed = bind("crm_modstamp"), bind("base")
    name = dialect.identifier_preparer.format_table(table)
    connection.exec_driver_sql(
        f"UPDATE {name} SET crm_id = ?, crm_modstamp = ?, base = ? WHERE id = ?",
        [(r["crm_id"], stamp(r["crm_modstamp"]), agreed(r["base"]), r["id"]) for r in rows])
