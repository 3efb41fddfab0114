"""Template e-mails: merge fields, bad templates, and what sending does."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from models.emails import (
    EmailRefused,
    mailto_uri,
    merge_values,
    save_template,
    send_email,
    templates_for,
)
from models.store import Activity, Lead, OutboxEntry, User
from models.store.open import Store
from models.templates import MAX_OUTPUT_CHARS, MAX_TEMPLATE_CHARS, TemplateError, check, render

NOW = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
VALUES = {"lead.first_name": "Yuki", "lead.company": "Orion Labs", "user.name": "Amy Lee"}


def test_merge_fields_and_defaults_are_filled() -> None:
    text = "Hi {!Lead.FirstName}, {!Lead.Company} trial. {!Lead.Title,Hello} — {!User.Name}"
    assert render(text, VALUES) == render(text, VALUES)
    assert render(text, VALUES).text == "Hi Yuki, Orion Labs trial. Hello — Amy Lee"
    assert render(text, VALUES).sendable


def test_an_empty_field_without_default_is_unresolved_and_marked() -> None:
    rendered = render("Dear {!Lead.Title} {!Lead.FirstName}", VALUES, mark_unresolved=("<", ">"))
    assert rendered.unresolved == ("Lead.Title",)
    assert rendered.text == "Dear <{!Lead.Title}> Yuki"
    assert not rendered.sendable


def test_an_unknown_field_is_named() -> None:
    with pytest.raises(TemplateError, match=r"Unknown merge field \{!Lead.Budget\}"):
        render("Budget: {!Lead.Budget}", VALUES)


@pytest.mark.parametrize("template", ["Hi {!Lead.FirstName", "Hi {!Lead.FirstName {!Lead.Company}"])
def test_unbalanced_braces_are_refused_with_a_position(template: str) -> None:
    problems = check(template)
    assert problems and "character 4" in problems[0]
    with pytest.raises(TemplateError):
        render(template, VALUES)


def test_a_very_large_body_is_refused() -> None:
    with pytest.raises(TemplateError, match="limit"):
        render("x" * (MAX_TEMPLATE_CHARS + 1), VALUES)
    many = "{!Lead.Company}" * 6000  # within the template cap, over the output cap
    with pytest.raises(TemplateError, match="would be"):
        render(many, {"lead.company": "A" * 50})
    assert MAX_OUTPUT_CHARS < 6000 * 50


def test_lead_data_with_html_is_escaped_in_html_templates_and_kept_in_text() -> None:
    hostile = {"lead.company": "<img src=x onerror=alert(1)>", "lead.first_name": "{!User.Name}"}
    html = render("<p>{!Lead.Company} {!Lead.FirstName}</p>", hostile, as_html=True).text
    assert html == "<p>&lt;img src=x onerror=alert(1)&gt; {!User.Name}</p>"
    text = render("{!Lead.Company}", hostile).text
    assert text == "<img src=x onerror=alert(1)>"


@given(st.text(max_size=200))
def test_rendering_never_crashes_on_any_text(template: str) -> None:
    with contextlib.suppress(TemplateError):
        render(template, VALUES)


@pytest.fixture
def lead_and_rep(store: Store) -> tuple[str, str]:
    with store.sessions.begin() as session:
        rep = User(name="Amy Lee", role="SDR-inbound", email="amy@repdesk.example")
        session.add(rep)
        session.flush()
        session.add(Lead(id="yuki", first_name="Yuki", last_name="Sato", company="Orion Labs",
                         email="yuki@orion.co.jp", owner_id=rep.id, created_at=NOW,
                         stage="MQL"))
        session.add(Lead(id="optout", last_name="Wolf", company="Falcon", email="w@falcon.de",
                         email_opt_out=True, owner_id=rep.id, created_at=NOW, stage="MQL"))
    return "yuki", rep.id


def test_sending_logs_an_email_activity_through_the_outbox(store: Store, lead_and_rep) -> None:
    lead_id, rep_id = lead_and_rep
    values = merge_values(store.sessions, lead_id, rep_id)
    body = render("Hi {!Lead.FirstName},\n{!User.Name}", values).text
    logged = send_email(store.sessions, lead_id, rep_id, "Your trial", body, "crm", NOW)
    with store.sessions() as session:
        activity = session.get(Activity, logged.activity_id)
        assert activity is not None
        assert (activity.kind, activity.email_to, activity.delivery) == (
            "email", "yuki@orion.co.jp", "crm")
        assert activity.body == "Hi Yuki,\nAmy Lee"
        assert activity.subject == "Your trial"
        lead = session.get(Lead, lead_id)
        assert lead is not None and lead.last_touch_at == NOW
        objects = [e.object for e in session.scalars(select(OutboxEntry).where(
            OutboxEntry.record_id == logged.activity_id))]
    assert objects == ["Task"]


def test_a_lead_that_opted_out_cannot_be_mailed(store: Store, lead_and_rep) -> None:
    _, rep_id = lead_and_rep
    with pytest.raises(EmailRefused, match="opted out"):
        send_email(store.sessions, "optout", rep_id, "Hello", "Hi", "crm", NOW)


def test_unfilled_fields_block_sending(store: Store, lead_and_rep) -> None:
    lead_id, rep_id = lead_and_rep
    with pytest.raises(EmailRefused, match="merge fields"):
        send_email(store.sessions, lead_id, rep_id, "Hi", "Dear {!Lead.Title}", "crm", NOW)


def test_mailto_uri_is_encoded() -> None:
    uri = mailto_uri("yuki@orion.co.jp", "Your trial & more", "Hi Yuki,\nbye")
    assert uri.startswith("mailto:yuki@orion.co.jp?subject=Your%20trial%20%26%20more&body=")
    assert unquote(uri.split("body=")[1]) == "Hi Yuki,\nbye"


def test_managers_save_templates_only_when_well_formed(store: Store) -> None:
    with pytest.raises(EmailRefused, match="Unknown merge field"):
        save_template(store.sessions, None, "Bad", "Hi", "{!Lead.Nope}", False)
    template_id = save_template(store.sessions, None, "Welcome", "Hi {!Lead.FirstName}",
                                "Welcome, {!Lead.FirstName,there}", False, stage="MQL",
                                cadence_step=3)
    [first, *_] = templates_for(store.sessions, stage="MQL", step=3)
    assert first.id == template_id
