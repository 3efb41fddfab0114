"""The births of a first pull written as a bulk load.

A first pull gives 100,000 leads a history of two or three stage changes each, and every change
also makes a stage entry and, for MQL, an MQL entry: 13 B-trees in all. The indexes that start
with the lead follow the births, which are written in lead order, so each write touches a few
neighbouring pages of them. The others start with a stage, a time or a rep, so every write
touched pages all over them, and each commit wrote those pages again: 200 commits of 62 ms on
average, 19 of the births' 34 s (profiled on 100,000 leads).

So while the three tables are empty, those scattered indexes are dropped for the load and built
after it, one sorted pass each, in a transaction of its own. The indexes starting with the lead
stay: the births' own queries, the KPI triggers and a rep's stage change during the load read
through them. A load cut short leaves the others missing; ``restore`` at the end of the next
sync's births, and ``restore_indexes`` when the store opens, build them.
"""

from __future__ import annotations

from sqlalchemy import Index, Table
from sqlalchemy.orm import Session, sessionmaker

from models.store.bulk import drop_indexes, is_empty, restore_indexes
from models.store.funnel import StageChange
from models.store.kpi_rollups import MqlEntry, StageEntry

TABLES: tuple[Table, ...] = (StageChange.__table__, StageEntry.__table__,  # type: ignore[assignment]
                             MqlEntry.__table__)


def scattered(table: Table) -> list[Index]:
    """The plain indexes of ``table`` that do not start with the lead."""
    return [index for index in table.indexes
            if not index.unique and next(iter(index.columns)).name != "lead_id"]


def start(session: Session) -> bool:
    """In the births' first write: when no history is stored yet, drop the scattered indexes.
    Returns whether it did."""
    if not all(is_empty(session, table) for table in TABLES):
        return False
    drop_indexes(session.connection(), (index for table in TABLES for index in scattered(table)))
    return True


def restore(sessions: sessionmaker[Session]) -> list[str]:
    """Build the history indexes that are missing, each in its own write (one of them on a
    first pull's 250,000 changes holds the lock about as long as a write of the births)."""
    built: list[str] = []
    while True:
        with sessions.begin() as session:
            one = restore_indexes(session.connection(), TABLES, at_most=1)
        if not one:
            return built
        built += one
