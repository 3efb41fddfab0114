"""The weekly digest reaches each manager exactly once, through the CRM over HTTP: two windows
queueing it at once, a lost answer from the CRM, and later starts all end in one mail."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import func, select

from models.kpis.digest_mail import digest_mail_id, send_due_digests
from models.kpis.periods import parse_week
from models.store import Activity, OutboxEntry, User
from models.store.open import Store, open_store
from models.sync.engine import sync_once
from tests.integration.conftest import Crm, clock

MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # week 48 has just ended in London


def _team(store: Store) -> dict[str, str]:
    with store.sessions.begin() as session:
        ana = User(name="Ana Silva", email="ana@example.com", role="manager")
        ben = User(name="Ben Ode", email="ben@example.com", role="manager")
        sdr = User(name="Cleo Park", email="cleo@example.com", role="SDR-inbound")
        session.add_all([ana, ben, sdr])
        session.flush()
        session.add(Activity(kind="call", owner_id=sdr.id, subject="Call: connected",
                             outcome="connected", occurred_at=datetime(2026, 11, 25, 10,
                                                                       tzinfo=UTC)))
        return {"ana": ana.id, "ben": ben.id}


def test_two_windows_and_a_lost_answer_send_one_digest_per_manager(crm: Crm,
                                                                   store: Store) -> None:
    managers = _team(store)
    other_window = open_store(store.path.parent)
    results: list[list] = []
    try:
        threads = [threading.Thread(target=lambda s=s: results.append(
            send_due_digests(s.sessions, MONDAY))) for s in (store, other_window)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        other_window.close()
    # Each manager's digest was written by exactly one of the two windows.
    for name in ("Ana Silva", "Ben Ode"):
        assert sum(q.queued for found in results for q in found if q.manager == name) == 1
    with store.sessions() as session:
        ids = {digest_mail_id("2026-W48", m) for m in managers.values()}
        assert session.scalar(select(func.count()).select_from(Activity)
                              .where(Activity.id.in_(ids))) == 2
        assert session.scalar(select(func.count()).select_from(OutboxEntry)
                              .where(OutboxEntry.record_id.in_(ids))) == 2
    crm.sandbox.faults.queue("lost")  # the CRM creates the tasks but the answer is lost
    sync_once(store.sessions, crm.adapter, clock)
    sync_once(store.sessions, crm.adapter, clock)
    # A later start (the next day) finds them sent and queues nothing.
    again = send_due_digests(store.sessions, MONDAY.replace(day=1, month=12))
    assert [q.queued for q in again] == [False, False]
    sync_once(store.sessions, crm.adapter, clock)
    sent = sorted(crm.sandbox.sent_emails, key=lambda mail: mail["to"])
    assert [(m["to"], m["subject"]) for m in sent] == [
        ("ana@example.com", "RepDesk weekly digest 2026-W48"),
        ("ben@example.com", "RepDesk weekly digest 2026-W48")]
    assert "Calls" in sent[0]["body"] and "Cleo Park" in sent[0]["body"]
    # The HTML digest, its charts inline as PNG images, sent as rich text.
    assert sent[0]["rich"] is True and sent[0]["body"].startswith("<!DOCTYPE html>")
    assert sent[0]["body"].count("<img src='data:image/png;base64,") == 3


def test_the_digest_of_a_week_named_is_queued_once(crm: Crm, store: Store) -> None:
    _team(store)
    week = parse_week("2026-W47", "Europe/London")
    assert [q.queued for q in send_due_digests(store.sessions, MONDAY, week)] == [True, True]
    assert [q.queued for q in send_due_digests(store.sessions, MONDAY, week)] == [False, False]
    sync_once(store.sessions, crm.adapter, clock)
    assert len(crm.sandbox.sent_emails) == 2
