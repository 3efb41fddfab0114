"""How the sandbox reads a request, as Salesforce's front door does: a deadline for the whole
request rather than per read, a size limit on bodies, and a Salesforce error body (a JSON list
of ``{message, errorCode}``) for whatever is malformed, never a dropped connection.

A client announcing a 10 GB body is answered at once and the connection closed; one trickling
bytes is answered when the request's deadline passes, so no client holds a thread for ever.
"""

from __future__ import annotations

import io
import socket
import time
from typing import Any

import orjson

# Salesforce refuses larger REST bodies too; RepDesk's biggest (200 records) is far below.
MAX_BODY = 8 * 1024 * 1024
# From a request's first line to the end of its body.
REQUEST_DEADLINE_S = 30.0
# How long a keep-alive connection may wait for its next request.
IDLE_S = 120.0
# Writing an answer to a client that does not read it.
WRITE_DEADLINE_S = 60.0
# Nesting a record can hold; orjson's own limit is 1024 levels.
MAX_DEPTH = 64


class RequestError(Exception):
    """A request the sandbox refuses as a whole; ``close`` when the rest of the connection's
    bytes can no longer be trusted to start a new request."""

    def __init__(self, status: int, code: str, message: str, close: bool = False) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.close = status, code, message, close

    @property
    def body(self) -> list[dict[str, Any]]:
        return [{"message": self.message, "errorCode": self.code}]


class DeadlineSocket(io.RawIOBase):
    """The connection's reading side; each read waits only for what is left of ``deadline``."""

    def __init__(self, connection: socket.socket) -> None:
        super().__init__()
        self._connection = connection
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request's deadline passed")
            self._connection.settimeout(left)
        return self._connection.recv_into(buffer)


def body_length(headers: Any, limit: int = MAX_BODY) -> int:
    """The announced body length, checked before a byte of it is read."""
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        raise RequestError(411, "LENGTH_REQUIRED",
                           "Send the body with a Content-Length header", close=True)
    lengths = headers.get_all("Content-Length") or []
    if not lengths:
        return 0
    if len(set(lengths)) > 1 or not lengths[0].strip().isdigit():
        raise RequestError(400, "INVALID_CONTENT_LENGTH",
                           f"Content-Length is not a length: {', '.join(lengths)[:40]!r}",
                           close=True)
    length = int(lengths[0])
    if length > limit:
        raise RequestError(413, "REQUEST_ENTITY_TOO_LARGE",
                           f"The request body is {length:,} bytes; the limit is {limit:,}",
                           close=True)
    return length


def read_body(reader: Any, length: int) -> bytes:
    try:
        data: bytes = reader.read(length) if length else b""
    except TimeoutError as error:
        raise RequestError(408, "REQUEST_TIMEOUT",
                           "The request was not received in time", close=True) from error
    if len(data) < length:
        raise RequestError(400, "INVALID_CONTENT_LENGTH",
                           f"The body ended after {len(data):,} of {length:,} bytes", close=True)
    return data


def _depth(value: Any, limit: int) -> int:
    """How deep lists and objects nest, counted no further than ``limit``."""
    deepest, level, stack = 0, 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            stack.extend((child, level + 1) for child in (
                item.values() if isinstance(item, dict) else item))
    return deepest


def json_body(raw: bytes, content_type: str) -> Any:
    """The body as JSON, or the error Salesforce answers for it."""
    if not raw:
        return None
    media = content_type.split(";")[0].strip().lower()
    if media != "application/json":
        raise RequestError(415, "UNSUPPORTED_MEDIA_TYPE",
                           f"Content type '{media or 'none'}' not supported; send "
                           "application/json")
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise RequestError(400, "JSON_PARSER_ERROR", f"Unexpected content: {error}") from error
    if _depth(value, MAX_DEPTH) > MAX_DEPTH:
        raise RequestError(400, "JSON_PARSER_ERROR",
                           f"The body nests deeper than {MAX_DEPTH} levels")
    return value


def sobject(body: Any, what: str = "the body") -> dict[str, Any]:
    """A record's fields: a JSON object whose values are plain values, as an sObject is."""
    if body is None:
        return {}
    if not isinstance(body, dict):
        kind = "START_ARRAY" if isinstance(body, list) else type(body).__name__
        raise RequestError(400, "JSON_PARSER_ERROR",
                           f"Cannot deserialize an SObject out of {kind} in {what}")
    for name, value in body.items():
        if name != "attributes" and isinstance(value, dict | list):
            raise RequestError(400, "JSON_PARSER_ERROR",
                               f"Cannot deserialize a field value out of an object or list: "
                               f"{name}")
    return body
