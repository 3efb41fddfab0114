"""The sandbox CRM: a real HTTP server on loopback speaking the Salesforce REST subset
RepDesk uses (see SALESFORCE.md), with OAuth endpoints whose tokens expire and switchable
faults. Paths, JSON shapes, error bodies and status codes follow Salesforce's."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from models.crm.sandbox.faults import Faults
from models.crm.sandbox.http_input import IDLE_S, MAX_BODY, REQUEST_DEADLINE_S
from models.crm.sandbox.picklists import Picklists
from models.crm.sandbox.soql import SoqlError, parse
from models.crm.sandbox.store import SandboxStore

API = "v62.0"
# Query cursors kept open at once; Salesforce keeps ten per user and drops the oldest.
OPEN_CURSORS = 10
BATCH = 2000
MAX_COLLECTION = 200
DAILY_API_REQUESTS = 15000
# The redirect addresses registered for the app: loopback, any port (RFC 8252 section 7.3).
LOOPBACK_REDIRECT = re.compile(r"http://(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?/[^#\s]*")
# A PKCE S256 challenge: base64url of a SHA-256 digest, 43 characters.
PKCE_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


class HttpError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status, self.body = status, body


def _error(status: int, code: str, message: str) -> HttpError:
    return HttpError(status, [{"message": message, "errorCode": code}])


@dataclass(frozen=True)
class _Cursor:
    """An open query: the fields it selected and its rows, as the store held them when it ran
    (stored rows, read page by page, or records' values where the query had to read them)."""

    fields: tuple[str, ...]
    rows: list[Any]


class Sandbox:
    """The CRM's state: records, issued tokens, open query cursors, faults."""

    def __init__(self, path: Path | None = None, token_lifetime_s: float = 3600.0) -> None:
        self.store = SandboxStore(path)
        self.faults = Faults()
        self.picklists = Picklists()
        self.token_lifetime_s = token_lifetime_s
        self._tokens: dict[str, float] = {}
        self._refresh: set[str] = set()
        self._codes: dict[str, tuple[str, str]] = {}  # code → (challenge, redirect_uri)
        self._cursors: dict[str, _Cursor] = {}
        self._lock = threading.Lock()
        self.calls = 0
        # "GET /services/data/…?q=…" of the latest data-API calls, for tests to see which
        # resources a client used.
        self.requests: deque[str] = deque(maxlen=10_000)
        self.sent_emails: list[dict[str, Any]] = []

    # -- OAuth -----------------------------------------------------------------------------
    def authorize(self, params: dict[str, str]) -> str:
        """The login page approves at once: the redirect to the app's loopback address.

        Only a registered redirect (loopback, RFC 8252) ever receives a code, and only with a
        PKCE S256 challenge, so a code caught on its way cannot be exchanged by someone else.
        """
        redirect_uri = params.get("redirect_uri", "")
        if not LOOPBACK_REDIRECT.fullmatch(redirect_uri):
            raise HttpError(400, {"error": "redirect_uri_mismatch",
                                  "error_description": "redirect_uri must match configuration"})
        problem = None
        if params.get("response_type") != "code":
            problem = "response_type must be code"
        elif params.get("code_challenge_method") != "S256" or not PKCE_CHALLENGE.fullmatch(
                params.get("code_challenge", "")):
            problem = "a PKCE code_challenge with code_challenge_method S256 is required"
        if problem:
            query = urlencode({"error": "invalid_request", "error_description": problem,
                               "state": params.get("state", "")})
            return f"{redirect_uri}?{query}"
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._codes[code] = (params["code_challenge"], redirect_uri)
        query = urlencode({"code": code, "state": params.get("state", "")})
        return f"{redirect_uri}?{query}"

    def issue_access_token(self) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = time.monotonic() + self.token_lifetime_s
        return token

    def token(self, form: dict[str, str], base_url: str) -> dict[str, Any]:
        grant = form.get("grant_type")
        if grant == "authorization_code":
            with self._lock:
                issued = self._codes.pop(form.get("code", ""), None)
            if issued is None:
                raise HttpError(400, {"error": "invalid_grant",
                                      "error_description": "expired authorization code"})
            challenge, redirect_uri = issued
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            if digest.rstrip(b"=").decode() != challenge:
                raise HttpError(400, {"error": "invalid_grant",
                                      "error_description": "invalid code verifier"})
            if form.get("redirect_uri") != redirect_uri:
                raise HttpError(400, {"error": "invalid_grant",
                                      "error_description": "redirect_uri mismatch"})
            refresh = secrets.token_urlsafe(24)
            with self._lock:
                self._refresh.add(refresh)
        elif grant == "refresh_token":
            refresh = form.get("refresh_token", "")
            if refresh not in self._refresh:
                raise HttpError(400, {"error": "invalid_grant",
                                      "error_description": "expired access/refresh token"})
        else:
            raise HttpError(400, {"error": "unsupported_grant_type",
                                  "error_description": "grant type not supported"})
        answer = {"access_token": self.issue_access_token(), "instance_url": base_url,
                  "id": f"{base_url}/id/{self.store.org_id}/005000000000001AAA",
                  "token_type": "Bearer", "issued_at": str(int(time.time() * 1000)),
                  "signature": "sandbox", "scope": "api refresh_token"}
        if grant == "authorization_code":
            answer["refresh_token"] = refresh
        return answer

    def api_usage(self) -> tuple[int, int]:
        """(calls used, daily limit), as Sforce-Limit-Info and the limits resource report."""
        return self.faults.api_usage or (self.calls, DAILY_API_REQUESTS)

    def revoke(self, token: str) -> None:
        with self._lock:
            self._tokens.pop(token, None)
            self._refresh.discard(token)

    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def check_token(self, header: str | None) -> None:
        token = (header or "").removeprefix("Bearer ").strip()
        with self._lock:
            expires = self._tokens.get(token)
        if expires is None or expires < time.monotonic():
            raise _error(401, "INVALID_SESSION_ID", "Session expired or invalid")

    # -- queries ---------------------------------------------------------------------------
    def query(self, soql: str, include_deleted: bool, batch: int) -> dict[str, Any]:
        try:
            query = parse(soql)
        except SoqlError as error:
            raise _error(400, "MALFORMED_QUERY", str(error)) from error
        rows: list[Any] = self.store.rows(query.object, include_deleted, query.modstamp_from)
        in_store_order = query.order_by in (None, ("SystemModstamp", False))
        if query.filtered or not in_store_order:
            rows = [values for values in (self.store.record(r).as_json(API) for r in rows)
                    if query.where(values)]
        if not in_store_order:
            field, descending = query.order_by  # type: ignore[misc]
            rows.sort(key=lambda r: (r.get(field) is None, r.get(field) or ""),
                      reverse=descending)
        if query.limit is not None:
            rows = rows[:query.limit]
        return self._page(_Cursor(query.fields, rows), 0, batch, secrets.token_hex(8))

    def _page(self, cursor: _Cursor, offset: int, batch: int, locator: str) -> dict[str, Any]:
        page = [self._shaped(row, cursor.fields) for row in cursor.rows[offset:offset + batch]]
        done = offset + batch >= len(cursor.rows)
        answer: dict[str, Any] = {"totalSize": len(cursor.rows), "done": done, "records": page}
        with self._lock:
            if done:
                self._cursors.pop(locator, None)
                return answer
            self._cursors[locator] = cursor
            while len(self._cursors) > OPEN_CURSORS:  # the oldest goes, as in Salesforce
                del self._cursors[next(iter(self._cursors))]
        answer["nextRecordsUrl"] = f"/services/data/{API}/query/{locator}-{offset + batch}"
        return answer

    def _shaped(self, row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
        """A result row (a stored row, or a record's values already read) as the API sends it:
        its attributes and the fields the query selected."""
        values = row if isinstance(row, dict) else self.store.record(row).as_json(API)
        return {"attributes": values["attributes"], **{f: values.get(f) for f in fields}}

    def more(self, next_records: str, batch: int) -> dict[str, Any]:
        locator, _, offset = next_records.rpartition("-")
        with self._lock:
            cursor = self._cursors.get(locator)
        if cursor is None or not offset.isdigit():
            raise _error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(cursor, int(offset), batch, locator)


Router = Callable[..., tuple[int, Any]]


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    # Keep-alive clients may never hang up; closing the server must not wait for them.
    block_on_close = False

    def __init__(self, sandbox: Sandbox, port: int = 0) -> None:
        from models.crm.sandbox.handler import SandboxRequest
        from models.crm.sandbox.routes import route

        # Tests shorten these to see a trickling client cut off.
        self.read_deadline_s = REQUEST_DEADLINE_S
        self.idle_s = IDLE_S
        self.max_body = MAX_BODY
        super().__init__(("127.0.0.1", port), SandboxRequest)
        self.sandbox = sandbox
        self.router: Router = lambda *args: route(sandbox, *args)
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> SandboxServer:
        # A short poll: stop() waits for the loop to notice, and tests stop a server each.
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                         name="sandbox-crm", daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
