"""How the adapter talks HTTP: only to the signed-in instance's origin, never following a
redirect, and reading each answer whole within a deadline and a size cap.

requests' timeout bounds each read, not the answer: a server trickling one byte at a time never
times out. A watchdog shuts the connection's socket when the request's whole time is up, which
ends a read blocked in the headers as well as in the body.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from models.crm.adapter import AnswerTooLarge, AuthError, CrmError, TransientError

LOOPBACK = ("127.0.0.1", "localhost", "::1")
# Per connect and per read; the whole request has ``deadline_s`` besides.
TIMEOUT = (5, 60)
DEADLINE_S = 120.0
# Salesforce pages hold at most 2,000 records (fewer when they are wide): a few MB. An answer
# many times that is not one RepDesk reads.
MAX_ANSWER_BYTES = 32 * 1024 * 1024

Origin = tuple[str, str, int]


def on_loopback(url: str) -> bool:
    return urlparse(url).hostname in LOOPBACK


def check_url(url: str) -> None:
    """Plain http:// is refused for any CRM host but loopback.

    Raises:
        ValueError: with the reason.
    """
    parsed = urlparse(url)
    if parsed.hostname and (parsed.scheme == "https" or
                            (parsed.scheme == "http" and parsed.hostname in LOOPBACK)):
        return
    raise ValueError(f"{url}: RepDesk talks to a CRM over https only (http is allowed for "
                     "a CRM on this computer, such as the sandbox).")


def origin_of(url: str) -> Origin:
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    try:
        port = parsed.port or (443 if scheme == "https" else 80)
    except ValueError:  # a port that is not a number
        port = -1
    return scheme, (parsed.hostname or "").lower(), port


def check_instance_url(instance_url: object, login_url: str) -> str:
    """The instance a sign-in hands us to: https, or http on loopback for a sign-in on
    loopback. A CRM on this computer never hands the token to another one.

    Raises:
        AuthError: the instance is not one RepDesk sends a token to.
    """
    if not isinstance(instance_url, str) or not instance_url:
        raise AuthError("the CRM's sign-in named no instance to work with")
    scheme, host, port = origin_of(instance_url)
    local_login = on_loopback(login_url)
    trusted = bool(host) and port > 0 and (
        (scheme == "https" and (host in LOOPBACK or not local_login)) or
        (scheme == "http" and host in LOOPBACK and local_login))
    if not trusted:
        raise AuthError(f"the CRM's sign-in sent RepDesk to {instance_url[:200]}, which is not "
                        "an https address (or, for a CRM on this computer, one on this "
                        "computer): RepDesk sends your sign-in nowhere else")
    return instance_url


class Deadline:
    """The whole time one request may take; when it is up, the connection in use is shut."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._lock = threading.Lock()
        self._done = False
        self._connection: HTTPConnection | None = None
        # A new connection's socket, duplicated: the TLS handshake detaches the one it wraps.
        self._socket: socket.socket | None = None
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def watch(self, connection: HTTPConnection | None) -> None:
        with self._lock:
            self._connection = connection

    def watch_socket(self, sock: socket.socket) -> None:
        with self._lock:
            if self._socket is None and not self._done:
                self._socket = sock.dup()

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            for sock in (getattr(self._connection, "sock", None), self._socket):
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)

    @contextlib.contextmanager
    def running(self) -> Iterator[Deadline]:
        _CURRENT.deadline = self
        self._timer.start()
        try:
            yield self
        finally:
            with self._lock:
                self._done = True
                if self._socket is not None:
                    self._socket.close()
            self._timer.cancel()
            _CURRENT.deadline = None


class _Current(threading.local):
    deadline: Deadline | None = None


_CURRENT = _Current()


class _Watched:
    """A connection that tells the running request's deadline it is the one in use, and the
    socket it opens (a TLS handshake happens before the connection has its ``sock``)."""

    def request(self, *args: Any, **kwargs: Any) -> None:
        deadline = _CURRENT.deadline
        if deadline is not None:
            deadline.watch(self)  # type: ignore[arg-type]
        super().request(*args, **kwargs)  # type: ignore[misc]

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        deadline = _CURRENT.deadline
        if deadline is not None:
            deadline.watch_socket(sock)
        return sock


class _WatchedHTTP(_Watched, HTTPConnection):
    pass


class _WatchedHTTPS(_Watched, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTP


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPS


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter with connections a ``Deadline`` can shut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


def watched(session: requests.Session) -> requests.Session:
    """``session`` with connections a deadline can shut (mounted once)."""
    if not isinstance(session.get_adapter("https://x"), DeadlineAdapter):
        session.mount("https://", DeadlineAdapter())
        session.mount("http://", DeadlineAdapter())
    return session


def drop_connections(session: requests.Session) -> None:
    """Forget every pooled connection: one of them carried an answer that was not ours."""
    for adapter in session.adapters.values():
        adapter.close()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: requests.structures.CaseInsensitiveDict[str]
    content: bytearray  # as read: copying a large answer would double it in memory


def fetch(session: requests.Session, method: str, url: str, *, deadline_s: float = DEADLINE_S,
          max_bytes: int = MAX_ANSWER_BYTES, **kwargs: Any) -> Answer:
    """One request, answered whole within ``deadline_s`` and ``max_bytes``; no redirect is
    followed (a 3xx is an error: where it points is not ours to trust).

    Raises:
        TransientError: no whole answer in time, or the connection failed.
        CrmError: a redirect, or an answer larger than ``max_bytes``.
    """
    deadline = Deadline(deadline_s)
    started = time.monotonic()
    try:
        with deadline.running():
            response = session.request(method, url, timeout=TIMEOUT, allow_redirects=False,
                                        stream=True, **kwargs)
            connection = getattr(response.raw, "connection", None)
            if connection is not None:  # through a proxy, the one the body comes on
                deadline.watch(connection)
            try:
                content = _read(response, max_bytes)
            finally:
                response.close()
    except requests.RequestException as error:
        if deadline.expired:
            raise TransientError(f"no whole answer within {deadline_s:g} s (the CRM kept "
                                 "the connection open without finishing)") from error
        raise
    if deadline.expired or time.monotonic() - started > deadline_s:
        raise TransientError(f"no whole answer within {deadline_s:g} s")
    if 300 <= response.status_code < 400:
        where = response.headers.get("Location", "")[:200]
        raise CrmError(f"the CRM answered {response.status_code} with a redirect to "
                       f"{where or 'nowhere'}; RepDesk follows no redirect from the API")
    return Answer(response.status_code, response.headers, content)


def _read(response: requests.Response, max_bytes: int) -> bytearray:
    announced = response.headers.get("Content-Length", "")
    if announced.isdigit() and int(announced) > max_bytes:
        raise AnswerTooLarge(f"the CRM's answer is {int(announced):,} bytes; RepDesk reads at most "
                       f"{max_bytes:,}")
    content = bytearray()
    for chunk in response.iter_content(64 * 1024):
        if len(content) + len(chunk) > max_bytes:
            raise AnswerTooLarge(f"the CRM's answer is over {max_bytes:,} bytes; RepDesk stopped "
                           "reading it")
        content += chunk
    return content
