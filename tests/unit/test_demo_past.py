"""A demo with a past: weeks of qualifications, hand-offs and deals made through the services,
the same for the same seed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from models.demo.load import load_demo_data
from models.funnel_report import funnel_report
from models.handoffs import pending_for_ae
from models.references import reference_customers
from models.store import Lead, Opportunity, OutboxEntry, Qualification, User
from models.store.open import open_store
from tests.conftest import FIXED_NOW


def _profile(folder: Path) -> dict[str, object]:
    store = open_store(folder)
    counts = load_demo_data(store.engine, 1500, 700, seed=5, now=FIXED_NOW, past=True)
    with store.sessions() as session:
        qualified = list(session.scalars(select(Qualification).order_by(Qualification.id)))
        states = Counter(session.scalars(select(Lead.handoff_state).where(
            Lead.handoff_state.is_not(None))))
        aes = list(session.scalars(select(User.id).where(User.role == "AE")))
        from_handoffs = session.scalar(select(func.count()).select_from(Opportunity).where(
            Opportunity.created_at > FIXED_NOW.replace(month=9)))
        outbox = session.scalar(select(func.count()).select_from(OutboxEntry))
    pending = [item for ae in aes for item in pending_for_ae(store.sessions, ae, FIXED_NOW)]
    report = funnel_report(store.sessions)
    references = reference_customers(store.sessions)
    store.close()
    return {"counts": counts, "reasons": [(q.lead_id, q.reason_code) for q in qualified],
            "answers": [q.answers for q in qualified if q.category in "AB"],
            "states": states, "pending": pending, "opportunities": from_handoffs,
            "outbox": outbox, "frameworks": {r.framework for r in report.close_rates},
            "references": references}


def test_the_demo_has_weeks_of_work_made_through_the_services(tmp_path: Path) -> None:
    past = _profile(tmp_path / "one")
    assert len(past["reasons"]) > 20  # type: ignore[arg-type]
    assert all(answers for answers in past["answers"])  # type: ignore[union-attr]
    states = past["states"]
    assert isinstance(states, Counter) and set(states) == {"pending", "accepted", "rejected"}
    pending = past["pending"]
    assert isinstance(pending, list) and any(item.overdue for item in pending)
    assert any(not item.overdue for item in pending)
    assert past["outbox"] == 0  # the CRM is taken to know it already
    assert {"BANT", "ANUM", "AN"} & past["frameworks"]  # type: ignore[operator]
    assert past["references"]
    again = _profile(tmp_path / "two")
    assert again["reasons"] == past["reasons"]
