"""The Salesforce REST adapter: one pooled HTTPS session, timeouts on every call, retries with
backoff for what is transient, one token refresh on 401, pacing from Sforce-Limit-Info."""

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
    AuthError,
    CrmError,
    DeletionLogExpired,
    LimitExceeded,
    OutcomeUnknown,
    PicklistValue,
    SaveResult,
    TransientError,
)

API_VERSION = "v62.0"
TIMEOUT = (5, 60)
MAX_COLLECTION = 200
RETRIES = 4
PICKLIST_TYPES = ("picklist", "multipicklist")


def check_url(url: str) -> None:
    """Plain http:// is refused for any CRM host but loopback.

    Raises:
        ValueError: with the reason.
    """
    parsed = urlparse(url)
    loopback = parsed.hostname in ("127.0.0.1", "localhost", "::1")
    if parsed.scheme == "https" or (parsed.scheme == "http" and loopback):
        return
    raise ValueError(f"{url}: RepDesk talks to a CRM over https only (http is allowed for "
                     "a CRM on this computer, such as the sandbox).")


@dataclass
class Usage:
    """The org's API calls in the last 24 hours, as the CRM last reported them."""

    used: int = 0
    limit: int = 0
    read_at: float | None = None  # time.monotonic() of the reading

    def read(self, header: str | None) -> None:
        if header and "api-usage=" in header:
            used, _, limit = header.split("api-usage=")[1].split(",")[0].partition("/")
            self.used, self.limit = int(used), int(limit.split(";")[0])
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
                 usage: Usage | None = None) -> None:
        """``usage`` may be shared by the adapters of successive runs, so a run started after
        the allowance ran low makes no call at all."""
        check_url(instance_url)
        self.base = instance_url.rstrip("/")
        self._token, self._refresh = token, refresh
        self.http = session or requests.Session()
        self.usage = usage if usage is not None else Usage()
        self.pacing = pacing or Pacing()
        self._sleep = sleep

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else \
            f"{self.base}{path if path.startswith('/') else f'/services/data/{API_VERSION}/{path}'}"

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

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        refreshed = False
        for attempt in range(RETRIES + 1):
            self._pace()
            try:
                response = self.http.request(
                    method, self._url(path), timeout=TIMEOUT,
                    headers={"Authorization": f"Bearer {self._token()}",
                             **kwargs.pop("headers", {})}, **kwargs)
                self.usage.read(response.headers.get("Sforce-Limit-Info"))
                if response.status_code == 401 and not refreshed:
                    self._refresh()
                    refreshed = True
                    continue
                return self._answer(response)
            except (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError, TransientError) as error:
                if attempt == RETRIES:
                    raise TransientError(f"the CRM did not answer: {error}") from error
                self._sleep(min(8.0, 0.2 * 2 ** attempt) * (0.5 + random.random()))
        raise AuthError("the CRM refused the refreshed session")

    @staticmethod
    def _answer(response: requests.Response) -> Any:
        if response.status_code == 204:
            return None
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError as error:
            raise TransientError(f"a broken answer ({response.status_code})") from error
        if response.status_code < 300:
            return body
        code = body[0].get("errorCode") if isinstance(body, list) and body else ""
        message = body[0].get("message") if isinstance(body, list) and body else str(body)
        if response.status_code == 401:
            raise AuthError(message)
        if code == "REQUEST_LIMIT_EXCEEDED":
            raise LimitExceeded(message)
        if code == "INVALID_REPLICATION_DATE":
            raise DeletionLogExpired(message)
        if response.status_code >= 500 or code == "UNABLE_TO_LOCK_ROW":
            raise TransientError(f"{code}: {message}")
        raise CrmError(f"{code}: {message}")

    @staticmethod
    def _results(body: list[dict[str, Any]]) -> list[SaveResult]:
        return [SaveResult(r.get("id"), bool(r.get("success")), bool(r.get("created")),
                           tuple(r.get("errors") or ())) for r in body]

    def upsert(self, obj: str, records: Sequence[dict[str, Any]]) -> list[SaveResult]:
        assert len(records) <= MAX_COLLECTION
        payload = {"allOrNone": False,
                   "records": [{"attributes": {"type": obj}, **r} for r in records]}
        return self._results(self.call(
            "PATCH", f"composite/sobjects/{obj}/{self.external_id}", json=payload))

    def update(self, obj: str, records: Sequence[dict[str, Any]]) -> list[SaveResult]:
        assert len(records) <= MAX_COLLECTION
        payload = {"allOrNone": False,
                   "records": [{"attributes": {"type": obj}, **r} for r in records]}
        return self._results(self.call("PATCH", "composite/sobjects", json=payload))

    def delete(self, ids: Sequence[str]) -> list[SaveResult]:
        return self._results(self.call("DELETE", "composite/sobjects",
                                       params={"ids": ",".join(ids), "allOrNone": "false"}))

    def retrieve(self, obj: str, ids: Sequence[str],
                 fields: Sequence[str]) -> list[dict[str, Any] | None]:
        body = self.call("GET", f"composite/sobjects/{obj}",
                         params={"ids": ",".join(ids), "fields": ",".join(fields)})
        return list(body)

    def send_email(self, to: str, subject: str, body: str) -> None:
        answer = self.call("POST", "actions/standard/emailSimple", json={"inputs": [{
            "emailAddresses": to, "emailSubject": subject, "emailBody": body,
            "senderType": "CurrentUser"}]})
        if not answer or not answer[0].get("isSuccess"):
            errors = answer[0].get("errors") if answer else None
            raise CrmError(f"the CRM did not send the e-mail: {errors}")

    def picklists(self, obj: str) -> dict[str, list[PicklistValue]]:
        body = self.call("GET", f"sobjects/{obj}/describe")
        return {field["name"]: [
            PicklistValue(str(v["value"]), str(v.get("label") or v["value"]),
                          bool(v.get("active", True)), bool(v.get("defaultValue")))
            for v in field.get("picklistValues") or ()]
            for field in body.get("fields", ()) if field.get("type") in PICKLIST_TYPES}

    def deleted(self, obj: str, start: str, end: str) -> list[str]:
        body = self.call("GET", f"sobjects/{obj}/deleted/", params={"start": start, "end": end})
        return [item["id"] for item in body.get("deletedRecords", [])]

    def query(self, soql: str) -> Iterator[list[dict[str, Any]]]:
        return self._pages("query", soql)

    def query_all(self, soql: str) -> Iterator[list[dict[str, Any]]]:
        return self._pages("queryAll", soql)

    def _pages(self, resource: str, soql: str) -> Iterator[list[dict[str, Any]]]:
        page = self.call("GET", resource, params={"q": soql})
        while True:
            yield page["records"]
            if page.get("done", True):
                return
            page = self.call("GET", page["nextRecordsUrl"])

    def call_at_most_once(self, method: str, path: str, **kwargs: Any) -> Any:
        """A call that must not be repeated once it may have reached the CRM: tried again
        only when it provably did not (a connection never made, a 401 or a row lock before
        the CRM did anything).

        Raises:
            OutcomeUnknown: the request may have been carried out, and no whole answer came.
            CrmError: (and its subclasses) as ``call``; the CRM did nothing.
        """
        refreshed = False
        for attempt in range(RETRIES + 1):
            self._pace()
            try:
                response = self.http.request(
                    method, self._url(path), timeout=TIMEOUT, allow_redirects=False,
                    headers={"Authorization": f"Bearer {self._token()}"}, **kwargs)
            except requests.exceptions.ConnectTimeout as error:
                failure: TransientError = TransientError(f"the CRM could not be reached: {error}")
                failure.__cause__ = error
            except requests.RequestException as error:
                raise OutcomeUnknown(f"the CRM's answer was lost: {error}") from error
            else:
                self.usage.read(response.headers.get("Sforce-Limit-Info"))
                if response.status_code == 401 and not refreshed:
                    self._refresh()  # refused unread
                    refreshed = True
                    continue
                if response.status_code >= 500:
                    raise OutcomeUnknown(f"the CRM answered {response.status_code}")
                if 200 <= response.status_code < 300:
                    try:
                        return self._answer(response)
                    except TransientError as error:  # a broken body: it may have been done
                        raise OutcomeUnknown(str(error)) from error
                try:
                    self._answer(response)  # 3xx (not followed) or 4xx: nothing was done
                except TransientError as error:  # a row lock, or a broken 4xx body
                    failure = error
                else:
                    raise CrmError(f"the CRM answered {response.status_code}")
            if attempt == RETRIES:
                raise failure
            self._sleep(min(8.0, 0.2 * 2 ** attempt) * (0.5 + random.random()))
        raise AuthError("the CRM refused the refreshed session")

    def upsert_at_most_once(self, obj: str, records: Sequence[dict[str, Any]]
                            ) -> list[SaveResult]:
        """``upsert`` in one attempt: a create whose answer is lost must be looked up before
        it is sent again, or it would overwrite whatever another user changed meanwhile.

        Raises:
            OutcomeUnknown: as ``call_at_most_once``, or an answer that does not match the
                request (another count of results).
        """
        assert len(records) <= MAX_COLLECTION
        payload = {"allOrNone": False,
                   "records": [{"attributes": {"type": obj}, **r} for r in records]}
        body = self.call_at_most_once(
            "PATCH", f"composite/sobjects/{obj}/{self.external_id}", json=payload)
        if not isinstance(body, list) or len(body) != len(records) \
                or not all(isinstance(r, dict) for r in body):
            raise OutcomeUnknown("the CRM's answer does not match the records sent")
        return self._results(body)

    def send_email_at_most_once(self, to: str, subject: str, body: str) -> None:
        """emailSimple takes no idempotency key and leaves no record to look up, so a send
        whose answer was lost can never be told from one that never arrived."""
        answer = self.call_at_most_once(
            "POST", "actions/standard/emailSimple", json={"inputs": [{
                "emailAddresses": to, "emailSubject": subject, "emailBody": body,
                "senderType": "CurrentUser"}]})
        ok = isinstance(answer, list) and len(answer) == 1 and isinstance(answer[0], dict)
        if ok and answer[0].get("isSuccess") is True:
            return
        if ok and answer[0].get("isSuccess") is False:
            raise CrmError(f"the CRM did not send the e-mail: {answer[0].get('errors')}")
        raise OutcomeUnknown("the CRM's answer to the e-mail is not one it sends")
