"""Lead-to-account matching: the e-mail domain first (free mail ignored), then the company name,
compared over normalised names with rapidfuzz's vectorised ``cdist`` on both cores. Every match
carries a confidence and the reasons a rep reads in the lead panel."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from rapidfuzz import fuzz, process

from models.hygiene.standardise import company_key, email_domain

DEFAULT_THRESHOLD = 90.0
# Names scoring below this are not even candidates; between the suggest floor and the
# threshold a match is shown as "low confidence" for the rep to confirm in the clean-up block.
CANDIDATE_CUTOFF = 80
# Below this, a name is too far off even to suggest: the lead counts as without an account.
SUGGEST_FLOOR = 85.0
# A runner-up with a different name this close makes the best match less certain.
AMBIGUITY_GAP = 8.0
CHUNK = 1024
# Named accounts first, then customers, partners, prospects: who a lead most likely belongs to
# when two accounts fit equally well.
KIND_RANK = {"customer": 1, "partner": 2, "prospect": 3, "competitor": 3}


@dataclass(frozen=True)
class AccountFacts:
    id: str
    name: str
    domain: str | None
    kind: str
    is_named: bool = False
    employees: int | None = None
    last_activity_at: datetime | None = None


@dataclass(frozen=True)
class LeadCompany:
    id: str
    company: str
    email: str | None


@dataclass(frozen=True)
class AccountMatch:
    lead_id: str
    account_id: str | None
    confidence: float
    method: str  # "domain", "name" or "none"
    reasons: tuple[str, ...]


def _tie_break(account: AccountFacts) -> tuple[int, int, int, float]:
    activity = account.last_activity_at.timestamp() if account.last_activity_at else 0.0
    return (0 if account.is_named else 1, KIND_RANK.get(account.kind, 4),
            -(account.employees or 0), -activity)


def _describe(account: AccountFacts) -> str:
    kind = "named account" if account.is_named else account.kind
    return f"{account.name} ({kind})"


def _squeeze(key: str) -> str:
    return key.replace(" ", "")


def _sorted_words(key: str) -> str:
    return " ".join(sorted(key.split()))


class AccountIndex:
    """Every account, prepared once for matching many leads."""

    def __init__(self, accounts: Sequence[AccountFacts]) -> None:
        self.accounts = list(accounts)
        self._by_domain: dict[str, list[int]] = defaultdict(list)
        for index, account in enumerate(self.accounts):
            if account.domain:
                self._by_domain[_bare(account.domain)].append(index)
        self._keys = [company_key(account.name) for account in self.accounts]
        self._squeezed = [_squeeze(key) for key in self._keys]
        self._sorted = [_sorted_words(key) for key in self._keys]
        self._workers = -1

    def match(self, leads: Sequence[LeadCompany], threshold: float = DEFAULT_THRESHOLD,
              workers: int = -1) -> list[AccountMatch]:
        """One match per lead, in the leads' order; ``account_id`` is None when nothing fits.
        ``workers``: the cores to compare names on (-1: all of them)."""
        self._workers = workers
        results: dict[str, AccountMatch] = {}
        by_name: list[LeadCompany] = []
        for lead in leads:
            found = self._by_domain_of(lead)
            if found is None:
                by_name.append(lead)
            else:
                results[lead.id] = found
        for start in range(0, len(by_name), CHUNK):
            for found in self._by_names(by_name[start:start + CHUNK], threshold):
                results[found.lead_id] = found
        return [results[lead.id] for lead in leads]

    def _by_domain_of(self, lead: LeadCompany) -> AccountMatch | None:
        domain = email_domain(lead.email)
        if not domain.domain or domain.free_mail:
            return None
        indexes = self._by_domain.get(_bare(domain.domain))
        if not indexes:
            return None
        best = min(indexes, key=lambda i: _tie_break(self.accounts[i]))
        account = self.accounts[best]
        reasons = [f"e-mail domain {domain.domain} is {_describe(account)}'s"]
        confidence = 99.0
        if len(indexes) > 1:
            reasons.append(f"{len(indexes)} accounts share the domain; chose by "
                           "named account, kind, size and recent activity")
            confidence = 95.0
        return AccountMatch(lead.id, account.id, confidence, "domain", tuple(reasons))

    def _by_names(self, leads: Sequence[LeadCompany], threshold: float) -> list[AccountMatch]:
        keys = [company_key(lead.company) for lead in leads]
        # Squeezed names catch typos and words run together...
        scores = process.cdist([_squeeze(k) for k in keys], self._squeezed, scorer=fuzz.ratio,
                               dtype=np.uint8, workers=self._workers, score_cutoff=CANDIDATE_CUTOFF)
        # ...and, for the names still without a good match, sorted words catch word order.
        again = [row for row in np.flatnonzero(scores.max(axis=1) < threshold)
                 if " " in keys[row]]
        if again:
            ordered = process.cdist([_sorted_words(keys[row]) for row in again], self._sorted,
                                    scorer=fuzz.ratio, dtype=np.uint8, workers=self._workers,
                                    score_cutoff=CANDIDATE_CUTOFF)
            scores[again] = np.maximum(scores[again], ordered)
        rows, columns = np.nonzero(scores)
        candidates = np.split(columns, np.searchsorted(rows, np.arange(1, len(leads))))
        return [self._best(lead, key, found, threshold)
                for lead, key, found in zip(leads, keys, candidates, strict=True)]

    def _best(self, lead: LeadCompany, key: str, candidates: np.ndarray,
              threshold: float) -> AccountMatch:
        if not key or candidates.size == 0:
            return AccountMatch(lead.id, None, 0.0, "none", ("no account with a similar name",))
        # Exact scores for the few candidates (cdist's are whole numbers).
        scored = sorted(((self._score(key, int(i)), int(i)) for i in candidates),
                        key=lambda s: (-s[0], _tie_break(self.accounts[s[1]])))
        best_score, best = scored[0]
        same_name = [i for score, i in scored if self._keys[i] == self._keys[best]]
        best = min(same_name, key=lambda i: _tie_break(self.accounts[i]))
        account = self.accounts[best]
        reasons = [f"company name {lead.company!r} ≈ {_describe(account)}: {best_score:.0f}"]
        if len(same_name) > 1:
            reasons.append(f"{len(same_name)} accounts have this name; chose by named account, "
                           "kind, size and recent activity")
        others = [(score, i) for score, i in scored if self._keys[i] != self._keys[best]]
        confidence = best_score
        if others:
            gap = best_score - others[0][0]
            if gap < AMBIGUITY_GAP:
                confidence -= AMBIGUITY_GAP - gap
                reasons.append(f"also close: {self.accounts[others[0][1]].name} "
                               f"({others[0][0]:.0f})")
        if confidence < min(SUGGEST_FLOOR, threshold):
            return AccountMatch(lead.id, None, 0.0, "none", (
                f"closest name: {account.name} ({confidence:.0f}), too far to suggest",))
        if confidence < threshold:
            reasons.append(f"below the {threshold:.0f} threshold: confirm it")
        return AccountMatch(lead.id, account.id, round(confidence, 1), "name", tuple(reasons))

    def _score(self, key: str, index: int) -> float:
        return max(fuzz.ratio(_squeeze(key), self._squeezed[index]),
                   fuzz.ratio(_sorted_words(key), self._sorted[index]))


def _bare(domain: str) -> str:
    domain = domain.casefold().strip().rstrip(".")
    return domain[4:] if domain.startswith("www.") else domain
