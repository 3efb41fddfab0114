"""Record-linkage peers run on the very records RepDesk's duplicate finder gets: recordlinkage
(blocking, field comparisons, the unsupervised ECM classifier) and splink (Fellegi-Sunter,
trained by EM on DuckDB), each with its usual set-up and no tuning to the data. Both come from
the ``bench`` extra; the fields they see are the fields RepDesk sees."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from models.hygiene.duplicates import LeadIdentity
from models.hygiene.evidence import mailbox, phone_key
from models.hygiene.standardise import company_key, fold

FIELDS = ("first_name", "last_name", "company", "email", "phone", "title", "street", "city",
          "postal_code")


def _frame(leads: Sequence[LeadIdentity]) -> Any:
    """The records as both peers take them: folded text, empty values as missing."""
    import pandas as pd

    def text(value: str | None) -> str | None:
        folded = fold(value or "")
        return folded or None

    rows = []
    for lead in leads:
        phone = phone_key(lead.phone, lead.country)
        rows.append({
            "unique_id": lead.id, "first_name": text(lead.first_name),
            "last_name": text(lead.last_name), "company": company_key(lead.company) or None,
            "email": mailbox(lead.email) or None, "phone": phone[1] if phone else None,
            "title": text(lead.title), "street": text(lead.street), "city": text(lead.city),
            "postal_code": text(lead.postal_code)})
    frame = pd.DataFrame(rows)
    # Fields no record has would only confuse the peers' models (Febrl has no company).
    used = [f for f in FIELDS if frame[f].notna().any()]
    return frame[["unique_id", *used]]


def recordlinkage_pairs(leads: Sequence[LeadIdentity]) -> tuple[set[tuple[str, str]], float]:
    import recordlinkage as rl

    started = time.perf_counter()
    frame = _frame(leads).set_index("unique_id")
    fields = list(frame.columns)
    index = rl.Index()
    index.block("last_name")
    for key in ("email", "phone"):
        if key in fields:
            index.block(key)
    if "company" not in fields:  # at work, a postal code is a whole office's
        index.block("postal_code")
    index.sortedneighbourhood("last_name", window=5)
    candidates = index.index(frame)
    compare = rl.Compare()
    for field in ("first_name", "last_name", "street", "company", "title"):
        if field in fields:
            compare.string(field, field, method="jarowinkler", threshold=0.85, label=field)
    for field in ("email", "phone", "city", "postal_code"):
        if field in fields:
            compare.exact(field, field, label=field)
    features = compare.compute(candidates, frame)
    matches = rl.ECMClassifier(binarize=None).fit_predict(features)
    seconds = time.perf_counter() - started
    return {tuple(sorted(pair)) for pair in matches.tolist()}, seconds  # type: ignore[misc]


def splink_pairs(leads: Sequence[LeadIdentity]) -> tuple[set[tuple[str, str]], float]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    started = time.perf_counter()
    frame = _frame(leads)
    fields = set(frame.columns)
    comparisons = [cl.NameComparison("first_name"), cl.NameComparison("last_name")]
    comparisons += [cl.JaroWinklerAtThresholds(f, [0.9, 0.8]) for f in
                    ("company", "street", "title") if f in fields]
    comparisons += [cl.ExactMatch(f) for f in ("email", "phone", "city") if f in fields]
    if "postal_code" in fields:
        comparisons.append(cl.PostcodeComparison("postal_code")
                           if "company" in fields else cl.ExactMatch("postal_code"))
    blocking = [block_on("last_name"), block_on("first_name", "city")]
    blocking += [block_on(f) for f in ("email", "phone") if f in fields]
    if "company" not in fields:  # at work, a postal code is a whole office's
        blocking.append(block_on("postal_code"))
    settings = SettingsCreator(link_type="dedupe_only", comparisons=comparisons,
                               blocking_rules_to_generate_predictions=blocking,
                               retain_intermediate_calculation_columns=False)
    linker = Linker(frame, settings, db_api=DuckDBAPI())
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("first_name", "last_name")], recall=0.7)
    training.estimate_u_using_random_sampling(max_pairs=1e6)
    training.estimate_parameters_using_expectation_maximisation(block_on("last_name"))
    training.estimate_parameters_using_expectation_maximisation(block_on("first_name"))
    predicted = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    seconds = time.perf_counter() - started
    return {tuple(sorted((str(a), str(b))))  # type: ignore[misc]
            for a, b in zip(predicted["unique_id_l"], predicted["unique_id_r"], strict=True)}, \
        seconds
