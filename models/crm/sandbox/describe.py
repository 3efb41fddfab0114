"""The describe resources: what the sandbox says its objects and fields are.

The sandbox has no schema, so an object's fields are the ones its records hold, its
picklists, and the system fields Salesforce gives every object (Id, IsDeleted, CreatedDate,
CreatedById, LastModifiedDate, LastModifiedById, SystemModstamp, and OwnerId where
Salesforce has an owner), typed as Salesforce types them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from models.crm.sandbox.server import API, MAX_COLLECTION
from models.crm.sandbox.store import MERGEABLE, PREFIXES

if TYPE_CHECKING:
    from models.crm.sandbox.server import Sandbox

# Standard objects that have no owner: their records belong to their parent or the org.
UNOWNED = frozenset({"User", "OpportunityLineItem", "Product2", "PricebookEntry",
                     "CampaignMember"})
_DATETIME = {"type": "datetime", "soapType": "xsd:dateTime"}
_USER = {"type": "reference", "soapType": "tns:ID", "referenceTo": ["User"]}
SYSTEM_FIELDS: dict[str, dict[str, Any]] = {
    "Id": {"type": "id", "soapType": "tns:ID", "idLookup": True},
    "IsDeleted": {"type": "boolean", "soapType": "xsd:boolean"},
    "CreatedDate": _DATETIME,
    "CreatedById": {**_USER, "relationshipName": "CreatedBy"},
    "LastModifiedDate": _DATETIME,
    "LastModifiedById": {**_USER, "relationshipName": "LastModifiedBy"},
    "SystemModstamp": _DATETIME,
}


def _object_urls(obj: str) -> dict[str, str]:
    base = f"/services/data/{API}/sobjects/{obj}"
    return {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"}


def object_summary(obj: str) -> dict[str, Any]:
    return {"name": obj, "label": obj.removesuffix("__c").replace("_", " "),
            "keyPrefix": PREFIXES.get(obj), "custom": obj.endswith("__c"),
            "createable": True, "deletable": True, "queryable": True, "updateable": True,
            "urls": _object_urls(obj)}


def system_fields(obj: str) -> dict[str, dict[str, Any]]:
    """The fields Salesforce keeps itself on ``obj``: read-only, never blank."""
    fields = dict(SYSTEM_FIELDS)
    if obj not in UNOWNED:
        # Leads and cases may be owned by a queue, as in Salesforce.
        owners = ["Group", "User"] if obj == "Lead" else ["User"]
        fields["OwnerId"] = {"type": "reference", "soapType": "tns:ID", "referenceTo": owners,
                             "relationshipName": "Owner", "createable": True,
                             "updateable": True}
    if obj in MERGEABLE:
        fields["MasterRecordId"] = {"type": "reference", "soapType": "tns:ID",
                                    "referenceTo": [obj], "relationshipName": "MasterRecord",
                                    "nillable": True}
    return fields


def _field(name: str, external_id: str, picklist: list[dict[str, Any]] | None,
           system: dict[str, Any] | None) -> dict[str, Any]:
    field: dict[str, Any] = {
        "name": name, "label": name.removesuffix("__c").replace("_", " "),
        "type": "picklist" if picklist is not None else "string", "soapType": "xsd:string",
        "custom": name.endswith("__c"), "nillable": True, "createable": True,
        "updateable": True, "externalId": name == external_id, "idLookup":
        name == external_id, "referenceTo": [], "relationshipName": None,
        "restrictedPicklist": False, "picklistValues": picklist or []}
    if system is not None:
        field.update({"nillable": False, "createable": False, "updateable": False, **system})
    return field


def describe(sandbox: Sandbox, obj: str) -> dict[str, Any]:
    seen: set[str] = set()
    for record in sandbox.store.all(obj):
        seen.update(record.fields)
    picklists = sandbox.picklists.of(obj)
    system = system_fields(obj)
    external_id = sandbox.store.external_id
    names = seen | set(picklists) | set(system) | {external_id}
    # System fields first, as Salesforce lists them, then the rest by name.
    ordered = [n for n in system] + sorted(names - set(system))
    return {**object_summary(obj),
            "fields": [_field(name, external_id, picklists.get(name), system.get(name))
                       for name in ordered]}


def describe_global(sandbox: Sandbox) -> dict[str, Any]:
    objects = sorted(set(PREFIXES) | sandbox.picklists.objects())
    return {"encoding": "UTF-8", "maxBatchSize": MAX_COLLECTION,
            "sobjects": [object_summary(obj) for obj in objects]}
