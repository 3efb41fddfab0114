"""A hostile CRM on loopback (stdlib http.server in a thread): it answers like Salesforce by
default, and each test scripts where it lies. A second server, the trap, stands for every
other origin: whatever reaches it was sent where the token must never go."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import orjson

TOKEN = "HOSTILE-TEST-ACCESS-TOKEN-00D000000000001"
REFRESH = "HOSTILE-TEST-REFRESH-TOKEN"
API = "/services/data/v62.0"
STAMP = "2026-11-20T10:00:00.000+0000"


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    authorization: str | None
    client_port: int
    body: bytes = b""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def _play(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append(Seen(self.command, self.path,
                                     self.headers.get("Authorization"),
                                     self.client_address[1], body))
        self.server.play(self)

    do_GET = do_POST = do_PATCH = do_DELETE = _play

    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}

    @property
    def route(self) -> str:
        return urlparse(self.path).path

    def send(self, status: int, body: Any = None, headers: dict[str, str] | None = None,
             raw: bytes | None = None) -> None:
        content = raw if raw is not None else b"" if body is None else orjson.dumps(body)
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(content)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(content)

    def trickle(self, content: bytes, every_s: float, headers_too: bool = False) -> None:
        """One byte at a time: each read returns in time, the answer never ends in time."""
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(content)}\r\n\r\n").encode()
        if not headers_too:
            self.wfile.write(head)
            self.wfile.flush()
        for byte in (head if headers_too else b"") + content:
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                return  # the client gave up, as it should
            time.sleep(every_s)

    def log_message(self, *args: Any) -> None:
        pass


Script = Callable[[Handler], bool]  # True: answered


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen: list[Seen] = []
        self.scripts: list[Script] = []
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> Server:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def play(self, handler: Handler) -> None:
        for script in self.scripts:
            if script(handler):
                return
        self.answer(handler)

    def answer(self, handler: Handler) -> None:
        handler.send(404, [{"errorCode": "NOT_FOUND", "message": "nothing here"}])


class HostileCrm(Server):
    """Salesforce's answers for an empty org, unless a script answers first; a Lead query
    gets ``lead_page``."""

    def __init__(self) -> None:
        super().__init__()
        self.lead_page: dict[str, Any] | None = None

    def answer(self, handler: Handler) -> None:
        route, params = handler.route, handler.query()
        if route == "/services/oauth2/authorize":
            target = f"{params['redirect_uri']}?{urlencode({'code': 'c0de', **_state(params)})}"
            handler.send(302, headers={"Location": target})
        elif route == "/services/oauth2/token":
            handler.send(200, {"access_token": TOKEN, "refresh_token": REFRESH,
                               "instance_url": self.base_url, "token_type": "Bearer"})
        elif route.endswith("/deleted/"):
            handler.send(200, {"deletedRecords": [], "latestDateCovered": STAMP})
        elif route.endswith("/describe"):
            handler.send(200, {"name": route.split("/")[-2], "fields": []})
        elif route in (f"{API}/query", f"{API}/queryAll"):
            handler.send(200, self.page_for(params.get("q", "")))
        else:
            super().answer(handler)

    def page_for(self, soql: str) -> dict[str, Any]:
        if " FROM Lead" in soql and self.lead_page is not None:
            return self.lead_page
        return {"totalSize": 0, "done": True, "records": []}


def _state(params: dict[str, str]) -> dict[str, str]:
    return {"state": params["state"]} if "state" in params else {}


def lead(number: int, **fields: Any) -> dict[str, Any]:
    """A sound Lead record as a query page carries it."""
    crm_id = f"00Q{number:012d}AAA"
    return {"attributes": {"type": "Lead", "url": f"{API}/sobjects/Lead/{crm_id}"},
            "Id": crm_id, "SystemModstamp": STAMP, "CreatedDate": STAMP,
            "LastName": f"Hostile {number}", "Company": "Acme",
            **fields}


def page(records: list[Any], following: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"totalSize": len(records), "done": following is None,
                            "records": records}
    if following is not None:
        body["nextRecordsUrl"] = following
    return body


def servers() -> Iterator[tuple[HostileCrm, Server]]:
    crm, trap = HostileCrm(), Server()
    crm.start()
    trap.start()

    def welcome(handler: Handler) -> bool:  # what a thief would answer: a page that looks right
        handler.send(200, page([lead(999)]))
        return True

    trap.scripts.append(welcome)
    try:
        yield crm, trap
    finally:
        crm.stop()
        trap.stop()
