"""Writes and sends whose answer was lost, one hole each, through a fault-injecting proxy in
front of the sandbox CRM: a create is looked up before it is sent again, an e-mail goes once
or is shown to the rep as "may not have been sent"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from models.crm.adapter import CrmError
from models.emails import send_email
from models.store import Account, Activity, Lead, OutboxEntry, SyncConflict
from models.store.open import Store
from models.sync.conflicts import RECORD_DELETED, open_conflicts, resolve
from models.sync.mail import resend, unsure_emails
from tests.integration.conftest import Crm, clock
from tests.integration.fault_rig import Rig, planned_faults


@pytest.fixture
def rig(crm: Crm) -> Iterator[Rig]:
    with planned_faults(crm) as planned:
        yield planned


def _lose_create_and_its_lookup(rig: Rig, obj: str) -> None:
    """The create is carried out and its answer lost; the look-up that follows fails on every
    retry, so the sync stops with the create's outcome unknown."""
    rig.fault("PATCH", f"composite/sobjects/{obj}/RepDesk_Id__c", "lost")
    rig.fault("GET", "/queryAll", "drop", times=5)


def _live(rig: Rig, obj: str, local_id: str) -> list[dict[str, object]]:
    return [r.fields | {"Id": r.id} for r in rig.crm.sandbox.store.all(obj)
            if r.fields.get("RepDesk_Id__c") == local_id]


def _conflicts(store: Store, record_id: str) -> dict[str, SyncConflict]:
    with store.sessions() as session:
        return {c.field: c for c in session.scalars(select(SyncConflict).where(
            SyncConflict.record_id == record_id, SyncConflict.resolved_at.is_(None)))}


def _pending(store: Store) -> int:
    with store.sessions() as session:
        return len(session.scalars(select(OutboxEntry).where(
            OutboxEntry.state == "pending")).all())


@pytest.mark.parametrize(("model", "obj", "values", "field", "crm_field"), [
    (Lead, "Lead", {"last_name": "Sato", "company": "Orion Labs", "title": "CTO"},
     "title", "Title"),
    (Account, "Account", {"name": "Cedar Health", "kind": "prospect", "industry": "Health"},
     "industry", "Industry"),
])
def test_a_lost_create_then_a_remote_edit_is_a_conflict_not_an_overwrite(
        rig: Rig, store: Store, model: type, obj: str, values: dict[str, str], field: str,
        crm_field: str) -> None:
    with store.sessions.begin() as session:
        row = model(**values, **({"created_at": clock()} if obj == "Lead" else {}))
        session.add(row)
    _lose_create_and_its_lookup(rig, obj)
    with pytest.raises(CrmError):
        rig.sync(store)
    [made] = _live(rig, obj, row.id)  # the CRM did create it
    rig.crm.sandbox.store.update(obj, str(made["Id"]), {crm_field: "Changed by a colleague"})
    with store.sessions.begin() as session:
        stored = session.get(model, row.id)
        setattr(stored, field, "Changed by the rep")  # both sides edited the field

    rig.sync(store)

    [after] = _live(rig, obj, row.id)
    assert after[crm_field] == "Changed by a colleague"  # not overwritten
    conflict = _conflicts(store, row.id)[field]
    assert (conflict.base, conflict.mine, conflict.theirs) == (
        values[field], "Changed by the rep", "Changed by a colleague")
    with store.sessions() as session:
        stored = session.get(model, row.id)
        assert stored is not None and stored.crm_id == after["Id"]
        assert getattr(stored, field) == "Changed by the rep"  # kept, for the rep to settle
    assert _pending(store) == 0


def test_a_lost_create_with_later_local_edits_sends_them_and_keeps_a_colleague_s(
        rig: Rig, store: Store) -> None:
    with store.sessions.begin() as session:
        lead = Lead(last_name="Sato", company="Orion Labs", title="CTO", created_at=clock())
        session.add(lead)
    _lose_create_and_its_lookup(rig, "Lead")
    with pytest.raises(CrmError):
        rig.sync(store)
    with store.sessions.begin() as session:
        found = session.get(Lead, lead.id)
        assert found is not None
        found.city = "Kyoto"  # typed after the lost attempt
    [made] = _live(rig, "Lead", lead.id)
    rig.crm.sandbox.store.update("Lead", str(made["Id"]), {"Phone": "+81 3 1234 5678"})

    rig.sync(store)

    [after] = _live(rig, "Lead", lead.id)
    assert (after["City"], after["Phone"], after["Title"]) == ("Kyoto", "+81 3 1234 5678", "CTO")
    assert _conflicts(store, lead.id) == {}
    with store.sessions() as session:
        found = session.get(Lead, lead.id)
        assert found is not None and found.phone == "+81 3 1234 5678"  # pulled


def test_a_lost_create_then_a_remote_delete_is_a_deleted_in_the_crm_conflict(
        rig: Rig, store: Store) -> None:
    with store.sessions.begin() as session:
        lead = Lead(last_name="Sato", company="Orion Labs", created_at=clock())
        session.add(lead)
    _lose_create_and_its_lookup(rig, "Lead")
    with pytest.raises(CrmError):
        rig.sync(store)
    [made] = _live(rig, "Lead", lead.id)
    rig.crm.sandbox.store.delete("Lead", str(made["Id"]))

    rig.sync(store)
    with store.sessions.begin() as session:  # an edit while the deletion is undecided
        found = session.get(Lead, lead.id)
        assert found is not None
        found.city = "Kyoto"
    rig.sync(store)

    assert _live(rig, "Lead", lead.id) == []  # never silently created again
    conflict = _conflicts(store, lead.id)[RECORD_DELETED]
    assert made["Id"] in str(conflict.theirs)
    with store.sessions() as session:
        assert session.get(Lead, lead.id) is not None  # kept until the rep decides
    assert _pending(store) == 0

    # Keep mine: the rep decides to create it again, once.
    [shown] = [c for c in open_conflicts(store.sessions) if c.record_id == lead.id]
    resolve(store.sessions, shown.id, "mine", clock())
    rig.sync(store)
    rig.sync(store)
    [again] = _live(rig, "Lead", lead.id)
    assert again["Id"] != made["Id"] and (again["LastName"], again["City"]) == ("Sato", "Kyoto")
    assert _conflicts(store, lead.id) == {}


def _synced_lead(rig: Rig, store: Store) -> str:
    with store.sessions.begin() as session:
        lead = Lead(first_name="Yuki", last_name="Sato", company="Orion Labs",
                    email="yuki@orion.co.jp", created_at=clock())
        session.add(lead)
    rig.sync(store)
    return lead.id


def _mail(rig: Rig, store: Store, lead_id: str, subject: str) -> str:
    send_email(store.sessions, lead_id, None, subject, "Hi Yuki,\nhow is it going?", "crm",
               clock())
    with store.sessions() as session:
        return session.scalars(select(Activity.id).where(Activity.subject == subject)).one()


def _sent(rig: Rig, subject: str) -> int:
    return sum(1 for mail in rig.crm.sandbox.sent_emails if mail["subject"] == subject)


def test_a_lost_task_answer_still_sends_the_mail_exactly_once(rig: Rig, store: Store) -> None:
    lead_id = _synced_lead(rig, store)
    _mail(rig, store, lead_id, "Your trial")
    _lose_create_and_its_lookup(rig, "Task")
    with pytest.raises(CrmError):
        rig.sync(store)
    assert _sent(rig, "Your trial") == 0  # the Task is there, its mail not yet

    rig.sync(store)  # the Task is found: a retried upsert would answer created: false
    rig.sync(store)

    assert _sent(rig, "Your trial") == 1
    assert unsure_emails(store.sessions) == []


def test_a_lost_send_answer_is_not_sent_again_and_is_shown_to_the_rep(
        rig: Rig, store: Store) -> None:
    lead_id = _synced_lead(rig, store)
    activity_id = _mail(rig, store, lead_id, "Your trial")
    rig.fault("POST", "emailSimple", "lost")

    rig.sync(store)
    rig.sync(store)

    assert _sent(rig, "Your trial") == 1  # the CRM did send it, and only once
    [unsure] = unsure_emails(store.sessions)
    assert (unsure.activity_id, unsure.unsure, unsure.to) == (activity_id, True,
                                                              "yuki@orion.co.jp")
    assert "may not have been sent" in unsure.message
    # Only the rep's decision sends it again.
    resend(store.sessions, activity_id)
    rig.sync(store)
    assert _sent(rig, "Your trial") == 2
    assert unsure_emails(store.sessions) == []
    with pytest.raises(ValueError):
        resend(store.sessions, activity_id)  # sent: nothing to decide


def test_a_send_stopped_by_a_gateway_is_flagged_and_resent_only_on_request(
        rig: Rig, store: Store) -> None:
    lead_id = _synced_lead(rig, store)
    activity_id = _mail(rig, store, lead_id, "Pricing")
    rig.fault("POST", "emailSimple", "html_5xx_before")
    rig.sync(store)
    rig.sync(store)
    assert _sent(rig, "Pricing") == 0
    [unsure] = unsure_emails(store.sessions)
    assert unsure.unsure
    resend(store.sessions, activity_id)
    rig.sync(store)
    assert _sent(rig, "Pricing") == 1


def test_a_send_cut_off_by_a_killed_sync_is_never_repeated_by_itself(
        rig: Rig, store: Store) -> None:
    from models.store import EmailSend
    from models.store.mail import SENDING

    lead_id = _synced_lead(rig, store)
    activity_id = _mail(rig, store, lead_id, "Follow-up")
    rig.sync(store)
    assert _sent(rig, "Follow-up") == 1
    # As a sync killed between claiming the send and recording its answer leaves it.
    with store.sessions.begin() as session:
        send = session.get(EmailSend, activity_id)
        assert send is not None
        send.state = SENDING
    rig.sync(store)
    assert _sent(rig, "Follow-up") == 1
    assert [m.activity_id for m in unsure_emails(store.sessions)] == [activity_id]


def test_a_lost_hand_off_create_is_found_not_sent_again_and_a_colleague_s_edit_is_kept(
        rig: Rig, store: Store) -> None:
    from datetime import date

    from models.store import CloseHandoff, Opportunity

    with store.sessions.begin() as session:
        deal = Opportunity(name="Orion renewal", stage="Closed Won", close_date=date(2026, 12, 1),
                           created_at=clock())
        session.add(deal)
    rig.sync(store)
    with store.sessions.begin() as session:
        handoff = CloseHandoff(opportunity_id=deal.id, team="finance", kind="invoice request",
                               addressed_to="Billing", due_at=clock(),
                               payload={"po": "PO-7", "terms": "net 30"}, created_at=clock())
        session.add(handoff)
    _lose_create_and_its_lookup(rig, "CloseHandoff__c")
    with pytest.raises(CrmError):
        rig.sync(store)
    [made] = _live(rig, "CloseHandoff__c", handoff.id)
    rig.crm.sandbox.store.update("CloseHandoff__c", str(made["Id"]),
                                 {"Addressed_To__c": "Accounts receivable"})
    upserts = sum(1 for r in rig.crm.sandbox.requests if "CloseHandoff__c/RepDesk_Id__c" in r)

    rig.sync(store)

    [after] = _live(rig, "CloseHandoff__c", handoff.id)  # the team receives it once
    assert after["Addressed_To__c"] == "Accounts receivable"
    assert sum(1 for r in rig.crm.sandbox.requests
               if "CloseHandoff__c/RepDesk_Id__c" in r) == upserts  # not sent again
    assert _conflicts(store, handoff.id) == {}  # the payload, sent as text, agrees
    assert _pending(store) == 0


def test_a_logged_call_is_one_change_waiting_and_costs_no_read(rig: Rig, store: Store) -> None:
    from models.sync.status import sync_status
    from models.touches import log_touch

    lead_id = _synced_lead(rig, store)
    assert sync_status(store.sessions).pending_changes == 0
    log_touch(store.sessions, lead_id, None, "call", clock(), outcome="voicemail",
              note="Left a message")
    # The Task reaches the CRM; the lead's touch times and cadence stay here.
    assert sync_status(store.sessions).pending_changes == 1
    before = len(rig.crm.sandbox.requests)
    rig.sync(store)
    calls = list(rig.crm.sandbox.requests)[before:]
    assert not [c for c in calls if "composite/sobjects/Lead?" in c]  # no retrieve for it
    assert sync_status(store.sessions).pending_changes == 0
