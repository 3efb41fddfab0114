"""One request to the sandbox CRM: read safely (see http_input), routed, and answered with
Salesforce's JSON shapes, error bodies and status codes, faults included."""

from __future__ import annotations

import io
import logging
import secrets
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

import orjson

from models.crm.sandbox.http_input import (
    WRITE_DEADLINE_S,
    DeadlineSocket,
    RequestError,
    body_length,
    json_body,
    read_body,
)
from models.crm.sandbox.server import API, HttpError

if TYPE_CHECKING:
    from models.crm.sandbox.server import SandboxServer

# http.server's refusals, named as Salesforce's front door names them.
_STATUS_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 408: "REQUEST_TIMEOUT",
                 411: "LENGTH_REQUIRED", 413: "REQUEST_ENTITY_TOO_LARGE",
                 414: "URI_TOO_LONG", 431: "REQUEST_HEADER_FIELDS_TOO_LARGE",
                 405: "METHOD_NOT_ALLOWED", 505: "HTTP_VERSION_NOT_SUPPORTED"}
log = logging.getLogger(__name__)


class SandboxRequest(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Without TCP_NODELAY keep-alive requests on loopback stall about 40 ms each.
    disable_nagle_algorithm = True
    server: SandboxServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        # Reads go through a deadline, so a trickling client is cut off (see http_input).
        self._input = DeadlineSocket(self.connection)
        self.rfile = io.BufferedReader(self._input)

    def handle_one_request(self) -> None:
        self._input.deadline = time.monotonic() + self.server.idle_s
        super().handle_one_request()

    def parse_request(self) -> bool:
        # The request line is in: headers and body must follow within the deadline.
        self._input.deadline = time.monotonic() + self.server.read_deadline_s
        return super().parse_request()

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """http.server's own refusals (a bad request line, headers too long, an unknown
        method) as Salesforce error bodies instead of HTML."""
        self.close_connection = True
        # A request line too garbled to name a version still gets a status line.
        self.request_version = "HTTP/1.1"
        if code == 501:  # a method http.server has no handler for, as Salesforce names it
            code, message = 405, f"HTTP Method '{self.command}' not allowed"
        try:
            reason = message or self.responses.get(code, ("Bad request",))[0]
            self._send(code, [{"message": reason, "errorCode": _STATUS_CODES.get(
                code, "BAD_REQUEST")}], {"Connection": "close"})
        except OSError:
            pass

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else orjson.dumps(body)
        self.connection.settimeout(WRITE_DEADLINE_S)
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
        self._raw = b""
        self._raw = read_body(self.rfile, body_length(self.headers, self.server.max_body))

    def _form(self) -> dict[str, str]:
        if not self.headers.get("Content-Type", "").startswith(
                "application/x-www-form-urlencoded"):
            return {}
        return {k: v[0] for k, v in parse_qs(self._raw.decode("utf-8", "replace")).items()}

    def _body(self) -> Any:
        return json_body(self._raw, self.headers.get("Content-Type", ""))

    def _handle(self, method: str) -> None:
        try:
            self._read()
            self._answer(method)
        except HttpError as error:
            self._send(error.status, error.body)
        except RequestError as error:
            if error.close:
                self.close_connection = True
            self._send(error.status, error.body,
                       {"Connection": "close"} if error.close else None)
        except OSError:
            self.close_connection = True  # the client went away; nobody to answer
        except Exception:  # a bug here must still answer as Salesforce does, not hang up
            log.exception("sandbox request failed: %s %s", method, self.path)
            self._send(500, [{"message": "An unexpected error occurred. Please include this "
                              f"ErrorId if you contact support: {secrets.token_hex(6)}",
                              "errorCode": "UNKNOWN_EXCEPTION"}])

    def _answer(self, method: str) -> None:
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
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
        self._send(status, [{"message": message, "errorCode": code}])
        return "handled"

    def _oauth(self, method: str, path: str, params: dict[str, str]) -> None:
        sandbox = self.server.sandbox
        if path.endswith("/authorize") and method == "GET":
            self._send(302, None, {"Location": sandbox.authorize(params)})
        elif path.endswith("/token") and method == "POST":
            self._send(200, sandbox.token(self._form(), self.server.base_url))
        elif path.endswith("/revoke") and method == "POST":
            form = self._form()
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
