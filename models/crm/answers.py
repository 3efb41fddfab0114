"""Every answer checked against the request it answers, before anything reads it.

A collection answer must hold one result per record sent, in order, for the ids sent; a query
page must be a page of the object asked for, no longer than Salesforce makes one. An answer
that does not fit is a ``BrokenAnswer``: perhaps another request's, left on a kept-alive
connection. Records of a page are checked one by one: one that is not a record or has no
well-formed id is refused by name and the rest of the page goes on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from models.crm.adapter import BrokenAnswer, CrmError, RefusedRecord, SaveResult

# Salesforce answers with at most 2,000 records a page.
MAX_PAGE = 2000
CRM_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_FROM = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
# The first three characters of a standard object's ids (Salesforce's key prefixes): an upsert's
# answer names no external id, so an answer whose ids are of another object is another
# request's. Custom objects' prefixes differ per org and are not checked.
KEY_PREFIXES = {"Lead": "00Q", "Account": "001", "Contact": "003", "Opportunity": "006",
                "Task": "00T", "Event": "00U", "Campaign": "701", "User": "005",
                "EmailTemplate": "00X", "OpportunityLineItem": "00k", "Product2": "01t"}
# What the largest answer of records holds, with room: parsed, about 30 MB at most.
MOST_VALUES = 500_000
MOST_CONTAINERS = 100_000


def dense_answer(content: bytes | bytearray) -> None:
    """Refuse, before parsing, an answer packed with objects, lists or values: parsed, an
    object or list takes 50 to 100 bytes and a number 32, so 32 MB of ``{},{},…`` or
    ``1.5,1.5,…`` would take gigabytes. An answer of records holds far fewer (a page: 2,000
    records of a few dozen fields; a describe: some thousands of fields and picklist values).
    Counting commas and braces is cheap; only an answer with many counts them again outside
    its strings (prose is full of commas).

    Raises:
        CrmError: more objects, lists or values than any answer of records holds.
    """
    if content.count(b",") <= MOST_VALUES and \
            content.count(b"{") + content.count(b"[") <= MOST_CONTAINERS:
        return
    values = content.count(b",")
    containers = content.count(b"{") + content.count(b"[")
    for text in _STRING.finditer(content):  # what the strings hold is no structure
        found = text.group()
        values -= found.count(b",")
        containers -= found.count(b"{") + found.count(b"[")
    if values > MOST_VALUES or containers > MOST_CONTAINERS:
        raise CrmError(f"the CRM's answer packs {containers:,} objects or lists and "
                       f"{values:,} values into {len(content):,} bytes, more than any answer "
                       "of records; RepDesk did not read it")


def is_crm_id(value: object) -> bool:
    return isinstance(value, str) and CRM_ID.fullmatch(value) is not None


def same_id(one: str, other: str) -> bool:
    """15- and 18-character forms of one id agree on their first 15."""
    return one[:15] == other[:15]


def shown(value: object, limit: int = 40) -> str:
    """A value as a message may quote it: short, whatever it is."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def _shape(body: object) -> str:
    if isinstance(body, list):
        return f"{len(body)} result(s)"
    return f"a {type(body).__name__}"


def save_results(body: object, sent: int, ids: Sequence[str] | None,
                 what: str, obj: str | None = None) -> list[SaveResult]:
    """A collection call's answer: one result per record sent, in order, each for the id sent
    where the request named one, and each of ``obj``'s ids where its key prefix is known.

    Raises:
        BrokenAnswer: the answer does not fit the request.
    """
    if not isinstance(body, list) or len(body) != sent:
        raise BrokenAnswer(f"the CRM answered {what} of {sent} record(s) with {_shape(body)}")
    results: list[SaveResult] = []
    seen: set[str] = set()
    for position, result in enumerate(body):
        if not isinstance(result, dict):
            raise BrokenAnswer(f"the CRM's answer to {what} holds {shown(result)} instead of "
                               "a result")
        crm_id, success = result.get("id"), result.get("success") is True
        if crm_id is not None or success:
            if not isinstance(crm_id, str) or not is_crm_id(crm_id):
                raise BrokenAnswer(f"the CRM's answer to {what} names the id {shown(crm_id)}")
            if ids is not None and not same_id(crm_id, ids[position]):
                raise BrokenAnswer(f"the CRM's answer to {what} is for {crm_id}, not for "
                                   f"{ids[position]}: an answer to another request")
            prefix = KEY_PREFIXES.get(obj or "")
            if prefix is not None and not crm_id.startswith(prefix):
                raise BrokenAnswer(f"the CRM's answer to {what} names {crm_id}, not the id of "
                                   f"a {obj}: an answer to another request")
            if crm_id[:15] in seen:
                raise BrokenAnswer(f"the CRM's answer to {what} names {crm_id} twice")
            seen.add(crm_id[:15])
        errors = result.get("errors") or []
        if not isinstance(errors, list) or not all(isinstance(e, dict) for e in errors):
            errors = [{"statusCode": "UNREADABLE", "message": shown(errors, 200)}]
        if not success and not errors:
            # Salesforce says why a record failed; a failure without a reason is not an
            # answer to this request (a stale one, say), and must not refuse the change.
            raise BrokenAnswer(f"the CRM's answer to {what} refuses a record without saying "
                               "why")
        results.append(SaveResult(crm_id, success, result.get("created") is True,
                                  tuple(errors)))
    return results


def retrieved(body: object, ids: Sequence[str], obj: str) -> list[dict[str, Any] | None]:
    """The records asked for by id, ``None`` where the CRM has none.

    Raises:
        BrokenAnswer: not one record (or null) per id asked for, in order.
    """
    what = f"a read of {obj} records"
    if not isinstance(body, list) or len(body) != len(ids):
        raise BrokenAnswer(f"the CRM answered {what} by id ({len(ids)}) with {_shape(body)}")
    for position, record in enumerate(body):
        if record is None:
            continue
        if not isinstance(record, dict):
            raise BrokenAnswer(f"the CRM's answer to {what} holds {shown(record)}")
        crm_id = record.get("Id", ids[position])
        if not is_crm_id(crm_id) or not same_id(crm_id, ids[position]):
            raise BrokenAnswer(f"the CRM's answer to {what} holds {shown(crm_id)} where "
                               f"{ids[position]} was asked for: an answer to another request")
    return body


def queried_object(soql: str) -> str:
    found = _FROM.search(soql)
    return found.group(1) if found else "record"


def page_of(body: object, obj: str) -> tuple[list[Any], str | None]:
    """A query page's records and the address of the next page (None: the last).

    Raises:
        BrokenAnswer: not a query page, or a page of another object.
        CrmError: a page longer than any Salesforce sends.
    """
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise BrokenAnswer(f"the CRM answered a query of {obj} with {_shape(body)}, not a page")
    records: list[Any] = body["records"]
    if len(records) > MAX_PAGE:
        raise CrmError(f"the CRM sent {len(records):,} {obj} records in one page; RepDesk "
                       f"reads at most {MAX_PAGE:,} a page")
    for record in records:
        kind = record.get("attributes") if isinstance(record, dict) else None
        if isinstance(kind, dict) and kind.get("type") not in (None, obj):
            raise BrokenAnswer(f"the CRM answered a query of {obj} with {shown(kind['type'])} "
                               "records: an answer to another request")
    done = body.get("done", True)
    if done is True:
        return records, None
    following = body.get("nextRecordsUrl")
    if done is not False or not isinstance(following, str) or not following:
        raise BrokenAnswer(f"a page of {obj} records that is neither the last nor says where "
                           "the next one is")
    return records, following


def sound_records(records: list[Any], obj: str,
                  refused: list[RefusedRecord]) -> list[dict[str, Any]]:
    """The records that are records with a well-formed id; the others go to ``refused``."""
    sound: list[dict[str, Any]] = []
    for record in records:
        if not isinstance(record, dict):
            refused.append(RefusedRecord(obj, None, "the record",
                                         f"is {shown(record)}, not a record"))
        elif not is_crm_id(record.get("Id")):
            refused.append(RefusedRecord(obj, None, "Id",
                                         f"is {shown(record.get('Id'))}, not a Salesforce id"))
        else:
            sound.append(record)
    return sound
