"""The one place that sets up SQLite for RepDesk: durability, foreign keys, real transactions."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 5_000
# How often a write waiting for another connection's write lock asks again.
ASK_AGAIN_S = 0.002
# How long a bulk writer leaves the lock free between two writes (``give_way``): a few of
# those asks, so a waiting save is sure to get in.
GIVE_WAY_S = 0.01
# Also serialises int keys as text, like json.dumps; a third of its time (0.24 s against
# 0.73 s for a first pull's 250,000 values, profiled).
JSON_OPTIONS = orjson.OPT_NON_STR_KEYS
WRITE_OPTION = "repdesk_write"


def dump_json(value: Any) -> str:
    """A JSON column's value as stored."""
    return orjson.dumps(value, option=JSON_OPTIONS).decode()


def create_store_engine(path: Path) -> Engine:
    """An engine on the store at ``path``.

    WAL with ``synchronous=FULL``: the store holds edits not yet in the CRM, and NORMAL may lose
    the last commits on power loss. The driver's own transaction handling is switched off and
    every transaction opened with an explicit BEGIN, so schema changes roll back like data.
    """
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        json_serializer=dump_json,
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            f"busy_timeout={BUSY_TIMEOUT_MS}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        if connection.get_execution_options().get(WRITE_OPTION):
            _begin_write(connection)
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


def _begin_write(connection: Any) -> None:
    """BEGIN IMMEDIATE, asking again every ``ASK_AGAIN_S`` while another connection writes.

    SQLite's own busy wait asks again after 1, 2, 5 … then every 100 ms: a save waiting
    behind a sync that commits and begins again within a few milliseconds found the lock
    taken at nearly every try, and waited 1.1 s behind transactions of 0.36 s at most."""
    raw: sqlite3.Connection = connection.connection.driver_connection
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        while time.monotonic() < deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                    break  # said below, as the store says every error
            time.sleep(ASK_AGAIN_S)
        # Once more through SQLAlchemy: still locked (or another error), it is raised as
        # every store error is, and said to the rep in words.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


class StoreSessions(sessionmaker[Session]):
    """Sessions on the store. ``sessions()`` reads (WAL: it never blocks a writer);
    ``sessions.begin()`` writes, and takes SQLite's write lock when it starts: a transaction
    that read first and wrote later would fail at once ("database is locked") if another
    thread committed in between, where this one waits its turn."""

    # Left free after each write, for a bulk writer (the sync process): see ``give_way``.
    pause_after_write = 0.0

    def begin(self) -> AbstractContextManager[Session]:
        writer = self.kw["bind"].execution_options(**{WRITE_OPTION: True})
        written = self(bind=writer)._maker_context_manager()
        return _then_pause(written, self.pause_after_write) if self.pause_after_write \
            else written


@contextmanager
def _then_pause(written: AbstractContextManager[Session], seconds: float) -> Iterator[Session]:
    try:
        with written as session:
            yield session
    finally:
        time.sleep(seconds)


def give_way(sessions: sessionmaker[Session], seconds: float = GIVE_WAY_S) -> None:
    """Leave the write lock free ``seconds`` after each write of ``sessions``, which write
    one transaction after another (a pull): a rep's save asks for the lock every
    ``ASK_AGAIN_S`` and gets in between two of them instead of waiting for a gap."""
    if isinstance(sessions, StoreSessions):
        sessions.pause_after_write = seconds


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return StoreSessions(engine, expire_on_commit=False)
