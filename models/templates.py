"""E-mail templates with Salesforce-style merge fields, rendered by plain substitution.

Templates are written by users, so there is no template engine here: only ``{!Object.Field}``
and ``{!Object.Field,default}`` from an allow-list are replaced, values are escaped in HTML
templates, and the output is capped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

# Merge field → the key of the value in a render context.
MERGE_FIELDS = {
    "Lead.FirstName": "lead.first_name", "Lead.LastName": "lead.last_name",
    "Lead.Name": "lead.name", "Lead.Company": "lead.company", "Lead.Title": "lead.title",
    "Lead.Email": "lead.email", "Lead.Phone": "lead.phone", "Lead.City": "lead.city",
    "Lead.Country": "lead.country", "Lead.TrialEndDate": "lead.trial_end",
    "User.Name": "user.name", "User.FirstName": "user.first_name",
    "User.Email": "user.email", "User.Title": "user.title",
    # An AE's mail about a deal (models.deal_emails).
    "Opportunity.Name": "opportunity.name", "Opportunity.Amount": "opportunity.amount",
    "Opportunity.CloseDate": "opportunity.close_date",
    "Opportunity.StageName": "opportunity.stage", "Opportunity.NextStep": "opportunity.next_step",
    "Account.Name": "account.name", "Contact.FirstName": "contact.first_name",
    "Contact.LastName": "contact.last_name", "Contact.Name": "contact.name",
    "Contact.Email": "contact.email", "Contact.Title": "contact.title",
}
MAX_TEMPLATE_CHARS = 100_000
MAX_OUTPUT_CHARS = 200_000
_FIELD = re.compile(r"\{!([^{}]*)\}")


class TemplateError(ValueError):
    """The template itself is wrong; the message says where and how to fix it."""


@dataclass(frozen=True)
class Rendered:
    text: str
    # Fields with no value and no default: highlighted in the preview, and they block sending.
    unresolved: tuple[str, ...]

    @property
    def sendable(self) -> bool:
        return not self.unresolved


def check(template: str) -> list[str]:
    """Every problem of the template text (empty: it is well formed)."""
    if len(template) > MAX_TEMPLATE_CHARS:
        return [f"The template is {len(template):,} characters long; the limit is "
                f"{MAX_TEMPLATE_CHARS:,}."]
    problems = []
    depth_start = None
    index = 0
    while index < len(template):
        if template.startswith("{!", index):
            if depth_start is not None:
                problems.append(f"A merge field opened at character {depth_start + 1} is not "
                                "closed with '}' before the next '{!'.")
            depth_start = index
            index += 2
            continue
        if template[index] == "}" and depth_start is not None:
            depth_start = None
        index += 1
    if depth_start is not None:
        problems.append(f"A merge field opened at character {depth_start + 1} is never "
                        "closed with '}'.")
    for match in _FIELD.finditer(template):
        name = match.group(1).split(",", 1)[0].strip()
        if name not in MERGE_FIELDS:
            problems.append(f"Unknown merge field {{!{name}}}: use one of "
                            f"{', '.join(sorted(MERGE_FIELDS))}.")
    return problems


def render(template: str, values: Mapping[str, str | None], as_html: bool = False,
           mark_unresolved: tuple[str, str] | None = None) -> Rendered:
    """Fill the merge fields of ``template`` from ``values`` (keyed as in MERGE_FIELDS).

    ``mark_unresolved`` wraps each field left empty (for the preview's highlight).

    Raises:
        TemplateError: unknown fields, unbalanced braces, or a result over the size cap.
    """
    problems = check(template)
    if problems:
        raise TemplateError(" ".join(problems))
    unresolved: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        name, _, default = match.group(1).partition(",")
        name = name.strip()
        value = values.get(MERGE_FIELDS[name]) or default.strip()
        if not value:
            unresolved.append(name)
            shown = match.group(0)
            if mark_unresolved:
                return f"{mark_unresolved[0]}{shown}{mark_unresolved[1]}"
            return shown
        return html.escape(value) if as_html else value

    text = _FIELD.sub(substitute, template)
    if len(text) > MAX_OUTPUT_CHARS:
        raise TemplateError(f"The e-mail would be {len(text):,} characters long; the limit is "
                            f"{MAX_OUTPUT_CHARS:,}.")
    return Rendered(text, tuple(dict.fromkeys(unresolved)))
