"""Finding duplicate leads: candidates from cheap blocking keys, each pair weighed field by
field (models.hygiene.evidence) and given a calibrated confidence, with the evidence for and
against it."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from models.hygiene.calibration import confidence, confidences
from models.hygiene.evidence import (
    Traits,
    Weighing,
    by_name_and_address,
    first_name_family,
    mailbox,
    traits,
    weigh,
)
from models.hygiene.pair_weights import Columns, Ints, weights
from models.hygiene.standardise import fold

__all__ = [
    "DEFAULT_THRESHOLD",
    "DuplicatePair",
    "LeadIdentity",
    "candidate_pairs",
    "candidates",
    "explain",
    "find_duplicates",
    "mailbox",
    "soundex",
]

MAX_BLOCK = 50
# A pair is shown as a suspected duplicate when at least this share of such pairs were one
# person (calibrated). Nothing is merged without the rep's key, so three in four is worth a
# look: the same name at the same company with nothing else in common is about that sure
# (79 % on the development sets), and a rep typing in a lead that is there should be told.
DEFAULT_THRESHOLD = 75.0


@dataclass(frozen=True)
class LeadIdentity:
    id: str
    first_name: str | None
    last_name: str
    company: str
    email: str | None
    phone: str | None
    # "lead", or "contact" for a person already known at an account: a lead can duplicate
    # a contact, but contacts among themselves are the account team's business.
    kind: str = "lead"
    title: str | None = None
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    # ISO 3166 code: national phone numbers are read in it.
    country: str | None = None

    def traits(self) -> Traits:
        return traits(self.first_name, self.last_name, self.company, self.email, self.phone,
                      self.country, self.title, self.street, self.city, self.postal_code)


@dataclass(frozen=True)
class DuplicatePair:
    first: str
    second: str
    score: float
    # (field, how well it agreed 0–100), the strongest evidence first; then the evidence
    # against as ("different <field>", 0).
    reasons: tuple[tuple[str, float], ...]


_SOUNDEX = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"),
            **dict.fromkeys("dt", "3"), "l": "4", **dict.fromkeys("mn", "5"), "r": "6"}


def soundex(word: str) -> str:
    """A phonetic key, so "Meyer" and "Maier" land in the same block."""
    word = fold(word).replace(" ", "")
    if not word:
        return ""
    key, previous = word[0], _SOUNDEX.get(word[0], "")
    for letter in word[1:]:
        code = _SOUNDEX.get(letter, "")
        if code and code != previous:
            key += code
        if letter not in "hw":
            previous = code
    return (key + "000")[:4]


def _blocks(person: Traits) -> Iterable[str]:
    """Keys that put records worth comparing side by side. Several, so that a typo in the
    surname (even its first letter) still meets the other record through another key."""
    first = first_name_family(person.first) if person.first else ""
    sound = soundex(person.last)
    if person.mailbox:
        yield "e:" + person.mailbox
    if person.phone is not None and len(person.phone[1]) >= 6:
        yield "p:" + person.phone[1]
    if person.domain:
        yield f"d:{person.domain}:{person.last}"
        if first:
            yield f"D:{person.domain}:{first}"
    yield f"n:{sound}:{person.first[:1]}:{person.company[:4]}"
    if person.company and first:
        yield f"f:{first}:{person.company}"
    if person.postal:
        yield f"a:{person.postal}:{sound}"
        if first:
            yield f"A:{person.postal}:{first}"
    # The whole name, in either order (first and last name typed into each other's field).
    yield "s:" + ":".join(sorted((first, person.last)))
    if by_name_and_address(person):
        # People known only by name and address (no company, e-mail or phone): the
        # address has to find them, typos in the names and all.
        if person.street:
            # The street without its number: a number is often left out or mistyped.
            name = person.street.lstrip("0123456789")
            yield "t:" + name
            number = person.street[:len(person.street) - len(name)]
            if number and person.city:
                # ...or the house number and the town's first letters, for a typo in the
                # street's name (and in the rest of the town's).
                yield f"T:{number}:{person.city[:3]}"
        if person.postal:
            yield f"P:{person.postal}"
        if person.city:
            yield f"C:{person.city}:{sound}"
            if first:
                yield f"c:{person.city}:{first}"


def _reasons(weighing_agree: list[tuple[str, float]], against: list[str]
             ) -> tuple[tuple[str, float], ...]:
    agree = dict(weighing_agree)
    if "first name" in agree and "surname" in agree:
        agree["name"] = min(agree.pop("first name"), agree.pop("surname"))
    ordered = sorted(agree.items(), key=lambda reason: -reason[1])
    return tuple((name, round(value, 1)) for name, value in ordered) + tuple(
        (f"different {name}", 0.0) for name in dict.fromkeys(against))


def _score(a: Traits, b: Traits, weighing: Weighing) -> float:
    # Records with a company, an e-mail or a phone have their own table; people known only by
    # name and address (as in public person registers) theirs.
    kind = "people" if by_name_and_address(a) and by_name_and_address(b) else "duplicates"
    return confidence(kind, weighing.weight)


def _explain(a: Traits, b: Traits) -> tuple[float, tuple[tuple[str, float], ...]]:
    # One pair alone: how rare its place is cannot be told.
    weighing = weigh(a, b)
    return _score(a, b, weighing), _reasons(weighing.agree, weighing.against)


def explain(a: LeadIdentity, b: LeadIdentity) -> tuple[float, tuple[tuple[str, float], ...]]:
    """The confidence (0–100: the share of such pairs that were one person) that ``a`` and
    ``b`` are the same person, and the evidence for and against."""
    return _explain(a.traits(), b.traits())


def candidate_pairs(read: Sequence[Traits]) -> tuple[Ints, Ints]:
    """The index pairs (i < j) of records sharing a blocking key, blocks too big to say much
    left out: the only pairs worth weighing. Keys are numbered, and the pairs within each block
    are laid out as arrays, one block size at a time."""
    keys: list[int] = []
    owners: list[int] = []
    for index, person in enumerate(read):
        # A key's hash stands for it: two keys sharing one (rare) only add pairs to weigh.
        for block in _blocks(person):
            keys.append(hash(block))
            owners.append(index)
    key, owner = np.array(keys, dtype=np.int64), np.array(owners, dtype=np.int64)
    order = np.lexsort((owner, key))
    key, owner = key[order], owner[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if key.size else key
    sizes = np.diff(np.r_[starts, key.size])
    size_of_all = max(len(read), 1)
    found = [np.zeros(0, dtype=np.int64)]
    for size in range(2, MAX_BLOCK + 1):
        at = starts[sizes == size]
        if at.size:
            members = owner[at[:, None] + np.arange(size)]
            first, second = np.triu_indices(size, 1)
            found.append(members[:, first].ravel() * size_of_all + members[:, second].ravel())
    pairs = np.sort(np.concatenate(found))
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if pairs.size else pairs
    i, j = pairs // size_of_all, pairs % size_of_all
    keep = i < j
    return i[keep], j[keep]


def candidates(read: Sequence[Traits]) -> set[tuple[int, int]]:
    """``candidate_pairs`` as a set of index pairs."""
    i, j = candidate_pairs(read)
    return set(zip(i.tolist(), j.tolist(), strict=True))


def find_duplicates(leads: Sequence[LeadIdentity], threshold: float = DEFAULT_THRESHOLD,
                    involving: Collection[str] | None = None) -> list[DuplicatePair]:
    """Pairs scoring at least ``threshold``, the most certain first; with ``involving``, only
    the pairs with at least one of those ids (new rows checked against what is there).

    How rare a place is counts only when ``leads`` is the whole list: rows picked for a
    check at entry (``involving``) are a selection, in which every place looks rare."""
    read = [lead.traits() for lead in leads]
    i, j = candidate_pairs(read)
    contact = np.array([lead.kind == "contact" for lead in leads], dtype=np.bool_)
    keep = ~(contact[i] & contact[j])
    if involving is not None:
        new = np.array([lead.id in involving for lead in leads], dtype=np.bool_)
        keep &= new[i] | new[j]
    i, j = i[keep], j[keep]
    # All pairs weighed at once; only those that may be shown are weighed again one by one,
    # for their reasons (the margin only guards against rounding).
    columns = Columns.of(read, count_places=involving is None)
    people = columns.by_name_and_address[i] & columns.by_name_and_address[j]
    raw = weights(columns, i, j) + 0.01
    likely = np.where(people, confidences("people", raw), confidences("duplicates", raw))
    pairs = []
    for k in np.flatnonzero(likely >= threshold):
        a, b = int(i[k]), int(j[k])
        weighing = weigh(read[a], read[b], columns.shared_place(a, b))
        score = _score(read[a], read[b], weighing)
        if score >= threshold:
            first, second = sorted((leads[a].id, leads[b].id))
            pairs.append(DuplicatePair(first, second, score,
                                       _reasons(weighing.agree, weighing.against)))
    return sorted(pairs, key=lambda p: (-p.score, p.first, p.second))
