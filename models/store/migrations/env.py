"""Alembic environment: always runs on the connection RepDesk hands it, in one transaction."""

from __future__ import annotations

from alembic import context

from models.store import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
    # Foreign keys are off while tables are rebuilt (models.store.migrate); check them all
    # before the transaction commits, so a migration cannot leave a broken reference behind.
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration would leave {len(broken)} broken references, "
                           f"e.g. in table {broken[0][0]}")
