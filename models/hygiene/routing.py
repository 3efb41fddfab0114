"""Routing by business case: ordered rules read from resources/hygiene/routing.json, the first
that fits decides, and every decision says in words why. Pure: the facts come in, a decision
and the round-robin turn to remember go out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from resources import load_json


@dataclass(frozen=True)
class RoutingFacts:
    lead_id: str
    employees: int | None
    country: str | None
    state: str | None
    postal_code: str | None
    account_name: str | None = None
    account_kind: str | None = None
    account_owner_id: str | None = None
    duplicate_of: str | None = None
    duplicate_name: str | None = None
    open_opportunity_owner_id: str | None = None
    lost_opportunity: bool = False


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    team: str | None
    region: str | None


@dataclass(frozen=True)
class Decision:
    lead_id: str
    rule: str
    action: str  # disqualify, merge, assign or nurture
    explanation: str
    owner_id: str | None = None
    reason_code: str | None = None
    merge_into: str | None = None
    # (pool, member id) to remember, so the next lead of that pool goes to the next member.
    turn: tuple[str, str] | None = None
    # The rule routes new leads only (size, territory): a rep's own lead stays with them.
    new_leads_only: bool = False


@cache
def default_rules() -> dict[str, Any]:
    loaded: dict[str, Any] = load_json("hygiene/routing.json")
    return loaded


def region_of(country: str | None, config: Mapping[str, Any]) -> str | None:
    return next((region for region, countries in config["regions"].items()
                 if country and country.upper() in countries), None)


def territory_of(facts: RoutingFacts, config: Mapping[str, Any]) -> dict[str, Any] | None:
    region = region_of(facts.country, config)
    for territory in config["territories"]:
        if "countries" in territory and (facts.country or "").upper() not in territory[
                "countries"]:
            continue
        if "countries" not in territory and territory.get("region") != region:
            continue
        if "states" in territory and (facts.state or "").upper() not in territory["states"]:
            continue
        if "postal_from" in territory and not (
                territory["postal_from"] <= (facts.postal_code or "") <= territory["postal_to"]):
            continue
        found: dict[str, Any] = territory
        return found
    return None


def next_member(pool: Sequence[Member], last: str | None) -> Member:
    """The member after ``last`` in a stable order: fair however members come and go."""
    ordered = sorted(pool, key=lambda m: m.id)
    return next((m for m in ordered if last is None or m.id > last), ordered[0])


def _fits(rule: Mapping[str, Any], facts: RoutingFacts) -> bool:
    when = rule["when"]
    if when == "account_kind":
        return facts.account_kind in rule["kinds"]
    if when == "duplicate":
        return facts.duplicate_of is not None
    if when == "open_opportunity":
        return facts.open_opportunity_owner_id is not None
    if when == "lost_opportunity":
        return facts.lost_opportunity
    if when == "employees_below":
        return facts.employees is not None and facts.employees < rule["employees"]
    if when == "always":
        return True
    raise ValueError(f"Unknown routing condition {when!r} in rule {rule['name']!r}.")


def decide(facts: RoutingFacts, members: Sequence[Member], turns: Mapping[str, str],
           config: Mapping[str, Any] | None = None) -> Decision:
    """The first rule that fits and can be carried out decides.

    Args:
        members: everyone a lead can be assigned to, with team and region.
        turns: pool → the member who got the last lead of that pool.
    """
    config = config or default_rules()
    names = {member.id: member.name for member in members}
    for rule in config["rules"]:
        if not _fits(rule, facts):
            continue
        decision = _carry_out(rule, facts, members, turns, config, names)
        if decision is not None:
            return replace(decision, new_leads_only=bool(rule.get("new_leads_only")))
    return Decision(facts.lead_id, "None", "keep", "no routing rule fits: stays where it is")


def _text(rule: Mapping[str, Any], facts: RoutingFacts, **values: Any) -> str:
    employees = f"{facts.employees:,}" if facts.employees is not None else "unknown"
    return str(rule["explain"]).format(
        account=facts.account_name or "the account", kind=facts.account_kind,
        duplicate=facts.duplicate_name or "an older lead", employees=employees,
        **{"owner": "", "region": "", "territory": "", **values})


def _carry_out(rule: Mapping[str, Any], facts: RoutingFacts, members: Sequence[Member],
               turns: Mapping[str, str], config: Mapping[str, Any],
               names: Mapping[str, str]) -> Decision | None:
    then, name = rule["then"], rule["name"]
    if then == "disqualify":
        return Decision(facts.lead_id, name, "disqualify", _text(rule, facts),
                        reason_code=rule.get("reason_code"))
    if then == "merge":
        return Decision(facts.lead_id, name, "merge", _text(rule, facts),
                        merge_into=facts.duplicate_of)
    if then == "nurture":
        return Decision(facts.lead_id, name, "nurture", _text(rule, facts))
    if then in ("account_owner", "opportunity_owner"):
        owner = facts.account_owner_id if then == "account_owner" \
            else facts.open_opportunity_owner_id
        if owner is None:
            return None  # nobody works with them yet: the next rule decides
        return Decision(facts.lead_id, name, "assign",
                        _text(rule, facts, owner=names.get(owner, "its owner")), owner_id=owner)
    if then in ("round_robin", "territory"):
        return _pooled(rule, facts, members, turns, config)
    raise ValueError(f"Unknown routing action {then!r} in rule {name!r}.")


def _pooled(rule: Mapping[str, Any], facts: RoutingFacts, members: Sequence[Member],
            turns: Mapping[str, str], config: Mapping[str, Any]) -> Decision | None:
    team = rule["team"]
    territory = territory_of(facts, config) if rule["then"] == "territory" else None
    region = territory["region"] if territory else region_of(facts.country, config)
    in_team = [m for m in members if m.team == team]
    pool = [m for m in in_team if m.region == region] or in_team
    if not pool:
        return None
    pool_key = f"{team}/{region if pool is not in_team else '*'}"
    chosen = next_member(pool, turns.get(pool_key))
    where = region or "any region"
    if pool is in_team and region is not None:
        where += " (nobody there: the whole team)"
    text = _text(rule, facts, owner=chosen.name, region=where,
                 territory=territory["name"] if territory else "none")
    return Decision(facts.lead_id, rule["name"], "assign", text, owner_id=chosen.id,
                    turn=(pool_key, chosen.id))
