"""What the CRM removes reaches the rep's store: deletions read from the CRM's deletion log,
every id compared after more than 15 days offline, and records merged away handing their
children and the rep's edits to the record that survived."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import unquote_plus

from sqlalchemy import func, select

from models.store import Activity, Lead, OutboxEntry, StageChange, SyncState
from models.store.open import Store
from models.sync.conflicts import RECORD_DELETED, open_conflicts, resolve
from models.sync.engine import SyncReport, sync_once
from models.sync.fieldmap import field_map
from models.sync.push import push
from models.sync.status import outbox_lines
from tests.integration.conftest import Crm, clock, connect


def _days_later(crm: Crm, days: int, crm_days: int | None = None) -> Callable[[], datetime]:
    """Play ``days`` passing for the rep (and ``crm_days`` for the CRM's clock)."""
    crm.sandbox.store.clock_offset = timedelta(days=days if crm_days is None else crm_days)
    return lambda: clock() + timedelta(days=days)


def _remote_leads(crm: Crm, *names: str) -> dict[str, str]:
    return {name: crm.sandbox.store.create("Lead", {"LastName": name, "Company": "Acme"}).id
            for name in names}


def _requests_during(crm: Crm, run: Callable[[], SyncReport]) -> tuple[SyncReport, list[str]]:
    crm.sandbox.requests.clear()
    report = run()
    return report, [unquote_plus(r) for r in crm.sandbox.requests]


def _local_names(store: Store) -> set[str]:
    with store.sessions() as session:
        return set(session.scalars(select(Lead.last_name)))


def _edit_title(store: Store, crm_id: str, title: str) -> str:
    with store.sessions.begin() as session:
        lead = session.scalars(select(Lead).where(Lead.crm_id == crm_id)).one()
        lead.title = title
        return lead.id


def _pending(store: Store) -> int:
    with store.sessions() as session:
        return session.scalar(select(func.count()).select_from(OutboxEntry).where(
            OutboxEntry.state == "pending")) or 0


def test_after_sixteen_days_offline_every_id_is_compared_and_edited_records_are_kept(
        crm: Crm, store: Store) -> None:
    ids = _remote_leads(crm, "Gone 1", "Gone 2", "Gone 3", "Edited", "Stays")
    sync_once(store.sessions, crm.adapter, clock)
    with store.sessions.begin() as session:
        session.add(Activity(kind="call", subject="Call: voicemail", occurred_at=clock(),
                             lead_id=session.scalars(select(Lead.id).where(
                                 Lead.crm_id == ids["Gone 1"])).one()))
    sync_once(store.sessions, crm.adapter, clock)
    [task] = crm.sandbox.store.all("Task")
    edited = _edit_title(store, ids["Edited"], "CFO")  # then the rep goes offline...
    with store.sessions.begin() as session:
        session.add(Lead(last_name="New here", company="Nova", created_at=clock()))
    later = _days_later(crm, 16)
    other = connect(crm.server).adapter  # ...and a colleague cleans up the CRM meanwhile
    other.delete([ids["Gone 1"], ids["Gone 2"], ids["Gone 3"], ids["Edited"], task.id])

    report, seen = _requests_during(crm, lambda: sync_once(store.sessions, crm.adapter, later))

    assert _local_names(store) == {"Edited", "Stays", "New here"}
    assert (report.pull.deleted, report.pull.kept, report.pull.conflicts) == (4, 1, 1)
    assert {"Lead", "Task"} <= set(report.pull.reconciled)
    assert any("q=SELECT Id FROM Lead" in r for r in seen)
    assert not any("/sobjects/Lead/deleted/" in r for r in seen)  # refused this far back
    with store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Activity)) == 0
        state = session.get(SyncState, "Lead")
        assert state is not None and state.reconciled_at is not None
        assert state.reconciled_at > clock() + timedelta(days=15)
    [conflict] = open_conflicts(store.sessions)
    assert (conflict.record_id, conflict.field, conflict.mine) == (
        edited, RECORD_DELETED, {"title": "CFO"})
    assert [(line.op, line.error) for line in outbox_lines(store.sessions)] == [
        ("update", "deleted in the CRM")]  # shown, not sent
    assert report.push.sent == 1  # the lead created offline
    assert {r.fields["LastName"] for r in crm.sandbox.store.all("Lead")} == {"Stays",
                                                                             "New here"}


def test_within_fifteen_days_the_deletion_log_is_read_and_not_every_id(crm: Crm,
                                                                       store: Store) -> None:
    ids = _remote_leads(crm, "Gone", "Stays")
    sync_once(store.sessions, crm.adapter, clock)
    later = _days_later(crm, 14)
    connect(crm.server).adapter.delete([ids["Gone"]])

    report, seen = _requests_during(crm, lambda: sync_once(store.sessions, crm.adapter, later))

    assert _local_names(store) == {"Stays"}
    assert (report.pull.deleted, report.pull.reconciled) == (1, [])
    assert any("/sobjects/Lead/deleted/" in r for r in seen)
    assert not any("SELECT Id FROM" in r for r in seen)
    with store.sessions() as session:
        state = session.get(SyncState, "Lead")
        assert state is not None and state.reconciled_at is None


def test_a_deletion_log_the_crm_refuses_is_replaced_by_comparing_ids(crm: Crm,
                                                                     store: Store) -> None:
    ids = _remote_leads(crm, "Gone", "Stays")
    sync_once(store.sessions, crm.adapter, clock)
    # This computer's clock says 14 days passed, the CRM's says 16: the CRM refuses the start.
    later = _days_later(crm, 14, crm_days=16)
    connect(crm.server).adapter.delete([ids["Gone"]])

    report, seen = _requests_during(crm, lambda: sync_once(store.sessions, crm.adapter, later))

    assert _local_names(store) == {"Stays"}
    assert report.pull.deleted == 1 and "Lead" in report.pull.reconciled
    assert any("/sobjects/Lead/deleted/" in r for r in seen)
    assert any("q=SELECT Id FROM Lead" in r for r in seen)


def _deleted_while_edited(crm: Crm, store: Store) -> tuple[str, str]:
    ids = _remote_leads(crm, "Weber")
    sync_once(store.sessions, crm.adapter, clock)
    local = _edit_title(store, ids["Weber"], "CIO")
    connect(crm.server).adapter.delete([ids["Weber"]])
    sync_once(store.sessions, crm.adapter, clock)
    assert _local_names(store) == {"Weber"}
    return local, ids["Weber"]


def test_keep_mine_creates_a_record_deleted_in_the_crm_again_with_the_reps_edits(
        crm: Crm, store: Store) -> None:
    local, old_id = _deleted_while_edited(crm, store)
    [conflict] = open_conflicts(store.sessions)
    resolve(store.sessions, conflict.id, "mine", clock())
    sync_once(store.sessions, crm.adapter, clock)
    [record] = crm.sandbox.store.all("Lead")
    assert record.id != old_id
    assert (record.fields["RepDesk_Id__c"], record.fields["Title"]) == (local, "CIO")
    with store.sessions() as session:
        lead = session.get(Lead, local)
        assert lead is not None and lead.crm_id == record.id
    assert open_conflicts(store.sessions) == [] and outbox_lines(store.sessions) == []


def test_take_theirs_lets_a_record_deleted_in_the_crm_go_here_too(crm: Crm,
                                                                 store: Store) -> None:
    _deleted_while_edited(crm, store)
    [conflict] = open_conflicts(store.sessions)
    resolve(store.sessions, conflict.id, "theirs", clock())
    report = sync_once(store.sessions, crm.adapter, clock)
    assert _local_names(store) == set() and list(crm.sandbox.store.all("Lead")) == []
    assert report.push.sent == 0 and outbox_lines(store.sessions) == []


def test_an_edit_of_a_record_deleted_during_the_sync_becomes_a_conflict(crm: Crm,
                                                                       store: Store) -> None:
    ids = _remote_leads(crm, "Weber")
    sync_once(store.sessions, crm.adapter, clock)
    local = _edit_title(store, ids["Weber"], "CIO")
    connect(crm.server).adapter.delete([ids["Weber"]])
    report = push(store.sessions, crm.adapter, field_map(), clock)  # before any removal check
    assert (report.conflicts, report.sent) == (1, 0)
    [conflict] = open_conflicts(store.sessions)
    assert (conflict.record_id, conflict.field) == (local, RECORD_DELETED)
    sync_once(store.sessions, crm.adapter, clock)
    assert _local_names(store) == {"Weber"}  # kept until the rep settles it


def test_a_lead_merged_away_in_the_crm_hands_its_activities_and_edits_to_the_survivor(
        crm: Crm, store: Store) -> None:
    ids = {"master": crm.sandbox.store.create("Lead", {"LastName": "Smith",
                                                       "Company": "Acme"}).id,
           "copy": crm.sandbox.store.create("Lead", {"LastName": "Smith",
                                                     "Company": "ACME Inc"}).id}
    sync_once(store.sessions, crm.adapter, clock)
    with store.sessions.begin() as session:
        master, copy = (session.scalars(select(Lead.id).where(Lead.crm_id == ids[name])).one()
                        for name in ("master", "copy"))
        session.add(Activity(id="synced", kind="call", lead_id=copy, subject="First call",
                             occurred_at=clock()))
        session.add(StageChange(lead_id=copy, to_stage="MQL", changed_at=clock()))
        filed = session.get(Lead, copy)
        assert filed is not None
        filed.persona = "IT Director"  # only RepDesk knows it: no CRM field
    sync_once(store.sessions, crm.adapter, clock)
    with store.sessions.begin() as session:  # offline: a call logged, a number corrected
        session.add(Activity(id="offline", kind="call", lead_id=copy, subject="Second call",
                             occurred_at=clock()))
        lead = session.get(Lead, copy)
        assert lead is not None
        lead.phone = "+1 555 0100"
    crm.sandbox.store.merge("Lead", ids["master"], [ids["copy"]])

    report = sync_once(store.sessions, crm.adapter, clock)

    assert (report.pull.merged, report.pull.deleted, report.pull.kept) == (1, 0, 0)
    assert report.push.sent == 2  # the new call and the number, once each
    with store.sessions() as session:
        assert session.get(Lead, copy) is None
        assert set(session.scalars(select(Activity.lead_id))) == {master}
        # Both were born with a history; the copy's (the change added here too) is handed over.
        assert set(session.scalars(select(StageChange.lead_id))) == {master}
        assert session.scalar(select(func.count()).select_from(StageChange).where(
            StageChange.origin.is_(None))) == 1
        survivor = session.get(Lead, master)
        assert survivor is not None
        assert (survivor.phone, survivor.persona) == ("+1 555 0100", "IT Director")
    tasks = {t.fields["RepDesk_Id__c"]: t for t in crm.sandbox.store.all("Task")}
    assert set(tasks) == {"synced", "offline"}
    assert {t.fields["WhoId"] for t in tasks.values()} == {ids["master"]}
    remote = crm.sandbox.store.get("Lead", ids["master"])
    assert remote is not None and remote.fields["Phone"] == "+1 555 0100"
    assert _pending(store) == 0
    again = sync_once(store.sessions, crm.adapter, clock)
    assert again.push.sent == 0 and len(list(crm.sandbox.store.all("Task"))) == 2


def test_query_all_shows_merged_records_with_their_master(crm: Crm) -> None:
    master, copy = (crm.sandbox.store.create("Lead", {"LastName": "Smith", "Company": c}).id
                    for c in ("Acme", "ACME"))
    crm.sandbox.store.merge("Lead", master, [copy])
    soql = f"SELECT Id, IsDeleted, MasterRecordId FROM Lead WHERE Id IN ('{master}', '{copy}')"
    assert [r["Id"] for page in crm.adapter.query(soql) for r in page] == [master]
    rows = {r["Id"]: r for page in crm.adapter.query_all(soql) for r in page}
    assert (rows[copy]["IsDeleted"], rows[copy]["MasterRecordId"]) == (True, master)
    assert (rows[master]["IsDeleted"], rows[master]["MasterRecordId"]) == (False, None)


def test_a_lead_merged_into_one_not_here_yet_brings_that_one_in_first(crm: Crm,
                                                                     store: Store) -> None:
    copy = crm.sandbox.store.create("Lead", {"LastName": "Sato", "Company": "Orion"}).id
    sync_once(store.sessions, crm.adapter, clock)
    with store.sessions.begin() as session:
        local = session.scalars(select(Lead.id).where(Lead.crm_id == copy)).one()
        session.add(Activity(kind="call", lead_id=local, subject="Call", occurred_at=clock()))
    master = crm.sandbox.store.create("Lead", {"LastName": "Sato", "Company": "Orion Labs"}).id
    crm.sandbox.store.merge("Lead", master, [copy])

    report = sync_once(store.sessions, crm.adapter, clock)

    assert report.pull.merged == 1
    with store.sessions() as session:
        survivor = session.scalars(select(Lead).where(Lead.crm_id == master)).one()
        assert session.scalars(select(Activity.lead_id)).one() == survivor.id
        assert session.scalar(select(func.count()).select_from(Lead)) == 1
    [task] = crm.sandbox.store.all("Task")
    assert task.fields["WhoId"] == master


def test_an_edit_of_a_merged_away_lead_never_overwrites_the_survivors_own_value(
        crm: Crm, store: Store) -> None:
    master = crm.sandbox.store.create("Lead", {"LastName": "Weber", "Company": "Cedar",
                                               "Title": "Head of IT"}).id
    copy = crm.sandbox.store.create("Lead", {"LastName": "Weber", "Company": "Cedar Health",
                                             "Title": "IT Manager"}).id
    sync_once(store.sessions, crm.adapter, clock)
    _edit_title(store, copy, "CIO")
    crm.sandbox.store.merge("Lead", master, [copy])

    report = sync_once(store.sessions, crm.adapter, clock)

    assert (report.pull.merged, report.push.conflicts) == (1, 1)
    [conflict] = open_conflicts(store.sessions)
    assert (conflict.field, conflict.base, conflict.mine, conflict.theirs) == (
        "title", "IT Manager", "CIO", "Head of IT")
    remote = crm.sandbox.store.get("Lead", master)
    assert remote is not None and remote.fields["Title"] == "Head of IT"
