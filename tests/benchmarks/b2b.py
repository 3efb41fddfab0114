"""A second labelled B2B data set, written apart from the demo generator and its vocabulary, so
the hygiene figures measure data the rules were not built from: its own names, companies,
corruption model and hard negatives (families sharing one mailbox, namesake colleagues, people
with no company, look-alike companies that are no account), in its own seed space.

Seeds below HELD_OUT are for tuning; seeds from HELD_OUT up are reported and never tuned on."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, replace

import phonenumbers

from models.hygiene.duplicates import LeadIdentity
from models.hygiene.matching import AccountFacts, LeadCompany

DEV_SEED = 1_301
HELD_OUT = 900_000  # held-out seeds: 900,000 and up

# Given names with the short forms and initials people type for them.
GIVEN = {
    "Alexander": ("Alex", "Sasha"), "Andrew": ("Andy", "Drew"), "Anthony": ("Tony",),
    "Benjamin": ("Ben", "Benji"), "Catherine": ("Cathy", "Kate"), "Charles": ("Charlie", "Chuck"),
    "Christine": ("Chris", "Tina"), "Daniel": ("Dan", "Danny"), "Deborah": ("Debbie", "Deb"),
    "Edward": ("Ed", "Ted"), "Elizabeth": ("Liz", "Beth"), "Frederick": ("Fred",),
    "Gregory": ("Greg",), "Jacqueline": ("Jackie",), "James": ("Jim", "Jimmy"),
    "Jennifer": ("Jen", "Jenny"), "Jonathan": ("Jon",), "Joseph": ("Joe",),
    "Katherine": ("Kathy", "Katie"), "Margaret": ("Maggie", "Peggy"), "Matthew": ("Matt",),
    "Michael": ("Mike",), "Nicholas": ("Nick",), "Patricia": ("Pat", "Trish"),
    "Peter": ("Pete",), "Rebecca": ("Becky",), "Richard": ("Rick", "Dick"),
    "Robert": ("Rob", "Bob"), "Samantha": ("Sam",), "Stephanie": ("Steph",),
    "Steven": ("Steve",), "Susan": ("Sue",), "Thomas": ("Tom",), "Victoria": ("Vicky",),
    "William": ("Bill", "Will"), "Anna": (), "Sofia": (), "Lukas": (), "Jürgen": (),
    "José": ("Pepe",), "Zoë": (), "Søren": (), "François": (), "Mohammed": (), "Priya": (),
    "Hiroshi": (), "Olga": (), "Ingrid": (), "Mateo": (), "Chloé": (), "Björn": (),
    "Fatima": (), "Wei": (), "Aisha": (), "Emil": (), "Greta": (), "Noah": (), "Lina": (),
}
SURNAMES = (
    "Miller", "Schmidt", "Müller", "García", "Dubois", "Nakamura", "Kowalski", "O'Brien",
    "Johansson", "Rossi", "Novak", "Petrov", "Fernández", "Lefèvre", "Fischer", "Weber",
    "Schneider", "Becker", "Hoffmann", "Wagner", "Bauer", "Richter", "Klein", "Wolf",
    "Thompson", "Robinson", "Walker", "Wright", "Edwards", "Collins", "Stewart", "Morris",
    "Rogers", "Cook", "Morgan", "Bell", "Murphy", "Bailey", "Cooper", "Richardson", "Cox",
    "Howard", "Ward", "Torres", "Peterson", "Gray", "Ramírez", "James", "Watson", "Brooks",
    "Kelly", "Sanders", "Price", "Bennett", "Wood", "Barnes", "Ross", "Henderson", "Coleman",
    "Jenkins", "Perry", "Powell", "Long", "Patterson", "Hughes", "Flores", "Washington",
    "Butler", "Simmons", "Foster", "Gonzales", "Bryant", "Alexander", "Russell", "Griffin",
    "Díaz", "Hayes", "Lindqvist", "Haugen", "Virtanen", "Jensen", "Horváth", "Popescu",
    "Yilmaz", "Kaya", "Tanaka", "Suzuki", "Kim", "Park", "Nguyen", "Tran", "Singh", "Patel",
    "Sharma", "Okafor", "Mensah", "Abebe", "Silva", "Santos", "Oliveira", "Costa", "Moreau",
    "Laurent", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Chevalier", "Brun",
    "Van Dijk", "De Vries", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "De Boer",
    "Hendricks", "Kovac", "Horvat", "Babic", "Markovic", "Ivanova", "Sokolov", "Lebedev",
)
TITLES = ("Chief Financial Officer", "VP Sales", "Head of IT", "IT Manager", "Data Engineer",
          "Marketing Director", "Procurement Lead", "Operations Manager", "CTO",
          "Software Architect", "HR Business Partner", "Account Executive", "Controller",
          "Director of Engineering", "Product Manager", "Office Manager", "Buyer",
          "Security Analyst", "Plant Manager", "General Counsel")
SYLLABLES = ("vor", "tek", "lum", "nex", "qua", "dri", "sol", "mar", "pel", "kin", "zar",
             "ori", "bel", "cal", "tho", "ven", "ris", "gal", "fen", "dor", "hal", "mir",
             "ost", "pra", "sev", "tur", "ula", "wex", "yor", "bri", "cor", "lan")
TRADES = ("Logistics", "Robotics", "Software", "Biotech", "Foods", "Energy", "Capital",
          "Analytics", "Networks", "Pharma", "Textiles", "Metals", "Insurance", "Media",
          "Consulting", "Systems", "Labs", "Motors", "Health", "Materials", "Aerospace")
LEGAL = {"US": ("Inc.", "LLC", "Corp.", "Corporation", ""), "GB": ("Ltd", "plc", "Limited", ""),
         "DE": ("GmbH", "AG", "GmbH & Co. KG", ""), "FR": ("SA", "SAS", "SARL", "")}
FREE = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "gmx.de", "web.de",
        "orange.fr", "icloud.com", "aol.com")
PLACES = {
    "US": (("New York", "100", "212"), ("San Francisco", "941", "415"), ("Chicago", "606", "312"),
           ("Boston", "021", "617"), ("Seattle", "981", "206"), ("Austin", "787", "512")),
    "GB": (("London", "EC1", "20"), ("Manchester", "M1", "161"), ("Leeds", "LS1", "113")),
    "DE": (("Berlin", "10", "30"), ("München", "80", "89"), ("Hamburg", "20", "40"),
           ("Köln", "50", "221")),
    "FR": (("Paris", "75", "1"), ("Lyon", "69", "4"), ("Marseille", "13", "4")),
}
STREETS = ("Main", "Oak", "Harbour", "Station", "Mill", "Church", "Park", "Lake", "Hill",
           "Linden", "Garten", "Bahnhof", "Victor Hugo", "Pasteur", "Elm", "Cedar")
STREET_KIND = {"US": ("Street", "Avenue", "Road"), "GB": ("Street", "Road", "Lane"),
               "DE": ("straße", "weg", "allee"), "FR": ("Rue",)}
SHORT_STREET = {"Street": "St.", "Avenue": "Ave", "Road": "Rd", "Lane": "Ln",
                "straße": "str.", "allee": "allee", "weg": "weg", "Rue": "R."}
TRANSLITERATE = {"ü": "ue", "ö": "oe", "ä": "ae", "ß": "ss", "é": "e", "è": "e", "á": "a",
                 "í": "i", "ë": "e", "ø": "oe", "å": "aa", "ç": "c", "ó": "o"}


@dataclass(frozen=True)
class Company:
    name: str
    domain: str
    country: str
    city: str
    postal: str
    street: str
    area: str


@dataclass(frozen=True)
class B2BDuplicates:
    leads: list[LeadIdentity]
    groups: dict[str, int]  # lead id → the person it is
    kinds: dict[str, str]  # lead id → the hard case it was made for ("" for plain leads)


@dataclass(frozen=True)
class B2BMatching:
    accounts: list[AccountFacts]
    leads: list[LeadCompany]
    truth: dict[str, str | None]
    kinds: dict[str, str]


class _World:
    """Companies, places and people drawn from one seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"b2b:{seed}")
        self.names: set[str] = set()
        self.domains: set[str] = set()

    def coined(self) -> str:
        return "".join(self.rng.choices(SYLLABLES, k=self.rng.choice((2, 2, 3)))).capitalize()

    def company(self) -> Company:
        rng = self.rng
        while True:
            words = [self.coined()]
            if rng.random() < 0.7:
                words.append(rng.choice(TRADES))
            if rng.random() < 0.15:
                words.append(rng.choice(("Group", "International", "Partners", "Holding")))
            name = " ".join(words)
            if name.casefold() not in self.names:
                self.names.add(name.casefold())
                break
        country = rng.choice(("US", "US", "US", "GB", "DE", "FR"))
        city, postal, area = rng.choice(PLACES[country])
        tld = {"US": ".com", "GB": ".co.uk", "DE": ".de", "FR": ".fr"}[country]
        domain = words[0].casefold() + ("-" + words[1].casefold() if rng.random() < 0.3
                                        and len(words) > 1 else "") + tld
        while domain in self.domains:
            domain = f"{rng.choice(('get', 'my', 'team', 'go'))}{domain}"
        self.domains.add(domain)
        legal = rng.choice(LEGAL[country])
        return Company(f"{name} {legal}".strip(), domain, country, city,
                       self.postal(country, postal), self.street(country), area)

    def postal(self, country: str, prefix: str) -> str:
        return _postal(self.rng, country, prefix)

    def street(self, country: str) -> str:
        rng = self.rng
        base, kind = rng.choice(STREETS), rng.choice(STREET_KIND[country])
        number = rng.randrange(1, 400)
        if country == "DE":
            return f"{base}{kind} {number}"
        if country == "FR":
            return f"{number} {kind} {base}"
        return f"{number} {base} {kind}"

    def phone(self, country: str, area: str) -> str:
        """A valid number in E.164."""
        rng = self.rng
        code = {"US": "1", "GB": "44", "DE": "49", "FR": "33"}[country]
        for _ in range(200):
            if country == "US":
                rest = f"{rng.randrange(2, 10)}{rng.randrange(100):02d}{rng.randrange(10_000):04d}"
            elif country == "FR":
                rest = f"{rng.randrange(10**8):08d}"
            elif country == "GB":
                rest = f"{rng.randrange(3, 8)}{rng.randrange(10**7):07d}" if area == "20" \
                    else f"{rng.randrange(2, 9)}{rng.randrange(10**6):06d}"
            else:
                rest = f"{rng.randrange(2, 10)}{rng.randrange(10**6):06d}"
            number = f"+{code}{area}{rest}"
            if phonenumbers.is_valid_number(phonenumbers.parse(number)):
                return number
        raise ValueError(f"no valid number drawn for {country} {area}")

    def given(self) -> str:
        return self.rng.choice(sorted(GIVEN))


def _local(first: str, last: str, style: int) -> str:
    first, last = _ascii(first).casefold(), _ascii(last).casefold().replace(" ", "")
    last = last.replace("'", "")
    return (f"{first}.{last}", f"{first[0]}{last}", f"{first}", f"{last}.{first[0]}",
            f"{first}_{last}")[style]


def _ascii(text: str) -> str:
    return "".join(TRANSLITERATE.get(ch, ch) for ch in text)


def _shaped(rng: random.Random, e164: str) -> str:
    """The number as someone types it: national, 00 prefix, an extension, spaces, dots."""
    number = phonenumbers.parse(e164)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    spaced = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    roll = rng.randrange(7)
    if roll == 0:
        return e164
    if roll == 1:
        return national
    if roll == 2:
        return "00" + spaced[1:]
    if roll == 3:
        return f"{spaced} {rng.choice(('ext.', 'x', 'Durchwahl'))} {rng.randrange(10, 999)}"
    if roll == 4:
        return spaced.replace(" ", ".")
    if roll == 5:
        return f"{national} ext {rng.randrange(10, 99)}"
    return spaced


def _typo(rng: random.Random, word: str, first_letter: bool = False) -> str:
    if len(word) < 4:
        return word
    at = 0 if first_letter else rng.randrange(1, len(word) - 1)
    roll = rng.randrange(4)
    if roll == 0 and not first_letter:
        return word[:at] + word[at + 1:]
    if roll == 1 and at < len(word) - 1:
        return word[:at] + word[at + 1] + word[at] + word[at + 2:]
    letter = rng.choice("aeioubcdkmnprst")
    return word[:at] + (letter.upper() if at == 0 else letter) + word[at + 1:]


class _People:
    def __init__(self, world: _World, companies: list[Company]) -> None:
        self.world, self.rng, self.companies = world, world.rng, companies
        self.leads: list[LeadIdentity] = []
        self.groups: dict[str, int] = {}
        self.kinds: dict[str, str] = {}
        self.person = 0

    def add(self, record: LeadIdentity, person: int, kind: str = "") -> None:
        record = replace(record, id=f"b{len(self.leads)}")
        self.leads.append(record)
        self.groups[record.id] = person
        self.kinds[record.id] = kind

    def new_person(self, company: Company | None = None, first: str | None = None,
                   last: str | None = None) -> LeadIdentity:
        rng, world = self.rng, self.world
        company = company or rng.choice(self.companies)
        first, last = first or world.given(), last or rng.choice(SURNAMES)
        # Most people at one company have its address style. crc32, not hash(): a str's
        # hash changes from process to process, and a seed must give the same set every run.
        style = zlib.crc32(company.domain.encode()) % 5 if rng.random() < 0.8 \
            else rng.randrange(5)
        personal = f"{_local(first, last, rng.choice((0, 4)))}{rng.randrange(100)}" \
                   f"@{rng.choice(FREE)}"
        email = f"{_local(first, last, style)}@{company.domain}" if rng.random() < 0.8 \
            else personal
        phone = world.phone(company.country, company.area) if rng.random() < 0.85 else None
        self.person += 1
        return LeadIdentity("", first, last, company.name, email, phone,
                            title=rng.choice(TITLES), street=company.street, city=company.city,
                            postal_code=company.postal, country=company.country)

    def again(self, lead: LeadIdentity) -> LeadIdentity:
        """The same person from another form, with this generator's own corruptions."""
        rng = self.rng
        first, last, email, phone = lead.first_name or "", lead.last_name, lead.email, lead.phone
        company, title, street = lead.company, lead.title, lead.street
        city, postal = lead.city, lead.postal_code
        domain = (email or "@").rsplit("@", 1)[1]
        for _ in range(rng.choice((1, 2, 2, 3))):
            roll = rng.randrange(12)
            if roll == 0 and GIVEN.get(first):
                first = rng.choice(GIVEN[first])
            elif roll == 1:
                first = first[:1] + rng.choice((".", ""))
            elif roll == 2:
                last = _typo(rng, last, first_letter=rng.random() < 0.3)
            elif roll == 3:
                first, last = _ascii(first), _ascii(last)
            elif roll == 4 and domain not in FREE:
                # first.last against an alias at the same company
                style = rng.randrange(5)
                email = f"{_local(lead.first_name or 'x', lead.last_name, style)}@{domain}"
            elif roll == 5:
                email = f"{_local(lead.first_name or 'x', lead.last_name, 0)}" \
                        f"{rng.randrange(1000)}@{rng.choice(FREE)}"  # the personal address
            elif roll == 6 and lead.phone:
                phone = _shaped(rng, lead.phone)
            elif roll == 7:
                phone = None
            elif roll == 8:
                company = _company_typed(rng, company)
            elif roll == 9:
                title = rng.choice((None, (title or "").upper(), rng.choice(TITLES)))
            elif roll == 10:
                street = _street_typed(rng, street)
                postal = postal if rng.random() < 0.7 else None
            else:
                email = email.upper() if email and rng.random() < 0.5 else email
                city = city if rng.random() < 0.5 else None
        if phone and phone == lead.phone and rng.random() < 0.6:
            phone = _shaped(rng, lead.phone)
        return replace(lead, first_name=first, last_name=last, email=email, phone=phone,
                       company=company, title=title, street=street, city=city,
                       postal_code=postal)


def _company_typed(rng: random.Random, name: str) -> str:
    roll = rng.randrange(5)
    words = name.split()
    if not words:
        return name
    if roll == 0:
        return name.upper()
    if roll == 1 and len(words) > 1:
        return " ".join(words[:-1]) if words[-1] in {s for ls in LEGAL.values() for s in ls} \
            else name + " Inc"
    if roll == 2:
        return _typo(rng, words[0]) + (" " + " ".join(words[1:]) if len(words) > 1 else "")
    if roll == 3:
        return name.replace(" International", " Intl").replace(" Group", "")
    return ""  # the company left empty on the form


def _street_typed(rng: random.Random, street: str | None) -> str | None:
    if not street or rng.random() < 0.3:
        return None
    for long, short in SHORT_STREET.items():
        if long in street:
            return street.replace(long, short)
    return street.casefold()


def duplicate_set(leads: int, seed: int = DEV_SEED, share: float = 0.12) -> B2BDuplicates:
    """``leads`` leads; ``share`` of the people come twice or more, and about a tenth of the
    records are hard negatives: different people who look alike."""
    world = _World(seed)
    companies = [world.company() for _ in range(max(20, leads // 15))]
    people = _People(world, companies)
    rng = world.rng
    while len(people.leads) < leads:
        roll = rng.random()
        person = people.person
        if roll < 0.03:
            _family(people)
        elif roll < 0.05:
            _namesakes(people)
        elif roll < 0.07:
            _no_company(people)
        elif roll < 0.085:
            _siblings_at_work(people)
        else:
            lead = people.new_person()
            people.add(lead, person)
            if rng.random() < share:
                for _ in range(rng.choice((1, 1, 1, 2))):
                    people.add(people.again(lead), person, "again")
    return B2BDuplicates(people.leads[:leads], people.groups, people.kinds)


def _family(people: _People) -> None:
    """Two or three people of one household writing from one shared free-mail mailbox."""
    rng, world = people.rng, people.world
    last = rng.choice(SURNAMES)
    shared = f"{_ascii(last).casefold().replace(' ', '')}{rng.choice(('family', 'home', ''))}" \
             f"{rng.randrange(100)}@{rng.choice(FREE)}"
    home = rng.choice(people.companies)
    phone = world.phone(home.country, home.area) if rng.random() < 0.5 else None
    firsts = rng.sample(sorted(GIVEN), rng.choice((2, 2, 3)))
    for first in firsts:
        company = rng.choice(people.companies)
        lead = people.new_person(company, first, last if rng.random() < 0.8
                                 else _typo(rng, last))
        lead = replace(lead, email=shared, phone=phone or lead.phone,
                       company=company.name if rng.random() < 0.6 else "",
                       street=home.street, city=home.city, postal_code=home.postal)
        people.add(lead, people.person - 1, "family mailbox")


def _namesakes(people: _People) -> None:
    """Two people of one name at one company: one writes from work, one from home."""
    rng = people.rng
    company = rng.choice(people.companies)
    first, last = people.world.given(), rng.choice(SURNAMES)
    one = people.new_person(company, first, last)
    other = people.new_person(company, first, last)
    other = replace(other, email=f"{_local(first, last, 0)}{rng.randrange(100)}@"
                                 f"{rng.choice(FREE)}")
    one = replace(one, email=f"{_local(first, last, 0)}@{company.domain}")
    people.add(one, people.person - 2, "namesake colleague")
    people.add(other, people.person - 1, "namesake colleague")


def _no_company(people: _People) -> None:
    """Common names with no company and nothing else to tell them apart by."""
    rng = people.rng
    first, last = rng.choice(("James", "Michael", "Anna", "Thomas")), \
        rng.choice(SURNAMES[:20])
    for _ in range(2):
        lead = people.new_person(None, first, last)
        lead = replace(lead, company="", email=None, phone=None, title=None, street=None,
                       city=None, postal_code=None)
        people.add(lead, people.person - 1, "empty company")


def _siblings_at_work(people: _People) -> None:
    """Same surname at one company, first names an initial apart or not at all alike."""
    rng = people.rng
    company = rng.choice(people.companies)
    last = rng.choice(SURNAMES)
    firsts = rng.sample(sorted(GIVEN), 2)
    for first in firsts:
        people.add(people.new_person(company, first, last), people.person - 1, "same surname")


def matching_set(accounts: int, leads: int, seed: int = DEV_SEED) -> B2BMatching:
    """Leads against accounts; 15 % of the leads belong to no account, many of those at a
    company one letter away from an account, often with a work address of their own.

    Accounts carry a billing address and leads the city, postal code and country of their
    form, as a CRM holds them: a lead at its account's head office, at another office, abroad
    or with no address at all; a look-alike outsider may be in the same town. The places are
    drawn from a stream of their own, so the names and e-mails of a seed are the same with
    or without them."""
    world = _World(seed)
    rng = world.rng
    companies = [world.company() for _ in range(accounts)]
    facts = [AccountFacts(f"acc{i}", c.name, c.domain if rng.random() < 0.9 else None,
                          rng.choice(("prospect",) * 8 + ("customer", "partner")),
                          is_named=rng.random() < 0.02,
                          employees=int(rng.lognormvariate(5, 1.5)))
             for i, c in enumerate(companies)]
    places = _Places(seed)
    facts = [places.billing(fact, company) for fact, company in zip(facts, companies,
                                                                      strict=True)]
    taken = {c.name.split()[0].casefold() for c in companies}
    rows: list[LeadCompany] = []
    truth: dict[str, str | None] = {}
    kinds: dict[str, str] = {}
    for number in range(leads):
        lead_id = f"m{number}"
        roll = rng.random()
        if roll < 0.15:
            near = rng.choice(companies)
            company, email, kind = _outsider(world, near, taken)
            rows.append(places.outsider(LeadCompany(lead_id, company, email), near))
            truth[lead_id], kinds[lead_id] = None, kind
            continue
        at = rng.randrange(accounts)
        company = companies[at]
        typed = _company_typed(rng, company.name) if rng.random() < 0.3 else company.name
        first, last = world.given(), rng.choice(SURNAMES)
        way = rng.random()
        if way < 0.45 and facts[at].domain:
            email: str | None = f"{_local(first, last, 0)}@{company.domain}"
            kind = "work address"
        elif way < 0.5:
            stem = company.domain.split(".")[0]
            email, kind = f"{_local(first, last, 1)}@{stem}.com.au", "other country domain"
        elif way < 0.85:
            email, kind = f"{_local(first, last, 0)}@{rng.choice(FREE)}", "free mail"
        else:
            email, kind = None, "no address"
        if not typed and not (email and kind == "work address"):
            typed = company.name
        rows.append(places.of_lead(LeadCompany(lead_id, typed, email), company))
        truth[lead_id], kinds[lead_id] = facts[at].id, kind
    return B2BMatching(facts, rows, truth, kinds)


def _outsider(world: _World, near: Company, taken: set[str]) -> tuple[str, str | None, str]:
    """A company that is not an account: one letter off an account, or a name of its own."""
    rng = world.rng
    words = near.name.split()
    if rng.random() < 0.6:
        for _ in range(20):
            changed = _typo(rng, words[0], first_letter=rng.random() < 0.2)
            if changed.casefold() not in taken and changed != words[0]:
                break
        name = " ".join([changed, *words[1:]])
        kind = "one letter from an account"
    else:
        name, kind = world.company().name, "not an account"
    own = f"{name.split()[0].casefold()}-{rng.choice(('group', 'hq', 'io'))}.com"
    email = f"someone@{own}" if rng.random() < 0.75 else \
        (f"someone@{rng.choice(FREE)}" if rng.random() < 0.6 else None)
    if email and email.endswith(own):
        kind += ", own work domain"
    return name, email, kind


def _postal(rng: random.Random, country: str, prefix: str) -> str:
    """A postal code of ``country`` starting with its town's ``prefix``."""
    if country == "US":
        return f"{prefix}{rng.randrange(100):02d}"
    if country == "GB":
        return f"{prefix} {rng.randrange(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRS')}"
    if country == "DE":
        return f"{prefix}{rng.randrange(1000):03d}"
    return f"{prefix}0{rng.randrange(1, 21):02d}"


class _Places:
    """Where accounts and leads are, from a stream of its own (see ``matching_set``)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"b2b-places:{seed}")

    def postal(self, country: str, prefix: str) -> str:
        return _postal(self.rng, country, prefix)

    def somewhere(self, country: str | None = None) -> tuple[str, str, str]:
        """A city, postal code and country: in ``country``, or anywhere."""
        country = country or self.rng.choice(("US", "US", "US", "GB", "DE", "FR"))
        city, prefix, _area = self.rng.choice(PLACES[country])
        return city, self.postal(country, prefix), country

    def billing(self, fact: AccountFacts, company: Company) -> AccountFacts:
        """Most accounts have a billing address; some only a country, some nothing."""
        roll = self.rng.random()
        if roll < 0.8:
            return replace(fact, city=company.city, postal_code=company.postal,
                           country=company.country)
        if roll < 0.9:
            return replace(fact, country=company.country)
        return fact

    def of_lead(self, lead: LeadCompany, company: Company) -> LeadCompany:
        """A lead of ``company``. A CRM lead's address is its company's: the account's
        billing address (the postal code often left out), another office in its country, one
        abroad, or no address on the form (perhaps the country)."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.55:
            postal = company.postal if rng.random() < 0.7 else None
            return replace(lead, city=_cased(rng, company.city), postal_code=postal,
                           country=company.country if rng.random() < 0.9 else None)
        if roll < 0.7:
            city, postal, country = self.somewhere(company.country)
            return replace(lead, city=city, postal_code=postal if rng.random() < 0.7 else None,
                           country=country)
        if roll < 0.75:
            city, postal, country = self.somewhere()
            return replace(lead, city=city, postal_code=postal, country=country)
        if roll < 0.85:
            return replace(lead, country=company.country)
        return lead

    def outsider(self, lead: LeadCompany, near: Company) -> LeadCompany:
        """A company that is no account, somewhere of its own: often in the same town as the
        account it looks like (the local namesake), else anywhere; sometimes no address."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.35:
            city, postal, country = near.city, self.postal(near.country, _prefix(near)), \
                near.country
        elif roll < 0.8:
            city, postal, country = self.somewhere()
        else:
            return replace(lead, country=rng.choice((None, near.country)))
        return replace(lead, city=_cased(rng, city),
                       postal_code=postal if rng.random() < 0.7 else None, country=country)


def _prefix(company: Company) -> str:
    """The postal prefix of the company's town."""
    return next(prefix for city, prefix, _ in PLACES[company.country] if city == company.city)


def _cased(rng: random.Random, city: str) -> str:
    """The town as typed: as written, in capitals, or without its accents."""
    roll = rng.random()
    return city.upper() if roll < 0.1 else _ascii(city) if roll < 0.2 else city
