"""People known only by name and address: a postal code and town that few others in the list
share says they are one person, even when a name was typed over; a place many share says
nothing more than the address itself, and a selection of rows cannot tell which is which."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from models.hygiene.duplicates import LeadIdentity, candidate_pairs, explain, find_duplicates
from models.hygiene.evidence import COMMON_PLACE, rare_place_weight, weigh
from models.hygiene.pair_weights import Columns, weights

TOWNS = ("ryde", "mosman", "bethania", "gerogery", "dutson", "yoogali", "parmelia", "killara")


def register(size: int, at_the_place: int = 0) -> list[LeadIdentity]:
    """``size`` people, each at a postal code and town of their own, and ``at_the_place``
    more of them at West Perth 3805."""
    people = [LeadIdentity(f"r{k}", f"given{k}", f"family{k}", "", None, None,
                           street=f"{k} register street", city=TOWNS[k % len(TOWNS)],
                           postal_code=str(1000 + k)) for k in range(size)]
    people += [LeadIdentity(f"w{k}", f"neighbour{k}", f"other{k}", "", None, None,
                            street=f"{k} hay street", city="west perth", postal_code="3805")
               for k in range(at_the_place)]
    return people


BLAKE = LeadIdentity("blake", "blake", "aldous", "", None, None, street="4 yambina crescent",
                     city="west perth", postal_code="3805")
# The same record typed again: another first name, a slip in the surname and in the postal
# code.
JESSICA = LeadIdentity("jessica", "jessica", "aldoud", "", None, None,
                       street="4 yambina crescent", city="west perth", postal_code="3850")


def _pairs(leads: list[LeadIdentity], involving: set[str] | None = None
           ) -> set[tuple[str, str]]:
    return {(p.first, p.second) for p in find_duplicates(leads, involving=involving)}


def test_a_postal_code_and_town_only_these_two_share_in_a_long_list_makes_one_person() -> None:
    found = find_duplicates([*register(600), BLAKE, JESSICA])
    pair = next(p for p in found if (p.first, p.second) == ("blake", "jessica"))
    assert ("rare place (2 in the list)", 100.0) in pair.reasons
    assert ("different first name", 0.0) in pair.reasons  # the evidence against still shows
    # The pair alone, with nothing to count against, is not sure enough to show.
    assert explain(BLAKE, JESSICA)[0] < 75


def test_the_same_two_in_a_suburb_many_of_the_list_share_are_left_apart() -> None:
    leads = [*register(600, at_the_place=COMMON_PLACE), BLAKE, JESSICA]
    assert ("blake", "jessica") not in _pairs(leads)


def test_a_check_at_entry_does_not_count_places_among_the_rows_it_picked() -> None:
    # The rows read for a new entry are a selection (the same surname, e-mail or phone), in
    # which any place looks rare: the entry is weighed without counting.
    assert _pairs([*register(600), BLAKE, JESSICA], involving={"jessica"}) == set()


def test_the_more_people_share_a_place_the_less_it_says() -> None:
    said = [rare_place_weight(n) for n in range(2, COMMON_PLACE + 2)]
    assert said[0] > 0
    assert all(a >= b for a, b in pairwise(said))
    assert said[-2] == said[-1] == 0


def test_places_counted_weigh_the_same_at_once_as_pair_by_pair() -> None:
    leads = [*register(600, at_the_place=5), BLAKE, JESSICA,
             LeadIdentity("slip", "jess", "aldous", "", None, None, street="4 yambina cres",
                          city="west perth", postal_code="3850")]
    read = [lead.traits() for lead in leads]
    i, j = candidate_pairs(read)
    columns = Columns.of(read)
    one_by_one = np.array([weigh(read[a], read[b], columns.shared_place(a, b)).weight
                           for a, b in zip(i, j, strict=True)])
    assert np.array_equal(weights(columns, i, j), one_by_one)
    assert (one_by_one != weights(Columns.of(read, count_places=False), i, j)).any()
