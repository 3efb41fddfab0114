"""Where a lead is against where an account is, as a rep weighs it when a company name leaves
doubt: the lead's postal code at the account's billing address speaks for the account, a lead in
another country against it. A CRM lead's address is its company's, so a name one letter off an
account at that account's address is a typo, not another company."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from models.hygiene.standardise import fold

# In points of the name score (about three points to each doubling of the odds on the
# labelled sets): a postal code is a few streets, shared by a look-alike company only by
# chance; a town is shared by many companies; another country is seldom the same company,
# but offices abroad exist.
SAME_POSTAL = 13.0
SAME_TOWN = 1.0
OTHER_TOWN = -1.0
OTHER_COUNTRY = -6.0


@dataclass(frozen=True)
class Place:
    town: str | None
    postal: str | None
    country: str | None

    @classmethod
    def of(cls, city: str | None, postal_code: str | None, country: str | None) -> Place:
        return cls(_town(city), _postal(postal_code, country), _country(country))


@dataclass(frozen=True)
class PlaceEvidence:
    weight: float
    reason: str | None


NOWHERE = PlaceEvidence(0.0, None)


def weigh(lead: Place, account: Place, known: frozenset[str] = frozenset()) -> PlaceEvidence:
    """What the lead's address says about this account; an unknown side says nothing.
    ``known``: the postal codes of the account's leads already linked to it, offices its
    billing address does not tell (or the only address known, when it has none)."""
    if lead.postal and lead.postal in known and lead.postal != account.postal:
        return PlaceEvidence(SAME_POSTAL, "the lead's postal code is that of a lead already "
                                          f"linked to the account ({lead.postal})")
    if lead.country and account.country and lead.country != account.country:
        return PlaceEvidence(OTHER_COUNTRY, f"against: the lead is in {lead.country}, the "
                                            f"account in {account.country}")
    if lead.postal and lead.postal == account.postal:
        return PlaceEvidence(SAME_POSTAL, "the lead's postal code is the account's "
                                          f"({lead.postal})")
    if lead.town and account.town:
        if lead.town == account.town:
            return PlaceEvidence(SAME_TOWN, "the lead is in the account's town")
        return PlaceEvidence(OTHER_TOWN, "against: the lead is in another town than the "
                                         "account")
    return NOWHERE


@lru_cache(maxsize=4_096)
def _town(city: str | None) -> str | None:
    """"Köln", "KOELN" and "Koln" are one town: accents off, and the German spelled-out
    umlauts read as the letter."""
    if not city:
        return None
    folded = fold(city).replace(" ", "")
    for spelled, letter in (("ae", "a"), ("oe", "o"), ("ue", "u")):
        folded = folded.replace(spelled, letter)
    return folded or None


def postal(code: str | None, country: str | None) -> str | None:
    """The postal code as compared: capitals, no spaces, a US ZIP+4 as its ZIP."""
    return _postal(code, country)


def _postal(code: str | None, country: str | None) -> str | None:
    if not code:
        return None
    plain = "".join(ch for ch in code.upper() if ch.isalnum())
    # A US ZIP+4 is its ZIP at a finer grain.
    if _country(country) == "US" and len(plain) == 9 and plain.isdigit():
        plain = plain[:5]
    return plain or None


def _country(country: str | None) -> str | None:
    return country.strip().upper() or None if country else None
