"""Generate a realistic sales team's data, the same every time for the same seed.

It has what real CRM data has: titles typed every which way, companies with near-duplicate
names and legal suffixes, duplicate leads, phone numbers in many countries, customers,
partners, competitors and named accounts, trials that expire and a history of touches.
"""

from __future__ import annotations

import random
import re
import unicodedata
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from models.deals import stage_named
from models.demo import vocabulary as v
from models.hygiene.standardise import size_band
from models.personas import PersonaRule, persona_for
from models.store.tracking import lead_search_key
from models.vocab import AccountKind, FunnelStage, Role

DEFAULT_PERSONAS = (
    PersonaRule("exec-buyer", 1, frozenset({"C-level", "VP"}),
                frozenset({"executive", "sales", "marketing", "finance", "operations", "HR",
                           "other"})),
    PersonaRule("tech-buyer", 2, frozenset({"C-level", "VP", "director"}),
                frozenset({"IT", "engineering"})),
    PersonaRule("line-manager", 3, frozenset({"director", "manager"}),
                frozenset({"sales", "marketing", "finance", "operations", "HR", "executive",
                           "other"})),
    PersonaRule("tech-manager", 4, frozenset({"manager"}), frozenset({"IT", "engineering"})),
    PersonaRule("practitioner", 5, frozenset({"individual contributor"}), frozenset()),
    PersonaRule("student", 6, frozenset({"student"}), frozenset()),
)

STAGES = (FunnelStage.MQL, FunnelStage.MCL, FunnelStage.SQL, FunnelStage.SAL,
          FunnelStage.NURTURE, FunnelStage.CONVERTED, FunnelStage.DISQUALIFIED)
STAGE_WEIGHTS = (60, 10, 8, 3, 12, 3, 4)
CALL_OUTCOMES = ("no answer", "voicemail", "connected", "bad number", "wrong person",
                 "call back")
CALL_OUTCOME_WEIGHTS = (40, 30, 18, 4, 3, 5)
# Reason codes of the close form (resources/reason_codes.json); most lost deals die of no
# decision or of price, a few to a named competitor.
WIN_REASONS, WIN_WEIGHTS = ("WIN-FEATURES", "WIN-PRICE", "WIN-RELATIONSHIP"), (45, 20, 35)
LOSS_REASONS = ("LOSS-NO-DECISION", "LOSS-PRICE", "LOSS-COMPETITOR", "LOSS-FEATURES")
LOSS_WEIGHTS = (40, 25, 20, 15)
# Why the demo's disqualified leads were filed D (resources/reason_codes.json); students are
# told apart by their title or a free mailbox.
DISQUALIFY_REASONS = ("D-NO-FIT", "D-TOO-SMALL", "D-BAD-DATA", "D-COMPETITOR")
DISQUALIFY_WEIGHTS = (40, 30, 25, 5)


@dataclass
class DemoData:
    """Rows per table, as plain dicts keyed by column name, in insertion order."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.tables.setdefault(table, []).append(row)

    def count(self, table: str) -> int:
        return len(self.tables.get(table, ()))


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", _ascii(name).casefold().replace("&", "and"))[:30] or "co"


class DemoGenerator:
    """One generation run; ``rng`` decides everything, ``now`` anchors every timestamp."""

    def __init__(self, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.data = DemoData()
        self.sdrs: list[str] = []
        self.aes: list[str] = []
        self.campaigns: list[str] = []
        self.products: list[tuple[str, float]] = []
        self.accounts: list[dict[str, Any]] = []
        self._competitors: list[str] | None = None
        # (original, copy) of every duplicate lead made: the truth for duplicate detection.
        self.duplicates: list[tuple[str, str]] = []

    # -- helpers --------------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def digits(self, pattern: str) -> str:
        return "".join(str(self.rng.randrange(10)) if c == "#" else
                       str(self.rng.randrange(2, 10)) if c == "N" else c for c in pattern)

    def place(self) -> v.Place:
        return self.rng.choices(v.PLACES, v.PLACE_WEIGHTS)[0]

    def person(self, country: str) -> tuple[str, str]:
        names = country if country in v.FIRST_NAMES else "US"
        return self.rng.choice(v.FIRST_NAMES[names]), self.rng.choice(v.LAST_NAMES[names])

    def past(self, max_days: float, min_days: float = 0.0) -> datetime:
        # Squared: recent dates are more common, as in a live pipeline.
        days = min_days + (max_days - min_days) * self.rng.random() ** 2
        return self.now - timedelta(days=days)

    # -- tables ---------------------------------------------------------------------------
    def users(self) -> None:
        team = [
            (Role.SDR_INBOUND, "Inbound", "Americas", "America/New_York", 4),
            (Role.SDR_INBOUND, "Inbound", "EMEA", "Europe/London", 2),
            (Role.SDR_OUTBOUND, "Outbound", "Americas", "America/Chicago", 2),
            (Role.SDR_OUTBOUND, "Outbound", "EMEA", "Europe/Berlin", 1),
            (Role.AE, "Corporate", "Americas", "America/New_York", 2),
            (Role.AE, "Field", "Americas", "America/Los_Angeles", 1),
            (Role.AE, "Field", "EMEA", "Europe/Paris", 1),
            (Role.AM, "Customers", "Americas", "America/New_York", 1),
            (Role.CSM, "Customers", "EMEA", "Europe/London", 1),
            (Role.MANAGER, "Inside Sales", "Americas", "America/New_York", 1),
        ]
        for role, team_name, region, tz, count in team:
            for _ in range(count):
                first, last = self.person("US" if region == "Americas" else "GB")
                user_id = self.uid()
                self.data.add("users", {
                    "id": user_id, "name": f"{first} {last}", "role": role.value,
                    "email": f"{first}.{last}@repdesk-demo.example".lower().replace("'", ""),
                    "team": team_name, "region": region, "timezone": tz,
                })
                if role in (Role.SDR_INBOUND, Role.SDR_OUTBOUND):
                    self.sdrs.append(user_id)
                elif role == Role.AE:
                    self.aes.append(user_id)

    def catalogue(self) -> None:
        kinds = ("Webinar", "Trade show", "Content download", "Free trial", "Paid search",
                 "Partner referral", "Outbound list")
        for number in range(20):
            kind = kinds[number % len(kinds)]
            campaign_id = self.uid()
            self.campaigns.append(campaign_id)
            self.data.add("campaigns", {
                "id": campaign_id, "name": f"{kind} {2026 - number // 10} #{number + 1}",
                "kind": kind, "status": "Active" if number < 12 else "Completed",
                "starts_on": (self.now - timedelta(days=15 * number)).date(),
            })
        for code, name, family, price in (
            ("RD-CORE", "RepDesk Core seat", "Subscription", 600.0),
            ("RD-PRO", "RepDesk Pro seat", "Subscription", 1200.0),
            ("RD-SYNC", "CRM sync connector", "Add-on", 3000.0),
            ("RD-ANALYTICS", "Pipeline analytics", "Add-on", 4800.0),
            ("RD-ONBOARD", "Onboarding package", "Services", 5000.0),
            ("RD-PREMIUM", "Premium support", "Support", 2400.0),
        ):
            product_id = self.uid()
            self.products.append((product_id, price))
            self.data.add("products", {
                "id": product_id, "name": name, "code": code, "family": family,
                "list_price": price,
            })

    def company_name(self, industry: str) -> str:
        noun = self.rng.choice(v.INDUSTRY_NOUNS[industry])
        shape = self.rng.random()
        if shape < 0.55:
            base = f"{self.rng.choice(v.BRAND_WORDS)} {noun}"
        elif shape < 0.85:
            syllables = "".join(self.rng.choices(v.SYLLABLES, k=self.rng.choice((2, 3))))
            base = f"{syllables.capitalize()} {noun}" if shape < 0.7 else syllables.capitalize()
        else:
            _, a = self.person("US")
            _, b = self.person("US")
            base = f"{a} & {b}"
        qualifier = self.rng.choice(v.QUALIFIERS)
        return f"{base} {qualifier}".strip()

    def name_variant(self, name: str) -> str:
        """How the same company gets typed again: case, 'The', '&' for 'and', abbreviations."""
        choice = self.rng.randrange(6)
        if choice == 0:
            return f"The {name}"
        if choice == 1:
            return name.upper()
        if choice == 2:
            return name.replace(" & ", " and ") if "&" in name else f"{name} Inc."
        if choice == 3:
            return name.replace("International", "Intl").replace("Corporation", "Corp")
        if choice == 4:
            return name.replace(" ", "", 1)
        return name.rstrip(".").replace(",", "")

    def account_rows(self, count: int) -> None:
        industries = tuple(v.INDUSTRY_NOUNS)
        for number in range(count):
            place = self.place()
            if self.accounts and self.rng.random() < 0.05:
                # A near-duplicate of an earlier account, as CRMs accumulate them.
                original = self.rng.choice(self.accounts)
                base_name, industry = self.name_variant(original["base_name"]), original["industry"]
            else:
                industry = self.rng.choice(industries)
                base_name = self.company_name(industry)
            suffix = self.rng.choice(v.LEGAL_SUFFIXES.get(place.country, ("Inc.",)))
            name = base_name if self.rng.random() < 0.3 else f"{base_name} {suffix}"
            employees = max(1, int(self.rng.lognormvariate(5.3, 1.6)))
            kind_roll = self.rng.random()
            kind = (AccountKind.COMPETITOR if kind_roll < 0.01 else AccountKind.PARTNER
                    if kind_roll < 0.05 else AccountKind.CUSTOMER if kind_roll < 0.13
                    else AccountKind.PROSPECT)
            domain = f"{_slug(base_name)}{number % 7 or ''}.{place.tld}"
            row = {
                "id": self.uid(), "name": name, "kind": kind.value,
                "is_named": employees > 2000 and self.rng.random() < 0.4,
                "domain": domain, "industry": industry, "sic": v.SIC_CODES[industry],
                "employees": employees, "size_band": size_band(employees),
                "street": f"{self.rng.randrange(1, 999)} {self.rng.choice(v.BRAND_WORDS)} Street",
                "city": place.city, "state": place.state,
                "postal_code": self.digits(place.postal), "country": place.country,
                "owner_id": self.rng.choice(self.aes) if kind != AccountKind.PROSPECT else None,
            }
            self.data.add("accounts", row)
            self.accounts.append({**row, "base_name": base_name, "place": place})

    def contact_rows(self) -> None:
        for account in self.accounts:
            if account["kind"] not in (AccountKind.CUSTOMER, AccountKind.PARTNER):
                continue
            for technical in (True, False):
                first, last = self.person(account["country"])
                title, _, _ = self.rng.choice(v.TITLES[:40])
                self.data.add("contacts", {
                    "id": self.uid(), "account_id": account["id"], "first_name": first,
                    "last_name": last, "title": title,
                    "email": _ascii(f"{first[0]}{last}@{account['domain']}".casefold()),
                    "phone": self.digits(account["place"].phone),
                    "is_technical": technical, "is_billing": not technical,
                    "owner_id": account["owner_id"],
                })

    def phone(self, place: v.Place) -> str | None:
        roll = self.rng.random()
        if roll < 0.03:
            return None
        if roll < 0.05:
            return self.rng.choice(("555-CALL-NOW", "12345", "n/a", "0000000000"))
        return self.digits(place.phone)

    def registration(self, level: str) -> dict[str, str]:
        answers = {q: self.rng.choice(a) for q, a in v.REGISTRATION_QUESTIONS.items()
                   if self.rng.random() < 0.7}
        if level in ("C-level", "VP"):
            answers["Role in purchase"] = "Decision maker"
        return answers

    def reference_rows(self, accounts: int) -> None:
        """Everything leads point at: reps, campaigns, products, templates, accounts."""
        self.users()
        self.catalogue()
        self.templates()
        self.account_rows(accounts)
        self.contact_rows()

    def lead_rows(self, count: int) -> Iterator[dict[str, Any]]:
        """Leads one at a time; each adds its activities and opportunity to ``data``."""
        recent: deque[dict[str, Any]] = deque(maxlen=5000)
        for _ in range(count):
            if recent and self.rng.random() < 0.04:
                row = self.duplicate_of(self.rng.choice(recent))
            else:
                row = self.new_lead()
            recent.append(row)
            self.activities_for(row)
            self.opportunity_for(row)
            self.disqualification_for(row)
            row["search_key"] = lead_search_key(
                row["first_name"], row["last_name"], row["company"], row["email"])
            yield row

    def new_lead(self) -> dict[str, Any]:
        title, level, function = self.rng.choices(v.TITLES, v.TITLE_WEIGHTS)[0]
        from_account = self.accounts and self.rng.random() < 0.7
        account = self.rng.choice(self.accounts) if from_account else None
        place = account["place"] if account else self.place()
        first, last = self.person(place.country)
        if account:
            company = account["name"] if self.rng.random() < 0.6 else self.name_variant(
                account["base_name"])
            domain = account["domain"]
            industry, employees = account["industry"], account["employees"]
        else:
            industry = self.rng.choice(tuple(v.INDUSTRY_NOUNS))
            company = self.company_name(industry)
            domain = f"{_slug(company)}.{place.tld}"
            employees = max(1, int(self.rng.lognormvariate(4.5, 1.5)))
        if level == "student" or self.rng.random() < 0.12:
            domain = self.rng.choice(v.FREE_MAIL)
        local = self.rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}"))
        stage = self.rng.choices(STAGES, STAGE_WEIGHTS)[0]
        created = self.past(120) if self.rng.random() > 0.04 else self.past(1)
        standardised = self.rng.random() < 0.8
        return {
            "id": self.uid(), "first_name": first, "last_name": last, "company": company,
            "email": _ascii(f"{local}@{domain}".casefold().replace(" ", "").replace("'", "")),
            "phone": self.phone(place), "title": title,
            "title_level": level if standardised else None,
            "job_function": function if standardised else None,
            "persona": persona_for(level, function, DEFAULT_PERSONAS) if standardised else None,
            "stage": stage.value, "source": self.rng.choice(("Web", "Trial", "Event", "Referral",
                                                            "Outbound", "Content")),
            "campaign_id": self.rng.choice(self.campaigns),
            "account_id": account["id"] if account and self.rng.random() < 0.5 else None,
            "owner_id": self.rng.choice(self.sdrs), "industry": industry,
            "employees": employees, "city": place.city, "state": place.state,
            "postal_code": self.digits(place.postal), "country": place.country,
            "timezone": place.timezone,
            "trial_expires_at": created + timedelta(days=14) if self.rng.random() < 0.4 else None,
            "registration": self.registration(level),
            "do_not_call": self.rng.random() < 0.02,
            "email_opt_out": self.rng.random() < 0.04, "created_at": created,
            "first_touch_at": None, "last_touch_at": None,
        }

    def duplicate_of(self, original: dict[str, Any]) -> dict[str, Any]:
        """The same person again, from another form, typed a little differently."""
        row = dict(original, id=self.uid(), created_at=self.past(60),
                   first_touch_at=None, last_touch_at=None, registration={})
        self.duplicates.append((original["id"], row["id"]))
        tweak = self.rng.randrange(4)
        if tweak == 0:
            row["first_name"] = v.NICKNAMES.get(original["first_name"], original["first_name"])
        elif tweak == 1:
            row["email"] = original["email"].upper()
        elif tweak == 2:
            row["phone"] = None
        else:
            row["company"] = self.name_variant(original["company"])
        return row

    def activities_for(self, lead: dict[str, Any]) -> None:
        """A touch history that fits the lead's stage, and the touch times it implies."""
        if lead["stage"] in (FunnelStage.MCL, FunnelStage.MQL):
            # A working team: new leads wait a little, old ones rarely slip through.
            fresh = self.now - lead["created_at"] < timedelta(days=2)
            if self.rng.random() < (0.6 if fresh else 0.03):
                return
        created: datetime = lead["created_at"]
        at = created + timedelta(hours=self.rng.uniform(0.2, 30))
        touches = self.rng.randint(1, 5)
        for number in range(touches):
            if at >= self.now:
                break
            is_call = number != 2
            outcome = (self.rng.choices(CALL_OUTCOMES, CALL_OUTCOME_WEIGHTS)[0] if is_call
                       else None)
            if is_call and number == touches - 1 and lead["stage"] not in (
                    FunnelStage.MCL, FunnelStage.MQL):
                outcome = "connected"
            self.data.add("activities", {
                "id": self.uid(), "kind": "call" if is_call else "email",
                "lead_id": lead["id"], "owner_id": lead["owner_id"],
                "subject": f"Call: {outcome}" if is_call else "E-mail: Trial follow-up",
                "body": None, "outcome": outcome,
                "duration_s": self.rng.randint(20, 900) if outcome == "connected" else None,
                "occurred_at": at,
            })
            lead["first_touch_at"] = lead["first_touch_at"] or at
            lead["last_touch_at"] = at
            at += timedelta(hours=self.rng.uniform(20, 80))

    def opportunity_for(self, lead: dict[str, Any]) -> None:
        if lead["stage"] not in (FunnelStage.SAL, FunnelStage.CONVERTED):
            return
        opportunity_id = self.uid()
        stage = self.rng.choice(("Qualification", "Value Proposition", "Proposal/Price Quote",
                                 "Negotiation/Review", "Closed Won", "Closed Lost"))
        lines = self.rng.sample(self.products, self.rng.randint(1, 3))
        quantities = [self.rng.choice((5, 10, 25, 50, 100)) for _ in lines]
        owner = self.rng.choice(self.aes)  # drawn in the same order as before: same demo
        close_date = (self.now + timedelta(days=self.rng.randint(-30, 90))).date()
        created = lead["created_at"] + timedelta(days=self.rng.randint(3, 20))
        if created > self.now:
            # Not opened yet: the lead waits with its AE, and no deal is dated after now
            # (nor piled up at now, where this week's "pipeline added" would count it).
            lead["stage"] = FunnelStage.SQL.value
            return
        closed = stage.startswith("Closed")
        closed_at = self.closed_at(opportunity_id, created) if closed else None
        spec = stage_named(stage)
        reason, competitor = self.close_reason(opportunity_id, stage)
        self.data.add("opportunities", {
            "id": opportunity_id, "name": f"{lead['company']} - new business",
            "account_id": lead["account_id"], "lead_id": lead["id"],
            "campaign_id": lead["campaign_id"], "owner_id": owner,
            "stage": stage, "amount": sum(q * p for q, (_, p) in zip(quantities, lines,
                                                                       strict=True)),
            "probability": spec.probability if spec else None,
            "close_date": closed_at.date() if closed_at else close_date,
            "is_closed": closed, "is_won": stage == "Closed Won",
            "created_at": created, "closed_at": closed_at,
            "close_reason_code": reason, "competitor": competitor,
        })
        for quantity, (product_id, price) in zip(quantities, lines, strict=True):
            self.data.add("opportunity_line_items", {
                "id": self.uid(), "opportunity_id": opportunity_id, "product_id": product_id,
                "quantity": quantity, "unit_price": price,
            })

    def closed_at(self, opportunity_id: str, opened: datetime) -> datetime:
        """Three weeks after it opened; a deal younger than that closed some time between
        its opening and now (drawn from its id: the generator's draws stay as they were)."""
        closed = opened + timedelta(days=21)
        if closed <= self.now:
            return closed
        share = random.Random(f"{opportunity_id}/closed").uniform(0.3, 0.95)
        return opened + (self.now - opened) * share

    def disqualification_for(self, lead: dict[str, Any]) -> None:
        """A disqualified lead was filed D with its reason code (DOMAIN.md: one uniform
        list, so reasons can be analysed later), when it was last touched. Drawn from the
        lead's id, so the generator's own draws, and the rest of the demo, stay as they were."""
        if lead["stage"] != FunnelStage.DISQUALIFIED:
            return
        rng = random.Random(f"{lead['id']}/disqualified")
        free_mail = lead["email"].endswith(tuple(f"@{domain}" for domain in v.FREE_MAIL))
        student = lead["title_level"] == "student" or (free_mail and rng.random() < 0.3)
        reason = "D-STUDENT" if student else rng.choices(DISQUALIFY_REASONS,
                                                          DISQUALIFY_WEIGHTS)[0]
        at = lead["last_touch_at"] or min(self.now, lead["created_at"] + timedelta(hours=2))
        self.data.add("qualifications", {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "lead_id": lead["id"],
            "category": "D", "reason_code": reason, "framework": "BANT", "answers": {},
            "competitors": [], "requested_features": [], "competitive_info": None,
            "next_step": None, "follow_up_on": None, "handoff_to_id": None,
            "qualified_by_id": lead["owner_id"], "qualified_at": at,
        })

    def close_reason(self, opportunity_id: str, stage: str) -> tuple[str | None, str | None]:
        """Why a closed deal was won or lost, as the close form records it, so the reasons'
        Pareto reads true. Drawn from the deal's id, not the generator, so the rest of the
        demo stays as it was."""
        if not stage.startswith("Closed"):
            return None, None
        rng = random.Random(opportunity_id)
        if stage == "Closed Won":
            return rng.choices(WIN_REASONS, WIN_WEIGHTS)[0], None
        reason = rng.choices(LOSS_REASONS, LOSS_WEIGHTS)[0]
        competitors = self.competitor_names()
        if reason == "LOSS-COMPETITOR" and competitors:
            return reason, rng.choice(competitors)
        return reason, None

    def competitor_names(self) -> list[str]:
        if self._competitors is None:
            self._competitors = [a["name"] for a in self.accounts
                                 if a["kind"] == AccountKind.COMPETITOR][:12]
        return self._competitors

    def templates(self) -> None:
        for name, subject, body, step in (
            ("Trial follow-up", "Your {!Lead.Company} trial",
             "Hi {!Lead.FirstName},\n\nHow is the trial going so far? I can set up a 20-minute "
             "session to help your team get the most out of it.\n\n{!User.Name}", 3),
            ("Missed you", "Sorry I missed you, {!Lead.FirstName}",
             "Hi {!Lead.FirstName},\n\nI tried to reach you about {!Lead.Company}'s evaluation. "
             "When suits you for a short call?\n\n{!User.Name}", None),
            ("Trial ending", "Your trial ends soon",
             "Hi {!Lead.FirstName},\n\nYour evaluation licence ends in two days. Shall we talk "
             "about next steps?\n\n{!User.Name}", 4),
        ):
            self.data.add("email_templates", {
                "id": self.uid(), "name": name, "subject": subject, "body": body,
                "is_html": False, "stage": "MQL", "cadence_step": step,
            })
        for name, subject, body in AE_TEMPLATES:
            # Ids from the name, not the generator: the rest of the demo stays as it was.
            self.data.add("email_templates", {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"repdesk-demo/{name}")),
                "name": name, "subject": subject, "body": body, "is_html": False,
                "stage": "Opportunity", "cadence_step": None,
            })


# What an AE sends about a deal (merge fields from models.deal_emails).
AE_TEMPLATES = (
    ("Meeting confirmation", "Our meeting about {!Opportunity.Name}",
     "Hi {!Contact.FirstName,there},\n\nThank you for your time. Our meeting: "
     "{!Event.When,the time we agreed}. As agreed, the next step is: "
     "{!Opportunity.NextStep}.\n\nBest regards,\n{!User.Name}"),
    ("Proposal follow-up", "Your proposal for {!Account.Name}",
     "Hi {!Contact.FirstName,there},\n\nI wanted to check that the proposal for "
     "{!Account.Name} ({!Opportunity.Amount}) answers your questions before "
     "{!Opportunity.CloseDate}.\n\n{!User.Name}"),
    ("Thank you", "Welcome aboard, {!Account.Name}",
     "Hi {!Contact.FirstName,there},\n\nThank you for choosing us. Our onboarding team will "
     "be in touch this week.\n\n{!User.Name}"),
)


def default_now() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def generate(leads: int, accounts: int, seed: int, now: datetime | None = None) -> DemoData:
    """A whole data set in memory; ``models.demo.load`` streams big ones instead."""
    gen = DemoGenerator(seed, now or default_now())
    gen.reference_rows(accounts)
    for lead in gen.lead_rows(leads):
        gen.data.add("leads", lead)
    return gen.data
