"""Lead-to-account matching: the e-mail domain first (free mail ignored), then the company name,
compared over normalised names with rapidfuzz's vectorised ``cdist`` on both cores. Every match
carries a confidence and the reasons a rep reads in the lead panel."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from models.hygiene import place as places
from models.hygiene.calibration import confidence as calibrated
from models.hygiene.place import Place
from models.hygiene.standardise import (
    EmailDomain,
    company_key,
    designators,
    email_domain,
    fold,
    legal_form,
)

# Confidence is calibrated (models.hygiene.calibration): a match at 90 was right nine times in
# ten on the labelled sets.
DEFAULT_THRESHOLD = 90.0
# Names scoring below this are not even candidates; between the suggest floor and the
# threshold a match is shown as "low confidence" for the rep to confirm in the clean-up block.
CANDIDATE_CUTOFF = 80
# Below this, a match is not worth a rep's look (fewer than one in three such suggestions
# were right): the lead counts as without an account. A name one letter off an account, with
# nothing else to tell, is right about two times in five (39-45 on the tuning seeds), and
# confirming it is one key; a missed account is a duplicate account made.
SUGGEST_FLOOR = 35.0
# A runner-up with a different name this close makes the best match less certain.
AMBIGUITY_GAP = 8.0
# The lead writes from a work domain that is not the account's: another company, most likely.
OTHER_DOMAIN_PENALTY = 12.0
# ...or from the account's own name under another top-level domain (acme.de for acme.com).
SAME_STEM_BONUS = 4.0
SAME_STEM_CONFIDENCE = 97.0
CHUNK = 1024
NOWHERE = Place(None, None, None)
NONE: frozenset[str] = frozenset()
# A name not typed as the account is named stays below a name that is, whatever its address.
PLACE_CEILING = 99.5
# People seldom mistype the first letter of a name: a name that differs there is more likely
# another company's.
FIRST_LETTER_AGAINST = 3.0
# A word in at least this many account names (and this share of them) is a common one
# ("systems", "analytics"), not the one that tells a company apart.
COMMON_WORD_MIN = 5
COMMON_WORD_SHARE = 0.001
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
    # The billing address.
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None
    # Where the account's own leads are: the postal codes of those linked to it (in the CRM,
    # or matched with confidence). Another office, or the only address when it has none.
    lead_postal_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LeadCompany:
    id: str
    company: str
    email: str | None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class AccountMatch:
    lead_id: str
    account_id: str | None
    confidence: float
    method: str  # "domain", "name" or "none"
    reasons: tuple[str, ...]
    # The weight of evidence the confidence was read from (a match by name): what the
    # calibration is fitted on.
    raw: float | None = None


def _tie_break(account: AccountFacts) -> tuple[int, int, int, float]:
    activity = account.last_activity_at.timestamp() if account.last_activity_at else 0.0
    return (0 if account.is_named else 1, KIND_RANK.get(account.kind, 4),
            -(account.employees or 0), -activity)


def _describe(account: AccountFacts) -> str:
    kind = "named account" if account.is_named else account.kind
    return f"{account.name} ({kind})"


@lru_cache(maxsize=16_384)  # a lead's key, against each of its candidates
def _squeeze(key: str) -> str:
    return key.replace(" ", "")


@lru_cache(maxsize=16_384)
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
        self._unglued = [_unglued(key) for key in self._keys]
        self._places = [Place.of(a.city, a.postal_code, a.country) for a in self.accounts]
        self._known: dict[int, frozenset[str]] = {
            index: frozenset(filter(None, (places.postal(code, account.country)
                                           for code in account.lead_postal_codes)))
            for index, account in enumerate(self.accounts) if account.lead_postal_codes}
        # How many account names each word is in: "systems" is in many, "zentrix" in one.
        self._names_with: Counter[str] = Counter(
            word for key in self._keys for word in set(key.split()))
        self._common = max(COMMON_WORD_MIN, COMMON_WORD_SHARE * len(self.accounts))
        self._workers = -1
        self._at = {account.id: index for index, account in enumerate(self.accounts)}

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
        # The candidates of the leads with a postal code, kept for a second look.
        kept: dict[str, np.ndarray] = {}
        by_id = {lead.id: lead for lead in by_name}
        for chunk, keys, nearby in self._chunks_with_candidates(by_name, threshold):
            for lead, key, near in zip(chunk, keys, nearby, strict=True):
                results[lead.id] = self._best(lead, key, near, threshold)
                if lead.postal_code and results[lead.id].confidence < threshold:
                    kept[lead.id] = near
        # Then once more, for the leads still in doubt at the postal code of another lead
        # just claimed for one of their candidates: the account's own leads tell where it is.
        stored = self._known
        try:
            learnt = self._learn(leads, results, threshold)
            for lead_id, near in kept.items():
                lead = by_id[lead_id]
                code = places.postal(lead.postal_code, lead.country)
                if any(code in learnt.get(int(i), ()) for i in near):
                    results[lead_id] = self._best(lead, company_key(lead.company), near,
                                                  threshold)
        finally:
            self._known = stored
        return [results[lead.id] for lead in leads]

    def _learn(self, leads: Sequence[LeadCompany], results: dict[str, AccountMatch],
               threshold: float) -> dict[int, set[str]]:
        """The postal codes of the leads claimed with confidence, added to their accounts'
        known ones for the rest of this ``match``; the new ones returned, by account."""
        grown: defaultdict[int, set[str]] = defaultdict(set)
        for lead in leads:
            found = results[lead.id]
            code = places.postal(lead.postal_code, lead.country)
            if code and found.account_id is not None and found.confidence >= threshold:
                grown[self._at[found.account_id]].add(code)
        self._known = {**self._known, **{
            index: self._known.get(index, frozenset()) | codes
            for index, codes in grown.items()}}
        return grown

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

    def _chunks_with_candidates(self, leads: Sequence[LeadCompany], threshold: float
                                ) -> Iterator[tuple[Sequence[LeadCompany], list[str],
                                                    list[np.ndarray]]]:
        """The leads in chunks, each with its company keys and candidates. The next chunk's
        names are compared (in rapidfuzz, without the GIL) while the caller weighs this
        chunk's candidates in Python, so the two cores are not left waiting on each other."""
        def compared(start: int) -> tuple[Sequence[LeadCompany], list[str], list[np.ndarray]]:
            chunk = leads[start:start + CHUNK]
            keys = [company_key(lead.company) for lead in chunk]
            return chunk, keys, self._candidates(keys, threshold)

        starts = range(0, len(leads), CHUNK)
        with ThreadPoolExecutor(1, thread_name_prefix="match-names") as ahead:
            upcoming = [ahead.submit(compared, start) for start in starts[:1]]
            for start in starts:
                this = upcoming.pop()
                if start + CHUNK < len(leads):
                    upcoming.append(ahead.submit(compared, start + CHUNK))
                yield this.result()

    def _candidates(self, keys: list[str], threshold: float) -> list[np.ndarray]:
        """For each company name, the accounts whose names are close enough to weigh."""
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
        rows, columns = _nonzero(scores)
        return np.split(columns, np.searchsorted(rows, np.arange(1, len(keys))))

    def _best(self, lead: LeadCompany, key: str, candidates: np.ndarray,
              threshold: float) -> AccountMatch:
        if not key or candidates.size == 0:
            return AccountMatch(lead.id, None, 0.0, "none", ("no account with a similar name",))
        domain = email_domain(lead.email)
        where = Place.of(lead.city, lead.postal_code, lead.country)
        # Exact scores for the few candidates (cdist's are whole numbers), each weighed with
        # what the lead's own work domain and address say about it.
        form = legal_form(lead.company)
        weighed = {int(i): self._weigh(key, int(i), domain, where, form) for i in candidates}

        def agreement(index: int) -> int:
            """Among the names read as the lead's, with nothing against them: the account's
            name typed exactly, legal form and all, first; then one whose legal form the
            lead typed ("Lancal Analytics LLC" is Lancal Analytics Group LLC's, not Lancal
            Analytics Corp.'s)."""
            if weighed[index][0] < 100:
                return 2
            named = self.accounts[index].name
            if fold(lead.company) == fold(named):
                return 0
            return 1 if form and form == legal_form(named) else 2

        # The most evidence first (a name read as the account's is as sure as it gets); then
        # a name typed exactly as an account's before any reading, and between two names
        # not so typed, all the evidence.
        top = max(min(raw, 100.0) for raw, _ in weighed.values())
        best = min((i for i, (raw, _) in weighed.items() if min(raw, 100.0) == top),
                   key=lambda i: (agreement(i), -weighed[i][0], -weighed[i][1],
                                  self._keys[i] != key, _tie_break(self.accounts[i])))
        same_name = [i for i in weighed if self._keys[i] == self._keys[best]]
        best = min(same_name, key=lambda i: (agreement(i), _tie_break(self.accounts[i])))
        raw = weighed[best][0]
        account = self.accounts[best]
        name_score = self._score(key, best, form)
        reasons = [f"company name {lead.company!r} ≈ {_describe(account)}: {name_score:.0f}"]
        reasons += self._domain_reasons(domain, best, key) + self._slip_reasons(key, best)
        if left_out := _left_out(key, self._keys[best]):
            reasons.append(f"the account's name but for {left_out!r}, which people leave out")
        reasons += self._place_reasons(key, where, best, name_score)
        if len(same_name) > 1:
            reasons.append(f"{len(same_name)} accounts have this name; chose by named account, "
                           "kind, size and recent activity")
        others = [(weighed[i][1], i) for i in weighed if self._keys[i] != self._keys[best]]
        if others:
            # Two look-alikes are told apart by all the evidence, the address beyond what
            # the claim may rise to included: a name one letter off each, at the postal code
            # of one of them, is that one's.
            runner_up, other = max(others)
            gap = weighed[best][1] - runner_up
            if gap < AMBIGUITY_GAP:
                # Typed exactly as this account is named, a look-alike neighbour makes it no
                # less this account; otherwise the lead may have meant either.
                raw -= 0 if name_score == 100 else AMBIGUITY_GAP - gap
                reasons.append(f"also close: {self.accounts[other].name} "
                               f"({weighed[other][0]:.0f})")
        confidence = calibrated("matching", raw)
        if self._domain_weight(domain, best, key) > 0:
            # The account's own domain under another country's suffix, and a name close
            # enough to be a candidate: as good as the domain itself.
            return AccountMatch(lead.id, account.id, SAME_STEM_CONFIDENCE, "domain",
                                tuple(reasons))
        if confidence < min(SUGGEST_FLOOR, threshold):
            return AccountMatch(lead.id, None, 0.0, "none", (
                f"closest name: {account.name} ({name_score:.0f}), too unsure to suggest "
                f"({confidence:.0f})", *self._domain_reasons(domain, best, key),
                *self._place_reasons(key, where, best, name_score)))
        if confidence < threshold:
            reasons.append(f"below the {threshold:.0f} threshold: confirm it")
        return AccountMatch(lead.id, account.id, round(confidence, 1), "name", tuple(reasons),
                            raw)

    def _weigh(self, key: str, index: int, domain: EmailDomain, where: Place,
               form: str | None = None) -> tuple[float, float]:
        """The raw evidence for this account, as a claim may use it and in full: the name,
        the lead's work domain, and, when the name leaves doubt, where the lead is. A name
        typed as the account is named is the account wherever the lead sits (an office
        abroad); the address cannot make a name one letter off as sure as the name itself,
        but it can tell two such names apart."""
        name = self._score(key, index, form)
        raw = name + self._domain_weight(domain, index, key)
        if name == 100:
            return raw, raw
        place = places.weigh(where, self._places[index], self._known.get(index, NONE)).weight \
            if where != NOWHERE else 0.0
        raw -= FIRST_LETTER_AGAINST if key[:1] != self._keys[index][:1] else 0.0
        return raw + min(place, PLACE_CEILING - name), raw + place

    def _place_reasons(self, key: str, where: Place, index: int, name_score: float
                       ) -> list[str]:
        """The address and first-letter evidence ``_weight`` counted, in words."""
        if name_score == 100:
            return []
        found = places.weigh(where, self._places[index], self._known.get(index, NONE)).reason
        first = [] if key[:1] == self._keys[index][:1] else [
            "against: the name starts with another letter, where a slip is rare"]
        return ([found] if found else []) + first

    def _domain_weight(self, domain: EmailDomain, index: int, typed: str = "") -> float:
        own = self.accounts[index].domain
        if not domain.domain or domain.free_mail:
            return 0.0
        if not own:
            # An account without a domain: the lead's work domain spelling the account's
            # name (corost.com.au for Corost Insurance) speaks for it, as its domain would.
            return SAME_STEM_BONUS if self._spells_name(domain.domain, index, typed) else 0.0
        if _stem(domain.domain) == _stem(own):
            return SAME_STEM_BONUS
        return -OTHER_DOMAIN_PENALTY

    def _spells_name(self, domain: str, index: int, typed: str) -> bool:
        """The domain spells the first word of the account's name (or all of it), which the
        lead typed with a slip: the domain puts the slip right. A lead that typed the word as
        its domain spells it is another company's as likely."""
        words, own = self._keys[index].split(), typed.split(" ", 1)[0]
        # "getcorsev.com" spells "Corsev" too, unless the label spells the name typed
        # ("tekcorsev.com" for "Tekcorsev Analytics": a company of its own).
        return bool(words) and len(words[0]) >= 4 and own != words[0] \
            and any(part in (words[0], self._squeezed[index])
                    or (len(words[0]) >= 5 and words[0] in part and own not in part)
                    for part in _stem(domain).split("-"))

    def _domain_reasons(self, domain: EmailDomain, index: int, typed: str) -> list[str]:
        weight = self._domain_weight(domain, index, typed)
        own = self.accounts[index].domain
        if weight > 0 and not own:
            return [f"e-mail domain {domain.domain} carries the account's name"]
        if weight > 0:
            return [f"e-mail domain {domain.domain} is {own} under another country's name"]
        if weight < 0:
            return [f"against: the lead writes from {domain.domain}, the account uses {own}"]
        return []

    def _score(self, key: str, index: int, form: str | None = None) -> float:
        """How alike the names are (100: read as the account's). ``form``: the legal form
        the lead typed."""
        ratio = max(fuzz.ratio(_squeeze(key), self._squeezed[index]),
                    fuzz.ratio(_sorted_words(key), self._sorted[index]))
        # A shortened name, a missed space before "and" or a slip in a common word is still
        # the name; looked at only when the letters alone do not say so, and not when the
        # lead typed another legal form as well ("Pelsol Energy Inc." is not Pelsol Energy
        # Holding plc: two things differ).
        if ratio < 100 and (_unglued(key) == self._unglued[index]
                            or _abbreviates(key, self._keys[index])
                            or _left_out(key, self._keys[index])
                            or self._common_word_slip(key, index)) \
                and not self._other_form(form, index):
            return 100.0
        return ratio

    def _other_form(self, form: str | None, index: int) -> bool:
        if form is None:
            return False
        own = legal_form(self.accounts[index].name)
        return own is not None and own != form

    def _common_word_slip(self, typed: str, index: int) -> str | None:
        """The word mistyped when the name is the account's but for one slip of the finger
        in a word many account names share ("Vivenly Services Wirldwide" for "... Worldwide"),
        and the slip makes no word of any account's name. A company one letter away from an
        account changes the word that tells it apart, into a name of its own: that is left to
        the name score."""
        if typed.count(" ") != self._keys[index].count(" ") or " " not in typed:
            return None
        words, name = typed.split(), self._keys[index].split()
        differ = [(w, n) for w, n in zip(words, name, strict=True) if w != n]
        if len(differ) != 1:
            return None
        slipped, meant = differ[0]
        if len(meant) < 5 or self._names_with[meant] < self._common \
                or slipped in self._names_with or OSA.distance(slipped, meant) > 1:
            return None
        return meant

    def _slip_reasons(self, typed: str, index: int) -> list[str]:
        meant = self._common_word_slip(typed, index)
        return [f"one slip in {meant!r}, a word {self._names_with[meant]} account names share; "
                "the rest typed exactly"] if meant else []


def _nonzero(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a score matrix with a few candidates a row among many accounts: the
    rows are first read eight scores at a time, as one 64-bit word, and only the words that
    hold a candidate are looked into (a 1,024 × 100,000 matrix took most of a second)."""
    lines, width = scores.shape
    if width % 8 or not scores.flags.c_contiguous or scores.dtype != np.uint8:
        return np.nonzero(scores)  # type: ignore[return-value]
    rows, words = np.nonzero(scores.view(np.uint64))
    found, within = np.nonzero(scores.reshape(lines, width // 8, 8)[rows, words])
    return rows[found], words[found] * 8 + within


@lru_cache(maxsize=16_384)
def _unglued(key: str) -> str:
    """The name squeezed without its "and"s: "Watanabeand Dubois" (the space before "and"
    missed, so the key kept it) reads as "Watanabe and Dubois"."""
    return _squeeze(key).replace("and", "")


def _left_out(typed: str, name: str) -> str | None:
    """The word such as "group" or "holding" the typed name lacks and is otherwise the
    account's ("corsev robotics" for "corsev robotics group"), or None."""
    # Weighed for every candidate: the lengths say first whether one such word may be out.
    if len(name) - len(typed) - 1 not in _designator_lengths():
        return None
    words, full = typed.split(), name.split()
    if len(full) != len(words) + 1 or not words:
        return None
    return next((word for at, word in enumerate(full) if word in designators()
                 and full[:at] + full[at + 1:] == words), None)


@lru_cache(maxsize=1)
def _designator_lengths() -> frozenset[int]:
    return frozenset(len(word) for word in designators())


def _abbreviates(typed: str, name: str) -> bool:
    """"zentrix cloud sys" for "zentrix cloud systems": each word the start of the account's
    word (three letters at least, two short of it at most), the first word whole. A shortened
    name; one letter missing at the end is as likely a typo."""
    words, full = typed.split(), name.split()
    return len(words) == len(full) > 1 and words[0] == full[0] and all(
        w == f or (3 <= len(w) <= len(f) - 2 and f.startswith(w))
        for w, f in zip(words, full, strict=True))


@lru_cache(maxsize=65_536)  # weighed for every candidate account of every lead
def _stem(domain: str) -> str:
    """The registered name without its public suffix, roughly: acme.co.uk, acme.de → acme."""
    labels = _bare(domain).split(".")
    while len(labels) > 1 and (len(labels[-1]) <= 3 or labels[-1] in ("info", "shop")):
        labels.pop()
    return labels[-1] if labels else ""


def _bare(domain: str) -> str:
    domain = domain.casefold().strip().rstrip(".")
    return domain[4:] if domain.startswith("www.") else domain
