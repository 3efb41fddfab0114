"""Lead hygiene figures on labelled data, beside record-linkage peers run on the same records in
the same run: duplicates and account matching on the independent B2B set (tests.benchmarks.b2b,
held-out seed unless --dev), the public Febrl 1-3 sets, and the project's own generator; each
with precision, recall, F1, seconds and the confidence bins. Prints its figures as one JSON
line."""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

from models.hygiene.duplicates import DEFAULT_THRESHOLD as DEFAULT_DUPLICATE_THRESHOLD
from models.hygiene.duplicates import LeadIdentity, find_duplicates
from models.hygiene.matching import DEFAULT_THRESHOLD, SUGGEST_FLOOR, AccountIndex
from tests.benchmarks import b2b
from tests.benchmarks.labelled import duplicate_set, matching_set

Pairs = set[tuple[str, str]]


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def _quality(found: Pairs, truth: Pairs) -> dict[str, float]:
    right = len(found & truth)
    precision, recall = _ratio(right, len(found)), _ratio(right, len(truth))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs": len(found), "true_pairs": len(truth), "precision": precision,
            "recall": recall, "f1": round(f1, 4)}


def _truth(groups: dict[str, int]) -> Pairs:
    members: dict[int, list[str]] = defaultdict(list)
    for lead_id, person in groups.items():
        members[person].append(lead_id)
    return {(a, b) if a < b else (b, a) for ids in members.values()
            for a, b in combinations(ids, 2)}


def _timed(run: Callable[[], Any]) -> tuple[Any, float, float]:
    """What ``run`` returns, its wall seconds and the CPU seconds of this process (all its
    threads) meanwhile: on a machine shared with others, wall time alone overstates."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _bins(scored: list[tuple[float, bool]], edges: Sequence[float]) -> list[dict[str, Any]]:
    """Observed precision of the claims in each confidence bin."""
    rows = []
    for low, high in pairwise(edges):
        inside = [right for score, right in scored if low <= score < high]
        rows.append({"bin": f"{low:.0f}-{high:.0f}", "count": len(inside),
                     "observed": _ratio(sum(inside), len(inside))})
    return rows


def duplicates_with_peers(name: str, leads: Sequence[LeadIdentity], truth: Pairs,
                          peers: bool) -> dict[str, Any]:
    pairs, seconds, cpu = _timed(lambda: find_duplicates(leads))
    found = {(p.first, p.second) for p in pairs}
    figures: dict[str, Any] = {"set": name, "leads": len(leads), "repdesk": {
        **_quality(found, truth), "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
        "bins": _bins([(p.score, (p.first, p.second) in truth) for p in pairs],
                      (DEFAULT_DUPLICATE_THRESHOLD, 80, 85, 90, 95, 99, 100.1))}}
    if peers:
        from tests.benchmarks.peers import recordlinkage_pairs, splink_pairs

        runners: dict[str, Callable[[Sequence[LeadIdentity]], tuple[Pairs, float]]] = {
            "recordlinkage": recordlinkage_pairs, "splink": splink_pairs}
        for peer, run in runners.items():
            try:
                their, their_seconds = run(leads)
            except Exception as error:  # a peer that cannot run here is reported, not fatal
                figures[peer] = {"error": f"{type(error).__name__}: {error}"[:300]}
                continue
            figures[peer] = {**_quality(their, truth), "seconds": round(their_seconds, 2),
                             "time_ratio": round(their_seconds / max(seconds, 1e-6), 1)}
    return figures


def b2b_matching(accounts: int, leads: int, seed: int) -> dict[str, Any]:
    labelled = b2b.matching_set(accounts, leads, seed)
    found, seconds, cpu = _timed(lambda: AccountIndex(labelled.accounts).match(labelled.leads))
    claims, suggestions = [], []
    wrong_kinds: dict[str, int] = defaultdict(int)
    for match in found:
        if match.account_id is None:
            continue
        right = match.account_id == labelled.truth[match.lead_id]
        if match.confidence < DEFAULT_THRESHOLD:
            suggestions.append((match.confidence, right))
            continue
        claims.append((match.confidence, right))
        if not right:
            wrong_kinds[labelled.kinds[match.lead_id]] += 1
    belongs = sum(1 for account in labelled.truth.values() if account is not None)
    right = sum(1 for _, ok in claims if ok)
    suggested_right = sum(1 for _, ok in suggestions if ok)
    return {"leads": leads, "accounts": accounts, "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2),
            "precision": _ratio(right, len(claims)), "recall": _ratio(right, belongs),
            "recall_with_suggestions": _ratio(right + suggested_right, belongs),
            "claims": len(claims), "suggestions": len(suggestions),
            "bins": _bins(claims + suggestions, (SUGGEST_FLOOR, 50, 60, 70, 80, 90, 95, 100.1)),
            "wrong_claims_by_kind": dict(wrong_kinds)}


def own_generator(accounts: int, leads: int, dup_leads: int) -> dict[str, Any]:
    labelled = matching_set(accounts, leads)
    started = time.perf_counter()
    found = AccountIndex(labelled.accounts).match(labelled.leads)
    seconds = time.perf_counter() - started
    made = [m for m in found if m.account_id and m.confidence >= DEFAULT_THRESHOLD]
    right = sum(1 for m in made if m.account_id == labelled.truth[m.lead_id])
    belongs = sum(1 for account in labelled.truth.values() if account is not None)
    duplicates = duplicate_set(dup_leads)
    return {"matching": {"leads": leads, "accounts": accounts, "seconds": round(seconds, 2),
                         "precision": _ratio(right, len(made)),
                         "recall": _ratio(right, belongs)},
            "duplicates": duplicates_with_peers("project generator", duplicates.leads,
                                                _truth(duplicates.groups), peers=False)}


def entry_check_ms(leads: int) -> dict[str, Any]:
    """One new lead checked at entry against a store of ``leads`` demo leads (median of 15)."""
    from models.demo.load import load_demo_data
    from models.hygiene.entry import known_duplicates
    from models.store import Lead
    from models.store.open import open_store

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp))
        load_demo_data(store.engine, leads, max(1000, leads // 20), seed=77,
                       now=datetime(2026, 11, 2, 15, tzinfo=UTC))
        with store.sessions() as session:
            sample = session.query(Lead).limit(15).all()
            entries = [LeadIdentity("new", lead.first_name, lead.last_name, lead.company,
                                    lead.email, lead.phone, title=lead.title, city=lead.city,
                                    postal_code=lead.postal_code, country=lead.country)
                       for lead in sample]
        times, hits = [], 0
        for entry in entries:
            with store.sessions() as session:
                started = time.perf_counter()
                found = known_duplicates(session, [entry])
                times.append((time.perf_counter() - started) * 1000)
                hits += bool(found.get("new"))
        store.close()
    return {"leads": leads, "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1), "found_itself": hits, "checked": len(entries)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev", action="store_true", help="the tuning seed, not the held-out")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--quick", action="store_true", help="quality only, no speed runs")
    args = parser.parse_args()
    seed = b2b.DEV_SEED if args.dev else b2b.HELD_OUT + 1
    peers = not args.no_peers
    figures: dict[str, Any] = {"seed": seed}
    small = b2b.duplicate_set(20_000, seed)
    figures["b2b_duplicates"] = duplicates_with_peers("B2B", small.leads, _truth(small.groups),
                                                      peers)
    figures["b2b_matching"] = b2b_matching(50_000, 10_000, seed)
    from tests.benchmarks.febrl import febrl

    figures["febrl"] = [duplicates_with_peers(s.name, s.leads, s.truth, peers)
                        for s in map(febrl, (1, 2, 3))]
    if not args.quick:
        big = b2b.duplicate_set(100_000, seed)
        figures["b2b_duplicates_100k"] = duplicates_with_peers(
            "B2B 100k", big.leads, _truth(big.groups), peers=False)
        figures["b2b_matching_100k"] = b2b_matching(100_000, 10_000, seed)
        figures["entry_check"] = entry_check_ms(100_000)
        figures["own"] = own_generator(100_000, 10_000, 100_000)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
