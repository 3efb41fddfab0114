"""An older store (schema 0010) gets every lead's stage history from what it knows, and a demo
profile has a waterfall that makes sense."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from desktop.cli import main
from models.store.migrate import head_revision, migrate
from models.store.open import DATABASE_NAME, open_store

OLD_STORE = """
INSERT INTO cadences (key, name, is_default) VALUES ('trial', 'New trial lead', 1);
INSERT INTO users (id, name, role, timezone) VALUES ('sdr', 'Amelia Hughes', 'SDR-inbound', 'UTC'),
                                                   ('ae', 'Hugo Martin', 'AE', 'UTC');
INSERT INTO leads (id, last_name, company, stage, source, registration, do_not_call,
                   email_opt_out, created_at, search_key, owner_id, handoff_state, handoff_at,
                   last_touch_at)
VALUES ('web', 'Sato', 'Orion', 'MQL', 'Web', '{}', 0, 0, '2026-10-01 10:00:00', '', 'sdr',
        NULL, NULL, NULL),
       ('raw', 'Ito', 'Kumo', 'MCL', 'Web', '{}', 0, 0, '2026-10-02 10:00:00', '', 'sdr',
        NULL, NULL, NULL),
       ('taken', 'Weber', 'Nordlicht', 'SAL', 'Trial', '{}', 0, 0, '2026-10-03 10:00:00', '',
        'sdr', 'accepted', '2026-10-05 09:00:00', '2026-10-05 08:00:00'),
       ('won', 'Rossi', 'Lago', 'converted', 'Event', '{}', 0, 0, '2026-10-04 10:00:00', '',
        'sdr', 'accepted', '2026-10-06 09:00:00', '2026-10-06 08:00:00'),
       ('later', 'Dubois', 'Seine', 'nurture', 'Web', '{}', 0, 0, '2026-10-05 10:00:00', '',
        'sdr', NULL, NULL, '2026-10-07 08:00:00');
INSERT INTO qualifications (id, lead_id, category, reason_code, framework, answers, competitors,
                            requested_features, qualified_at)
VALUES ('q1', 'taken', 'A', 'A-BUDGET-APPROVED', 'BANT', '{}', '[]', '[]',
        '2026-10-05 09:00:00'),
       ('q2', 'later', 'C', 'C-RESEARCHING', 'AN', '{}', '[]', '[]', '2026-10-07 09:00:00');
INSERT INTO stage_changes (lead_id, from_stage, to_stage, changed_at, changed_by_id, reason)
VALUES ('taken', 'MQL', 'SQL', '2026-10-05 09:00:00', 'sdr', 'A-BUDGET-APPROVED'),
       ('taken', 'SQL', 'SAL', '2026-10-06 11:00:00', 'ae', 'hand-off accepted');
INSERT INTO opportunities (id, name, lead_id, owner_id, stage, is_closed, is_won, created_at,
                           closed_at)
VALUES ('o1', 'Nordlicht deal', 'taken', 'ae', 'Discovery', 0, 0, '2026-10-06 11:00:00', NULL),
       ('o2', 'Lago deal', 'won', 'ae', 'Closed Won', 1, 1, '2026-10-07 10:00:00',
        '2026-11-10 16:00:00');
"""


def _history(path: Path) -> dict[str, list[tuple[str | None, str, str, str]]]:
    found: dict[str, list[tuple[str | None, str, str, str]]] = {}
    with sqlite3.connect(path) as connection:
        for lead, from_stage, to_stage, at, origin in connection.execute(
                "SELECT lead_id, from_stage, to_stage, changed_at, origin FROM stage_changes "
                "ORDER BY lead_id, changed_at, id"):
            found.setdefault(lead, []).append((from_stage, to_stage, at[:16], origin))
    return found


def test_an_older_store_gets_every_lead_s_history_from_what_it_knows(tmp_path: Path) -> None:
    path = tmp_path / DATABASE_NAME
    migrate(path, target="0010").dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.executescript(OLD_STORE)
    open_store(tmp_path).close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] \
            == head_revision()
    with sqlite3.connect(path) as connection:
        # The re-engagement cadence for leads back from nurture joins the team's own.
        assert connection.execute("SELECT key FROM cadences ORDER BY key").fetchall() == [
            ("re-engagement",), ("trial",)]
    history = _history(path)
    assert history["web"] == [(None, "MCL", "2026-10-01 10:00", "entry"),
                              ("MCL", "MQL", "2026-10-01 10:00", "inferred")]
    assert history["raw"] == [(None, "MCL", "2026-10-02 10:00", "entry")]
    # What was recorded here is kept (an acceptance read as the Opportunity it made); the
    # birth it lacked is added.
    assert history["taken"] == [(None, "MCL", "2026-10-03 10:00", "entry"),
                                ("MCL", "MQL", "2026-10-03 10:00", "inferred"),
                                ("MQL", "SQL", "2026-10-05 09:00", "rep"),
                                ("SQL", "Opportunity",
                                 "2026-10-06 11:00", "rep")]
    assert [(to, at) for _f, to, at, _o in history["won"]] == [
        ("MCL", "2026-10-04 10:00"), ("MQL", "2026-10-04 10:00"),
        ("SQL", "2026-10-06 09:00"), ("Opportunity", "2026-10-07 10:00"),
        ("Closed Won", "2026-11-10 16:00")]
    assert [(to, at) for _f, to, at, _o in history["later"]] == [
        ("MCL", "2026-10-05 10:00"), ("MQL", "2026-10-05 10:00"),
        ("nurture", "2026-10-07 09:00")]


def _funnel(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["funnel", *args, "--json"]) == 0
    return dict(json.loads(capsys.readouterr().out))


def test_a_demo_profile_has_a_waterfall_that_never_grows_downwards(
        demo_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(demo_folder / DATABASE_NAME) as connection:
        assert connection.execute(
            "SELECT count(*) FROM leads l WHERE NOT EXISTS "
            "(SELECT 1 FROM stage_changes s WHERE s.lead_id = l.id AND s.from_stage IS NULL)"
        ).fetchone() == (0,)
    report = _funnel(capsys, "--data-dir", str(demo_folder), "--team")
    steps = [s["entered"] for s in report["stages"] if s["kind"] == "step"]
    assert steps == sorted(steps, reverse=True) and steps[0] == 600
    outcomes = [s["entered"] for s in report["stages"] if s["kind"] == "outcome"]
    assert sum(outcomes) <= steps[-1]
    [mql_sql] = [c for c in report["conversions"] if (c["from"], c["to"]) == ("MQL", "SQL")]
    assert 0 < mql_sql["rate"] < 1
    assert mql_sql["converted"] == report["stages"][2]["entered"]


def test_the_funnel_command_explains_bad_input(
        demo_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["funnel", "--data-dir", str(demo_folder), "--from", "last week"]) == 2
    assert "is not a date" in capsys.readouterr().err
    assert main(["funnel", "--data-dir", str(demo_folder), "--rep", "nobody@x.com"]) == 2
    assert "No rep with the e-mail nobody@x.com" in capsys.readouterr().err
    assert main(["funnel", "--data-dir", str(demo_folder), "--from", "2026-11-02",
                 "--to", "2026-11-01"]) == 2
    assert "before --from" in capsys.readouterr().err
