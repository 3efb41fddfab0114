"""The data API's resources, one function per kind of call."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from models.crm.datetimes import parse_datetime
from models.crm.sandbox.describe import describe, describe_global, object_summary
from models.crm.sandbox.http_input import sobject
from models.crm.sandbox.server import API, BATCH, MAX_COLLECTION, HttpError, Sandbox, _error
from models.crm.sandbox.store import RecordError, stamp


def _batch(headers: Any) -> int:
    option = headers.get("Sforce-Query-Options") or ""
    size = option.split("batchSize=")[1].split(",")[0].strip() if "batchSize=" in option else ""
    if not size.isdigit():
        return BATCH  # Salesforce ignores a batch size it cannot read
    return max(200, min(int(size), BATCH))


def _result(action: Callable[[], Any], record_id: str | None = None) -> dict[str, Any]:
    try:
        done = action()
    except RecordError as error:
        return {"id": record_id, "success": False, "errors": [error.as_json()]}
    if isinstance(done, tuple):
        record, created = done
        return {"id": record.id, "success": True, "errors": [], "created": created}
    return {"id": done.id if done is not None else record_id, "success": True, "errors": []}


def _records(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise _error(400, "JSON_PARSER_ERROR", "expected {\"records\": [...]}")
    records = body["records"]
    if len(records) > MAX_COLLECTION:
        raise _error(400, "EXCEEDED_ID_LIMIT", f"record limit is {MAX_COLLECTION}")
    checked = [sobject(r, f"records[{n}]") for n, r in enumerate(records)]
    for n, record in enumerate(checked):
        if not isinstance(record.get("attributes", {}), dict):
            raise _error(400, "JSON_PARSER_ERROR", f"records[{n}].attributes is not an object")
    return checked


def _collections(sandbox: Sandbox, method: str, parts: list[str], params: dict[str, str],
                 body: Callable[[], Any]) -> tuple[int, Any]:
    store = sandbox.store
    if method == "POST" and len(parts) == 2:
        return 200, [_result(partial(store.create, r.get("attributes", {}).get("type", ""), r))
                     for r in _records(body())]
    if method == "PATCH" and len(parts) == 2:
        results = []
        for record in _records(body()):
            record_id = str(record.get("Id"))
            obj = record.get("attributes", {}).get("type") or store.object_of(record_id) or ""
            results.append(_result(partial(store.update, obj, record_id, record), record_id))
        return 200, results
    if method == "PATCH" and len(parts) == 4:
        obj, field = parts[2], parts[3]
        return 200, [_result(partial(store.upsert, obj, field, str(r.get(field)), r))
                     for r in _records(body())]
    if method == "DELETE" and len(parts) == 2:
        ids = [i for i in params.get("ids", "").split(",") if i]
        return 200, [_result(partial(store.delete, None, i), i) for i in ids]
    if method == "GET" and len(parts) == 3:
        fields = params.get("fields", "Id").split(",")
        found = [store.get(parts[2], i) for i in params.get("ids", "").split(",") if i]
        return 200, [r.as_json(API, fields) if r else None for r in found]
    raise _error(404, "NOT_FOUND", "The requested resource does not exist")


def _sobject(sandbox: Sandbox, method: str, parts: list[str], params: dict[str, str],
             body: Callable[[], Any]) -> tuple[int, Any]:
    store = sandbox.store
    obj = parts[1]
    try:
        if len(parts) == 2 and method == "POST":
            return 201, {"id": store.create(obj, sobject(body())).id, "success": True,
                         "errors": []}
        if len(parts) == 2 and method == "GET":
            return 200, {"objectDescribe": object_summary(obj), "recentItems": []}
        if len(parts) == 3 and parts[2] == "describe":
            return 200, describe(sandbox, obj)
        if len(parts) >= 3 and parts[2] == "deleted":
            start, end = _window(params)
            rows = store.deleted_between(obj, start, end)
            return 200, {"deletedRecords": [{"id": i, "deletedDate": d} for i, d in rows],
                         "earliestDateAvailable": start, "latestDateCovered": end}
        if len(parts) >= 3 and parts[2] == "updated":
            start, end = _window(params)
            return 200, {"ids": [r.id for r in store.all(obj) if start <= r.modstamp <= end],
                         "latestDateCovered": end}
        if len(parts) == 3:
            record_id = parts[2]
            if method == "GET":
                record = store.get(obj, record_id)
                if record is None:
                    raise _error(404, "NOT_FOUND", "The requested resource does not exist")
                fields = params["fields"].split(",") if "fields" in params else None
                return 200, record.as_json(API, fields)
            if method == "PATCH":
                store.update(obj, record_id, sobject(body()))
                return 204, None
            if method == "DELETE":
                store.delete(obj, record_id)
                return 204, None
        if len(parts) == 4 and method == "GET":
            return 200, _by_external_id(sandbox, obj, parts[2], parts[3], params)
        if len(parts) == 4 and method == "PATCH":
            record, created = store.upsert(obj, parts[2], parts[3], sobject(body()))
            return (201 if created else 200), {"id": record.id, "success": True, "errors": [],
                                               "created": created}
    except RecordError as error:
        status = 404 if error.status_code in ("NOT_FOUND", "ENTITY_IS_DELETED") else 400
        raise HttpError(status, [{"message": error.message, "errorCode": error.status_code,
                                  "fields": error.fields}]) from error
    raise _error(404, "NOT_FOUND", "The requested resource does not exist")


def _window(params: dict[str, str]) -> tuple[str, str]:
    """The start and end of a deleted/updated call, in any ISO 8601 offset, as stored stamps
    (which compare as text)."""
    try:
        start, end = parse_datetime(params["start"]), parse_datetime(params["end"])
    except (KeyError, ValueError) as error:
        raise _error(400, "INVALID_PARAMETER_VALUE",
                     "start and end must be ISO 8601 date-times") from error
    return stamp(start), stamp(end)


def _by_external_id(sandbox: Sandbox, obj: str, field: str, value: str,
                    params: dict[str, str]) -> dict[str, Any]:
    if field != sandbox.store.external_id:
        raise _error(404, "NOT_FOUND",
                     f"Provided external ID field does not exist or is not accessible: {field}")
    record = sandbox.store.by_external_id(obj, value)
    if record is None:
        raise _error(404, "NOT_FOUND", "The requested resource does not exist")
    fields = params["fields"].split(",") if "fields" in params else None
    return record.as_json(API, fields)


def _limits(sandbox: Sandbox) -> dict[str, Any]:
    used, limit = sandbox.api_usage()
    return {"DailyApiRequests": {"Max": limit, "Remaining": max(0, limit - used)}}


def _email_simple(sandbox: Sandbox, body: Any) -> tuple[int, Any]:
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not all(isinstance(a, dict) for a in inputs):
        raise _error(400, "JSON_PARSER_ERROR", "expected {\"inputs\": [{...}]}")
    results = []
    for action in inputs:
        to = str(action.get("emailAddresses") or "")
        if "@" not in to:
            results.append({"actionName": "emailSimple", "isSuccess": False, "outputValues":
                            None, "errors": [{"statusCode": "INVALID_EMAIL_ADDRESS",
                                              "message": f"invalid address: {to}"}]})
            continue
        sandbox.sent_emails.append({"to": to, "subject": action.get("emailSubject"),
                                    "body": action.get("emailBody"),
                                    "rich": action.get("sendRichBody") is True})
        results.append({"actionName": "emailSimple", "isSuccess": True, "errors": None,
                        "outputValues": None})
    return 200, results


def route(sandbox: Sandbox, method: str, parts: list[str], params: dict[str, str],
          body: Callable[[], Any], headers: Any) -> tuple[int, Any]:
    if parts == ["actions", "standard", "emailSimple"] and method == "POST":
        return _email_simple(sandbox, body())
    if parts[0] in ("query", "queryAll"):
        if len(parts) == 2:
            return 200, sandbox.more(parts[1], _batch(headers))
        if "q" not in params:
            raise _error(400, "MALFORMED_QUERY", "q is required")
        return 200, sandbox.query(params["q"], parts[0] == "queryAll", _batch(headers))
    if parts[:2] == ["composite", "sobjects"]:
        return _collections(sandbox, method, parts, params, body)
    if parts == ["sobjects"] and method == "GET":
        return 200, describe_global(sandbox)
    if parts == ["limits"] and method == "GET":
        return 200, _limits(sandbox)
    if parts[0] == "sobjects" and len(parts) >= 2:
        return _sobject(sandbox, method, parts, params, body)
    raise _error(404, "NOT_FOUND", "The requested resource does not exist")
