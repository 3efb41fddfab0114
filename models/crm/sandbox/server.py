"""The sandbox CRM: a real HTTP server on loopback speaking the Salesforce REST subset
RepDesk uses (see SALESFORCE.md), with OAuth endpoints whose tokens expire and switchable
faults. Paths, JSON shapes, error bodies and status codes follow Salesforce's."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import orjson

from models.crm.sandbox.faults import Faults
from models.crm.sandbox.picklists import Picklists
from models.crm.sandbox.soql import SoqlError, parse
from models.crm.sandbox.store import SandboxStore

API = "v62.0"
# Query cursors kept open at once; Salesforce keeps ten per user and drops the oldest.
OPEN_CURSORS = 10
BATCH = 2000
MAX_COLLECTION = 200
DAILY_API_REQUESTS = 15000


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
        """The login page approves at once: the redirect to the app's loopback address."""
        if params.get("response_type") != "code" or not params.get("redirect_uri"):
            raise _error(400, "invalid_request", "response_type=code and redirect_uri needed")
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._codes[code] = (params.get("code_challenge", ""), params["redirect_uri"])
        query = urlencode({"code": code, "state": params.get("state", "")})
        return f"{params['redirect_uri']}?{query}"

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
            if challenge and digest.rstrip(b"=").decode() != challenge:
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
                  "id": f"{base_url}/id/00D000000000001AAA/005000000000001AAA",
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


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Without TCP_NODELAY keep-alive requests on loopback stall about 40 ms each.
    disable_nagle_algorithm = True
    server: SandboxServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else orjson.dumps(body)
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        if body is not None:
            self.send_header("Content-Type", "application/json;charset=UTF-8")
        used, limit = self.server.sandbox.api_usage()
        self.send_header("Sforce-Limit-Info", f"api-usage={used}/{limit}")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _read(self) -> None:
        # Read the whole body first, whatever happens next: a body left in the socket would
        # be taken for the next request on this keep-alive connection.
        length = int(self.headers.get("Content-Length") or 0)
        self._raw = self.rfile.read(length) if length else b""

    def _body(self) -> Any:
        raw = self._raw
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        if not raw:
            return None
        try:
            return json.loads(raw)
        except json.JSONDecodeError as error:
            raise _error(400, "JSON_PARSER_ERROR", f"Unexpected character: {error}") from error

    def _handle(self, method: str) -> None:
        self._read()
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        try:
            if url.path.startswith("/services/oauth2/"):
                self._oauth(method, url.path, params)
                return
            if url.path.rstrip("/") == "/services/data":
                self._send(200, [{"label": "Sandbox", "url": f"/services/data/{API}",
                                  "version": API[1:]}])
                return
            fault = self._fault()
            if fault == "handled":
                return
            self.server.sandbox.check_token(self.headers.get("Authorization"))
            self.server.sandbox.calls += 1
            self.server.sandbox.requests.append(f"{method} {self.path}")
            route = url.path.removeprefix(f"/services/data/{API}/").strip("/")
            status, body = self.server.router(method, route.split("/"), params, self._body,
                                              self.headers)
            if fault == "lost":
                # Done here, but the answer never arrives: the client must retry safely.
                self._drop()
                return
            self._send(status, body)
        except HttpError as error:
            self._send(error.status, error.body)

    def _drop(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b'{"records": [')
        self.close_connection = True

    def _fault(self) -> str | None:
        """"handled" when the fault answered the request; "lost" to lose the answer later."""
        sandbox = self.server.sandbox
        if sandbox.faults.latency_s:
            time.sleep(sandbox.faults.latency_s)
        fault = sandbox.faults.next()
        if fault is None or fault == "lost":
            return fault
        if fault == "drop":
            self._body()
            self._drop()
            return "handled"
        errors = {"500": (500, "UNKNOWN_EXCEPTION", "An unexpected error occurred"),
                  "503": (503, "SERVER_UNAVAILABLE", "Server is temporarily unavailable"),
                  "expired": (401, "INVALID_SESSION_ID", "Session expired or invalid"),
                  "limit": (403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
                  "lock": (400, "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access")}
        status, code, message = errors[fault]
        if fault == "expired":
            sandbox.expire_tokens()
        self._body()
        self._send(status, [{"message": message, "errorCode": code}])
        return "handled"

    def _oauth(self, method: str, path: str, params: dict[str, str]) -> None:
        sandbox = self.server.sandbox
        if path.endswith("/authorize") and method == "GET":
            self._send(302, None, {"Location": sandbox.authorize(params)})
        elif path.endswith("/token") and method == "POST":
            form = self._body() or {}
            self._send(200, sandbox.token(form, self.server.base_url))
        elif path.endswith("/revoke") and method == "POST":
            form = self._body() or {}
            sandbox.revoke(form.get("token", ""))
            self._send(200, None)
        else:
            self._send(404, [{"message": "not found", "errorCode": "NOT_FOUND"}])

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")


Router = Callable[..., tuple[int, Any]]


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    # Keep-alive clients may never hang up; closing the server must not wait for them.
    block_on_close = False

    def __init__(self, sandbox: Sandbox, port: int = 0) -> None:
        from models.crm.sandbox.routes import route

        super().__init__(("127.0.0.1", port), _Handler)
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



