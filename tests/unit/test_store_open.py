"""Opening the local store: new, migrated, and every kind of file RepDesk must not touch."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import warnings
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from models.store import Base, Lead, OutboxEntry
from models.store.migrate import (
    MIGRATIONS,
    StoreError,
    head_revision,
    migrate,
    newest_on_disk,
)
from models.store.open import DATABASE_NAME, open_store


def _revision(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return str(connection.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}


def test_new_profile_gets_a_store_at_the_newest_schema(tmp_path: Path) -> None:
    store = open_store(tmp_path / "new" / "profile")
    store.close()
    path = tmp_path / "new" / "profile" / DATABASE_NAME
    assert _revision(path) == head_revision()
    assert {"leads", "accounts", "outbox", "reason_codes"} <= _tables(path)


def test_store_is_durable_with_foreign_keys(store) -> None:
    with store.engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() >= 1000


def test_defaults_are_installed_once(tmp_path: Path) -> None:
    for _ in range(2):
        store = open_store(tmp_path)
        store.close()
    with sqlite3.connect(tmp_path / DATABASE_NAME) as connection:
        count = connection.execute("SELECT count(*) FROM reason_codes").fetchone()[0]
        categories = {r[0] for r in connection.execute("SELECT applies_to FROM reason_codes")}
    assert count == 23
    assert {"A", "B", "C", "D", "won", "lost", "reject"} == categories


def test_corrupt_file_is_refused_by_name_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / DATABASE_NAME
    garbage = b"not a database at all\x00\xff" * 100
    path.write_bytes(garbage)
    with pytest.raises(StoreError) as refused:
        open_store(tmp_path)
    assert str(path) in str(refused.value)
    assert "not an SQLite file" in str(refused.value)
    assert path.read_bytes() == garbage


def test_damaged_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / DATABASE_NAME
    damaged = b"SQLite format 3\x00" + b"\x13" * 4000
    path.write_bytes(damaged)
    with pytest.raises(StoreError, match="damaged") as refused:
        open_store(tmp_path)
    assert str(path) in str(refused.value)
    assert path.read_bytes() == damaged


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / DATABASE_NAME
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        connection.execute("INSERT INTO invoices VALUES (1, 99.5)")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another program") as refused:
        open_store(tmp_path)
    assert str(path) in str(refused.value)
    assert path.read_bytes() == before


def test_store_from_a_newer_repdesk_is_refused(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    path = tmp_path / DATABASE_NAME
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0999_future'")
    with pytest.raises(StoreError, match="newer RepDesk") as refused:
        open_store(tmp_path)
    assert str(path) in str(refused.value)
    assert _revision(path) == "0999_future"


def _migrations_with(tmp_path: Path, name: str, body: str) -> Path:
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    head = head_revision()
    (scripts / "versions" / f"{name}.py").write_text(
        f'revision = "{name}"\ndown_revision = "{head}"\nbranch_labels = None\n'
        f"depends_on = None\n\nimport sqlalchemy as sa\nfrom alembic import op\n\n{body}\n"
    )
    return scripts


def _pending_edit(tmp_path: Path) -> str:
    store = open_store(tmp_path)
    with store.sessions.begin() as session:
        lead = Lead(last_name="Okafor", company="Lagos Freight", created_at=datetime.now(UTC))
        session.add(lead)
    store.close()
    return lead.id


def test_failed_migration_rolls_back_and_leaves_the_file_usable(tmp_path: Path) -> None:
    lead_id = _pending_edit(tmp_path)
    scripts = _migrations_with(tmp_path, "0002_broken", (
        "def upgrade():\n"
        "    op.create_table('half_done', sa.Column('id', sa.Integer, primary_key=True))\n"
        "    op.add_column('leads', sa.Column('score', sa.Integer))\n"
        "    raise RuntimeError('disk said no')\n"
    ))
    path = tmp_path / DATABASE_NAME
    with pytest.raises(StoreError, match="Nothing was changed") as failed:
        migrate(path, scripts)
    assert str(path) in str(failed.value)
    assert _revision(path) == head_revision()
    assert "half_done" not in _tables(path)
    store = open_store(tmp_path)
    with store.sessions() as session:
        assert session.get(Lead, lead_id) is not None
        assert session.query(OutboxEntry).count() == 1
    store.close()


def test_pending_outbox_entries_survive_a_migration(tmp_path: Path) -> None:
    lead_id = _pending_edit(tmp_path)
    scripts = _migrations_with(tmp_path, "0002_score", (
        "def upgrade():\n"
        "    with op.batch_alter_table('leads') as batch:\n"
        "        batch.add_column(sa.Column('score', sa.Integer))\n"
    ))
    path = tmp_path / DATABASE_NAME
    migrate(path, scripts).dispose()
    assert _revision(path) == "0002_score"
    with sqlite3.connect(path) as connection:
        entries = connection.execute("SELECT record_id, op, state FROM outbox").fetchall()
        leads = connection.execute("SELECT id FROM leads").fetchall()
    assert entries == [(lead_id, "create", "pending")]
    assert leads == [(lead_id,)]


def test_a_store_full_of_data_migrates_from_the_first_schema_keeping_everything(
        tmp_path: Path) -> None:
    """Every migration, on rows that reference each other, with edits still unsent."""
    path = tmp_path / DATABASE_NAME
    migrate(path, target="0001").dispose()
    assert _revision(path) == "0001"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.executescript("""
            INSERT INTO users (id, name, role, timezone) VALUES ('u1', 'Ana Silva', 'AE', 'UTC');
            INSERT INTO accounts (id, name, kind, is_named) VALUES ('a1', 'Orion', 'customer', 0);
            INSERT INTO leads (id, last_name, company, stage, registration, do_not_call,
                               email_opt_out, created_at, search_key)
                VALUES ('l1', 'Sato', 'Orion', 'MQL', '{}', 0, 0, '2026-11-01 10:00:00', 'sato');
            INSERT INTO products (id, name, code, list_price) VALUES ('p1', 'Seat', 'S', 600);
            INSERT INTO opportunities (id, name, account_id, lead_id, owner_id, stage, is_closed,
                                       is_won, created_at)
                VALUES ('o1', 'Orion deal', 'a1', 'l1', 'u1', 'Discovery', 0, 0,
                        '2026-11-02 10:00:00');
            INSERT INTO opportunity_line_items (id, opportunity_id, product_id, quantity,
                                                unit_price) VALUES ('i1', 'o1', 'p1', 10, 600);
            INSERT INTO activities (id, kind, lead_id, subject, occurred_at)
                VALUES ('t1', 'call', 'l1', 'Call: voicemail', '2026-11-01 11:00:00');
            INSERT INTO outbox (object, record_id, op, fields, base, created_at, state, attempts)
                VALUES ('Opportunity', 'o1', 'update', '{"stage": "Demo"}', '{}',
                        '2026-11-03 09:00:00', 'pending', 0);
        """)
    store = open_store(tmp_path)
    store.close()
    assert _revision(path) == head_revision()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute(
            "SELECT o.name, i.quantity, o.requested_features FROM opportunities o "
            "JOIN opportunity_line_items i ON i.opportunity_id = o.id").fetchall() == [
            ("Orion deal", 10, "[]")]
        assert connection.execute("SELECT record_id, state FROM outbox").fetchall() == [
            ("o1", "pending")]
        assert connection.execute("SELECT count(*) FROM activities").fetchone() == (1,)


def test_the_migrations_build_the_schema_the_models_declare(tmp_path: Path) -> None:
    engine = migrate(tmp_path / "repdesk.db")
    with engine.connect() as connection, warnings.catch_warnings():
        # Alembic cannot read indexes on expressions back from SQLite; they are compared
        # by name below.
        warnings.filterwarnings("ignore", "autogenerate skipping", UserWarning)
        warnings.filterwarnings("ignore", "Skipped unsupported reflection")
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []
    with sqlite3.connect(tmp_path / "repdesk.db") as connection:
        built = {name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leads'")}
    assert {index.name for index in Lead.__table__.indexes} <= built


def test_the_newest_revision_is_read_from_the_files_as_alembic_reads_it(tmp_path: Path) -> None:
    assert newest_on_disk(MIGRATIONS) == head_revision()
    scripts = _migrations_with(tmp_path, "0011_next", "def upgrade():\n    pass\n")
    assert newest_on_disk(scripts) == head_revision(scripts) == "0011_next"


def test_an_up_to_date_store_opens_without_loading_the_migrations(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    probe = ("import sys; from pathlib import Path; from models.store.open import open_store; "
             f"open_store(Path({str(tmp_path)!r})).close(); print('alembic' in sys.modules)")
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    assert ran.stdout.strip() == "False"
