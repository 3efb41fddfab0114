"""Write generated demo data into a store, in short transactions."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session, sessionmaker

from models.demo.crm_copy import CrmCopy
from models.demo.generator import DemoGenerator, default_now
from models.store import Base, Lead, Setting
from models.store.engine import session_factory
from models.store.errors import StoreError, explain, restate
from models.store.open import open_store_file
from models.sync.status import CRM_URL_SETTING
from models.touches import refresh_cadences

# Parents before children, so every foreign key already points at a row.
REFERENCE_TABLES = ("users", "campaigns", "products", "email_templates", "accounts", "contacts")
LEAD_TABLES = ("leads", "activities", "opportunities", "opportunity_line_items")
BATCH = 1000


def _insert(engine: Engine, table: str, rows: list[dict[str, Any]]) -> None:
    statement = insert(Base.metadata.tables[table])
    for start in range(0, len(rows), BATCH):
        with engine.begin() as connection:
            connection.execute(statement, rows[start:start + BATCH])


def load_demo_data(engine: Engine, leads: int, accounts: int, seed: int,
                   now: datetime | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   to_crm: Callable[[str, list[dict[str, Any]]], None] | None = None
                   ) -> dict[str, int]:
    """Generate and insert demo data; returns the number of rows written per table.

    The rows stand for data that already exists in the CRM, so they are written as a bulk load
    beside the ORM and make no outbox entries; ``to_crm`` (a ``models.demo.crm_copy.CrmCopy``)
    gets each batch first, to put it in a CRM and give its rows their CRM ids. Leads stream
    through in batches, so 100,000 of them never sit in memory at once.
    """
    gen = DemoGenerator(seed, now or default_now())
    gen.reference_rows(accounts)
    counts: dict[str, int] = {}

    def flush(tables: tuple[str, ...]) -> None:
        for table in tables:
            rows = gen.data.tables.pop(table, [])
            if to_crm is not None:
                to_crm(table, rows)
            _insert(engine, table, rows)
            counts[table] = counts.get(table, 0) + len(rows)

    flush(REFERENCE_TABLES)
    for done, lead in enumerate(gen.lead_rows(leads), start=1):
        gen.data.add("leads", lead)
        if done % BATCH == 0:
            flush(LEAD_TABLES)
            if progress:
                progress(done, leads)
    flush(LEAD_TABLES)
    refresh_cadences(session_factory(engine))
    return counts


def _remove_store_file(path: Path) -> None:
    for leftover in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        leftover.unlink(missing_ok=True)


def _sync_to_disk(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def build_demo_store(path: Path, leads: int, accounts: int, seed: int,
                     now: datetime | None = None, settings: dict[str, Any] | None = None,
                     progress: Callable[[int, int], None] | None = None,
                     to_crm: CrmCopy | None = None) -> dict[str, int]:
    """A complete demo store at ``path`` (which must hold no data), or none.

    The store is built beside ``path`` as ``<name>.partial`` and renamed into place once
    complete, so a run killed halfway leaves the profile as it was (an empty store, or
    none), and the next run starts over. ``settings`` are written with the data; ``to_crm``
    puts the same records in a CRM first and leaves the sync state a first pull would.
    """
    partial = path.with_name(f"{path.name}.partial")
    _remove_store_file(partial)  # what a killed run left
    try:
        store = open_store_file(partial)
    except StoreError as error:
        _remove_store_file(partial)
        raise restate(error, path) from None
    try:
        counts = load_demo_data(store.engine, leads, accounts, seed, now, progress, to_crm)
        if to_crm is not None:
            to_crm.finish(store.engine, datetime.now(UTC))
        with store.sessions.begin() as session:
            for key, value in (settings or {}).items():
                session.merge(Setting(key=key, value=value))
        with store.engine.connect() as connection:
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
