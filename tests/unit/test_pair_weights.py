"""All candidate pairs weighed at once give the very weights the pair-by-pair evidence gives:
otherwise a pair a rep should see could be sieved out before its reasons are read."""

from __future__ import annotations

from itertools import combinations

import numpy as np

from models.hygiene.duplicates import LeadIdentity, candidate_pairs
from models.hygiene.evidence import weigh
from models.hygiene.pair_weights import Columns, weights
from tests.benchmarks import b2b


def _both_ways(leads: list[LeadIdentity], every_pair: bool = False
               ) -> tuple[np.ndarray, np.ndarray]:
    read = [lead.traits() for lead in leads]
    if every_pair:
        i, j = (np.array(side) for side in zip(*combinations(range(len(read)), 2), strict=True))
    else:
        i, j = candidate_pairs(read)
    at_once = weights(Columns.of(read), i, j)
    one_by_one = np.array([weigh(read[a], read[b]).weight for a, b in zip(i, j, strict=True)])
    return at_once, one_by_one


def test_a_generated_b2b_set_weighs_the_same_at_once_as_pair_by_pair() -> None:
    at_once, one_by_one = _both_ways(b2b.duplicate_set(1_500, b2b.DEV_SEED).leads)
    assert at_once.size > 100
    assert np.array_equal(at_once, one_by_one)


def test_the_hard_cases_weigh_the_same_at_once() -> None:
    leads = [
        # One family mailbox, two first names; and the same person writing from it again.
        LeadIdentity("a", "Anna", "Miller", "Orbit Foods", "millerfamily@gmail.com",
                     "+14155550101", city="Boston", postal_code="02130", street="12 Elm St"),
        LeadIdentity("b", "Peter", "Miller", "", "millerfamily@gmail.com", "+14155550101",
                     city="Boston", postal_code="02130", street="12 Elm Street"),
        LeadIdentity("c", "Bob", "Miller", "", "MillerFamily@gmail.com", "(415) 555-0101",
                     country="US"),
        # First and last name swapped; an initial; a typo in the surname's first letter.
        LeadIdentity("d", "Santos", "Anna", "Tekmar Health", None, None, title="CTO"),
        LeadIdentity("e", "A.", "Santos", "Tekmar", "asantos@tekmar.com", None),
        LeadIdentity("f", "Anna", "Zantos", "Tekmar Health Inc.", "anna.santos@tekmar.com",
                     "+1 312 871 4132", title="Chief Technology Officer"),
        # Namesakes with no company: nothing but the name and an empty field on either side.
        LeadIdentity("g", "James", "Miller", "", None, None),
        LeadIdentity("h", "James", "Miller", "", None, "0049 30 1234567", city="Berlin"),
    ]
    at_once, one_by_one = _both_ways(leads, every_pair=True)
    assert at_once.size == 28
    assert np.array_equal(at_once, one_by_one)
