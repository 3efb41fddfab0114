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

from models.crm.adapter import AuthError, CrmError, LimitExceeded, SaveResult, TransientError

API_VERSION = "v62.0"
TIMEOUT = (5, 60)
MAX_COLLECTION = 200
RETRIES = 4


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
    used: int = 0
    limit: int = 0

    def read(self, header: str | None) -> None:
        if header and "api-usage=" in header:
            used, _, limit = header.split("api-usage=")[1].split(",")[0].partition("/")
            self.used, self.limit = int(used), int(limit)


class SalesforceRest:
    """``token()`` returns the current access token; ``refresh()`` gets a new one."""

    external_id = "RepDesk_Id__c"

    def __init__(self, instance_url: str, token: Callable[[], str],
                 refresh: Callable[[], str], session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        check_url(instance_url)
        self.base = instance_url.rstrip("/")
        self._token, self._refresh = token, refresh
        self.http = session or requests.Session()
        self.usage = Usage()
        self._sleep = sleep

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else \
            f"{self.base}{path if path.startswith('/') else f'/services/data/{API_VERSION}/{path}'}"

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        refreshed = False
        for attempt in range(RETRIES + 1):
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

    def deleted(self, obj: str, start: str, end: str) -> list[str]:
        body = self.call("GET", f"sobjects/{obj}/deleted/", params={"start": start, "end": end})
        return [item["id"] for item in body.get("deletedRecords", [])]

    def query(self, soql: str) -> Iterator[list[dict[str, Any]]]:
        page = self.call("GET", "query", params={"q": soql})
        while True:
            yield page["records"]
            if page.get("done", True):
                return
            page = self.call("GET", page["nextRecordsUrl"])
