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
    # The meeting the mail is about, in the recipient's timezone (models.event_fields for a
    # deal's meeting, models.booking for an invitation).
    "Event.Subject": "event.subject", "Event.StartDateTime": "event.start",
    "Event.EndDateTime": "event.end", "Event.When": "event.when", "Event.Owner": "event.owner",
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
    # Why a value was kept out (a link that is not a web, mail or phone address...); also
    # blocks sending. The field stays in the text, highlighted, like an unresolved one.
    refused: tuple[str, ...] = ()

    @property
    def sendable(self) -> bool:
        return not self.unresolved and not self.refused


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


# Attributes whose value a mail client follows as an address.
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "cite", "poster",
                   "xlink:href", "longdesc", "usemap", "srcset", "data"}
_URL_SCHEMES = {"http", "https", "mailto", "tel"}
_ATTRIBUTE = re.compile(r"""([^\s"'<>/=]+)\s*=\s*(?:"([^"]*)|'([^']*)|([^\s"'<>]*))$""")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
# A value that is safe anywhere in markup: what a name or a number looks like.
_PLAIN = re.compile(r"[\w .@+\-]*")
_LEADING = "".join(map(chr, range(0x21)))  # the controls and space a browser skips
_TAIL = 2_000  # how far back an attribute is looked for (no template writes longer tags)


@dataclass
class _Markup:
    """Where in an HTML template a merge field sits, found in one pass over the template."""

    lowered: str
    scanned: int = 0
    tag_start: int = -1  # the '<' of the tag being read, or -1 between tags
    raw_element: str | None = None  # "script" or "style" while inside one

    def advance(self, upto: int) -> None:
        segment = self.lowered[self.scanned:upto]
        opened, closed = segment.rfind("<"), segment.rfind(">")
        if opened > closed:
            self.tag_start = self.scanned + opened
        elif closed > opened or (closed >= 0 and opened < 0):
            self.tag_start = -1
        for element in ("script", "style"):
            entered, left = segment.rfind(f"<{element}"), segment.rfind(f"</{element}")
            if entered > left:
                self.raw_element = element
            elif left >= 0 and self.raw_element == element:
                self.raw_element = None
        self.scanned = upto

    def problem(self, name: str, value: str, start: int) -> str | None:
        """Why ``value`` may not go where field ``name`` stands, if it may not."""
        plain = _PLAIN.fullmatch(value) is not None
        if self.raw_element is not None and self.tag_start < 0:
            return None if plain else (f"{{!{name}}} is inside a <{self.raw_element}> "
                                       "element, where only plain words may be merged.")
        if self.tag_start < 0:
            return None
        tag = self.lowered[max(self.tag_start, start - _TAIL):start]
        found = _ATTRIBUTE.search(tag)
        if found is None or found.group(4) is not None:
            return None if plain else (f"{{!{name}}} stands inside a tag, outside quotes, "
                                       "where its value could change the tag.")
        attribute = found.group(1)
        if attribute.startswith("on") or attribute == "style":
            return None if plain else (f"{{!{name}}} is inside a {attribute} attribute, "
                                       "where only plain words may be merged.")
        if attribute in _URL_ATTRIBUTES:
            before = found.group(2) if found.group(2) is not None else found.group(3)
            return _url_problem(name, html.unescape(before) + value)
        return None


def _url_problem(name: str, address: str) -> str | None:
    # Browsers skip leading controls and spaces, and tabs and newlines anywhere.
    cleaned = re.sub(r"[\t\n\r]", "", address).lstrip(_LEADING)
    scheme = _SCHEME.match(cleaned)
    if scheme is None or scheme.group(1).lower() in _URL_SCHEMES:
        return None
    return (f"The value of {{!{name}}} makes a {scheme.group(1).lower()}: link; links may "
            "only be web (http, https), mail (mailto) or phone (tel) addresses.")


def _too_long(size: int) -> TemplateError:
    return TemplateError(f"The e-mail would be {size:,} characters long or more; the limit is "
                         f"{MAX_OUTPUT_CHARS:,}.")


def render(template: str, values: Mapping[str, str | None], as_html: bool = False,
           mark_unresolved: tuple[str, str] | None = None) -> Rendered:
    """Fill the merge fields of ``template`` from ``values`` (keyed as in MERGE_FIELDS).

    One pass: a value is never read again for merge fields, so lead data holding ``{!``
    is text like any other. ``mark_unresolved`` wraps each field left empty or refused (for
    the preview's highlight). In HTML, a value that would make a link other than http(s),
    mailto or tel, or change a tag, script or style, is refused.

    Raises:
        TemplateError: unknown fields, unbalanced braces, or a result over the size cap
            (checked while the text is built, so an oversized e-mail is never built).
    """
    problems = check(template)
    if problems:
        raise TemplateError(" ".join(problems))
    unresolved: list[str] = []
    refused: list[str] = []
    parts: list[str] = []
    size = 0
    markup = _Markup(template.lower()) if as_html else None

    def add(part: str) -> None:
        nonlocal size
        size += len(part)
        if size > MAX_OUTPUT_CHARS:
            raise _too_long(size)
        parts.append(part)

    def keep(match: re.Match[str]) -> str:
        shown = match.group(0)
        return f"{mark_unresolved[0]}{shown}{mark_unresolved[1]}" if mark_unresolved else shown

    position = 0
    for match in _FIELD.finditer(template):
        add(template[position:match.start()])
        position = match.end()
        name, _, default = match.group(1).partition(",")
        name = name.strip()
        value = values.get(MERGE_FIELDS[name]) or default.strip()
        if not value:
            unresolved.append(name)
            add(keep(match))
            continue
        if size + len(value) > MAX_OUTPUT_CHARS:
            raise _too_long(size + len(value))
        if markup is not None:
            markup.advance(match.start())
            problem = markup.problem(name, value, match.start())
            if problem:
                refused.append(problem)
                add(keep(match))
                continue
            value = html.escape(value)
        add(value)
    add(template[position:])
    return Rendered("".join(parts), tuple(dict.fromkeys(unresolved)),
                    tuple(dict.fromkeys(refused)))
