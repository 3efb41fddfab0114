"""Lead hygiene figures on labelled data: lead-to-account matching (10,000 leads against
100,000 accounts) and duplicate detection (100,000 leads), each with precision and recall.
Prints its figures as one JSON line."""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from itertools import combinations
from typing import Any

from models.hygiene.duplicates import find_duplicates
from models.hygiene.matching import DEFAULT_THRESHOLD, AccountIndex
from tests.benchmarks.labelled import duplicate_set, matching_set


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def matching_figures(accounts: int, leads: int) -> dict[str, Any]:
    labelled = matching_set(accounts, leads)
    started = time.perf_counter()
    found = AccountIndex(labelled.accounts).match(labelled.leads)
    seconds = time.perf_counter() - started
    right = made = wrong_by_name = made_by_name = 0
    for match in found:
        if match.account_id is None or match.confidence < DEFAULT_THRESHOLD:
            continue
        made += 1
        correct = match.account_id == labelled.truth[match.lead_id]
        right += correct
        if match.method == "name":
            made_by_name += 1
            wrong_by_name += not correct
    belongs = sum(1 for account in labelled.truth.values() if account is not None)
    return {"leads": leads, "accounts": accounts, "seconds": round(seconds, 2),
            "precision": _ratio(right, made), "recall": _ratio(right, belongs),
            "by_name": made_by_name, "by_name_precision": _ratio(made_by_name - wrong_by_name,
                                                                 made_by_name)}


def duplicate_figures(leads: int) -> dict[str, Any]:
    labelled = duplicate_set(leads)
    started = time.perf_counter()
    pairs = find_duplicates(labelled.leads)
    seconds = time.perf_counter() - started
    groups = labelled.groups
    found = {(pair.first, pair.second) for pair in pairs}
    members: dict[int, list[str]] = defaultdict(list)
    for lead_id, person in groups.items():
        members[person].append(lead_id)
    truth = {tuple(sorted(pair)) for ids in members.values() for pair in combinations(ids, 2)}
    right = sum(1 for first, second in found if groups[first] == groups[second])
    return {"leads": leads, "seconds": round(seconds, 2), "pairs": len(found),
            "true_pairs": len(truth), "precision": _ratio(right, len(found)),
            "recall": _ratio(len(truth & found), len(truth))}


if __name__ == "__main__":
    accounts, leads, dup_leads = (int(arg) for arg in sys.argv[1:4])
    print(json.dumps({"matching": matching_figures(accounts, leads),
                      "duplicates": duplicate_figures(dup_leads)}))
