"""Hostile merge values: a huge e-mail is refused before it is built, a link only ever
leads to a web, mail or phone address, and lead data is never read as a merge field."""

from __future__ import annotations

import re
import tracemalloc
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.emails import EmailRefused, send_email
from models.store import Activity, Lead, User
from models.store.open import Store
from models.templates import MAX_OUTPUT_CHARS, TemplateError, render
from tests.unit.hostile import store_state

NOW = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize("value_chars", [1_000_000, 100])
def test_an_oversized_e_mail_is_refused_before_it_is_built(value_chars: int) -> None:
    template = "{!Lead.Company}" * 6_000  # 90,000 characters: a template within its cap
    tracemalloc.start()
    try:
        with pytest.raises(TemplateError, match=r"would be .* characters long or more"):
            render(template, {"lead.company": "A" * value_chars}, as_html=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Built whole, the first would take 6 GB and the second 600 KB; refused on the way.
    assert peak < 3 * (value_chars + 4 * MAX_OUTPUT_CHARS)


@pytest.mark.parametrize("value", [
    "javascript:alert(1)", " JaVa\tScRiPt:alert(1)", "\x01javascript:alert(1)",
    "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd",
])
@pytest.mark.parametrize("template", [
    '<a href="{!Lead.Email}">mail</a>', "<a href='{!Lead.Email}'>mail</a>",
    '<img src="{!Lead.Email}">', '<a title="x" HREF = "{!Lead.Email}">',
])
def test_a_link_from_lead_data_must_be_web_mail_or_phone(template: str, value: str) -> None:
    rendered = render(template, {"lead.email": value}, as_html=True)
    assert not rendered.sendable
    assert "links may only be web (http, https), mail (mailto) or phone (tel)" \
        in rendered.refused[0]
    assert "alert" not in rendered.text and "passwd" not in rendered.text


@pytest.mark.parametrize("value", ["https://acme.example/trial?a=1&b=2", "http://acme.example",
                                   "mailto:ana@acme.example", "tel:+4930123456",
                                   "www.acme.example"])
def test_web_mail_and_phone_links_are_merged_escaped(value: str) -> None:
    rendered = render('<a href="{!Lead.Email}">x</a>', {"lead.email": value}, as_html=True)
    assert rendered.sendable
    assert rendered.text == f'<a href="{value.replace("&", "&amp;")}">x</a>'


@pytest.mark.parametrize("template", [
    "<a href={!Lead.Company}>x</a>", "<a {!Lead.Company}>x</a>",
    "<p onclick=\"go('{!Lead.Company}')\">x</p>", "<script>var c = '{!Lead.Company}';</script>",
    '<p style="{!Lead.Company}">x</p>',
])
def test_a_value_that_could_change_a_tag_or_a_script_is_refused(template: str) -> None:
    rendered = render(template, {"lead.company": "x' onmouseover=alert(1) '"}, as_html=True)
    assert rendered.refused and "alert" not in rendered.text
    plain = render(template, {"lead.company": "Acme GmbH"}, as_html=True)
    assert plain.sendable and "Acme GmbH" in plain.text


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_no_value_makes_a_link_other_than_web_mail_or_phone(value: str) -> None:
    rendered = render('<a href="{!Lead.Email}">x</a>', {"lead.email": value}, as_html=True)
    if rendered.sendable and value:
        link = re.sub(r"[\t\n\r]", "", rendered.text.split('"')[1]).lstrip("\x00\x01 ")
        scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", link)
        assert scheme is None or scheme.group(1).lower() in {"http", "https", "mailto", "tel"}


@pytest.fixture
def lead_id(store: Store) -> str:
    with store.sessions.begin() as session:
        rep = User(name="Amy Lee", email="amy@repdesk.test", role="SDR", timezone="UTC")
        session.add(rep)
        session.flush()
        session.add(Lead(id="curly", first_name="Ana {!Lead.Title", last_name="Diaz",
                         company="Acme {!User.Name} Ltd", email="ana@acme.example",
                         owner_id=rep.id, created_at=NOW, stage="MQL"))
    return "curly"


def test_lead_data_holding_merge_field_braces_is_sent_as_written(store: Store,
                                                                  lead_id: str) -> None:
    logged = send_email(store.sessions, lead_id, None, "Hello {!Lead.FirstName}",
                        "Dear {!Lead.FirstName} at {!Lead.Company},", "crm", NOW)
    with store.sessions() as session:
        activity = session.get(Activity, logged.activity_id)
        assert activity is not None
        assert activity.subject == "Hello Ana {!Lead.Title"
        assert activity.body == "Dear Ana {!Lead.Title at Acme {!User.Name} Ltd,"


def test_a_refused_link_blocks_sending_and_writes_nothing(store: Store, lead_id: str) -> None:
    with store.sessions.begin() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        lead.city = "javascript:alert(1)"
    before = store_state(store.path)
    with pytest.raises(EmailRefused, match="javascript: link"):
        send_email(store.sessions, lead_id, None, "Hi", '<a href="{!Lead.City}">map</a>',
                   "crm", NOW, as_html=True)
    assert store_state(store.path) == before
