"""Opening the store: refuse what is not ours, then migrate it to this version's schema.

Every check happens before anything is written, and the migration runs in a single
transaction: a file RepDesk cannot use is left exactly as it was found.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from models.store.engine import create_store_engine
from models.store.errors import StoreError, damaged, explain, read_only

__all__ = ["StoreError", "check_compatible", "migrate", "newest_on_disk"]

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_HEADER = b"SQLite format 3\x00"


def _alembic_config(script_location: Path) -> Config:
    # Alembic is imported only when a store is not at the newest schema (see newest_on_disk):
    # a quarter of a second of every start otherwise.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location))
    return config


# SQLite's header field for the program a file belongs to ("RpDs"); stores made before it
# was set have 0.
APPLICATION_ID = 0x52704473
# Tables every RepDesk store has had since its first schema: a file with an Alembic
# revision but without them is another program's Alembic database.
OUR_TABLES = frozenset({"users", "leads", "accounts", "outbox", "settings"})


@dataclass(frozen=True)
class FoundSchema:
    """What an existing file holds, read without writing to it."""

    objects: frozenset[str]  # tables, views, triggers and indexes by name
    tables: frozenset[str]
    revision: str | None
    user_version: int
    application_id: int

    @property
    def empty(self) -> bool:
        return not self.objects and not self.user_version \
            and self.application_id in (0, APPLICATION_ID)


def _foreign(path: Path) -> StoreError:
    return StoreError(
        f"{path} is an SQLite database of another program, not a RepDesk store. "
        "RepDesk has not changed it. Start RepDesk with another --data-dir.", "foreign")


def check_place(path: Path) -> None:
    """Refuse, before anything is created, a store path that cannot hold a store file."""
    folder = path.parent
    for parent in (folder, *folder.parents):
        if parent.exists():
            if not parent.is_dir():
                where = "" if parent == folder else f"cannot be made there: {parent} "
                raise StoreError(
                    f"The profile folder {folder} {where}is a file, not a folder. RepDesk "
                    "has not changed it. Start RepDesk with a --data-dir that is a folder "
                    "(or one to create).", "place")
            break
    if path.is_dir():
        raise StoreError(
            f"{path} is a folder, where RepDesk keeps its store file. RepDesk has not "
            "changed it. Rename or move that folder, or start RepDesk with another "
            "--data-dir.", "place")
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        raise StoreError(
            f"{path} is not a regular file (a device, a pipe or a socket). RepDesk has not "
            "touched it. Remove it, or start RepDesk with another --data-dir.", "place")


def _inspect_existing(path: Path) -> FoundSchema:
    """The schema of an existing file, read without writing to it."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except PermissionError:
        raise StoreError(
            f"RepDesk may not read {path} (its permissions). Nothing was changed. Give your "
            "user access to it, or start RepDesk with another --data-dir.", "read-only"
        ) from None
    if header != SQLITE_HEADER:
        raise StoreError(
            f"{path} is not a RepDesk database (it is not an SQLite file). "
            "RepDesk has not changed it. Move it away or start RepDesk with another --data-dir.",
            "foreign")
    try:
        # On read-only media SQLite cannot make the WAL's shared-memory file beside it;
        # immutable reads it as it lies (nothing else can be writing there).
        writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
        options = "mode=ro" if writable else "mode=ro&immutable=1"
        connection = sqlite3.connect(f"{path.as_uri()}?{options}", uri=True)
        try:
            found = connection.execute("SELECT name, type FROM sqlite_master").fetchall()
            tables = frozenset(n for n, kind in found if kind == "table")
            revision = None
            if "alembic_version" in tables:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = str(row[0]) if row else None
            user_version = int(connection.execute("PRAGMA user_version").fetchone()[0])
            application_id = int(connection.execute("PRAGMA application_id").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.Error as error:
        trouble = explain(error, path)
        if trouble is not None and trouble.kind != "damaged":
            raise trouble from None
        raise damaged(path) from None
    objects = frozenset(n for n, _ in found if not n.startswith("sqlite_"))
    return FoundSchema(objects, tables, revision, user_version, application_id)


def check_compatible(path: Path, script_location: Path = MIGRATIONS,
                     newest: str | None = None) -> str | None:
    """Raise StoreError unless ``path`` is missing, empty, or a RepDesk store we can migrate.
    ``newest``: ``newest_on_disk(script_location)``, when the caller has read it already.

    Returns the file's current schema revision (None for a new store).
    """
    check_place(path)
    if not path.exists() or path.stat().st_size == 0:
        return None
    schema = _inspect_existing(path)
    if schema.revision is None:
        if not schema.empty:
            raise _foreign(path)
        return None
    if not schema.tables >= OUR_TABLES or schema.application_id not in (0, APPLICATION_ID):
        raise _foreign(path)
    if schema.revision == (newest or newest_on_disk(script_location)):
        return schema.revision
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_alembic_config(script_location))
    if not _known(scripts, schema.revision):
        raise StoreError(
            f"{path} was written by a newer RepDesk (schema {schema.revision}). "
            "This version cannot open it safely; update RepDesk.", "newer")
    return schema.revision


def check_writable(path: Path) -> None:
    """Refuse a store (or the folder for a new one) RepDesk may not write: SQLite's WAL also
    writes files beside the store."""
    folder = path.parent
    writable = os.access(folder, os.W_OK)
    if path.exists() and not (writable and os.access(path, os.W_OK)):
        raise read_only(path)
    if not writable:
        raise read_only(folder, folder=True)


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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        trouble = explain(error, path.parent)
        if trouble is not None and trouble.kind == "read-only":
            raise read_only(path.parent, folder=True) from None
        raise trouble or StoreError(
            f"RepDesk cannot make the profile folder {path.parent} "
            f"({error.strerror or error}). Start RepDesk with another --data-dir.",
            "place") from None
    check_writable(path)
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
                    if current is None:
                        # Marks the file as RepDesk's, in the transaction that makes it so.
                        connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
                    if current != head_revision(script_location):
                        config.attributes["connection"] = connection
                        command.upgrade(config, target)
            finally:
                raw.execute("PRAGMA foreign_keys = ON")
    except Exception as error:
        engine.dispose()
        trouble = explain(error, path)
        if trouble is not None:
            raise trouble from None
        raise StoreError(
            # The error's name only: its text may repeat the statement's values.
            f"Updating the store {path} to this version of RepDesk failed "
            f"({type(error).__name__}). "
            "Nothing was changed; the file is as it was. Please report this."
        ) from error
    return engine
