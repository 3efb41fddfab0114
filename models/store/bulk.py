"""Loading many rows at once: the first pull of a profile writes 100,000 leads.

Two things make that fast. Rows go to the driver in one ``executemany`` per page, each value
bound by the column's own SQLAlchemy type, so what is stored is exactly what an ORM insert
would store. And a table loaded while empty has its plain (non-unique) indexes dropped for the
load and built again after it, one sorted pass each instead of a random write per row and
index. A load cut short (the process killed) leaves those indexes missing, so
``restore_indexes`` builds whatever is missing, and runs each time the store opens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Index, Table, exists, select
from sqlalchemy.orm import Session

from models.store.base import Base


@dataclass(frozen=True)
class _InsertPlan:
    sql: str
    blank: dict[str, Any]  # every column written → None
    values: Callable[[Mapping[str, Any]], tuple[Any, ...]]  # a complete row → its values
    # (column key, the type's bind processor, whether it turns None into something else)
    binds: tuple[tuple[str, Callable[[Any], Any], bool], ...]


@cache
def _insert_plan(table: Table, dialect: Dialect, keys: frozenset[str]) -> _InsertPlan:
    """The INSERT of the columns in ``keys`` (the others are left to SQLite: NULL)."""
    columns = tuple(column for column in table.columns if column.key in keys)
    quote = dialect.identifier_preparer
    names = ", ".join(quote.quote(c.name) for c in columns)
    marks = ", ".join("?" for _ in columns)
    binds = []
    for column in columns:
        bind = column.type.dialect_impl(dialect).bind_processor(dialect)
        if bind is not None:
            binds.append((column.key, bind, bind(None) is not None))
    return _InsertPlan(f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({marks})",
                       dict.fromkeys(c.key for c in columns),
                       _getter(tuple(c.key for c in columns)), tuple(binds))


def _getter(keys: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """The values at ``keys`` as a tuple, in C (itemgetter of one key gives the bare value)."""
    if len(keys) == 1:
        return lambda row: (row[keys[0]],)
    return itemgetter(*keys)


@dataclass(frozen=True)
class BoundRows:
    """Rows as the driver takes them, and the INSERT that writes them (or any of them)."""

    sql: str
    params: list[tuple[Any, ...]]


def bound_rows(dialect: Dialect, table: Table, rows: Sequence[Mapping[str, Any]]) -> BoundRows:
    """``rows`` (column key → Python value) bound by each column's type. Only the columns
    some row has are written; a row without one of them writes NULL there. Column defaults
    are not applied: the caller fills in every value it wants stored."""
    if not rows:
        return BoundRows("", [])
    plan = _insert_plan(table, dialect, frozenset(chain.from_iterable(rows)))
    params = []
    for row in rows:
        complete = {**plan.blank, **row}
        for key, bind, binds_none in plan.binds:
            value = complete[key]
            if value is not None or binds_none:
                complete[key] = bind(value)
        params.append(plan.values(complete))
    return BoundRows(plan.sql, params)


def insert_bound(session: Session, rows: BoundRows) -> None:
    """Insert rows made by ``bound_rows`` in one executemany."""
    if rows.params:
        session.connection().exec_driver_sql(rows.sql, rows.params)


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    insert_bound(session, bound_rows(session.connection().dialect, table, rows))


def sized_to_hold(size: int, held: float, hold_s: float, least: int, most: int) -> int:
    """How many rows a bulk writer's next write takes after one of ``size`` rows held SQLite's
    write lock ``held`` seconds: as many as fill ``hold_s``, at most twice as many as the last
    (the store grows, a loaded machine slows down), within ``least`` and ``most``. Fewer,
    larger writes commit less often; none holds a rep's save up long."""
    wanted = size * hold_s / held if held > 0 else 2 * size
    return max(least, min(round(wanted), 2 * size, most))


def plain_indexes(table: Table) -> list[Index]:
    """The indexes a load may drop: those that enforce nothing."""
    return [index for index in table.indexes if not index.unique]


def is_empty(session: Session, table: Table) -> bool:
    return not session.scalar(select(exists().select_from(table)))


def start_load(session: Session, table: Table) -> bool:
    """Prepare ``table`` for a load: when it is empty, drop its plain indexes. Returns whether
    it did (the caller then calls ``restore_indexes`` when the load is over)."""
    if not is_empty(session, table):
        return False
    drop_indexes(session.connection(), plain_indexes(table))
    return True


def drop_indexes(connection: Connection, indexes: Iterable[Index]) -> None:
    """Drop ``indexes`` where they exist (``restore_indexes`` builds them again)."""
    for index in indexes:
        # By name: SQLAlchemy cannot look up an index on an expression to drop it.
        connection.exec_driver_sql(f'DROP INDEX IF EXISTS "{index.name}"')


def _existing_indexes(connection: Connection) -> set[str]:
    return set(connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'index'").scalars())


def restore_indexes(connection: Connection, tables: Iterable[Table] | None = None,
                    at_most: int | None = None) -> list[str]:
    """Build every index of ``tables`` (all of the store's by default) that is missing, or
    only the first ``at_most`` of them; returns the names built."""
    existing = _existing_indexes(connection)
    built: list[str] = []
    for table in tables if tables is not None else Base.metadata.sorted_tables:
        for index in table.indexes:
            if at_most is not None and len(built) >= at_most:
                return built
            if index.name not in existing:
                index.create(connection)
                built.append(str(index.name))
    return built
