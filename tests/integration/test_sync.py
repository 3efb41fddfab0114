"""The sync with the sandbox CRM over HTTP: nothing lost, nothing duplicated, nothing
overwritten."""

from __future__ import annotations

import contextlib
from collections import Counter

from sqlalchemy import func, select

from models.closing import deliveries
from models.crm.adapter import CrmError
from models.store import Lead, OutboxEntry, SyncConflict
from models.store.open import Store
from models.sync.engine import sync_once
from tests.integration.conftest import Crm, clock


def _crm_leads(crm: Crm) -> list:
    return list(crm.sandbox.store.all("Lead"))


def _pending(store: Store) -> int:
    with store.sessions() as session:
        return session.scalar(select(func.count()).select_from(OutboxEntry).where(
            OutboxEntry.state == "pending")) or 0


def test_a_new_lead_reaches_the_crm_once_even_when_the_answer_is_lost(
        crm: Crm, store: Store) -> None:
    with store.sessions.begin() as session:
        lead = Lead(first_name="Yuki", last_name="Sato", company="Orion Labs",
                    created_at=clock())
        session.add(lead)
    crm.sandbox.faults.queue("lost")  # the CRM creates it, the answer never arrives
    sync_once(store.sessions, crm.adapter, clock)
    assert _pending(store) == 0
    [record] = _crm_leads(crm)
    assert record.fields["RepDesk_Id__c"] == lead.id
    assert record.fields["LastName"] == "Sato"
    with store.sessions() as session:
        stored = session.get(Lead, lead.id)
        assert stored is not None and stored.crm_id == record.id
    sync_once(store.sessions, crm.adapter, clock)
    assert len(_crm_leads(crm)) == 1


def test_transient_faults_are_retried_and_an_expired_session_refreshed(
        crm: Crm, store: Store) -> None:
    with store.sessions.begin() as session:
        session.add_all(Lead(last_name=f"Lead {n}", company="Acme", created_at=clock())
                        for n in range(5))
    crm.sandbox.faults.queue("503", "drop", "lock", "expired")
    sync_once(store.sessions, crm.adapter, clock)
    assert len(_crm_leads(crm)) == 5 and _pending(store) == 0


def test_a_record_error_stays_on_its_entry_and_blocks_nothing_else(crm: Crm,
                                                                   store: Store) -> None:
    with store.sessions.begin() as session:
        session.add(Lead(last_name="Good", company="Acme", created_at=clock()))
        session.add(Lead(last_name="", company="Nameless Ltd", created_at=clock()))
    sync_once(store.sessions, crm.adapter, clock)
    assert [r.fields["LastName"] for r in _crm_leads(crm)] == ["Good"]
    with store.sessions() as session:
        failed = session.scalars(select(OutboxEntry).where(OutboxEntry.state == "failed")).one()
    assert "REQUIRED_FIELD_MISSING" in (failed.error or "")


def test_edits_on_both_sides_merge_by_field_and_conflicts_are_kept(crm: Crm,
                                                                   store: Store) -> None:
    with store.sessions.begin() as session:
        lead = Lead(last_name="Weber", company="Cedar Health", title="IT Manager",
                    phone="+49301234567", created_at=clock())
        session.add(lead)
    sync_once(store.sessions, crm.adapter, clock)
    [record] = _crm_leads(crm)
    crm.sandbox.store.update("Lead", record.id, {"Title": "Head of IT", "City": "Berlin"})
    with store.sessions.begin() as session:
        local = session.get(Lead, lead.id)
        assert local is not None
        local.title = "CIO"           # both changed the title: a conflict
        local.phone = "+49307654321"  # only we changed the phone: it goes through
    report = sync_once(store.sessions, crm.adapter, clock)
    assert report.push.conflicts == 1
    [record] = _crm_leads(crm)
    assert record.fields["Title"] == "Head of IT"  # theirs is not overwritten
    assert record.fields["Phone"] == "+49307654321"
    with store.sessions() as session:
        conflict = session.scalars(select(SyncConflict)).one()
        assert (conflict.field, conflict.base, conflict.mine, conflict.theirs) == (
            "title", "IT Manager", "CIO", "Head of IT")
        local = session.get(Lead, lead.id)
        assert local is not None
        assert local.title == "CIO"  # ours is not overwritten either, until the rep decides
        assert local.city == "Berlin"  # their other field came in


def test_remote_changes_are_pulled_and_local_pending_edits_survive(crm: Crm,
                                                                  store: Store) -> None:
    created = crm.sandbox.store.create("Lead", {"LastName": "Costa", "Company": "Nova",
                                                "Title": "CFO"})
    sync_once(store.sessions, crm.adapter, clock)
    with store.sessions() as session:
        local = session.scalars(select(Lead).where(Lead.crm_id == created.id)).one()
    with store.sessions.begin() as session:
        mine = session.get(Lead, local.id)
        assert mine is not None
        mine.title = "Chief Financial Officer"
    crm.sandbox.store.update("Lead", created.id, {"Company": "Nova Retail"})
    from models.sync.fieldmap import field_map
    from models.sync.pull import pull

    pull(store.sessions, crm.adapter, field_map(), clock)  # a pull before the push
    with store.sessions() as session:
        rebased = session.get(Lead, local.id)
        assert rebased is not None
        assert (rebased.title, rebased.company) == ("Chief Financial Officer", "Nova Retail")
    sync_once(store.sessions, crm.adapter, clock)
    assert crm.sandbox.store.get("Lead", created.id).fields["Title"] == \
        "Chief Financial Officer"  # type: ignore[union-attr]


def test_a_close_made_offline_syncs_later_with_one_hand_off_each(crm: Crm,
                                                                  store: Store) -> None:
    from models.closing import close_opportunity
    from models.store import Account, Contact, Opportunity, Product, User
    from tests.unit.test_closing import won

    with store.sessions.begin() as session:
        ae = User(name="Hugo Martin", role="AE", timezone="Europe/Paris")
        account = Account(name="Lyon Freight SAS", kind="prospect")
        seat = Product(name="Seat", code="S", list_price=1200.0)
        session.add_all([ae, account, seat])
        session.flush()
        billing = Contact(account_id=account.id, last_name="Moreau", email="i@lf.fr")
        tech = Contact(account_id=account.id, last_name="Petit", email="t@lf.fr")
        deal = Opportunity(name="Lyon Freight", account_id=account.id, owner_id=ae.id,
                           stage="Negotiation", created_at=clock())
        session.add_all([billing, tech, deal])
    ids = {"seat": seat.id, "billing": billing.id, "tech": tech.id}
    # Offline: the CRM does not answer at all.
    close_opportunity(store.sessions, deal.id, won(ids, seats=50), ae.id, clock())
    assert {d.state for d in deliveries(store.sessions, deal.id)} == {"waiting for sync"}
    crm.sandbox.faults.queue("lost", "lost")  # back online, but two answers are lost
    sync_once(store.sessions, crm.adapter, clock)
    sync_once(store.sessions, crm.adapter, clock)
    teams = Counter(r.fields["Team__c"] for r in crm.sandbox.store.all("CloseHandoff__c"))
    assert teams == Counter({"finance": 1, "support": 1, "marketing": 1, "management": 1})
    assert {d.state for d in deliveries(store.sessions, deal.id)} == {"delivered"}
    [opportunity] = crm.sandbox.store.all("Opportunity")
    assert opportunity.fields["StageName"] == "Closed Won"
    assert _pending(store) == 0


def _conflicting_title(crm: Crm, store: Store) -> tuple[str, str]:
    with store.sessions.begin() as session:
        lead = Lead(last_name="Weber", company="Cedar Health", title="IT Manager",
                    created_at=clock())
        session.add(lead)
    sync_once(store.sessions, crm.adapter, clock)
    [record] = _crm_leads(crm)
    crm.sandbox.store.update("Lead", record.id, {"Title": "Head of IT"})
    with store.sessions.begin() as session:
        local = session.get(Lead, lead.id)
        assert local is not None
        local.title = "CIO"
    sync_once(store.sessions, crm.adapter, clock)
    return lead.id, record.id


def test_keep_mine_sends_the_reps_value_at_the_next_sync(crm: Crm, store: Store) -> None:
    from models.sync.conflicts import open_conflicts, resolve

    _lead_id, crm_id = _conflicting_title(crm, store)
    [conflict] = open_conflicts(store.sessions)
    resolve(store.sessions, conflict.id, "mine", clock())
    sync_once(store.sessions, crm.adapter, clock)
    assert crm.sandbox.store.get("Lead", crm_id).fields["Title"] == "CIO"  # type: ignore[union-attr]
    assert open_conflicts(store.sessions) == []


def test_take_theirs_keeps_the_crms_value_and_sends_nothing(crm: Crm, store: Store) -> None:
    from models.sync.conflicts import open_conflicts, resolve

    lead_id, crm_id = _conflicting_title(crm, store)
    [conflict] = open_conflicts(store.sessions)
    resolve(store.sessions, conflict.id, "theirs", clock())
    assert _pending(store) == 0
    with store.sessions() as session:
        local = session.get(Lead, lead_id)
        assert local is not None and local.title == "Head of IT"
    sync_once(store.sessions, crm.adapter, clock)
    assert crm.sandbox.store.get("Lead", crm_id).fields["Title"] == "Head of IT"  # type: ignore[union-attr]


def test_an_edited_value_settles_the_conflict(crm: Crm, store: Store) -> None:
    from models.sync.conflicts import open_conflicts, resolve

    _lead_id, crm_id = _conflicting_title(crm, store)
    [conflict] = open_conflicts(store.sessions)
    resolve(store.sessions, conflict.id, "edited", clock(), edited="CIO and Head of IT")
    sync_once(store.sessions, crm.adapter, clock)
    assert crm.sandbox.store.get("Lead", crm_id).fields["Title"] == "CIO and Head of IT"  # type: ignore[union-attr]


def test_records_deleted_in_the_crm_are_removed_here_unless_edited(crm: Crm,
                                                                   store: Store) -> None:
    first = crm.sandbox.store.create("Lead", {"LastName": "Gone", "Company": "Acme"})
    second = crm.sandbox.store.create("Lead", {"LastName": "Edited", "Company": "Acme"})
    sync_once(store.sessions, crm.adapter, clock)
    with store.sessions.begin() as session:
        edited = session.scalars(select(Lead).where(Lead.crm_id == second.id)).one()
        edited.title = "CFO"  # a pending local edit
    crm.sandbox.store.delete("Lead", first.id)
    crm.sandbox.store.delete("Lead", second.id)
    from models.sync.fieldmap import field_map
    from models.sync.pull import pull

    report = pull(store.sessions, crm.adapter, field_map(), clock)
    assert report.deleted == 1
    with store.sessions() as session:
        remaining = list(session.scalars(select(Lead.last_name)))
    assert remaining == ["Edited"]  # the rep's edit is not thrown away


def test_a_template_email_is_sent_by_the_crm_once(crm: Crm, store: Store) -> None:
    from models.emails import send_email

    with store.sessions.begin() as session:
        lead = Lead(first_name="Yuki", last_name="Sato", company="Orion Labs",
                    email="yuki@orion.co.jp", created_at=clock())
        session.add(lead)
    send_email(store.sessions, lead.id, None, "Your trial", "Hi Yuki,\nhow is it going?",
               "crm", clock())
    crm.sandbox.faults.queue("lost")  # the lead's create answer is lost, then retried
    sync_once(store.sessions, crm.adapter, clock)
    sync_once(store.sessions, crm.adapter, clock)
    assert crm.sandbox.sent_emails == [{"to": "yuki@orion.co.jp", "subject": "Your trial",
                                        "body": "Hi Yuki,\nhow is it going?",
                                        "rich": False}]
    [task] = crm.sandbox.store.all("Task")
    assert task.fields["Subject"] == "Your trial"


def test_a_merge_syncs_as_children_re_pointed_and_the_copy_deleted(crm: Crm,
                                                                    store: Store) -> None:
    from models.hygiene.merge import merge_leads
    from models.store import Activity

    with store.sessions.begin() as session:
        session.add(Lead(id="keep", last_name="Smith", company="Acme", created_at=clock()))
        session.add(Lead(id="copy", last_name="Smith", company="ACME", title="CFO",
                         created_at=clock()))
        session.add(Activity(kind="call", lead_id="copy", subject="Call: voicemail",
                             occurred_at=clock()))
    sync_once(store.sessions, crm.adapter, clock)
    assert len(_crm_leads(crm)) == 2
    merge_leads(store.sessions, "keep", ["copy"], None, clock())
    sync_once(store.sessions, crm.adapter, clock)
    [survivor] = _crm_leads(crm)
    assert survivor.fields["RepDesk_Id__c"] == "keep" and survivor.fields["Title"] == "CFO"
    [task] = crm.sandbox.store.all("Task")
    assert task.fields["WhoId"] == survivor.id
    assert _pending(store) == 0


def test_a_record_created_with_a_lost_answer_and_then_deleted_is_deleted_there_too(
        crm: Crm, store: Store) -> None:
    with store.sessions.begin() as session:
        session.add(Lead(id="brief", last_name="Short", company="Lived", created_at=clock()))
    crm.sandbox.faults.queue("lost", "503", "503", "503", "503", "503")
    with contextlib.suppress(CrmError):  # the run stops on the repeated 503s
        sync_once(store.sessions, crm.adapter, clock)  # created there, never acknowledged
    crm.sandbox.faults.clear()
    assert len(_crm_leads(crm)) == 1
    with store.sessions.begin() as session:
        session.delete(session.get(Lead, "brief"))
    sync_once(store.sessions, crm.adapter, clock)
    assert _crm_leads(crm) == []
