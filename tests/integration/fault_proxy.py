"""A fault-injecting HTTP proxy on loopback, between the adapter and the sandbox CRM.

Each data-API request asks ``decide(method, path)`` for a fault kind (None: pass it through)
and runs ``before_forward`` hooks first (edits made "during" a sync). The faults are what a
network and the gateways in front of a CRM do: the request never arrives, or it is carried out
and its answer is lost, cut short, broken, replaced by an HTML error page, late, or the request
is carried out twice.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

# The faults this branch's sync must survive with every invariant kept.
FAULTS = (
    "drop",             # connection closed before the request is forwarded: nothing done
    "lost",             # forwarded and carried out, the connection closed before the answer
    "truncated",        # carried out; the answer's body cut in half, then closed
    "invalid_json",     # carried out; 200 with a body that is not JSON
    "html_5xx_before",  # a gateway's 503 HTML page; the CRM never saw the request
    "html_5xx_after",   # carried out; the gateway answers 502 with an HTML page
    "late",             # carried out; the answer comes after the client stopped waiting
    "replay",           # a PATCH or DELETE carried out twice (a duplicated request)
)
# Faults the transport layer answers for (answers matched to their request, a total deadline
# per request): kept here, switched on once that layer is in.
TRANSPORT_FAULTS = (
    "duplicate_answer",  # the answer sent twice on a keep-alive connection (a stale answer)
    "trickle",           # the answer one byte at a time, past any total deadline
)
# Faults for tests that build one interleaving by hand, never drawn at random.
EXACT_FAULTS = (
    # the answer sent twice, the copy held back until the client's next request on this
    # connection has been carried out: that request is answered by the stale copy first
    # ("duplicate_answer" with the timing fixed, whatever the machine's load).
    "stale_next",
    # a collection delete not carried out: each record refused with Salesforce's answer for
    # a user who may not delete it
    "refused",
)
# How long a "late" answer waits: longer than the read timeout the suite gives the adapter.
LATE_S = 0.6
HOP_HEADERS = {"connection", "keep-alive", "proxy-connection", "transfer-encoding",
               "content-length", "host", "te", "trailer", "upgrade"}
HTML_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>"


class FaultProxy(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, target: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        parsed = urlparse(target)
        self.target_base = target.rstrip("/")
        self.target_host, self.target_port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self.decide: Callable[[str, str], str | None] = lambda _method, _path: None
        self.before_forward: list[Callable[[str, str], None]] = []
        self.faults: Counter[str] = Counter()
        self.requests = 0
        self.lock = threading.Lock()

    def start(self) -> FaultProxy:
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                         name="fault-proxy", daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def forward(self, method: str, path: str, headers: dict[str, str], body: bytes
                ) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(self.target_host, self.target_port, timeout=30)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = response.read()
            return response.status, response.getheaders(), data
        finally:
            connection.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: FaultProxy
    # An answer kept for the next request on this connection ("stale_next").
    held: bytes | None = None
    held_meta: tuple[int, list[tuple[str, str]]] | None = None

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
        proxy = self.server
        data_api = self.path.startswith("/services/data/v")
        fault = proxy.decide(self.command, self.path) if data_api else None
        with proxy.lock:
            proxy.requests += 1
            if fault:
                proxy.faults[fault] += 1
        if data_api:
            for hook in proxy.before_forward:
                hook(self.command, self.path)
        if fault == "drop":
            self.close_connection = True
            return
        if fault == "refused":
            ids = parse_qs(urlparse(self.path).query).get("ids", [""])[0].split(",")
            self._answer(200, [("Content-Type", "application/json")], json.dumps([
                {"id": i, "success": False, "errors": [{
                    "statusCode": "INSUFFICIENT_ACCESS_OR_READONLY",
                    "message": "insufficient access rights on object id", "fields": []}]}
                for i in ids]).encode())
            return
        if fault == "html_5xx_before":
            self._answer(503, [("Content-Type", "text/html")], HTML_PAGE.replace(b"502", b"503"))
            return
        status, answer_headers, data = proxy.forward(self.command, self.path, headers, body)
        if fault == "replay" and self.command in ("PATCH", "DELETE"):
            status, answer_headers, data = proxy.forward(self.command, self.path, headers, body)
        if self.path.startswith("/services/oauth2/token"):
            # The instance is reached through this proxy too.
            data = data.replace(proxy.target_base.encode(), proxy.base_url.encode())
        kept = [(k, v) for k, v in answer_headers if k.lower() not in HOP_HEADERS]
        if self.held is not None and self.held_meta is not None:
            # The copy held back from the previous answer arrives first.
            self._answer(*self.held_meta, self.held)
            self.held = self.held_meta = None
        if fault == "stale_next":
            self._answer(status, kept, data)
            self.held, self.held_meta = data, (status, kept)
        elif fault == "lost":
            self.close_connection = True
        elif fault == "truncated":
            self._head(status, kept, len(data))
            self.wfile.write(data[:len(data) // 2])
            self.close_connection = True
        elif fault == "invalid_json":
            self._answer(200, [("Content-Type", "application/json")], b'{"records": [{"Id": ')
        elif fault == "html_5xx_after":
            self._answer(502, [("Content-Type", "text/html")], HTML_PAGE)
        elif fault == "late":
            time.sleep(LATE_S)
            self._answer(status, kept, data)
            self.close_connection = True
        elif fault == "duplicate_answer":
            self._answer(status, kept, data)
            # A moment later, so the client has sent its next request on this connection
            # and takes the stale copy for that one's answer.
            self.wfile.flush()
            time.sleep(0.02)
            self._answer(status, kept, data)
        elif fault == "trickle":
            self._head(status, kept, len(data))
            for byte in data[:40]:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.05)
            self.close_connection = True
        else:
            self._answer(status, kept, data)

    def _answer(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
        self._head(status, headers, len(data))
        self.wfile.write(data)

    def _head(self, status: int, headers: list[tuple[str, str]], length: int) -> None:
        """Status line and headers announcing ``length`` bytes (a fault may send fewer)."""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()
