"""A demo profile built as `repdesk demo-data` builds it (a store made beside the profile,
plain rows loaded in bulk, eight weeks of past through the services) is the same for a seed,
and what the funnel and the dashboard show from it reads true: every lead has a history,
losses carry their reasons, and each framework's SQLs close at a rate in its band."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import main
from models.demo.load import build_demo_store
from models.feedback import product_feedback
from models.funnel_config import close_rate_band
from models.kpis.periods import quarter_of
from models.kpis.reasons import reason_counts
from models.references import reference_customers, uses_of
from models.store.base import Base
from models.store.open import DATABASE_NAME, open_store
from tests.conftest import FIXED_NOW

LEADS, ACCOUNTS, SEED = 1500, 700, 5
TABLES = ("leads", "activities", "opportunities", "stage_changes", "qualifications",
          "reference_customers", "reference_uses", "contacts", "accounts")


@pytest.fixture(scope="module")
def past_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("past")
    build_demo_store(folder / DATABASE_NAME, LEADS, ACCOUNTS, SEED, now=FIXED_NOW, past=True)
    return folder


def _snapshot(path: Path) -> dict[str, Any]:
    """Row counts and a sample of what the past wrote, by content (the services' own ids
    are random)."""
    with sqlite3.connect(path) as connection:
        counts = {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in TABLES}
        sample = {
            "history": connection.execute(
                "SELECT lead_id, from_stage, to_stage, changed_at, origin FROM stage_changes "
                "ORDER BY lead_id, changed_at, to_stage LIMIT 400 OFFSET 1000").fetchall(),
            "qualifications": connection.execute(
                "SELECT lead_id, category, reason_code, framework, answers, qualified_at "
                "FROM qualifications ORDER BY lead_id").fetchall(),
            "deals": connection.execute(
                "SELECT lead_id, stage, amount, is_won, close_reason_code, closed_at "
                "FROM opportunities ORDER BY lead_id, created_at").fetchall(),
            "leads": connection.execute(
                "SELECT id, stage, handoff_state, cadence_state, cadence_due_at FROM leads "
                "ORDER BY id LIMIT 300").fetchall(),
        }
    return {"counts": counts, "sample": sample}


def test_two_builds_of_one_seed_are_the_same(past_folder: Path, tmp_path: Path) -> None:
    again = tmp_path / DATABASE_NAME
    build_demo_store(again, LEADS, ACCOUNTS, SEED, now=FIXED_NOW, past=True)
    first, second = _snapshot(past_folder / DATABASE_NAME), _snapshot(again)
    assert first["counts"]["qualifications"] > 20
    assert first == second


def test_the_plain_rows_keep_the_defaults_an_insert_gives_them(past_folder: Path) -> None:
    with sqlite3.connect(past_folder / DATABASE_NAME) as connection:
        # Written as a bulk load, yet no row misses a value the ORM would have filled in,
        # and every index is there.
        assert connection.execute("SELECT count(*) FROM leads WHERE do_not_call IS NULL OR "
                                  "registration IS NULL").fetchone() == (0,)
        indexes = {n for (n,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
    declared = {index.name for table in Base.metadata.tables.values()
                for index in table.indexes}
    assert {"ix_leads_queue", "ix_stage_changes_lead_id_changed_at_id_to_stage"} <= declared
    assert declared <= indexes, declared - indexes


def _funnel(capsys: pytest.CaptureFixture[str], folder: Path) -> dict[str, Any]:
    assert main(["funnel", "--data-dir", str(folder), "--team", "--json"]) == 0
    return dict(json.loads(capsys.readouterr().out))


def test_the_funnel_of_a_demo_with_a_past_reads_true(
        past_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(past_folder / DATABASE_NAME) as connection:
        assert connection.execute(
            "SELECT count(*) FROM leads l WHERE NOT EXISTS "
            "(SELECT 1 FROM stage_changes s WHERE s.lead_id = l.id)").fetchone() == (0,)
    report = _funnel(capsys, past_folder)
    steps = [s["entered"] for s in report["stages"] if s["kind"] == "step"]
    assert steps[0] == LEADS and steps == sorted(steps, reverse=True)
    [mql_sql] = [c for c in report["conversions"] if (c["from"], c["to"]) == ("MQL", "SQL")]
    assert 0 < mql_sql["rate"] < 1
    rates = {r["framework"]: r for r in report["sql_close_rates"]}
    recorded = {name: r for name, r in rates.items() if r["expected"] is not None}
    assert {"BANT", "ANUM", "AN"} <= set(recorded)
    for name, rate in recorded.items():
        low, high = close_rate_band(name)
        assert rate["won"] > 0, name
        # A few SQLs of the last days are still open: at most one win short of the band.
        assert low - 1 / rate["sqls"] <= rate["rate"] <= high, (name, rate)
    assert recorded["BANT"]["rate"] > max(r["rate"] for n, r in recorded.items()
                                           if n != "BANT")


def test_losses_carry_their_reason_codes(past_folder: Path) -> None:
    store = open_store(past_folder)
    try:
        # The dashboard's quarter, as a manager opens it.
        reasons = reason_counts(store.sessions, quarter_of(FIXED_NOW.date(), "UTC"))
    finally:
        store.close()
    lost = reasons["lost"]
    assert "(none)" not in lost
    assert {"LOSS-PRICE", "LOSS-NO-DECISION", "LOSS-COMPETITOR", "LOSS-FEATURES"} <= set(lost)
    assert sum(lost.values()) >= 10
    assert "(none)" not in reasons["disqualified"] and reasons["disqualified"]
    assert "(none)" not in reasons["rejected"] and reasons["rejected"]


def test_references_and_feedback_open_with_content(past_folder: Path) -> None:
    store = open_store(past_folder)
    try:
        references = reference_customers(store.sessions)
        uses = [use for r in references for use in uses_of(store.sessions, r.id)]
        feedback = product_feedback(store.sessions)
    finally:
        store.close()
    assert references and uses
    assert len(feedback.features) >= 3 and feedback.competitors
