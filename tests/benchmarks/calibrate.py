"""Fits resources/hygiene/calibration.json: for duplicates and for account matches by name, the
share of claims that were right at each raw weight of evidence, on the development sets only
(the B2B set's tuning seeds, and Febrl 1 and 4 for people known only by name and address; never
a held-out seed, Febrl 2 or 3).
Isotonic (pool-adjacent-violators), so more evidence never means less confidence.

    python -m tests.benchmarks.calibrate [duplicates] [people] [matching]

(with table names, only those are refitted and the others kept as they are)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from models.hygiene import duplicates as dup
from models.hygiene import matching
from models.hygiene.duplicates import LeadIdentity
from models.hygiene.pair_weights import Columns, weights
from tests.benchmarks import b2b

OUT = Path(__file__).resolve().parents[2] / "resources" / "hygiene" / "calibration.json"
# The B2B set's development seeds. The project's own generator is left out: its duplicates
# are easier, and a table fitted on both promised more than either delivered.
DEV_SEEDS = tuple(b2b.DEV_SEED + n for n in range(8))
# A step needs this many observations, so that one odd pair does not make its own step.
MIN_STEP = 40
# Matches are fewer below the claim: a step of theirs needs more observations, so that each
# step holds some 25 per seed and does not follow one seed's share of look-alikes.
MIN_MATCH_STEP = 200


def isotonic(observed: list[tuple[float, bool]], min_step: int = MIN_STEP
             ) -> list[list[float]]:
    """[[lowest raw weight of the step, percent right], ...] rising."""
    # All the observations of one raw weight start as one block: the table cannot tell them
    # apart, so the wrong ones at a weight must count against that weight's step, not be
    # pooled into the step below while the right ones start a step of their own.
    at: dict[float, list[float]] = {}
    for raw, right in observed:
        block = at.setdefault(raw, [raw, 0.0, 0.0])
        block[1] += right
        block[2] += 1
    blocks: list[list[float]] = []  # [low raw, right, count]
    for block in sorted(at.values()):
        blocks.append(block)
        while len(blocks) > 1 and (blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]
                                   or blocks[-2][2] < min_step):
            _low, right_sum, count = blocks.pop()
            blocks[-1][1] += right_sum
            blocks[-1][2] += count
    return [[round(low, 2), round(100 * right / count, 1)] for low, right, count in blocks]


def duplicate_observations() -> list[tuple[float, bool]]:
    sets = [b2b.duplicate_set(20_000, seed) for seed in DEV_SEEDS]
    return _observe([(dev.leads, dev.groups) for dev in sets], people=False)


def people_observations() -> list[tuple[float, bool]]:
    """People known by name and address only: Febrl 1 and 4 are their development sets
    (Febrl 2 and 3 are reported, never fitted)."""
    from tests.benchmarks.febrl import febrl

    sets = []
    for number in (1, 4):
        dev = febrl(number)
        # "rec-<person>-org" and "rec-<person>-dup-<n>": one person per number.
        sets.append((dev.leads, {lead.id: int(lead.id.split("-")[1]) for lead in dev.leads}))
    return _observe(sets, people=True)


def _observe(sets: list[tuple[list[LeadIdentity], dict[str, int]]], people: bool
             ) -> list[tuple[float, bool]]:
    observed: list[tuple[float, bool]] = []
    for leads, groups in sets:
        read = [lead.traits() for lead in leads]
        i, j = dup.candidate_pairs(read)
        columns = Columns.of(read)
        both = columns.by_name_and_address[i] & columns.by_name_and_address[j]
        # Each table is fitted on the pairs it scores.
        i, j = (i[both], j[both]) if people else (i[~both], j[~both])
        for a, b, weight in zip(i.tolist(), j.tolist(), weights(columns, i, j).tolist(),
                                strict=True):
            observed.append((weight, groups[leads[a].id] == groups[leads[b].id]))
    return observed


def matching_observations() -> list[tuple[float, bool]]:
    """The matches by name the product makes (its threshold, so that what a run learns from
    its claims is as in use), each suggestion kept however unsure."""
    observed: list[tuple[float, bool]] = []
    floor = matching.SUGGEST_FLOOR
    matching.SUGGEST_FLOOR = -1000.0
    try:
        for seed in DEV_SEEDS:
            dev = b2b.matching_set(50_000, 10_000, seed)
            accounts, leads, truth = dev.accounts, dev.leads, dev.truth
            for found in matching.AccountIndex(accounts).match(leads):
                if found.method == "name" and found.raw is not None:
                    observed.append((found.raw, found.account_id == truth[found.lead_id]))
    finally:
        matching.SUGGEST_FLOOR = floor
    return observed


def main() -> None:
    """All three tables, or only those named (``python -m tests.benchmarks.calibrate
    matching``); the others are kept as they are."""
    table: dict[str, Any] = {
        "_what": "Observed precision (percent) of claims from each raw weight of evidence up, "
                 "fitted by tests/benchmarks/calibrate.py on the development sets only."}
    kept = json.loads(OUT.read_text(encoding="utf-8")) if OUT.exists() else {}
    only = set(sys.argv[1:])
    for kind, observe in (("duplicates", duplicate_observations),
                          ("people", people_observations),
                          ("matching", matching_observations)):
        if only and kind not in only and kind in kept:
            table[kind] = kept[kind]
            continue
        observed = observe()
        points = isotonic(observed, MIN_MATCH_STEP if kind == "matching" else MIN_STEP)
        table[kind] = {"observations": len(observed), "points": points}
        print(kind, len(observed), table[kind]["points"])
    OUT.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
