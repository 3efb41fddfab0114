"""Which buyer persona a lead belongs to, from its title level and job function."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonaRule:
    key: str
    priority: int
    title_levels: frozenset[str]
    # Empty: any job function.
    job_functions: frozenset[str]


def persona_for(
    title_level: str | None, job_function: str | None, rules: Iterable[PersonaRule]
) -> str | None:
    """The first persona, in priority order, that covers this level and function."""
    if title_level is None:
        return None
    for rule in sorted(rules, key=lambda r: r.priority):
        if title_level not in rule.title_levels:
            continue
        if not rule.job_functions or job_function in rule.job_functions:
            return rule.key
    return None
