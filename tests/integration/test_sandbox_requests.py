"""The sandbox answers every malformed request with a Salesforce error body and the right
status (never a dropped connection), signs in only with PKCE and a loopback redirect, and
lets no client hold a server thread for ever."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests

from models.crm.oauth import pkce_pair
from models.crm.sandbox.server import API, Sandbox, SandboxServer
from tests.integration.conftest import Crm


def _raw(server: SandboxServer, request: bytes, timeout: float = 10.0) -> tuple[int, Any]:
    """Send bytes as they are; the status and the decoded JSON body of the answer."""
    host, port = server.server_address[:2]
    with socket.create_connection((str(host), int(port)), timeout=timeout) as connection:
        connection.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(65536)
            assert chunk, f"the connection was dropped without an answer: {answer!r}"
            answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length")))
        while len(body) < length:
            chunk = connection.recv(65536)
            assert chunk, "the answer was cut short"
            body += chunk
    return int(head.split(b" ")[1]), json.loads(body)


def _request(crm: Crm, method: str, path: str, body: bytes = b"",
             headers: dict[str, str] | None = None) -> bytes:
    lines = [f"{method} /services/data/{API}/{path} HTTP/1.1", "Host: 127.0.0.1",
             f"Authorization: Bearer {crm.tokens.access_token}"]
    chosen = {"Content-Type": "application/json", "Content-Length": str(len(body)),
              **(headers or {})}
    lines += [f"{name}: {value}" for name, value in chosen.items() if value is not None]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _error_code(answer: Any) -> str:
    assert isinstance(answer, list) and set(answer[0]) >= {"message", "errorCode"}, answer
    return str(answer[0]["errorCode"])


MALFORMED = {
    "invalid JSON": ("POST", "sobjects/Lead", b'{"LastName": "Ng",', {}, 400,
                     "JSON_PARSER_ERROR"),
    "invalid UTF-8": ("POST", "sobjects/Lead", b'{"LastName": "\xff\xfe"}', {}, 400,
                      "JSON_PARSER_ERROR"),
    "deep nesting": ("POST", "sobjects/Lead", b"[" * 100_000 + b"]" * 100_000, {}, 400,
                     "JSON_PARSER_ERROR"),
    "nesting in a field": ("POST", "sobjects/Lead",
                           b'{"LastName": ' + b"[" * 500 + b"]" * 500 + b"}", {}, 400,
                           "JSON_PARSER_ERROR"),
    "a list body on create": ("POST", "sobjects/Lead", b'[{"LastName": "Ng"}]', {}, 400,
                              "JSON_PARSER_ERROR"),
    "a list body on update": ("PATCH", "sobjects/Lead/00Q000000000001AAA", b"[1, 2]", {},
                              400, "JSON_PARSER_ERROR"),
    "a string body on upsert": ("PATCH", "sobjects/Lead/RepDesk_Id__c/x", b'"Ng"', {}, 400,
                                "JSON_PARSER_ERROR"),
    "a list of records as a collection": ("POST", "composite/sobjects", b"[]", {}, 400,
                                          "JSON_PARSER_ERROR"),
    "a record that is a number": ("POST", "composite/sobjects", b'{"records": [5]}', {}, 400,
                                  "JSON_PARSER_ERROR"),
    "attributes that are a list": ("POST", "composite/sobjects",
                                   b'{"records": [{"attributes": []}]}', {}, 400,
                                   "JSON_PARSER_ERROR"),
    "e-mail inputs that are not a list": ("POST", "actions/standard/emailSimple",
                                          b'{"inputs": 3}', {}, 400, "JSON_PARSER_ERROR"),
    "wrong content type": ("POST", "sobjects/Lead", b"LastName=Ng",
                           {"Content-Type": "text/plain"}, 415, "UNSUPPORTED_MEDIA_TYPE"),
    "Content-Length not a number": ("POST", "sobjects/Lead", b"{}",
                                    {"Content-Length": "lots"}, 400,
                                    "INVALID_CONTENT_LENGTH"),
    "negative Content-Length": ("POST", "sobjects/Lead", b"{}", {"Content-Length": "-5"}, 400,
                                "INVALID_CONTENT_LENGTH"),
    "two Content-Lengths": ("POST", "sobjects/Lead", b"{}",
                            {"Content-Length": "2\r\nContent-Length: 9"}, 400,
                            "INVALID_CONTENT_LENGTH"),
    "a 10 GB body announced": ("POST", "sobjects/Lead", b"{",
                               {"Content-Length": str(10 * 1024 ** 3)}, 413,
                               "REQUEST_ENTITY_TOO_LARGE"),
    "a chunked body": ("POST", "sobjects/Lead", b"2\r\n{}\r\n0\r\n\r\n",
                       {"Content-Length": None, "Transfer-Encoding": "chunked"}, 411,
                       "LENGTH_REQUIRED"),
    "a batch size that is not a number": ("GET", "query?q=SELECT+Id+FROM+Lead", b"",
                                          {"Sforce-Query-Options": "batchSize=lots"}, 200,
                                          None),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_request_gets_a_salesforce_error_body(crm: Crm, case: str) -> None:
    method, path, body, headers, status, code = MALFORMED[case]

    answered, answer = _raw(crm.server, _request(crm, method, path, body, headers))

    assert answered == status
    if code is not None:
        assert _error_code(answer) == code


def test_a_garbled_request_line_is_answered_in_json(crm: Crm) -> None:
    status, answer = _raw(crm.server, b"GARBLE\r\n\r\n")

    assert status == 400 and _error_code(answer) == "BAD_REQUEST"


def test_a_method_the_api_does_not_have_is_refused_in_json(crm: Crm) -> None:
    status, answer = _raw(crm.server, _request(crm, "PUT", "sobjects/Lead", b"{}"))

    assert status == 405 and _error_code(answer) == "METHOD_NOT_ALLOWED"


def test_headers_too_long_are_refused_in_json(crm: Crm) -> None:
    status, answer = _raw(crm.server, _request(crm, "GET", "limits", b"",
                                               {"X-Padding": "x" * 70_000}))

    assert status == 431 and _error_code(answer) == "REQUEST_HEADER_FIELDS_TOO_LARGE"


def test_the_connection_serves_the_next_request_after_a_refused_body(crm: Crm) -> None:
    http = requests.Session()
    url = f"{crm.server.base_url}/services/data/{API}/sobjects/Lead"
    auth = {"Authorization": f"Bearer {crm.tokens.access_token}"}

    refused = http.post(url, data=b"[1]", headers={**auth, "Content-Type": "application/json"})
    created = http.post(url, json={"LastName": "Ng", "Company": "Acme"}, headers=auth)

    assert refused.status_code == 400 and created.status_code == 201


def test_a_body_over_the_limit_is_refused_without_being_read(crm: Crm) -> None:
    crm.server.max_body = 1000
    status, answer = _raw(crm.server, _request(
        crm, "POST", "sobjects/Lead", b'{"LastName": "' + b"x" * 2000 + b'"}'))

    assert status == 413 and _error_code(answer) == "REQUEST_ENTITY_TOO_LARGE"
    assert crm.sandbox.store.rows("Lead") == []


def test_a_client_trickling_its_body_is_cut_off_at_the_deadline(crm: Crm) -> None:
    crm.server.read_deadline_s = 0.3
    host, port = crm.server.server_address[:2]
    with socket.create_connection((str(host), int(port)), timeout=10) as connection:
        # Announces a body of 1,000 bytes and sends one: the server must not wait for ever.
        connection.sendall(_request(crm, "POST", "sobjects/Lead", b"{",
                                    {"Content-Length": "1000"}))
        answer = b""
        while chunk := connection.recv(65536):  # answered, then closed by the server
            answer += chunk

    assert b" 408 " in answer.split(b"\r\n")[0] and b"REQUEST_TIMEOUT" in answer


def test_an_idle_connection_is_closed_after_its_wait(crm: Crm) -> None:
    crm.server.idle_s = 0.3
    host, port = crm.server.server_address[:2]
    with socket.create_connection((str(host), int(port)), timeout=10) as connection:
        connection.sendall(b"GET /services/da")  # a request line that never ends

        assert connection.recv(65536) == b""  # closed by the server, not held


@pytest.mark.parametrize("limit", ["-1", "1.5", "many"])
def test_a_limit_that_is_not_a_whole_number_is_a_malformed_query(crm: Crm,
                                                                  limit: str) -> None:
    status, answer = _raw(crm.server, _request(
        crm, "GET", "query?" + urlencode({"q": f"SELECT Id FROM Lead LIMIT {limit}"})))

    assert status == 400 and _error_code(answer) == "MALFORMED_QUERY"


# -- sign-in -----------------------------------------------------------------------------------

@pytest.fixture
def login_server() -> Iterator[SandboxServer]:
    server = SandboxServer(Sandbox()).start()
    yield server
    server.stop()


def _authorize(server: SandboxServer, **params: str) -> requests.Response:
    return requests.get(f"{server.base_url}/services/oauth2/authorize", params=params,
                        allow_redirects=False, timeout=10)


@pytest.mark.parametrize("redirect_uri", [
    "https://evil.example/callback", "javascript:alert(1)", "http://127.0.0.1.evil.example/",
    "http://user@evil.example/", "http://localhost:8080/cb#x", ""])
def test_only_a_loopback_redirect_receives_a_code(login_server: SandboxServer,
                                                  redirect_uri: str) -> None:
    _verifier, challenge = pkce_pair()
    answer = _authorize(login_server, response_type="code", client_id="RepDesk",
                        redirect_uri=redirect_uri, code_challenge=challenge,
                        code_challenge_method="S256", state="s")

    assert answer.status_code == 400
    assert answer.json()["error"] == "redirect_uri_mismatch"
    assert "Location" not in answer.headers


def test_an_authorization_without_pkce_gets_no_code(login_server: SandboxServer) -> None:
    answer = _authorize(login_server, response_type="code", client_id="RepDesk",
                        redirect_uri="http://127.0.0.1:7890/oauth/callback", state="s")

    query = parse_qs(urlparse(answer.headers["Location"]).query)
    assert query["error"] == ["invalid_request"] and "code" not in query


def test_a_code_is_exchanged_only_with_its_verifier(login_server: SandboxServer) -> None:
    verifier, challenge = pkce_pair()
    redirect = "http://[::1]:7890/oauth/callback"
    answer = _authorize(login_server, response_type="code", client_id="RepDesk",
                        redirect_uri=redirect, code_challenge=challenge,
                        code_challenge_method="S256", state="s")
    code = parse_qs(urlparse(answer.headers["Location"]).query)["code"][0]
    token_url = f"{login_server.base_url}/services/oauth2/token"
    form = {"grant_type": "authorization_code", "code": code, "client_id": "RepDesk",
            "redirect_uri": redirect}

    without = requests.post(token_url, data=form, timeout=10)
    assert without.status_code == 400 and without.json()["error"] == "invalid_grant"
    # A failed exchange spends the code, as Salesforce does.
    again = requests.post(token_url, data={**form, "code_verifier": verifier}, timeout=10)
    assert again.status_code == 400

    answer = _authorize(login_server, response_type="code", client_id="RepDesk",
                        redirect_uri=redirect, code_challenge=challenge,
                        code_challenge_method="S256", state="s")
    code = parse_qs(urlparse(answer.headers["Location"]).query)["code"][0]
    signed_in = requests.post(token_url, data={**form, "code": code, "code_verifier": verifier},
                              timeout=10)
    assert signed_in.status_code == 200 and signed_in.json()["access_token"]
