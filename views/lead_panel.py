"""The lead panel: everything already known about a lead, at a glance, so nobody asks twice."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtWidgets import QTextBrowser, QWidget

from models.records import LeadDetail
from ui.theme import coloured, hex_colour

EMPTY = f"<p>{coloured('Select a lead to see everything already known about it.', 'muted')}</p>"


def _when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%a %d %b %Y, %H:%M") if moment else "—"


def _local_time(timezone: str | None, now: datetime) -> str:
    if not timezone:
        return "unknown"
    try:
        local = now.astimezone(ZoneInfo(timezone))
    except ZoneInfoNotFoundError:
        return "unknown"
    return f"{local:%H:%M} ({escape(timezone)})"


def _rows(pairs: list[tuple[str, str | None]]) -> str:
    cells = "".join(
        f"<tr><td class='k'>{escape(k)}</td><td>{escape(v) if v else '—'}</td></tr>"
        for k, v in pairs
    )
    return f"<table cellspacing='0' cellpadding='3'>{cells}</table>"


def _flags(lead: LeadDetail) -> str:
    flags = []
    if lead.do_not_call:
        flags.append("Do not call")
    if lead.email_opt_out:
        flags.append("Opted out of e-mail")
    return "".join(f"<span class='flag'>{f}</span> " for f in flags)


def lead_html(lead: LeadDetail, now: datetime) -> str:
    """The panel's content; every value from the store is escaped."""
    parts = [
        f"<h2>{escape(lead.name)}</h2>",
        f"<p class='sub'>{escape(lead.title or 'No title')} · {escape(lead.company)}</p>",
        f"<p>{_flags(lead)}<span class='stage'>{escape(lead.stage)}</span></p>",
        _rows([
            ("E-mail", lead.email), ("Phone", lead.phone),
            ("Local time", _local_time(lead.timezone, now)),
            ("Place", ", ".join(p for p in (lead.city, lead.country) if p) or None),
            ("Persona", lead.persona), ("Level / function",
                                        " / ".join(p for p in (lead.title_level,
                                                               lead.job_function) if p) or None),
            ("Campaign", lead.campaign), ("Source", lead.source), ("Owner", lead.owner),
            ("Created", _when(lead.created_at)), ("First touch", _when(lead.first_touch_at)),
            ("Trial expires", _when(lead.trial_expires_at) if lead.trial_expires_at else None),
        ]),
        "<h3>What they told us at registration</h3>",
        _rows(sorted(lead.registration.items())) if lead.registration
        else "<p class='muted'>No registration answers.</p>",
    ]
    parts += _account_part(lead)
    parts.append(f"<h3>History ({len(lead.history)})</h3>")
    if lead.history:
        items = "".join(
            f"<li><b>{escape(a.kind)}</b> {_when(a.occurred_at)}: {escape(a.subject)}"
            f"{' — ' + escape(a.by) if a.by else ''}</li>"
            for a in lead.history
        )
        parts.append(f"<ul>{items}</ul>")
    else:
        parts.append("<p class='muted'>Not touched yet.</p>")
    return "".join(parts)


def _account_part(lead: LeadDetail) -> list[str]:
    match, account = lead.account_match, lead.account
    how = None
    if match and match.method == "linked":
        how = "linked in the CRM"
    elif match:
        sure = "" if match.confirmed else " — not sure: confirm with A in the clean-up block"
        how = f"{int(match.confidence)}% sure{sure}: {'; '.join(match.reasons)}"
    parts = []
    if account:
        named = " · named account" if account.is_named else ""
        parts += [
            f"<h3>Account: {escape(account.name)}</h3>",
            _rows([
                ("Relationship", f"{account.kind}{named}"), ("Domain", account.domain),
                ("Industry", account.industry),
                ("Employees", f"{account.employees:,}" if account.employees else None),
                ("Account owner", account.owner), ("Matched", how),
            ]),
        ]
    elif match:
        parts += ["<h3>Account</h3>",
                  f"<p class='muted'>No matching account: {escape('; '.join(match.reasons))}."
                  "</p>"]
    if lead.routing:
        parts += ["<h3>Routing</h3>", f"<p>{escape(lead.routing)}</p>"]
    return parts


PANEL_CSS = """
h2 {{ margin: 0; }} h3 {{ margin-top: 14px; margin-bottom: 4px; color: {heading}; }}
.sub {{ color: {subtle}; margin-top: 2px; }} .muted {{ color: {muted}; }}
td.k {{ color: {muted}; padding-right: 12px; }}
.flag {{ background: {flag_back}; color: {flag_text}; }}
.stage {{ background: {stage_back}; color: {stage_text}; }}
""".format(**{name: hex_colour(name) for name in (
    "heading", "subtle", "muted", "flag_back", "flag_text", "stage_back", "stage_text")})


class LeadPanel(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leadPanel")
        self.setOpenLinks(False)
        self.document().setDefaultStyleSheet(PANEL_CSS)
        self.show_nothing()

    def show_nothing(self) -> None:
        self.setHtml(EMPTY)

    def show_lead(self, lead: LeadDetail, now: datetime) -> None:
        self.setHtml(lead_html(lead, now))
