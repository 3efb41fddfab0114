"""The weight of evidence of many candidate pairs at once, column by column.

``evidence.weigh`` reads one pair and says why; on 100,000 leads there are close to a million
candidate pairs, and nearly all of them are plainly two people. Here every record's fields are
turned into integer codes once, exact agreements are compared as arrays, and the fuzzy ones
(rapidfuzz ``cpdist``, pair by pair in C) only where the fields differ. The sums are the same
weights ``weigh`` gives (a unit test holds them equal), so only the pairs that can be shown are
weighed again one by one for their reasons."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler

from models.hygiene.evidence import (
    COMMON_PLACE,
    MIN_LIST_FOR_RARITY,
    Traits,
    by_name_and_address,
    first_relation,
    place,
    rare_place_weight,
)

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Flags = NDArray[np.bool_]


def _codes(values: Sequence[object]) -> Ints:
    """One integer per distinct value, 0 for an empty one (empty values never agree)."""
    seen: dict[object, int] = {"": 0, None: 0}
    return np.fromiter((seen.setdefault(value, len(seen)) for value in values),
                       dtype=np.int64, count=len(values))


@dataclass(frozen=True)
class Columns:
    """The records' fields as arrays: codes for comparing, strings for fuzzy comparison."""

    first: Ints
    last: Ints
    mailbox: Ints
    free_mail: Flags
    domain: Ints
    has_phone: Flags
    phone_code: Ints  # -1: no calling code known
    phone_number: Ints
    company: Ints
    title: Ints
    title_kind: Ints  # level and function
    street: Ints
    city: Ints
    postal: Ints
    by_name_and_address: Flags
    # The fields as text, for the fuzzy comparisons; and each company's first word.
    text: dict[str, NDArray[np.object_]]
    company_word: Ints
    # How many records of the list are at each record's postal code and town (0: not
    # counted, or no such place).
    place_shared: Ints

    @classmethod
    def of(cls, read: Sequence[Traits], count_places: bool = True) -> Columns:
        """``count_places``: the records are a whole list, in which a place's count says
        how rare it is (lists smaller than ``MIN_LIST_FOR_RARITY`` are never counted)."""
        def flags(values: Sequence[bool]) -> Flags:
            return np.array(values, dtype=np.bool_)

        places = [place(p) for p in read]
        counted = Counter(places) if count_places and len(read) >= MIN_LIST_FOR_RARITY \
            else Counter()
        counted.pop(None, None)

        phones = [p.phone for p in read]
        return cls(
            first=_codes([p.first for p in read]),
            last=_codes([p.last for p in read]), mailbox=_codes([p.mailbox for p in read]),
            free_mail=flags([p.free_mail for p in read]),
            domain=_codes([p.domain for p in read]),
            has_phone=flags([p is not None for p in phones]),
            phone_code=np.array([-1 if p is None or p[0] is None else p[0] for p in phones],
                                dtype=np.int64),
            phone_number=_codes([None if p is None else ("#", p[1]) for p in phones]),
            company=_codes([p.company for p in read]),
            title=_codes([None if p.title is None else p.title[0] for p in read]),
            title_kind=_codes([None if p.title is None else p.title[1:] for p in read]),
            street=_codes([p.street for p in read]), city=_codes([p.city for p in read]),
            postal=_codes([p.postal for p in read]),
            by_name_and_address=flags([by_name_and_address(p) for p in read]),
            text={name: np.array([getattr(p, name) for p in read] or [""], dtype=np.object_)
                  for name in ("first", "last", "company", "street", "city", "postal")},
            company_word=_codes([p.company.split(" ", 1)[0] for p in read]),
            place_shared=np.fromiter((counted.get(key, 0) for key in places), dtype=np.int64,
                                     count=len(read)))

    def shared_place(self, a: int, b: int) -> int:
        """The larger count of records at records ``a``'s and ``b``'s places (``weigh``'s
        ``shared_place``)."""
        return int(max(self.place_shared[a], self.place_shared[b]))


# Fewer pairs than this are compared on one core: starting threads would cost more (the
# few hundred pairs of a check at entry).
SPLIT_FROM = 20_000


def _paired(scorer: Any, c: Columns, name: str, i: Ints, j: Ints,
            other: str | None = None) -> Floats:
    """``scorer`` over the pairs' fields, element by element in C, on every core
    when there are many."""
    if i.size == 0:
        return np.zeros(0)
    found = process.cpdist(c.text[name][i].tolist(), c.text[other or name][j].tolist(),
                           scorer=scorer, dtype=np.float64,
                           workers=-1 if i.size >= SPLIT_FROM else 1)
    return np.asarray(found, dtype=np.float64)


def _lengths(c: Columns, name: str, rows: Ints) -> Ints:
    return np.fromiter(map(len, c.text[name][rows]), dtype=np.int64, count=rows.size)


def _first_names(c: Columns, i: Ints, j: Ints) -> tuple[Floats, Flags]:
    """The first names' weight and whether they are different names, each distinct pair of
    names worked out once (first names are few)."""
    weight, different = np.zeros(i.size), np.zeros(i.size, dtype=np.bool_)
    rows = np.flatnonzero((c.first[i] != 0) & (c.first[j] != 0))
    if rows.size:
        pair = c.first[i[rows]] * (int(c.first.max()) + 1) + c.first[j[rows]]
        _, at, back = np.unique(pair, return_index=True, return_inverse=True)
        firsts = c.text["first"]
        known = [first_relation(firsts[i[rows[k]]], firsts[j[rows[k]]]) for k in at]
        weight[rows] = np.array([w for _, _, w in known])[back.reshape(-1)]
        different[rows] = np.array([kind == "different" for kind, _, _ in known])[
            back.reshape(-1)]
    return weight, different


def weights(columns: Columns, i: Ints, j: Ints) -> Floats:
    """The weight ``evidence.weigh`` gives each pair (i[k], j[k])."""
    c = columns
    total = np.zeros(i.size)
    first_weight, different = _first_names(c, i, j)
    # First and last name typed into each other's field (then no first or surname weight).
    swapped = np.zeros(i.size, dtype=np.bool_)
    maybe = np.flatnonzero(different & (c.last[i] != 0) & (c.last[j] != 0))
    if maybe.size:
        ii, jj = i[maybe], j[maybe]
        one = _paired(OSA.distance, c, "first", ii, jj, "last") <= 1
        two = _paired(OSA.distance, c, "last", ii, jj, "first") <= 1
        initials = (_lengths(c, "first", ii) == 1) | (_lengths(c, "first", jj) == 1)
        swapped[maybe] = one & two & ~initials
    total += np.where(swapped, 6.0, first_weight)
    compatible = ~different | swapped
    total += np.where(swapped, 0.0, _surnames(c, i, j))
    total += _mail(c, i, j, compatible)
    total += _phone(c, i, j, compatible)
    total += _where(c, i, j, compatible)
    total += _titles(c, i, j)
    total += _rare_place(c, i, j)
    return total


def _rare_place(c: Columns, i: Ints, j: Ints) -> Floats:
    """For: people known by name and address at one postal code and town (one slip allowed)
    that few others in the list share (``evidence.rare_place_weight``)."""
    weight = np.zeros(i.size)
    if not c.place_shared.any():  # not counted: a check at entry, a short list
        return weight
    shared = np.maximum(c.place_shared[i], c.place_shared[j])
    rows = np.flatnonzero((shared > 0) & (shared < COMMON_PLACE) & c.by_name_and_address[i]
                          & c.by_name_and_address[j] & (c.postal[i] != 0) & (c.postal[j] != 0)
                          & (c.city[i] != 0) & (c.city[j] != 0))
    if not rows.size:
        return weight
    ii, jj = i[rows], j[rows]
    same_postal = c.postal[ii] == c.postal[jj]
    same_city = c.city[ii] == c.city[jj]
    near = same_postal & same_city
    look = np.flatnonzero(same_postal & ~same_city)
    if look.size:
        near[look] = _paired(fuzz.ratio, c, "city", ii[look], jj[look]) >= 85
    look = np.flatnonzero(~same_postal & same_city)
    if look.size:
        near[look] = _paired(OSA.distance, c, "postal", ii[look], jj[look]) <= 1
    by_count = np.array([rare_place_weight(n) for n in range(COMMON_PLACE)])
    weight[rows] = np.where(near, by_count[shared[rows]], 0.0)
    return weight


def _surnames(c: Columns, i: Ints, j: Ints) -> Floats:
    weight = np.zeros(i.size)
    both = (c.last[i] != 0) & (c.last[j] != 0)
    weight[both & (c.last[i] == c.last[j])] = 4.0
    rows = np.flatnonzero(both & (c.last[i] != c.last[j]))
    if rows.size:
        ii, jj = i[rows], j[rows]
        edits = _paired(OSA.distance, c, "last", ii, jj)
        shortest = np.minimum(_lengths(c, "last", ii), _lengths(c, "last", jj))
        alike = _paired(JaroWinkler.similarity, c, "last", ii, jj)
        weight[rows] = np.select(
            [edits <= 1, (edits == 2) & (shortest >= 6), alike >= 0.85, alike >= 0.7],
            [2.5, 1.0, 0.0, -2.5], -5.0)
    return weight


def _mail(c: Columns, i: Ints, j: Ints, compatible: Flags) -> Floats:
    same_box = (c.mailbox[i] != 0) & (c.mailbox[i] == c.mailbox[j])
    box = np.where(compatible, np.where(c.free_mail[i], 3.0, 6.0), -6.0)
    both_domains = (c.domain[i] != 0) & (c.domain[j] != 0)
    domain = np.where(both_domains, np.where(c.domain[i] == c.domain[j], 1.0, -2.0), 0.0)
    return np.where(same_box, box, domain)


def _phone(c: Columns, i: Ints, j: Ints, compatible: Flags) -> Floats:
    both = c.has_phone[i] & c.has_phone[j]
    code_i, code_j = c.phone_code[i], c.phone_code[j]
    same = (c.phone_number[i] == c.phone_number[j]) & (
        (code_i == -1) | (code_j == -1) | (code_i == code_j))
    return np.where(both, np.where(same, np.where(compatible, 5.0, 0.0), -2.5), 0.0)


def _company_similarity(c: Columns, i: Ints, j: Ints, rows: Ints) -> Floats:
    ii, jj = i[rows], j[rows]
    similar = np.maximum(_paired(fuzz.ratio, c, "company", ii, jj),
                         _paired(fuzz.token_sort_ratio, c, "company", ii, jj))
    # "Cedar" for "Cedar Health": the name people say (the first word the same, at least).
    companies = c.text["company"]
    for k in np.flatnonzero((similar < 90) & (c.company_word[ii] == c.company_word[jj])):
        shorter, longer = sorted((companies[ii[k]].split(), companies[jj[k]].split()), key=len)
        if longer[:len(shorter)] == shorter:
            similar[k] = 90.0
    return similar


def _where(c: Columns, i: Ints, j: Ints, compatible: Flags) -> Floats:
    known_company = (c.company[i] != 0) & (c.company[j] != 0)
    similar = np.where(known_company, 100.0, 0.0)
    rows = np.flatnonzero(known_company & (c.company[i] != c.company[j]))
    if rows.size:
        similar[rows] = _company_similarity(c, i, j, rows)
    company = np.where(known_company, np.select(
        [similar >= 95, similar >= 85, similar < 70], [2.0, 1.0, -1.5], 0.0), 0.0)
    # The address: (weight for, weight against) of postal code, street and city.
    agree = np.zeros(i.size)
    disagree = np.zeros(i.size)
    both = (c.postal[i] != 0) & (c.postal[j] != 0)
    same = both & (c.postal[i] == c.postal[j])
    agree += np.where(same, np.where(known_company, 1.5, 2.0), 0.0)
    rows = np.flatnonzero(both & ~same)
    postal_far = np.zeros(i.size, dtype=np.bool_)
    if rows.size:
        far = _paired(OSA.distance, c, "postal", i[rows], j[rows]) > 1
        disagree[rows[far]] -= 1.0
        postal_far[rows[far]] = True
    both_cities = (c.city[i] != 0) & (c.city[j] != 0)
    city = np.full(i.size, 100.0)
    rows = np.flatnonzero(both_cities & (c.city[i] != c.city[j]))
    if rows.size:
        city[rows] = _paired(fuzz.ratio, c, "city", i[rows], j[rows])
    both = (c.street[i] != 0) & (c.street[j] != 0)
    street = np.full(i.size, 100.0)
    rows = np.flatnonzero(both & (c.street[i] != c.street[j]))
    if rows.size:
        street[rows] = _paired(fuzz.ratio, c, "street", i[rows], j[rows])
    # One street name in another postal code and another town: most likely another street.
    elsewhere = ~known_company & postal_far & both_cities & (city < 85)
    agree += np.where(both & (street >= 85), np.where(
        known_company, 2.0, np.where(compatible, 8.0, 6.0)) / np.where(elsewhere, 2.0, 1.0),
        0.0)
    disagree += np.where(both & (street < 60), -1.0, 0.0)
    agree += np.where(both_cities & (city >= 85),
                      np.where((city == 100) & ~known_company, 1.0, 0.5), 0.0)
    disagree += np.where(both_cities & (city < 85), -1.0, 0.0)
    # Colleagues share an address: with the companies agreeing it only counts against, halved.
    return np.where(company > 0, company + disagree / 2,
                    np.minimum(company, 0.0) + agree + disagree)


def _titles(c: Columns, i: Ints, j: Ints) -> Floats:
    both = (c.title_kind[i] != 0) & (c.title_kind[j] != 0)
    return np.where(both, np.select(
        [(c.title[i] == c.title[j]), (c.title_kind[i] == c.title_kind[j])], [1.5, 0.5], -3.0),
        0.0)
