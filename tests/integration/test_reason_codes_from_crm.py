"""The reason-code catalogue comes from the CRM's picklists: each sync adds the values an admin
added there and retires those taken away, never deleting one that past work names."""

from __future__ import annotations

from models.crm.adapter import PicklistValue
from models.reason_codes import catalogue, choices
from models.store.open import Store
from models.sync.engine import sync_once
from tests.integration.conftest import Crm, clock

REASONS = ("Qualification__c", "Reason_Code__c")


def test_describe_gives_the_lead_statuses_and_the_reason_codes(crm: Crm) -> None:
    statuses = crm.adapter.picklists("Lead")["Status"]
    assert [s.value for s in statuses][:4] == ["MCL", "MQL", "SAL", "SQL"]
    assert [s.value for s in statuses if s.default] == ["MQL"]
    reasons = crm.adapter.picklists("Qualification__c")["Reason_Code__c"]
    assert PicklistValue("D-STUDENT", "Student or academic use") in reasons


def test_codes_added_in_the_crm_arrive_and_codes_retired_there_become_inactive(
        crm: Crm, store: Store) -> None:
    before = {r.code: r for r in catalogue(store.sessions)}
    crm.sandbox.picklists.add(*REASONS, "D-NO-BUDGET", "No budget at all")
    crm.sandbox.picklists.add(*REASONS, "B-PILOT-PLANNED", "Pilot planned next quarter")
    crm.sandbox.picklists.add(*REASONS, "Call back", "Call back later")  # no category
    crm.sandbox.picklists.deactivate(*REASONS, "D-STUDENT")

    report = sync_once(store.sessions, crm.adapter, clock).reason_codes
    assert (report.added, report.deactivated, report.unfiled) == (2, 1, ["Call back"])
    assert ("D-NO-BUDGET", "No budget at all") in choices(store.sessions, "D")
    assert ("B-PILOT-PLANNED", "Pilot planned next quarter") in choices(store.sessions, "B")
    assert "D-STUDENT" not in dict(choices(store.sessions, "D"))
    after = {r.code: r for r in catalogue(store.sessions)}
    assert not after["D-STUDENT"].active  # kept: past qualifications name it
    # Close and hand-off reasons are not on the CRM's qualification picklist: left alone.
    assert all(after[code].active == row.active for code, row in before.items()
               if row.applies_to in ("won", "lost", "reject"))

    again = sync_once(store.sessions, crm.adapter, clock).reason_codes
    assert (again.added, again.deactivated, again.reactivated, again.relabelled) == (0, 0, 0, 0)


def test_an_empty_picklist_leaves_the_reps_their_reasons(crm: Crm, store: Store) -> None:
    before = catalogue(store.sessions)
    crm.sandbox.picklists.set(*REASONS, [])
    report = sync_once(store.sessions, crm.adapter, clock).reason_codes
    assert catalogue(store.sessions) == before
    assert report.deactivated == 0
