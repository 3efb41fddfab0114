"""The funnel as the team defines it (``resources/funnel.json``): its stages in order, where a
lead enters it, how the CRM's lead status reads as a stage, and how the hand-off maps onto SAL
and SQL (a team setting)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from models.store import Setting
from resources import load_json

HANDOFF_MAPPING_SETTING = "funnel_handoff_mapping"


@dataclass(frozen=True)
class FunnelStageSpec:
    stage: str
    kind: str  # "step" (the waterfall), "outcome" (where it ends) or "exit" (may re-enter)
    optional: bool = False


@dataclass(frozen=True)
class HandoffMapping:
    """Which stages an SDR's qualification and an AE's acceptance record."""

    name: str
    qualified: str
    accepted: tuple[str, ...]
    uses_sal: bool


@cache
def _config() -> dict[str, Any]:
    loaded: dict[str, Any] = load_json("funnel.json")
    return loaded


def stage_specs() -> tuple[FunnelStageSpec, ...]:
    return tuple(FunnelStageSpec(s["stage"], s["kind"], bool(s.get("optional")))
                 for s in _config()["stages"])


def handoff_mappings() -> dict[str, HandoffMapping]:
    return {name: HandoffMapping(name, spec["qualified"], tuple(spec["accepted"]),
                                 bool(spec["uses_sal"]))
            for name, spec in _config()["handoff_mapping"]["choices"].items()}


def handoff_mapping(session: Session) -> HandoffMapping:
    chosen = session.get(Setting, HANDOFF_MAPPING_SETTING)
    mappings = handoff_mappings()
    name = str(chosen.value) if chosen else str(_config()["handoff_mapping"]["default"])
    return mappings.get(name) or mappings[str(_config()["handoff_mapping"]["default"])]


def set_handoff_mapping(sessions: sessionmaker[Session], name: str) -> None:
    if name not in handoff_mappings():
        raise ValueError(f"Unknown hand-off mapping {name!r}: use one of "
                         f"{', '.join(handoff_mappings())}.")
    with sessions.begin() as session:
        session.merge(Setting(key=HANDOFF_MAPPING_SETTING, value=name))


def waterfall(mapping: HandoffMapping) -> tuple[FunnelStageSpec, ...]:
    """The stages a report lists, in order: SAL only when the team's mapping records it."""
    return tuple(s for s in stage_specs() if not (s.stage == "SAL" and not mapping.uses_sal))


def path_to(stage: str, mapping: HandoffMapping) -> tuple[str, ...]:
    """The steps a lead passed to stand at ``stage``, ``stage`` included; an exit or outcome
    is reached from the step before it (nurture and disqualified from MQL, a close from
    Opportunity)."""
    steps = [s.stage for s in waterfall(mapping) if s.kind == "step"]
    if stage in steps:
        return tuple(steps[:steps.index(stage) + 1])
    kind = {s.stage: s.kind for s in stage_specs()}.get(stage)
    if kind == "outcome":
        return (*steps, stage)
    if kind == "exit":
        return (*steps[:steps.index(entry_spec().qualified_as) + 1], stage)
    return (stage,)


@dataclass(frozen=True)
class EntryRule:
    collected_as: str
    qualified_as: str
    conditions: tuple[Mapping[str, Any], ...]

    def meets_mql(self, facts: Mapping[str, Any]) -> bool:
        """Whether marketing's standard holds for a new lead (``facts``: its columns plus
        ``channel``: typed, import, crm or store)."""
        for condition in self.conditions:
            value = facts.get(condition["field"])
            if "in" in condition and value in condition["in"]:
                return True
            if condition.get("filled") and value:
                return True
        return False


@cache
def entry_spec() -> EntryRule:
    entry = _config()["entry"]
    return EntryRule(entry["collected_as"], entry["qualified_as"],
                     tuple(entry["mql_when_any"]))


def stage_of_crm_status(status: str | None) -> str | None:
    """The funnel stage a CRM lead status stands for (None: unknown to the table)."""
    if status is None:
        return None
    found = _config()["crm_lead_status"].get(status)
    return str(found) if found else None


def close_rate_band(framework: str) -> tuple[float, float]:
    """The SQL close rate a framework should reach, as fractions (seed 003)."""
    bands = _config()["sql_close_rate_bands"]
    low, high = bands.get(framework, bands["default"])
    return low / 100, high / 100
