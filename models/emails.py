"""Template e-mails: choosing a template, filling it with a lead's data, sending it.

A send is an e-mail activity: through the CRM (it waits in the outbox while offline) or the
rep's own mail app (``mailto:``). Either way it is logged and moves the lead's cadence on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.cadence_config import lead_timezone
from models.event_fields import event_values
from models.store import EmailTemplate, Lead, User
from models.templates import TemplateError, check, render
from models.touches import EmailSent, TouchLogged, log_touch


@dataclass(frozen=True)
class TemplateChoice:
    id: str
    name: str
    subject: str
    body: str
    is_html: bool
    stage: str | None
    persona: str | None
    cadence_step: int | None


class EmailRefused(ValueError):
    """The e-mail cannot go out; the message tells the rep why."""


def _choice(t: EmailTemplate) -> TemplateChoice:
    return TemplateChoice(t.id, t.name, t.subject, t.body, t.is_html, t.stage, t.persona,
                          t.cadence_step)


def templates_for(sessions: sessionmaker[Session], stage: str | None = None,
                  persona: str | None = None, step: int | None = None) -> list[TemplateChoice]:
    """Every template, the best fit for this stage, persona and cadence step first."""
    with sessions() as session:
        templates = [_choice(t) for t in session.scalars(
            select(EmailTemplate).order_by(EmailTemplate.name))]

    def fit(t: TemplateChoice) -> tuple[int, str]:
        score = (2 * (step is not None and t.cadence_step == step)
                 + (persona is not None and t.persona == persona)
                 + (stage is not None and t.stage == stage))
        return (-score, t.name)

    return sorted(templates, key=fit)


def rep_values(rep: User | None) -> dict[str, str | None]:
    """The sending rep's merge fields, the same in a mail to a lead and one about a deal."""
    # A rep whose name is blank (a CRM user with only an e-mail) leaves the fields empty, so
    # the composer asks for them or a template's default fills them.
    words = (rep.name or "").split() if rep else []
    return {"user.name": " ".join(words) or None,
            "user.first_name": words[0] if words else None,
            "user.email": (rep.email or None) if rep else None, "user.title": None}


def _lead_values(session: Session, lead: Lead, rep_id: str | None,
                 now: datetime | None = None) -> dict[str, str | None]:
    rep = session.get(User, rep_id) if rep_id else None
    return {
        "lead.first_name": lead.first_name, "lead.last_name": lead.last_name,
        "lead.name": f"{lead.first_name or ''} {lead.last_name}".strip(),
        "lead.company": lead.company, "lead.title": lead.title, "lead.email": lead.email,
        "lead.phone": lead.phone, "lead.city": lead.city, "lead.country": lead.country,
        "lead.trial_end": f"{lead.trial_expires_at:%d %B %Y}" if lead.trial_expires_at
        else None,
        **rep_values(rep),
        **event_values(session, lead.id, None, lead_timezone(lead.timezone, lead.phone),
                       now or datetime.now(UTC)),
    }


def merge_values(sessions: sessionmaker[Session], lead_id: str, rep_id: str | None,
                 now: datetime | None = None) -> dict[str, str | None]:
    with sessions() as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise LookupError(f"The lead {lead_id} no longer exists.")
        return _lead_values(session, lead, rep_id, now)


def mailto_uri(to: str, subject: str, body: str) -> str:
    return f"mailto:{quote(to, safe='@')}?subject={quote(subject)}&body={quote(body)}"


def fill_mail(subject: str, body: str, values: dict[str, str | None], delivery: str,
              as_html: bool) -> tuple[str, str]:
    """The subject and body as they leave, every merge field filled.

    Raises:
        EmailRefused: merge-field problems, fields still empty or holding a value that may not
            go there, no subject, or an unknown way to send.
    """
    try:
        # Filled once, here: a value holding "{!" is text, never a field to fill.
        filled = [render(subject, values), render(body, values, as_html=as_html)]
    except TemplateError as error:
        raise EmailRefused(str(error)) from None
    refused = [problem for part in filled for problem in part.refused]
    if refused:
        raise EmailRefused(" ".join(refused))
    if any(part.unresolved for part in filled):
        raise EmailRefused("Fill in or remove the highlighted merge fields before sending.")
    if not filled[0].text.strip():
        raise EmailRefused("The e-mail needs a subject.")
    if delivery not in ("crm", "mailto"):
        raise EmailRefused(f"Unknown way to send: {delivery}.")
    return filled[0].text, filled[1].text


def send_email(sessions: sessionmaker[Session], lead_id: str, rep_id: str | None,
               subject: str, body: str, delivery: str, now: datetime,
               as_html: bool = False) -> TouchLogged:
    """Log the e-mail the rep wrote (the template as they edited it, merge fields and all),
    filled from the lead's data here, and move the cadence on.

    Raises:
        EmailRefused: the lead opted out, has no address, the text has merge-field problems,
            or fields are still empty or hold a value that may not go there.
    """
    with sessions() as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise EmailRefused("This lead no longer exists.")
        if lead.email_opt_out:
            raise EmailRefused(f"{lead.first_name or lead.last_name} opted out of e-mail: "
                               "RepDesk will not send it. Call instead, or leave a note.")
        if not lead.email:
            raise EmailRefused("This lead has no e-mail address: add one in the clean-up block.")
        address = lead.email
        values = _lead_values(session, lead, rep_id, now)  # the lead read once, for both
    subject, body = fill_mail(subject, body, values, delivery, as_html)
    return log_touch(sessions, lead_id, rep_id, "email", now, note=body,
                     email=EmailSent(address, subject, delivery))


def save_template(sessions: sessionmaker[Session], template_id: str | None, name: str,
                  subject: str, body: str, is_html: bool, stage: str | None = None,
                  persona: str | None = None, cadence_step: int | None = None) -> str:
    """Create or change a template (managers). Returns its id.

    Raises:
        EmailRefused: no name, or merge-field problems in the subject or body.
    """
    if not name.strip():
        raise EmailRefused("The template needs a name.")
    problems = check(subject) + check(body)
    if problems:
        raise EmailRefused(" ".join(problems))
    with sessions.begin() as session:
        template = session.get(EmailTemplate, template_id) if template_id else None
        if template is None:
            template = EmailTemplate(name=name, subject=subject, body=body)
            session.add(template)
        template.name, template.subject, template.body = name.strip(), subject, body
        template.is_html, template.stage = is_html, stage
        template.persona, template.cadence_step = persona, cadence_step
        session.flush()
        return template.id
