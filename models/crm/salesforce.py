"""The Salesforce REST adapter: one pooled HTTPS session, every call on the signed-in
instance's origin within a deadline, retries with backoff for what is transient and idempotent
(GETs and upserts on the external id, nothing else), one token refresh on 401, every answer
checked against its request, pacing from Sforce-Limit-Info."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import orjson
import requests

from models.crm.adapter import (
    AnswerTooLarge,
    AuthError,
    BrokenAnswer,
    CrmError,
    DeletionLogExpired,
    LimitExceeded,
    OutcomeUnknown,
    PicklistValue,
    RefusedRecord,
    SaveResult,
    TransientError,
)
from models.crm.answers import (
    MAX_PAGE,
    dense_answer,
    is_crm_id,
    page_of,
    queried_object,
    retrieved,
    save_results,
    shown,
    sound_records,
)
from models.crm.transport import (
    DEADLINE_S,
    MAX_ANSWER_BYTES,
    TIMEOUT,
    Answer,
    check_url,
    drop_connections,
    fetch,
    origin_of,
    watched,
)

__all__ = ["TIMEOUT", "Pacing", "SalesforceRest", "Usage", "check_url"]

API_VERSION = "v62.0"
MAX_COLLECTION = 200
# The fewest records a query page can be asked for (Sforce-Query-Options: batchSize).
MIN_PAGE = 200
RETRIES = 4
PICKLIST_TYPES = ("picklist", "multipicklist")


@dataclass
class Usage:
    """The org's API calls in the last 24 hours, as the CRM last reported them."""

    used: int = 0
    limit: int = 0
    read_at: float | None = None  # time.monotonic() of the reading

    def read(self, header: str | None) -> None:
        if header and "api-usage=" in header:
            used, _, limit = header.split("api-usage=")[1].split(",")[0].partition("/")
            try:
                self.used, self.limit = int(used), int(limit.split(";")[0])
            except ValueError:
                return  # a reading that is not one: pacing goes by the last good one
            self.read_at = time.monotonic()

    @property
    def share(self) -> float:
        return self.used / self.limit if self.limit else 0.0


@dataclass(frozen=True)
class Pacing:
    """How much of the org's daily API allowance a sync may spend: other integrations share
    it. From ``slow_from`` of the limit the adapter pauses before each call, longer as usage
    grows (linearly, up to ``longest_pause_s`` at ``stop_at``); from ``stop_at`` it makes no
    call at all."""

    slow_from: float = 0.90
    stop_at: float = 0.98
    longest_pause_s: float = 2.0
    # The allowance is a rolling 24 hours: an old reading is checked again with one call.
    trust_reading_s: float = 900.0

    def pause_s(self, share: float) -> float:
        if share < self.slow_from:
            return 0.0
        grown = (share - self.slow_from) / max(self.stop_at - self.slow_from, 1e-9)
        return min(self.longest_pause_s, self.longest_pause_s * grown)


class SalesforceRest:
    """``token()`` returns the current access token; ``refresh()`` gets a new one."""

    external_id = "RepDesk_Id__c"

    def __init__(self, instance_url: str, token: Callable[[], str],
                 refresh: Callable[[], str], session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep, pacing: Pacing | None = None,
                 usage: Usage | None = None, deadline_s: float = DEADLINE_S,
                 max_answer_bytes: int = MAX_ANSWER_BYTES, org: str | None = None) -> None:
        """``usage`` may be shared by the adapters of successive runs, so a run started after
        the allowance ran low makes no call at all. ``deadline_s`` is the whole time one
        request may take, its answer read included. ``org`` is the org signed in to
        (``Tokens.org``)."""
        check_url(instance_url)
        self.base = instance_url.rstrip("/")
        self.origin = origin_of(self.base)
        self._token, self._refresh = token, refresh
        self.http = watched(session or requests.Session())
        self.usage = usage if usage is not None else Usage()
        self.pacing = pacing or Pacing()
        self._sleep = sleep
        self.deadline_s, self.max_answer_bytes = deadline_s, max_answer_bytes
        self.refused: list[RefusedRecord] = []
        self.org = org

    def _url(self, path: str) -> str:
        """The address of a call, which must be on the signed-in instance's origin: the token
        goes with it. Checked on every call, for addresses the CRM hands back too.

        Raises:
            CrmError: an address anywhere else.
        """
        if "://" in path:
            url = path
        elif path.startswith("/"):
            url = f"{self.base}{path}"
        else:
            url = f"{self.base}/services/data/{API_VERSION}/{path}"
        parsed = urlparse(url)
        if origin_of(url) != self.origin or parsed.username is not None or \
                not url.isprintable() or any(c in url for c in " \\"):
            raise CrmError(f"the CRM pointed RepDesk at {shown(url, 120)}, away from "
                           f"{self.base}; RepDesk sends your sign-in nowhere else")
        return url

    def _pace(self) -> None:
        """Wait before a call when the org's allowance runs low; refuse it when it is spent.

        Raises:
            LimitExceeded: usage is at or past the stop mark.
        """
        usage, pacing = self.usage, self.pacing
        if usage.read_at is None or time.monotonic() - usage.read_at > pacing.trust_reading_s:
            return
        if usage.share >= pacing.stop_at:
            raise LimitExceeded(
                f"the CRM's daily API allowance is {usage.share:.0%} used ({usage.used:,} of "
                f"{usage.limit:,} calls); RepDesk stops at {pacing.stop_at:.0%} so the other "
                "tools that share it keep working")
        pause = pacing.pause_s(usage.share)
        if pause > 0:
            self._sleep(pause)

    def call(self, method: str, path: str, *, retry: bool | None = None,
             fit: Callable[[Any], Any] | None = None, **kwargs: Any) -> Any:
        """One API call; its answer through ``fit``, which checks it against the request.

        ``retry``: whether the call may be sent again after a failure whose outcome is not
        known (a lost answer, a broken one, a 5xx): true only for what is idempotent, which
        GETs are and upserts on the external id are; everything else is sent once.

        Raises:
            OutcomeUnknown: a call that is not retried failed that way.
            TransientError: a retried one still failed after the last retry.
        """
        retry = method == "GET" if retry is None else retry
        headers = kwargs.pop("headers", {})
        refreshed = False
        attempt = 0
        while True:
            self._pace()
            try:
                answer = fetch(self.http, method, self._url(path),
                               deadline_s=self.deadline_s, max_bytes=self.max_answer_bytes,
                               headers={"Authorization": f"Bearer {self._token()}", **headers},
                               **kwargs)
                self.usage.read(answer.headers.get("Sforce-Limit-Info"))
                if answer.status == 401 and not refreshed:
                    # Refused before it was read: sending it again is safe for any call.
                    self._refresh()
                    refreshed = True
                    continue
                body = self._answer(answer)
                return fit(body) if fit is not None else body
            except (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError, TransientError) as error:
                if isinstance(error, BrokenAnswer):
                    drop_connections(self.http)
                if not retry:
                    raise OutcomeUnknown(
                        f"{method} {path.split('?')[0][:80]} got no answer RepDesk can trust "
                        f"({error}); it is not sent again automatically") from error
                if attempt == RETRIES:
                    raise TransientError(f"the CRM did not answer: {error}") from error
                self._sleep(min(8.0, 0.2 * 2 ** attempt) * (0.5 + random.random()))
                attempt += 1
            except requests.RequestException as error:
                raise CrmError(f"the call to the CRM could not be made: {error}") from error

    @staticmethod
    def _answer(answer: Answer) -> Any:
        if answer.status == 204:
            return None
        dense_answer(answer.content)
        try:
            body = orjson.loads(answer.content)
        except orjson.JSONDecodeError as error:
            raise BrokenAnswer(f"an answer that is not JSON ({answer.status})") from error
        if answer.status < 300:
            return body
        first = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) \
            else {}
        code = str(first.get("errorCode") or "")
        message = str(first.get("message") or shown(body, 200))
        if answer.status == 401:
            raise AuthError(message)
        if code == "REQUEST_LIMIT_EXCEEDED":
            raise LimitExceeded(message)
        if code == "INVALID_REPLICATION_DATE":
            raise DeletionLogExpired(message)
        if answer.status >= 500 or code == "UNABLE_TO_LOCK_ROW":
            raise TransientError(f"{code or answer.status}: {message}")
        raise CrmError(f"{code or answer.status}: {message}")

    def upsert(self, obj: str, records: Sequence[dict[str, Any]]) -> list[SaveResult]:
        # Idempotent: the external id names each record whether or not it exists yet.
        return self._upsert(obj, records, retry=True)

    def _upsert(self, obj: str, records: Sequence[dict[str, Any]],
                retry: bool) -> list[SaveResult]:
        assert len(records) <= MAX_COLLECTION
        payload = {"allOrNone": False,
                   "records": [{"attributes": {"type": obj}, **r} for r in records]}
        return self.call(  # type: ignore[no-any-return]
            "PATCH", f"composite/sobjects/{obj}/{self.external_id}", json=payload, retry=retry,
            fit=lambda body: save_results(body, len(records), None, f"an upsert of {obj}",
                                          obj))

    def update(self, obj: str, records: Sequence[dict[str, Any]]) -> list[SaveResult]:
        assert len(records) <= MAX_COLLECTION
        payload = {"allOrNone": False,
                   "records": [{"attributes": {"type": obj}, **r} for r in records]}
        ids = [str(r["Id"]) for r in records]
        return self.call(  # type: ignore[no-any-return]
            "PATCH", "composite/sobjects", json=payload, retry=False,
            fit=lambda body: save_results(body, len(records), ids, f"an update of {obj}"))

    def delete(self, ids: Sequence[str]) -> list[SaveResult]:
        return self.call(  # type: ignore[no-any-return]
            "DELETE", "composite/sobjects", retry=False,
            params={"ids": ",".join(ids), "allOrNone": "false"},
            fit=lambda body: save_results(body, len(ids), list(ids), "a delete"))

    def retrieve(self, obj: str, ids: Sequence[str],
                 fields: Sequence[str]) -> list[dict[str, Any] | None]:
        return self.call(  # type: ignore[no-any-return]
            "GET", f"composite/sobjects/{obj}",
            params={"ids": ",".join(ids), "fields": ",".join(fields)},
            fit=lambda body: retrieved(body, ids, obj))

    def send_email(self, to: str, subject: str, body: str) -> None:
        """Sent once: a lost answer is ``OutcomeUnknown``, never a second send. A body that
        is an HTML page (the weekly digest) goes as rich text."""
        rich = body.lstrip()[:15].lower().startswith(("<!doctype html", "<html"))
        answer = self.call("POST", "actions/standard/emailSimple", retry=False, json={
            "inputs": [{"emailAddresses": to, "emailSubject": subject, "emailBody": body,
                        "senderType": "CurrentUser", "sendRichBody": rich}]})
        if not isinstance(answer, list) or len(answer) != 1 or not isinstance(answer[0], dict) \
                or answer[0].get("actionName") != "emailSimple":
            # Not the action's own answer (a stale one on the connection, say): the send may
            # have gone, so it is neither refused nor sent again.
            raise OutcomeUnknown(f"the CRM's answer to an e-mail send was {shown(answer)}: "
                                 "it may or may not have been sent")
        if answer[0].get("isSuccess") is not True:
            raise CrmError(f"the CRM did not send the e-mail: {shown(answer[0].get('errors'))}")

    def picklists(self, obj: str) -> dict[str, list[PicklistValue]]:
        body = self.call("GET", f"sobjects/{obj}/describe")
        try:
            return {str(field["name"]): [
                PicklistValue(str(v["value"]), str(v.get("label") or v["value"]),
                              bool(v.get("active", True)), bool(v.get("defaultValue")))
                for v in field.get("picklistValues") or ()]
                for field in body.get("fields", ()) if field.get("type") in PICKLIST_TYPES}
        except (AttributeError, KeyError, TypeError) as error:
            raise CrmError(f"the CRM's description of {obj} was not understood") from error

    def deleted(self, obj: str, start: str, end: str) -> list[str]:
        def fit(body: Any) -> list[str]:
            items = body.get("deletedRecords", []) if isinstance(body, dict) else None
            if not isinstance(items, list) or not all(
                    isinstance(i, dict) and is_crm_id(i.get("id")) for i in items):
                raise BrokenAnswer(f"the CRM's list of deleted {obj} records is not one")
            return [item["id"] for item in items]

        return self.call(  # type: ignore[no-any-return]
            "GET", f"sobjects/{obj}/deleted/", params={"start": start, "end": end}, fit=fit)

    def query(self, soql: str) -> Iterator[list[dict[str, Any]]]:
        return self._pages("query", soql)

    def query_all(self, soql: str) -> Iterator[list[dict[str, Any]]]:
        return self._pages("queryAll", soql)

    def _pages(self, resource: str, soql: str) -> Iterator[list[dict[str, Any]]]:
        """Pages of sound records; the others are refused by name into ``refused``."""
        obj = queried_object(soql)

        def fit(body: Any) -> tuple[list[Any], str | None]:
            return page_of(body, obj)

        asked: list[int | None] = [None]  # the page size asked for, once one was too large

        def page(path: str, **kwargs: Any) -> tuple[list[Any], str | None]:
            # Records wide enough (long descriptions…) make a page of 2,000 larger than
            # RepDesk reads: ask for the same page smaller, and keep to that size.
            while True:
                options = ({"Sforce-Query-Options": f"batchSize={asked[0]}"}
                           if asked[0] else {})
                try:
                    return self.call(  # type: ignore[no-any-return]
                        "GET", path, fit=fit, headers=options, **kwargs)
                except AnswerTooLarge as error:
                    if asked[0] == MIN_PAGE:
                        raise AnswerTooLarge(f"{error}, even at {MIN_PAGE} records a "
                                             "page") from error
                    asked[0] = max(MIN_PAGE, (asked[0] or MAX_PAGE) // 2)

        records, following = page(resource, params={"q": soql})
        while True:
            yield sound_records(records, obj, self.refused)
            if following is None:
                return
            records, following = page(following)

    def upsert_at_most_once(self, obj: str, records: Sequence[dict[str, Any]]
                            ) -> list[SaveResult]:
        """``upsert`` sent once: a create whose answer is lost must be looked up before it is
        sent again, or it would overwrite whatever another user changed meanwhile.

        Raises:
            OutcomeUnknown: it may have been carried out, and no answer that matches came.
        """
        return self._upsert(obj, records, retry=False)

    def send_email_at_most_once(self, to: str, subject: str, body: str) -> None:
        """emailSimple takes no idempotency key and leaves no record to look up: sent once
        (``send_email`` never retries it)."""
        self.send_email(to, subject, body)
