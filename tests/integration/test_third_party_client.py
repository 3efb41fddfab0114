"""simple-salesforce, a client written against the real Salesforce, works against the sandbox
CRM over HTTP on loopback: what the sandbox answers is what Salesforce would answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter
from simple_salesforce import (
    Salesforce,
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from models.crm.salesforce import API_VERSION
from models.crm.sandbox.store import bulk_load
from tests.integration.conftest import Crm


class _PlainHttp(HTTPAdapter):
    """simple-salesforce always builds https:// addresses; the sandbox speaks plain HTTP on
    loopback, so its address goes out as http://."""

    def send(self, request: requests.PreparedRequest, *args: Any,
             **kwargs: Any) -> requests.Response:
        assert request.url is not None
        request.url = "http://" + request.url.removeprefix("https://")
        return super().send(request, *args, **kwargs)


@pytest.fixture
def sf(crm: Crm) -> Iterator[Salesforce]:
    http = requests.Session()
    http.mount(crm.server.base_url.replace("http://", "https://", 1) + "/", _PlainHttp())
    yield Salesforce(instance_url=crm.tokens.instance_url, session_id=crm.tokens.access_token,
                     version=API_VERSION.removeprefix("v"), session=http)
    http.close()


def _leads(count: int) -> list[dict[str, Any]]:
    return [{"LastName": f"Lead {n:04d}", "Company": "Acme", "Status": "MQL"}
            for n in range(count)]


def test_query_pages_follow_next_records_url_and_query_all_gathers_them(
        crm: Crm, sf: Salesforce) -> None:
    bulk_load(crm.sandbox.store, "Lead", _leads(450))
    small_pages = {"Sforce-Query-Options": "batchSize=200"}

    first = sf.query("SELECT Id, LastName FROM Lead ORDER BY LastName", headers=small_pages)
    assert (first["totalSize"], first["done"], len(first["records"])) == (450, False, 200)
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True,
                           headers=small_pages)
    assert second["records"][0]["LastName"] == "Lead 0200"
    everything = sf.query_all("SELECT Id FROM Lead", headers=small_pages)
    assert len({r["Id"] for r in everything["records"]}) == everything["totalSize"] == 450

    gone = first["records"][0]["Id"]
    sf.Lead.delete(gone)
    assert sf.query_all("SELECT Id FROM Lead")["totalSize"] == 449
    with_deleted = sf.query_all("SELECT Id, IsDeleted FROM Lead WHERE IsDeleted = true",
                                include_deleted=True)
    assert [r["Id"] for r in with_deleted["records"]] == [gone]


def test_a_lead_is_created_read_updated_and_deleted(sf: Salesforce) -> None:
    created = sf.Lead.create({"LastName": "Lovelace", "Company": "Analytical Engines"})
    assert created["success"] and created["id"].startswith("00Q") and len(created["id"]) == 18

    assert sf.Lead.update(created["id"], {"Title": "CTO"}) == 204
    lead = sf.Lead.get(created["id"])
    assert (lead["LastName"], lead["Title"]) == ("Lovelace", "CTO")
    assert lead["attributes"] == {"type": "Lead", "url": f"/services/data/{API_VERSION}"
                                  f"/sobjects/Lead/{created['id']}"}

    assert sf.Lead.delete(created["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound) as again:
        sf.Lead.delete(created["id"])
    assert again.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_upsert_on_the_external_id_creates_once_then_updates(sf: Salesforce) -> None:
    assert sf.Lead.upsert("RepDesk_Id__c/xyz", {"LastName": "Hopper", "Company": "Navy"}) == 201
    assert sf.Lead.upsert("RepDesk_Id__c/xyz", {"Title": "Rear Admiral"}) == 200

    lead = sf.Lead.get_by_custom_id("RepDesk_Id__c", "xyz")
    assert (lead["LastName"], lead["Title"]) == ("Hopper", "Rear Admiral")
    assert sf.query("SELECT Id FROM Lead WHERE RepDesk_Id__c = 'xyz'")["totalSize"] == 1


def test_describe_gives_fields_and_the_active_picklist_values(crm: Crm, sf: Salesforce) -> None:
    objects = {o["name"]: o for o in sf.describe()["sobjects"]}
    assert objects["Lead"]["keyPrefix"] == "00Q" and objects["Qualification__c"]["custom"]

    status = next(f for f in sf.Lead.describe()["fields"] if f["name"] == "Status")
    assert status["type"] == "picklist"
    assert [v["value"] for v in status["picklistValues"] if v["defaultValue"]] == ["MQL"]
    assert set(status["picklistValues"][0]) == {"active", "defaultValue", "label", "validFor",
                                                "value"}

    crm.sandbox.picklists.deactivate("Qualification__c", "Reason_Code__c", "D-STUDENT")
    reasons = next(f for f in sf.Qualification__c.describe()["fields"]
                   if f["name"] == "Reason_Code__c")
    values = {v["value"] for v in reasons["picklistValues"]}
    assert "D-NO-FIT" in values and "D-STUDENT" not in values  # inactive values are left out


def test_describe_gives_the_system_fields_salesforce_keeps(sf: Salesforce) -> None:
    system = ("Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate",
              "LastModifiedById", "SystemModstamp")

    lead = {f["name"]: f for f in sf.Lead.describe()["fields"]}
    product = {f["name"]: f for f in sf.Product2.describe()["fields"]}

    assert set(system) | {"OwnerId", "MasterRecordId"} <= set(lead)
    assert [lead[name]["type"] for name in system] == [
        "id", "boolean", "datetime", "reference", "datetime", "reference", "datetime"]
    assert lead["CreatedById"]["referenceTo"] == ["User"]
    assert not lead["SystemModstamp"]["updateable"] and lead["OwnerId"]["updateable"]
    assert set(system) <= set(product) and "OwnerId" not in product  # no owner, as there
    created = sf.Lead.create({"LastName": "Ng", "Company": "Acme", "Status": "MQL"})
    record = sf.Lead.get(created["id"])
    assert record["CreatedById"] == record["LastModifiedById"]
    assert record["SystemModstamp"] == record["LastModifiedDate"]


def test_deleted_and_updated_records_are_listed_between_two_datetimes(sf: Salesforce) -> None:
    start = datetime.now(UTC) - timedelta(minutes=1)
    kept = sf.Lead.create({"LastName": "Kept", "Company": "Acme"})["id"]
    gone = sf.Lead.create({"LastName": "Gone", "Company": "Acme"})["id"]
    sf.Lead.delete(gone)
    end = datetime.now(UTC) + timedelta(minutes=1)

    deleted = sf.Lead.deleted(start, end)
    assert [r["id"] for r in deleted["deletedRecords"]] == [gone]
    assert deleted["latestDateCovered"].endswith("+0000")
    assert sf.Lead.updated(start, end)["ids"] == [kept]
    assert sf.Lead.deleted(end, end + timedelta(hours=1))["deletedRecords"] == []


def test_collections_answer_per_record_through_restful(sf: Salesforce) -> None:
    created = sf.restful("composite/sobjects", method="POST", json={
        "allOrNone": False, "records": [
            {"attributes": {"type": "Lead"}, "LastName": "Curie", "Company": "Sorbonne"},
            {"attributes": {"type": "Lead"}, "Company": "No Name Ltd"}]})
    assert [r["success"] for r in created] == [True, False]
    assert created[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"

    read = sf.restful("composite/sobjects/Lead",
                      params={"ids": created[0]["id"], "fields": "LastName,Company"})
    assert read[0]["LastName"] == "Curie"
    removed = sf.restful("composite/sobjects", method="DELETE",
                         params={"ids": created[0]["id"], "allOrNone": "false"})
    assert removed == [{"id": created[0]["id"], "success": True, "errors": []}]


def test_errors_come_back_as_the_library_expects(crm: Crm, sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as malformed:
        sf.query("SELEC Id FROM Lead")
    assert malformed.value.content[0]["errorCode"] == "MALFORMED_QUERY"
    with pytest.raises(SalesforceResourceNotFound):
        sf.Lead.get("00Q999999999999AAA")
    crm.sandbox.faults.queue("limit")
    with pytest.raises(SalesforceRefusedRequest) as refused:
        sf.query("SELECT Id FROM Lead")
    assert refused.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    crm.sandbox.expire_tokens()
    with pytest.raises(SalesforceExpiredSession) as expired:
        sf.query("SELECT Id FROM Lead")
    assert expired.value.content[0]["errorCode"] == "INVALID_SESSION_ID"


def test_api_usage_is_reported_in_the_header_and_the_limits_resource(
        crm: Crm, sf: Salesforce) -> None:
    crm.sandbox.faults.api_usage = (14_250, 15_000)
    limits = sf.limits()
    assert limits["DailyApiRequests"] == {"Max": 15_000, "Remaining": 750}
    usage = sf.api_usage["api-usage"]
    assert (usage.used, usage.total) == (14_250, 15_000)
