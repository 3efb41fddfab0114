"""What two records of people say for and against their being one person, field by field.

Each record is read once into ``Traits`` (folded names, the first name's nickname groups, the
mailbox, the phone's national significant number, the company, title and address); ``weigh``
then compares two of them and returns a weight of evidence (positive: the same person) with the
fields that speak for and against. Empty values never agree: a field missing on either side is
no evidence at all."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

import phonenumbers
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from models.hygiene.standardise import company_key, email_domain, fold, read_title
from resources import load_json

# Spellings that one name takes in another alphabet or keyboard: "Jürgen", "Juergen", "Jurgen".
_PLAIN = (("ae", "a"), ("oe", "o"), ("ue", "u"), ("ss", "s"), ("ph", "f"), ("th", "t"),
          ("ck", "k"), ("y", "i"), ("ij", "i"))
_EXTENSION = re.compile(r"(?:ext\.?|extension|x|#|durchwahl|poste|dw\.?)\s*\d+\s*$", re.I)
_NOT_DIGIT = re.compile(r"\D")


@lru_cache(maxsize=65_536)
def plain(text: str) -> str:
    """The folded text with transliterated spellings made one, spaces and punctuation off."""
    text = fold(text).replace(" ", "")
    for spelled, said in _PLAIN:
        text = text.replace(spelled, said)
    return text


@cache
def _name_groups() -> dict[str, frozenset[int]]:
    groups: dict[str, set[int]] = {}
    for number, names in enumerate(load_json("hygiene/first_names.json")["groups"]):
        for name in names:
            groups.setdefault(plain(name), set()).add(number)
    return {name: frozenset(found) for name, found in groups.items()}


def first_name_family(first: str) -> str:
    """One spelling for a first name and its short forms (Bob, Rob → robert), for blocking.
    ``first`` is already plain (``Traits.first``), looked up as ``first_names`` looks it up."""
    groups = _name_groups().get(first)
    return f"#{min(groups)}" if groups else first


@lru_cache(maxsize=65_536)
def phone_key(raw: str | None, country: str | None = None) -> tuple[int | None, str] | None:
    """(country calling code or None, national significant number), extension dropped.

    A number with "+" or "00" carries its own country; a national one takes the lead's
    country when known (phonenumbers), and is otherwise compared on its national significant
    digits alone (trunk 0 dropped)."""
    if not raw:
        return None
    text = _EXTENSION.sub("", raw.strip())
    digits = _NOT_DIGIT.sub("", text)
    if len(digits) < 6:
        return None
    if text.startswith("+") or digits.startswith("00"):
        digits = digits.lstrip("0")
        if len(digits) < 6:
            return None
        for size in (1, 2, 3):
            code = int(digits[:size])
            if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                return code, _national(digits[size:])
        return None, _national(digits)
    code = phonenumbers.country_code_for_region(country.upper()) if country else 0
    if code == 1 and len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return code or None, _national(digits)


def _national(digits: str) -> str:
    return digits.lstrip("0")


@lru_cache(maxsize=4_096)
def _title(title: str) -> tuple[str, str, str]:
    reading = read_title(title)
    return reading.title, reading.level, reading.function


@dataclass(frozen=True, slots=True)
class Traits:
    """One record as comparisons read it."""

    first: str
    initial: bool
    last: str
    company: str
    mailbox: str
    free_mail: bool
    domain: str
    phone: tuple[int | None, str] | None
    title: tuple[str, str, str] | None
    street: str
    city: str
    postal: str


def mailbox(email: str | None) -> str:
    """The address as a mail server reads it: case, dots and "+tags" in the name ignored."""
    if not email or "@" not in email:
        return ""
    local, domain = email.strip().casefold().rsplit("@", 1)
    local = local.split("+", 1)[0].replace(".", "").replace("_", "").replace("-", "")
    return f"{local}@{domain}" if local and domain else ""


def traits(first: str | None, last: str | None, company: str | None, email: str | None,
           phone: str | None, country: str | None = None, title: str | None = None,
           street: str | None = None, city: str | None = None,
           postal: str | None = None) -> Traits:
    domain = email_domain(email)
    first_plain = plain(first or "")
    return Traits(
        first=first_plain, initial=len(first_plain) == 1, last=plain(last or ""),
        company=_company(company or ""), mailbox=mailbox(email), free_mail=domain.free_mail,
        domain=domain.domain or "" if not domain.free_mail else "",
        phone=phone_key(phone, country), title=_title(title) if title and title.strip()
        else None, street=_street(street or ""), city=plain(city or ""),
        postal=(postal or "").replace(" ", "").casefold())


@lru_cache(maxsize=131_072)
def _company(name: str) -> str:
    return company_key(name)


@lru_cache(maxsize=65_536)
def _street(street: str) -> str:
    words = fold(street).split()
    short = {"street": "st", "strasse": "str", "avenue": "ave", "road": "rd", "lane": "ln",
             "rue": "r", "boulevard": "blvd", "drive": "dr", "place": "pl"}
    # Spaces off: "bedford s treet" is a slip of the space bar.
    return "".join(short.get(word, word) for word in words).replace("strasse", "str")


@dataclass
class Weighing:
    weight: float = 0.0
    # (field, how well it agreed 0-100), for; and the fields that speak against.
    agree: list[tuple[str, float]] = field(default_factory=list)
    against: list[str] = field(default_factory=list)

    def add(self, name: str, weight: float, agreement: float = 100.0) -> None:
        self.weight += weight
        if weight > 0:
            self.agree.append((name, agreement))
        elif weight < 0:
            self.against.append(name)


def first_names(a: Traits, b: Traits) -> tuple[str, float] | None:
    """How two first names relate: "same", "initial", "nickname", "spelling", "different";
    None when either is missing."""
    if not a.first or not b.first:
        return None
    kind, agreement, _ = first_relation(a.first, b.first)
    return kind, agreement


@lru_cache(maxsize=262_144)  # first names are few: their pairs come back again and again
def first_relation(a: str, b: str) -> tuple[str, float, float]:
    """How two plain, non-empty first names relate, how well they agree (0-100) and the
    weight of evidence that gives."""
    if a == b:
        return "same", 100.0, FIRST_WEIGHT["same"]
    if len(a) == 1 or len(b) == 1:
        if a[0] == b[0]:
            return "initial", 80.0, FIRST_WEIGHT["initial"]
        return "different", 0.0, _different(a, b)
    groups = _name_groups()
    if groups.get(a, frozenset()) & groups.get(b, frozenset()):
        return "nickname", 100.0, FIRST_WEIGHT["nickname"]  # Bob is Robert
    similar = fuzz.ratio(a, b)
    if (similar >= 80 and min(len(a), len(b)) >= 4) or _transposed(a, b):
        return "spelling", similar, FIRST_WEIGHT["spelling"]
    return "different", similar, _different(a, b)


def _transposed(a: str, b: str) -> bool:
    """Two neighbouring letters typed the other way round ("Aym" for "Amy"): a slip of the
    finger, which (unlike one letter changed: Jade, Jake) rarely makes another name."""
    return len(a) == len(b) >= 3 and OSA.distance(a, b) == 1 and Levenshtein.distance(a, b) == 2


FIRST_WEIGHT = {"same": 3.0, "nickname": 2.5, "initial": 1.5, "spelling": 1.5}


def _different(a: str, b: str) -> float:
    """Against: a name that is still alike may be a bad typo; one quite unlike is not."""
    alike = JaroWinkler.similarity(a, b)
    return -1.5 if alike >= 0.85 else -3.0 if alike >= 0.7 else -5.0


def by_name_and_address(person: Traits) -> bool:
    """Known only by name and address (no company, e-mail or phone), as in a register of
    people: such records have their own evidence and calibration table."""
    return not (person.company or person.mailbox or person.phone) \
        and bool(person.street or person.postal)


def place(person: Traits) -> tuple[str, str] | None:
    """The postal code with its town, the key whose rarity in a list is counted."""
    return (person.postal, person.city) if person.postal and person.city else None


def same_place(a: Traits, b: Traits) -> bool:
    """One postal code and town, allowing one slip in either (not both)."""
    if not (a.postal and b.postal and a.city and b.city):
        return False
    if a.postal == b.postal:
        return a.city == b.city or fuzz.ratio(a.city, b.city) >= 85
    return a.city == b.city and OSA.distance(a.postal, b.postal) <= 1


# A place (postal code and town) that this many people of a list share, or more, is an
# ordinary neighbourhood and says nothing beyond the postal code and town themselves.
COMMON_PLACE = 16
RARE_PLACE_WEIGHT = 10.0
# Below this many records a list is too small (or too pre-selected) for a count to tell
# a rare place from a common one.
MIN_LIST_FOR_RARITY = 500


@cache
def rare_place_weight(shared: int) -> float:
    """For: two people at a postal code and town that few others in the list share. Two
    records of one person share their place whatever it is; two people share a rare one
    seldom, so the fewer share it, the more it says (in half steps, falling to nothing at
    ``COMMON_PLACE``)."""
    if shared >= COMMON_PLACE:
        return 0.0
    fall = math.log2(max(shared, 2) / 2) / math.log2(COMMON_PLACE / 2)
    return round(2 * RARE_PLACE_WEIGHT * (1 - fall)) / 2


def weigh(a: Traits, b: Traits, shared_place: int = 0) -> Weighing:
    """The evidence two records give, summed as a weight: each field adds its part.
    ``shared_place``: how many records of the list are at either record's postal code and
    town (the larger count), 0 when not counted."""
    found = Weighing()
    first = first_names(a, b)
    if _swapped(a, b) and (first is None or first[0] == "different"):
        # First and last name typed into each other's field.
        found.add("name", 6.0, 90.0)
        first = "swapped", 90.0
    else:
        if first is not None:
            found.add("first name", first_relation(a.first, b.first)[2], first[1])
        _surname(found, a, b)
    compatible = first is None or first[0] != "different"
    _mail(found, a, b, compatible)
    _phone(found, a, b, compatible)
    _where(found, a, b, compatible)
    _title_evidence(found, a, b)
    if shared_place and by_name_and_address(a) and by_name_and_address(b) \
            and same_place(a, b):
        # Counted with the pair itself: a slip leaves each record a place of its own.
        found.add(f"rare place ({max(shared_place, 2)} in the list)",
                  rare_place_weight(shared_place))
    return found


def _swapped(a: Traits, b: Traits) -> bool:
    return bool(a.first and a.last and b.first and b.last) and not a.initial \
        and not b.initial and OSA.distance(a.first, b.last) <= 1 \
        and OSA.distance(a.last, b.first) <= 1


def _surname(found: Weighing, a: Traits, b: Traits) -> None:
    if not a.last or not b.last:
        return
    if a.last == b.last:
        found.add("surname", 4.0)
        return
    similar = fuzz.ratio(a.last, b.last)
    # One slip of the finger (a letter left out, added, changed or two swapped), even the
    # first letter, is a typo; a short name two edits away is another name.
    edits = OSA.distance(a.last, b.last)
    if edits <= 1:
        found.add("surname", 2.5, similar)
    elif edits == 2 and min(len(a.last), len(b.last)) >= 6:
        found.add("surname", 1.0, similar)
    else:
        alike = JaroWinkler.similarity(a.last, b.last)
        found.add("surname", 0.0 if alike >= 0.85 else -2.5 if alike >= 0.7 else -5.0)


def _mail(found: Weighing, a: Traits, b: Traits, compatible_first: bool) -> None:
    if a.mailbox and a.mailbox == b.mailbox:
        if not compatible_first:
            # A household's (or a team's) mailbox: two first names writing from one box
            # are two people, however alike the rest.
            found.add("first name at one mailbox", -6.0)
        elif not a.free_mail:
            found.add("e-mail", 6.0)
        else:
            found.add("e-mail", 3.0)
        return
    if a.domain and a.domain == b.domain:
        # first.last@ and an alias @ one company: the same company, not a conflict.
        found.add("e-mail domain", 1.0)
    elif a.domain and b.domain:
        found.add("work e-mail", -2.0)


def _phone(found: Weighing, a: Traits, b: Traits, compatible_first: bool) -> None:
    if a.phone is None or b.phone is None:
        return
    code_a, number_a = a.phone
    code_b, number_b = b.phone
    if number_a == number_b and (code_a is None or code_b is None or code_a == code_b):
        if compatible_first:  # a home line is shared by a household
            found.add("phone", 5.0)
    else:
        found.add("phone", -2.5)


def _where(found: Weighing, a: Traits, b: Traits, compatible_first: bool) -> None:
    """The company and the address: colleagues share an address, so when the companies agree
    the address adds nothing for, only against."""
    company = 0.0
    similar = 0.0
    if a.company and b.company:
        similar = max(fuzz.ratio(a.company, b.company),
                      fuzz.token_sort_ratio(a.company, b.company))
        shorter, longer = sorted((a.company.split(), b.company.split()), key=len)
        if similar < 90 and longer[:len(shorter)] == shorter:
            similar = 90.0  # "Cedar" for "Cedar Health": the name people say
        company = 2.0 if similar >= 95 else 1.0 if similar >= 85 else -1.5 if similar < 70 else 0
    said = _address(a, b, bool(a.company and b.company), compatible_first)
    if company > 0:
        found.add("company", company, similar)
        for field, weight, agreement in said:
            if weight < 0:
                found.add(field, weight / 2, agreement)
        return
    if company < 0:
        found.add("company", company, similar)
    for field, weight, agreement in said:
        found.add(field, weight, agreement)


def _address(a: Traits, b: Traits, known_company: bool, compatible_first: bool
             ) -> list[tuple[str, float, float]]:
    said: list[tuple[str, float, float]] = []
    postal_far = False
    if a.postal and b.postal:
        if a.postal == b.postal:
            said.append(("postal code", 1.5 if known_company else 2.0, 100.0))
        elif OSA.distance(a.postal, b.postal) > 1:  # one slip is no evidence either way
            said.append(("postal code", -1.0, 0.0))
            postal_far = True
    town = None
    if a.city and b.city:
        similar = 100.0 if a.city == b.city else fuzz.ratio(a.city, b.city)
        town = ("city", 1.0 if similar == 100 and not known_company else 0.5, similar) \
            if similar >= 85 else ("city", -1.0, 0.0)
    if a.street and b.street:
        similar = fuzz.ratio(a.street, b.street)
        if similar >= 85:
            # Without a company the street is a home's, shared by a household at most: it
            # says most for one first name; but one street name in another postal code and
            # another town is most likely another street.
            weight = 2.0 if known_company else 8.0 if compatible_first else 6.0
            if not known_company and postal_far and town is not None and town[1] < 0:
                weight /= 2
            said.append(("street", weight, similar))
        elif similar < 60:
            said.append(("street", -1.0, similar))
    if town is not None:
        said.append(town)
    return said


def _title_evidence(found: Weighing, a: Traits, b: Traits) -> None:
    if a.title is None or b.title is None:
        return
    # A person keeps one title from form to form far more often than two namesakes share one.
    if a.title[0] == b.title[0]:
        found.add("title", 1.5)
    elif a.title[1:] == b.title[1:]:
        found.add("title", 0.5, 70.0)
    else:
        found.add("title", -3.0)
