"""Opportunities that move: stages as data, every edit recorded and queued for the CRM, the
pipeline by stage with totals and past close dates flagged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from models.deals import (
    DealEdit,
    DealError,
    changes_of,
    deal_stages,
    edit_deal,
    move_stage,
    pipeline,
    step_stage,
)
from models.opportunities import create_opportunity
from models.store import Account, Opportunity, OpportunityChange, OutboxEntry, User
from models.store.open import Store

NOW = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def deals(store: Store) -> dict[str, str]:
    with store.sessions.begin() as session:
        ae = User(name="Hugo Martin", role="AE", timezone="Europe/Paris")
        other = User(name="Dana Scott", role="AE", timezone="America/New_York")
        account = Account(name="Lyon Freight SAS", kind="prospect")
        session.add_all([ae, other, account])
        session.flush()
        made = {
            "late": Opportunity(name="Lyon Freight", account_id=account.id, owner_id=ae.id,
                                stage="Discovery", amount=40_000, close_date=date(2026, 11, 2),
                                created_at=NOW - timedelta(days=40)),
            "soon": Opportunity(name="Orion", owner_id=ae.id, stage="Value Proposition",
                                amount=10_000, close_date=date(2026, 12, 15),
                                created_at=NOW),
            "later": Opportunity(name="Kumo", owner_id=ae.id, stage="Value Proposition",
                                 amount=30_000, close_date=date(2027, 1, 20),
                                 created_at=NOW),
            "theirs": Opportunity(name="Seine", owner_id=other.id, stage="Prospecting",
                                  amount=5_000, close_date=date(2027, 1, 5), created_at=NOW),
        }
        session.add_all(made.values())
        session.flush()
        session.query(OutboxEntry).delete()
    return {"ae": ae.id, **{key: deal.id for key, deal in made.items()}}


def _deal(store: Store, deal_id: str) -> Opportunity:
    with store.sessions() as session:
        deal = session.get(Opportunity, deal_id)
        assert deal is not None
        return deal


def test_the_pipeline_is_grouped_by_stage_in_order_with_totals(store: Store,
                                                                deals: dict[str, str]) -> None:
    groups = pipeline(store.sessions, deals["ae"], TODAY)
    # "Discovery", an earlier version's stage, is read as Qualification.
    assert [g.stage for g in groups] == ["Qualification", "Value Proposition"]
    value = groups[1]
    assert [r.name for r in value.rows] == ["Orion", "Kumo"]  # nearest close date first
    assert (value.amount, value.weighted, value.probability) == (40_000, 20_000, 50)
    assert [r.past_close_date for g in groups for r in g.rows] == [True, False, False]
    assert len(pipeline(store.sessions, None, TODAY)) == 3


def test_a_stage_move_is_recorded_and_queued_for_the_crm(store: Store,
                                                         deals: dict[str, str]) -> None:
    stage = step_stage(store.sessions, deals["late"], 1, deals["ae"], NOW)
    assert stage.stage == "Needs Analysis"
    move_stage(store.sessions, deals["late"], "Proposal/Price Quote", deals["ae"],
               NOW + timedelta(hours=1))
    step_stage(store.sessions, deals["late"], -1, deals["ae"], NOW + timedelta(hours=2))
    deal = _deal(store, deals["late"])
    assert (deal.stage, deal.probability) == ("Perception Analysis", 70)
    history = changes_of(store.sessions, deals["late"])
    assert [(c.from_value, c.to_value, c.by) for c in history] == [
        ("Proposal/Price Quote", "Perception Analysis", "Hugo Martin"),
        ("Needs Analysis", "Proposal/Price Quote", "Hugo Martin"),
        ("Discovery", "Needs Analysis", "Hugo Martin")]
    with store.sessions() as session:
        queued = session.scalars(select(OutboxEntry).where(
            OutboxEntry.record_id == deals["late"])).all()
    assert queued and all(e.object == "Opportunity" for e in queued)
    assert queued[-1].fields["stage"] == "Perception Analysis"


def test_closing_stages_and_the_ends_of_the_line_are_refused_with_a_way_forward(
        store: Store, deals: dict[str, str]) -> None:
    with pytest.raises(DealError, match="close form"):
        move_stage(store.sessions, deals["soon"], "Closed Won", deals["ae"], NOW)
    with pytest.raises(DealError, match="not an opportunity stage"):
        move_stage(store.sessions, deals["soon"], "Signed", deals["ae"], NOW)
    with pytest.raises(DealError, match="first open stage"):
        step_stage(store.sessions, deals["theirs"], -1, deals["ae"], NOW)
    last = [s.stage for s in deal_stages() if not s.closed][-1]
    move_stage(store.sessions, deals["soon"], last, deals["ae"], NOW)
    with pytest.raises(DealError, match="Ctrl\\+K"):
        step_stage(store.sessions, deals["soon"], 1, deals["ae"], NOW)


def test_amount_close_date_and_next_step_are_edited_and_recorded(
        store: Store, deals: dict[str, str]) -> None:
    changed = edit_deal(store.sessions, deals["soon"],
                        DealEdit(12_500.0, date(2027, 2, 1), "Pricing call with the CFO"),
                        deals["ae"], NOW)
    assert changed == ("amount", "close_date", "next_step")
    deal = _deal(store, deals["soon"])
    assert (deal.amount, deal.close_date, deal.next_step) == (
        12_500.0, date(2027, 2, 1), "Pricing call with the CFO")
    assert edit_deal(store.sessions, deals["soon"],
                     DealEdit(12_500.0, date(2027, 2, 1), "Pricing call with the CFO"),
                     deals["ae"], NOW) == ()
    fields = {c.field: (c.from_value, c.to_value) for c in changes_of(store.sessions,
                                                                      deals["soon"])}
    assert fields["close_date"] == ("2026-12-15", "2027-02-01")


def test_bad_values_are_refused_and_nothing_is_written(store: Store,
                                                       deals: dict[str, str]) -> None:
    with pytest.raises(DealError, match="cannot be negative"):
        edit_deal(store.sessions, deals["soon"], DealEdit(-1.0, date(2027, 2, 1), ""),
                  deals["ae"], NOW)
    with pytest.raises(DealError, match="in the past"):
        edit_deal(store.sessions, deals["soon"], DealEdit(1.0, date(2026, 11, 1), ""),
                  deals["ae"], NOW)
    # A deal already past its date may keep it while the rest is edited.
    edit_deal(store.sessions, deals["late"], DealEdit(45_000.0, date(2026, 11, 2), ""),
              deals["ae"], NOW)
    with store.sessions() as session:
        assert {c.opportunity_id for c in session.scalars(select(OpportunityChange))} == {
            deals["late"]}
    assert _deal(store, deals["soon"]).amount == 10_000


def test_new_deals_start_at_the_configured_stage(store: Store, deals: dict[str, str]) -> None:
    made = create_opportunity(store.sessions, "Tiber", None, deals["ae"],
                              date(2027, 3, 1), NOW)
    deal = _deal(store, made)
    assert (deal.stage, deal.probability) == ("Prospecting", 10)
