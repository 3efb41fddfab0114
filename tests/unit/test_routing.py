"""Routing by business case: each rule fires for its case, says why, and the round robin is
fair and survives a restart."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from models.hygiene.account_links import refresh_matches
from models.hygiene.route_leads import misrouted, route_leads, route_of
from models.hygiene.routing import Member, RoutingFacts, decide
from models.store import Account, Lead, Opportunity, StageChange, User
from models.store.open import Store, open_store

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
TEAM = [Member("ae1", "Ana Corp", "Corporate", "Americas"),
        Member("ae2", "Ben Corp", "Corporate", "Americas"),
        Member("ae3", "Cleo Corp", "Corporate", "EMEA"),
        Member("f1", "Finn Field", "Field", "Americas"),
        Member("f2", "Fay Field", "Field", "EMEA"),
        Member("am", "Amy Manager", "Customers", "Americas")]


def facts(**overrides: object) -> RoutingFacts:
    base: dict[str, object] = {"lead_id": "L", "employees": 300, "country": "US",
                               "state": "NY", "postal_code": "10001"}
    return RoutingFacts(**{**base, **overrides})  # type: ignore[arg-type]


def test_a_competitor_is_disqualified_with_its_reason_code() -> None:
    decision = decide(facts(account_kind="competitor", account_name="Zentrix"), TEAM, {})
    assert (decision.action, decision.reason_code) == ("disqualify", "D-COMPETITOR")
    assert "Zentrix, a competitor" in decision.explanation


def test_a_duplicate_is_merged_into_the_lead_it_duplicates() -> None:
    decision = decide(facts(duplicate_of="OLD", duplicate_name="Jane Doe"), TEAM, {})
    assert (decision.action, decision.merge_into) == ("merge", "OLD")
    assert "Jane Doe" in decision.explanation


def test_customers_and_partners_go_to_the_account_owner() -> None:
    for kind in ("customer", "partner"):
        decision = decide(facts(account_kind=kind, account_name="Acme", account_owner_id="am"),
                          TEAM, {})
        assert (decision.action, decision.owner_id) == ("assign", "am")
        assert not decision.new_leads_only
        assert f"Acme is a {kind}" in decision.explanation
        assert "Amy Manager" in decision.explanation


def test_a_customer_nobody_owns_falls_through_to_the_next_rule() -> None:
    decision = decide(facts(account_kind="customer"), TEAM, {})
    assert decision.rule == "Corporate"


def test_an_open_opportunity_goes_to_its_owner_and_a_lost_one_to_nurture() -> None:
    assert decide(facts(open_opportunity_owner_id="f1"), TEAM, {}).owner_id == "f1"
    lost = decide(facts(lost_opportunity=True, account_name="Acme"), TEAM, {})
    assert lost.action == "nurture" and "lost an opportunity" in lost.explanation


def test_small_companies_go_round_robin_to_corporate_within_their_region() -> None:
    turns: dict[str, str] = {}
    owners = []
    for _ in range(4):
        decision = decide(facts(employees=999), TEAM, turns)
        turns[decision.turn[0]] = decision.turn[1]  # type: ignore[index]
        owners.append(decision.owner_id)
    assert owners == ["ae1", "ae2", "ae1", "ae2"]
    assert decision.new_leads_only  # a rep's own small-company lead is not taken away
    assert decide(facts(employees=20, country="DE"), TEAM, {}).owner_id == "ae3"


def test_large_companies_go_to_the_field_rep_of_their_territory() -> None:
    west = decide(facts(employees=5000, country="US", state="CA", postal_code="94105"),
                  TEAM, {})
    assert west.owner_id == "f1" and "US West" in west.explanation
    dach = decide(facts(employees=1000, country="DE"), TEAM, {})
    assert dach.owner_id == "f2" and "DACH" in dach.explanation


def test_a_rep_who_leaves_does_not_stop_the_round_robin() -> None:
    without_ben = [m for m in TEAM if m.id != "ae2"]
    decision = decide(facts(employees=10), without_ben, {"Corporate/Americas": "ae2"})
    assert decision.owner_id == "ae1"


# -- in the store ----------------------------------------------------------------------------
@pytest.fixture
def routed_store(store: Store) -> Store:
    with store.sessions.begin() as session:
        session.add_all([User(id=m.id, name=m.name, role="AE", team=m.team, region=m.region)
                         for m in TEAM])
        session.add(User(id="sdr", name="Sam Sdr", role="SDR-inbound"))
        session.flush()
        session.add_all([
            Account(id="cust", name="Acme Analytics Inc.", domain="acme.com", kind="customer",
                    owner_id="am"),
            Account(id="comp", name="Zentrix Cloud", domain="zentrix.io", kind="competitor"),
            Account(id="opp", name="Orion Foods", domain="orion.com", kind="prospect"),
            Account(id="lost", name="Harbor Freight Lines", domain="harbor.com",
                    kind="prospect"),
        ])
        session.flush()
        session.add_all([
            Opportunity(name="Orion 2027", account_id="opp", owner_id="f1", created_at=NOW),
            Opportunity(name="Harbor", account_id="lost", owner_id="f2", created_at=NOW,
                        is_closed=True, is_won=False)])
        for key, company, email, employees in [
                ("to-am", "ACME Analytics", "x@acme.com", 50),
                ("to-dq", "Zentrix", "y@zentrix.io", 50),
                ("to-opp", "Orion Foods", "z@gmail.com", 50),
                ("to-nurture", "Harbor Freight Lines", None, 50),
                ("small-1", "Tiny Bakery", None, 12), ("small-2", "Tiny Brewery", None, 14),
                ("small-3", "Tiny Dairy", None, 16)]:
            session.add(Lead(id=key, last_name=key, company=company, email=email,
                             employees=employees, country="US", owner_id="sdr",
                             created_at=NOW))
    refresh_matches(store.sessions, NOW)
    return store


def test_routing_carries_each_decision_out_as_an_edit(routed_store: Store) -> None:
    decisions = route_leads(routed_store.sessions, ["to-am", "to-dq", "to-opp", "to-nurture"],
                            "sdr", NOW)
    assert [d.rule for d in decisions] == ["Existing customer or partner", "Competitor",
                                           "Active opportunity", "Lost opportunity"]
    with routed_store.sessions() as session:
        lead = {lead.id: lead for lead in session.scalars(select(Lead))}
        assert lead["to-am"].owner_id == "am"
        assert (lead["to-dq"].stage, lead["to-dq"].reason_code) == ("disqualified",
                                                                    "D-COMPETITOR")
        assert lead["to-opp"].owner_id == "f1"
        assert lead["to-nurture"].stage == "nurture"
        # Leaving the SDR's stages ends the cadence; a new owner gets the lead in their queue.
        assert lead["to-nurture"].cadence_state == lead["to-dq"].cadence_state == "off"
        assert lead["to-am"].cadence_state == "active" and lead["to-am"].cadence_due_at
        reasons = session.scalars(select(StageChange.reason)).all()
        assert any("Routing: Competitor" in (reason or "") for reason in reasons)


def test_the_round_robin_survives_a_restart(routed_store: Store, tmp_path: Path) -> None:
    [first] = route_leads(routed_store.sessions, ["small-1"], "sdr", NOW)
    routed_store.close()
    reopened = open_store(tmp_path / "profile")
    try:
        [second] = route_leads(reopened.sessions, ["small-2"], "sdr", NOW)
        with reopened.sessions() as session:
            third = route_of(session, "small-3")
    finally:
        reopened.close()
    assert third is not None
    assert [first.owner_id, second.owner_id, third.owner_id] == ["ae1", "ae2", "ae1"]


def test_misrouted_lists_the_reps_leads_a_relationship_rule_would_move(
        routed_store: Store) -> None:
    found = {row.id: decision.rule for row, decision in misrouted(routed_store.sessions, "sdr")}
    assert found == {"to-am": "Existing customer or partner", "to-dq": "Competitor",
                     "to-opp": "Active opportunity", "to-nurture": "Lost opportunity"}
