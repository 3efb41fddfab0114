"""What a rep sees about one lead."""

from __future__ import annotations

from datetime import UTC, datetime

from models.records import AccountMatchNote, AccountSummary, ActivityRecord, LeadDetail
from views.lead_panel import lead_html

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def _lead(**changes: object) -> LeadDetail:
    fields: dict[str, object] = dict(
        id="l1", name="Chloé Durand", company="Lyon Freight SAS", title="Directeur Commercial",
        title_level="director", job_function="sales", persona="line-manager",
        email="c.durand@lyonfreight.fr", phone="+33478000000", stage="MQL", category=None,
        reason_code=None, source="Webinar", campaign="Webinar 2026 #1", owner="Amelia Hughes",
        city="Lyon", country="FR", timezone="Europe/Paris", created_at=NOW,
        first_touch_at=None, last_touch_at=None, trial_expires_at=None, do_not_call=True,
        email_opt_out=False, registration={"Budget": "Approved", "Timeline": "This quarter"},
        account=AccountSummary(id="a1", name="Lyon Freight SAS", kind="customer",
                               is_named=True, domain="lyonfreight.fr", industry="Logistics",
                               employees=1200, size_band="1,000-4,999", country="FR",
                               owner="Hugo Martin"),
        history=(ActivityRecord(kind="call", subject="Call: voicemail", outcome="voicemail",
                                occurred_at=NOW, by="Amelia Hughes"),),
    )
    fields.update(changes)
    return LeadDetail(**fields)  # type: ignore[arg-type]


def test_panel_shows_registration_answers_account_history_and_local_time() -> None:
    html = lead_html(_lead(), NOW)
    for shown in ("Approved", "This quarter", "customer · named account", "Hugo Martin",
                  "Call: voicemail", "16:00 (Europe/Paris)", "Do not call"):
        assert shown in html


def test_lead_data_with_markup_is_shown_as_text() -> None:
    html = lead_html(_lead(name="<script>alert(1)</script>",
                           registration={"<b>Q</b>": "<img src=x onerror=alert(1)>"}), NOW)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html


def test_panel_says_how_sure_the_account_match_is_and_which_routing_rule_fits() -> None:
    unsure = AccountMatchNote(89.6, "name", ("company name 'Lyon Fret' ≈ Lyon Freight SAS: 92",
                                             "also close: Lyon Fleet (88)"), confirmed=False)
    html = lead_html(_lead(account_match=unsure,
                           routing="Existing customer or partner: goes to Hugo Martin"), NOW)
    assert "89% sure — not sure: confirm with A" in html
    assert "also close: Lyon Fleet (88)" in html
    assert "Routing" in html and "goes to Hugo Martin" in html
    nothing = AccountMatchNote(0.0, "none", ("no account with a similar name",), False)
    html = lead_html(_lead(account=None, account_match=nothing), NOW)
    assert "No matching account: no account with a similar name" in html
