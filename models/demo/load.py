"""Write generated demo data into a store: the plain rows as a bulk load (the first pull's
path, ``models.store.bulk``), then the births, the cadences and the past through the services."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnDefault, Engine, Table, event, select
from sqlalchemy.orm import Session, sessionmaker

from models.demo.generator import DemoGenerator, default_now
from models.demo.past import make_past
from models.funnel_backfill import backfill
from models.store import Base, Lead, Setting
from models.store.bulk import insert_rows, restore_indexes, start_load
from models.store.engine import session_factory
from models.store.errors import StoreError, explain, restate
from models.store.open import open_store_file
from models.sync.status import CRM_URL_SETTING
from models.touches import refresh_cadences

# Parents before children, so every foreign key already points at a row.
REFERENCE_TABLES = ("users", "campaigns", "products", "email_templates", "accounts", "contacts")
LEAD_TABLES = ("leads", "qualifications", "activities", "opportunities",
               "opportunity_line_items")
BATCH = 1000


def _with_defaults(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The column defaults an ORM insert would apply, filled in where the rows leave them
    out (a generator's batch has the same keys in every row)."""
    missing = [(column.key, column.default) for column in table.columns
               if isinstance(column.default, ColumnDefault) and column.key not in rows[0]]
    for row in rows:
        for key, default in missing:
            row[key] = default.arg if default.is_scalar else default.arg(None)
    return rows


def _insert(sessions: sessionmaker[Session], table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    model = Base.metadata.tables[table]
    with sessions.begin() as session:
        insert_rows(session, model, _with_defaults(model, rows))


@contextmanager
def _timed(timings: dict[str, float] | None, phase: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[phase] = timings.get(phase, 0.0) + time.perf_counter() - started


def load_demo_data(engine: Engine, leads: int, accounts: int, seed: int,
                   now: datetime | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   to_crm: Callable[[str, list[dict[str, Any]]], None] | None = None,
                   past: bool = False,
                   timings: dict[str, float] | None = None) -> dict[str, int]:
    """Generate and insert demo data; returns the number of rows written per table.

    ``past``: also eight weeks of the team's work made through the services
    (``models.demo.past``). ``timings``, when given, gets the seconds each phase took.

    The rows stand for data that already exists in the CRM, so they are written as a bulk load
    beside the ORM and make no outbox entries; ``to_crm`` (a ``models.demo.crm_copy.CrmCopy``)
    gets each batch first, to put it in a CRM and give its rows their CRM ids. Leads stream
    through in batches, so 100,000 of them never sit in memory at once. Tables loaded while
    empty have their plain indexes built once at the end (``models.store.bulk``), as a first
    pull does, rather than updated row by row.
    """
    now = now or default_now()
    sessions = session_factory(engine)
    gen = DemoGenerator(seed, now)
    counts: dict[str, int] = {}
    tables = [Base.metadata.tables[name] for name in REFERENCE_TABLES + LEAD_TABLES]

    def flush(names: tuple[str, ...]) -> None:
        with _timed(timings, "insert rows"):
            for table in names:
                rows = gen.data.tables.pop(table, [])
                if to_crm is not None:
                    to_crm(table, rows)
                _insert(sessions, table, rows)
                counts[table] = counts.get(table, 0) + len(rows)

    # The births and the cadences write every lead's history and cadence columns once more:
    # those tables keep their plain indexes dropped until both are written.
    rewritten = [Base.metadata.tables[name] for name in ("leads", "stage_changes")]
    with sessions.begin() as session:
        emptied = [table for table in [*tables, rewritten[1]] if start_load(session, table)]
    try:
        with _timed(timings, "generate rows"):
            gen.reference_rows(accounts)
        flush(REFERENCE_TABLES)
        rows = gen.lead_rows(leads)
        done = 0
        while True:
            with _timed(timings, "generate rows"):
                lead = next(rows, None)
            if lead is None:
                break
            done += 1
            gen.data.add("leads", lead)
            if done % BATCH == 0:
                flush(LEAD_TABLES)
                if progress:
                    progress(done, leads)
        flush(LEAD_TABLES)
        with _timed(timings, "build indexes"), engine.begin() as connection:
            # The cadences read each lead's touches through the activities' index.
            restore_indexes(connection, [t for t in emptied if t not in rewritten])
        with _timed(timings, "births (stage history)"), engine.begin() as connection:
            counts["stage_changes"] = backfill(connection, origin="inferred")
        with _timed(timings, "cadences"):
            refresh_cadences(sessions)
    finally:
        with _timed(timings, "build indexes"), engine.begin() as connection:
            restore_indexes(connection, emptied)
    if past:
        with _timed(timings, "past (services)"):
            counts["qualified in the last weeks"] = make_past(sessions, seed, now)
    return counts


def _remove_store_file(path: Path) -> None:
    for leftover in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        leftover.unlink(missing_ok=True)


def _write_without_waiting(engine: Engine) -> None:
    """No fsync per commit on a store being built: the file is thrown away if the build
    fails or is killed (it is still ``.partial``), and it is synced whole before the rename.
    The journal stays (WAL), so a transaction a service rolls back still rolls back."""

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-131072")  # 128 MB: index builds sort in memory
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    engine.dispose()  # connections opened before (the migration's) take the pragmas too


def _sync_to_disk(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def build_demo_store(path: Path, leads: int, accounts: int, seed: int,
                     now: datetime | None = None, settings: dict[str, Any] | None = None,
                     progress: Callable[[int, int], None] | None = None,
                     past: bool = False,
                     finish: Callable[[Engine], object] | None = None,
                     timings: dict[str, float] | None = None) -> dict[str, int]:
    """A complete demo store at ``path`` (which must hold no data), or none.

    The store is built beside ``path`` as ``<name>.partial`` and renamed into place once
    complete, so a run killed halfway leaves the profile as it was (an empty store, or
    none), and the next run starts over. ``settings`` are written with the data; ``past`` as
    in ``load_demo_data``; ``finish`` is handed the complete store before it is moved into
    place (the demo copies it into its CRM there); ``timings`` gets each phase's seconds.
    """
    partial = path.with_name(f"{path.name}.partial")
    _remove_store_file(partial)  # what a killed run left
    try:
        store = open_store_file(partial)
    except StoreError as error:
        _remove_store_file(partial)
        raise restate(error, path) from None
    try:
        _write_without_waiting(store.engine)
        counts = load_demo_data(store.engine, leads, accounts, seed, now, progress,
                                past=past, timings=timings)
        if finish is not None:
            with _timed(timings, "copy to the demo CRM"):
                finish(store.engine)
        with store.sessions.begin() as session:
            for key, value in (settings or {}).items():
                session.merge(Setting(key=key, value=value))
        with _timed(timings, "checkpoint and sync"), store.engine.connect() as connection:
            # Everything into the main file, so the rename moves the whole store.
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException as error:
        store.close()
        _remove_store_file(partial)
        trouble = explain(error, path) if isinstance(error, Exception) else None
        if trouble is None:
            raise
        raise restate(trouble, path) from None
    store.close()
    with _timed(timings, "checkpoint and sync"):
        _sync_to_disk(partial)
    # The empty store being replaced is closed: its -wal and -shm must not outlive it, or
    # SQLite would read them against the new file.
    for beside in (path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm"),
                   partial.with_name(f"{partial.name}-wal"),
                   partial.with_name(f"{partial.name}-shm")):
        beside.unlink(missing_ok=True)
    os.replace(partial, path)
    _sync_to_disk(path.parent)
    return counts


def needs_demo_data(sessions: sessionmaker[Session]) -> bool:
    """True for an empty store with no CRM to fill it: a first run that shows demo data."""
    with sessions() as session:
        has_crm = session.get(Setting, CRM_URL_SETTING) is not None
        has_leads = session.scalar(select(Lead.id).limit(1)) is not None
    return not has_crm and not has_leads
