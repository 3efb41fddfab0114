"""The store a profile works on: one SQLite file in the profile's data directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.store.bulk import restore_indexes
from models.store.defaults import install_defaults
from models.store.engine import session_factory
from models.store.errors import explain
from models.store.migrate import migrate

DATABASE_NAME = "repdesk.db"


@dataclass(frozen=True)
class Store:
    path: Path
    engine: Engine
    sessions: sessionmaker[Session]

    def close(self) -> None:
        self.engine.dispose()


def open_store(data_dir: Path) -> Store:
    """Open (creating or migrating as needed) the store of the profile in ``data_dir``.

    Raises:
        StoreError: the file there cannot be used; its message names the path.
    """
    return open_store_file(data_dir / DATABASE_NAME)


def open_store_file(path: Path) -> Store:
    """``open_store`` on the store file at ``path`` (a profile's, or one being built)."""
    engine = migrate(path)
    sessions = session_factory(engine)
    try:
        with sessions.begin() as session:
            # A bulk load cut short (models.store.bulk) leaves indexes missing.
            restore_indexes(session.connection())
            install_defaults(session)
    except Exception as error:
        engine.dispose()
        trouble = explain(error, path)
        if trouble is None:
            raise
        raise trouble from None
    return Store(path=path, engine=engine, sessions=sessions)
