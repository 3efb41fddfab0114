"""What the close form holds (a draft that survives a crash) and what keeps it from being
saved, field by field: every value through the boundary in models/bounds.py."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from models import bounds
from models.store import Contact, Opportunity
from resources import load_json


@cache
def close_settings() -> dict[str, Any]:
    loaded: dict[str, Any] = load_json("closing.json")
    return loaded


@dataclass(frozen=True)
class LineItem:
    product_id: str
    quantity: int
    unit_price: float


@dataclass(frozen=True)
class NewContact:
    first_name: str
    last_name: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class CloseDraft:
    outcome: str | None = None  # "won" or "lost"
    reason_code: str | None = None
    competitor: str = ""
    notes: str = ""
    requested_features: tuple[str, ...] = ()
    lines: tuple[LineItem, ...] = ()
    contract_term_months: int | None = None
    support_contract: str | None = None
    billing_contact_id: str | None = None
    new_billing_contact: NewContact | None = None
    po_number: str = ""
    payment_terms: str | None = None
    technical_contact_ids: tuple[str, ...] = ()
    new_technical_contacts: tuple[NewContact, ...] = ()
    reference_willing: bool = False
    reference_kinds: tuple[str, ...] = ()

    @property
    def amount(self) -> float:
        return round(sum(line.quantity * line.unit_price for line in self.lines), 2)

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome, "reason_code": self.reason_code,
            "competitor": self.competitor, "notes": self.notes,
            "requested_features": list(self.requested_features),
            "lines": [[li.product_id, li.quantity, li.unit_price] for li in self.lines],
            "contract_term_months": self.contract_term_months,
            "support_contract": self.support_contract,
            "billing_contact_id": self.billing_contact_id,
            "new_billing_contact": ([self.new_billing_contact.first_name,
                                     self.new_billing_contact.last_name,
                                     self.new_billing_contact.email,
                                     self.new_billing_contact.phone]
                                    if self.new_billing_contact else None),
            "po_number": self.po_number,
            "payment_terms": self.payment_terms,
            "technical_contact_ids": list(self.technical_contact_ids),
            "new_technical_contacts": [[c.first_name, c.last_name, c.email, c.phone]
                                       for c in self.new_technical_contacts],
            "reference_willing": self.reference_willing,
            "reference_kinds": list(self.reference_kinds),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CloseDraft:
        return cls(
            outcome=data.get("outcome"), reason_code=data.get("reason_code"),
            competitor=data.get("competitor") or "", notes=data.get("notes") or "",
            requested_features=tuple(data.get("requested_features") or ()),
            lines=tuple(LineItem(p, _kept_number(q), _kept_number(u))
                        for p, q, u in data.get("lines") or ()),
            contract_term_months=data.get("contract_term_months"),
            support_contract=data.get("support_contract"),
            billing_contact_id=data.get("billing_contact_id"),
            new_billing_contact=(NewContact(*data["new_billing_contact"])
                                 if data.get("new_billing_contact") else None),
            po_number=data.get("po_number") or "", payment_terms=data.get("payment_terms"),
            technical_contact_ids=tuple(data.get("technical_contact_ids") or ()),
            new_technical_contacts=tuple(NewContact(*c) for c in
                                         data.get("new_technical_contacts") or ()),
            reference_willing=bool(data.get("reference_willing")),
            reference_kinds=tuple(data.get("reference_kinds") or ()),
        )


def _kept_number(value: Any) -> Any:
    # A draft holds what the form held; the checks below say what is wrong with it, so a
    # value that is no number is kept as it is rather than failing here.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


class CloseError(ValueError):
    """The close cannot be saved; ``problems`` maps fields to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def _lines_problem(lines: tuple[LineItem, ...], products: Collection[str] | None) -> str | None:
    if not lines:
        return "Add at least one product with its quantity."
    for number, line in enumerate(lines, start=1):
        if products is not None and line.product_id not in products:
            return f"Line {number}: the product {line.product_id!r} is not in the price list."
        found = bounds.problem("quantity", line.quantity) or \
            bounds.problem("unit_price", line.unit_price)
        if found:
            return f"Line {number}: {found}"
    return bounds.problem("amount", sum(line.quantity * line.unit_price for line in lines))


_TEXTS = {"competitor": ("Competitor", Opportunity.competitor),
          "po_number": ("PO number", Opportunity.po_number)}
_CONTACT_TEXTS = (("first_name", "First name", Contact.first_name),
                  ("last_name", "Last name", Contact.last_name),
                  ("email", "E-mail", Contact.email), ("phone", "Phone", Contact.phone))


def _text_problems(draft: CloseDraft) -> dict[str, str]:
    problems: dict[str, str] = {}
    for name, (label, column) in _TEXTS.items():
        try:
            bounds.fits(label, getattr(draft, name).strip(), column)
        except bounds.OutOfBounds as error:
            problems[name] = str(error)
    people = [("billing_contact_id", draft.new_billing_contact)] if draft.new_billing_contact \
        else []
    people += [("technical_contacts", c) for c in draft.new_technical_contacts]
    for where, person in people:
        for attribute, label, column in _CONTACT_TEXTS:
            try:
                bounds.fits(label, getattr(person, attribute), column)
            except bounds.OutOfBounds as error:
                problems[where] = str(error)
    return problems


def problems_of(draft: CloseDraft, reasons: Mapping[str, str],
                products: Collection[str] | None = None) -> dict[str, str]:
    """Validation per outcome, field by field (empty: it can be saved). ``products``: the
    ids of the price list, when the caller has read them."""
    settings = close_settings()
    if draft.outcome not in ("won", "lost"):
        return {"outcome": "Choose Closed Won or Closed Lost."}
    problems: dict[str, str] = {}
    if not draft.reason_code:
        problems["reason_code"] = f"A {draft.outcome} reason code is required."
    elif reasons.get(draft.reason_code) != draft.outcome:
        problems["reason_code"] = f"{draft.reason_code} is not a {draft.outcome} reason."
    problems.update(_text_problems(draft))
    if draft.outcome == "lost":
        if not draft.competitor.strip():
            problems["competitor"] = "Name the competitor that won (or 'no decision')."
        return problems
    lines = _lines_problem(draft.lines, products)
    if lines:
        problems["lines"] = lines
    if draft.contract_term_months not in settings["contract_terms_months"]:
        problems["contract_term_months"] = "Choose the contract term."
    if draft.support_contract not in settings["support_contracts"]:
        problems["support_contract"] = "Choose the support contract."
    new_billing = draft.new_billing_contact
    if not draft.billing_contact_id and new_billing is None:
        problems["billing_contact_id"] = "Finance needs a billing contact: pick or add one."
    elif new_billing is not None and (not new_billing.last_name.strip()
                                      or "@" not in new_billing.email):
        problems["billing_contact_id"] = "A new billing contact needs a last name and an e-mail."
    if draft.payment_terms not in settings["payment_terms"]:
        problems["payment_terms"] = "Choose the payment terms."
    if not draft.technical_contact_ids and not draft.new_technical_contacts:
        problems["technical_contacts"] = "Support needs at least one technical contact."
    for contact in draft.new_technical_contacts:
        if not contact.last_name.strip() or "@" not in contact.email:
            problems["technical_contacts"] = "A new contact needs a last name and an e-mail."
    if draft.reference_willing and not draft.reference_kinds:
        problems["reference_kinds"] = "Say which kinds of reference the customer agreed to."
    return problems
