"""Opening the store: refuse what is not ours, then migrate it to this version's schema.

Every check happens before anything is written, and the migration runs in a single
transaction: a file RepDesk cannot use is left exactly as it was found.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from models.store.engine import create_store_engine

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_HEADER = b"SQLite format 3\x00"


class StoreError(Exception):
    """The store at a path cannot be used; the message says why and what to do."""


def _alembic_config(script_location: Path) -> Config:
    # Alembic is imported only when a store is not at the newest schema (see newest_on_disk):
    # a quarter of a second of every start otherwise.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location))
    return config


def _inspect_existing(path: Path) -> tuple[set[str], str | None]:
    """The tables and schema revision of an existing file, read without writing to it."""
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise StoreError(
            f"{path} is not a RepDesk database (it is not an SQLite file). "
            "RepDesk has not changed it. Move it away or start RepDesk with another --data-dir."
        )
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            tables = {
                name for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            }
            revision = None
            if "alembic_version" in tables:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise StoreError(
            f"{path} is damaged and cannot be read ({error}). RepDesk has not changed it. "
            "Restore it from a backup, or move it away to start with an empty store."
        ) from error
    return tables, revision


def check_compatible(path: Path, script_location: Path = MIGRATIONS,
                     newest: str | None = None) -> str | None:
    """Raise StoreError unless ``path`` is missing, empty, or a RepDesk store we can migrate.
    ``newest``: ``newest_on_disk(script_location)``, when the caller has read it already.

    Returns the file's current schema revision (None for a new store).
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    tables, revision = _inspect_existing(path)
    user_tables = {t for t in tables if not t.startswith("sqlite_")}
    if revision is None:
        if user_tables - {"alembic_version"}:
            raise StoreError(
                f"{path} is an SQLite database of another program, not a RepDesk store. "
                "RepDesk has not changed it. Start RepDesk with another --data-dir."
            )
        return None
    if revision == (newest or newest_on_disk(script_location)):
        return revision
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_alembic_config(script_location))
    if not _known(scripts, revision):
        raise StoreError(
            f"{path} was written by a newer RepDesk (schema {revision}). "
            "This version cannot open it safely; update RepDesk."
        )
    return revision


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    return any(script.revision == revision for script in scripts.walk_revisions())


_REVISION = re.compile(
    r"""^(down_)?revision(?:\s*:[^=]*)?\s*=\s*(?:["']([^"']*)["']|None)""", re.MULTILINE)


def newest_on_disk(script_location: Path) -> str | None:
    """The newest revision, read from the migration files' ``revision`` and
    ``down_revision`` lines without running them. None (ask Alembic) unless every file
    has one of each and exactly one revision is nobody's parent."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (script_location / "versions").glob("*.py"):
        found = _REVISION.findall(script.read_text(encoding="utf-8"))
        if sorted(down for down, _value in found) != ["", "down_"]:
            return None
        for down, value in found:
            (parents if down else revisions).add(value)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def head_revision(script_location: Path = MIGRATIONS) -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config(script_location)).get_current_head()
    assert head is not None
    return head


def migrate(path: Path, script_location: Path = MIGRATIONS, target: str = "head") -> Engine:
    """Check ``path``, bring it to the newest schema, and return an engine on it.

    Raises:
        StoreError: the file is not a RepDesk store, comes from a newer RepDesk, or a
            migration failed (in which case the file is left as it was).
    """
    newest = newest_on_disk(script_location)
    revision = check_compatible(path, script_location, newest)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_store_engine(path)
    if revision is not None and revision == newest:
        return engine  # the everyday start: nothing to migrate
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    config = _alembic_config(script_location)
    try:
        with engine.connect() as connection:
            # SQLite's way to rebuild a table (Alembic's batch mode): foreign keys off, outside
            # any transaction, then checked before commit (migrations/env.py).
            raw = connection.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys = OFF")
            try:
                with connection.begin():
                    current = MigrationContext.configure(connection).get_current_revision()
                    if current != head_revision(script_location):
                        config.attributes["connection"] = connection
                        command.upgrade(config, target)
            finally:
                raw.execute("PRAGMA foreign_keys = ON")
    except Exception as error:
        engine.dispose()
        raise StoreError(
            f"Updating the store {path} to this version of RepDesk failed ({error}). "
            "Nothing was changed; the file is as it was. Please report this."
        ) from error
    return engine
