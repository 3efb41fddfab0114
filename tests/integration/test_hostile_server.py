"""A CRM that lies: the adapter and the sync against a hostile server on loopback. Each case
checks what the rep would see (a clear error, or a refused record with the rest synced) and
that the bearer token reached no other origin (the trap server saw nothing at all)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from desktop.cli import main
from models.crm.adapter import AuthError, CrmError, OutcomeUnknown, TransientError
from models.crm.oauth import refresh
from models.crm.salesforce import SalesforceRest
from models.store import Lead
from models.store.open import Store
from models.sync.engine import sync_once
from models.sync.status import outbox_lines
from tests.integration.conftest import clock
from tests.integration.hostile_crm import (
    API,
    REFRESH,
    TOKEN,
    Handler,
    HostileCrm,
    Server,
    lead,
    page,
    servers,
)


@pytest.fixture
def hostile() -> Iterator[tuple[HostileCrm, Server]]:
    yield from servers()


def adapter(crm: HostileCrm, **options: Any) -> SalesforceRest:
    http = requests.Session()
    return SalesforceRest(crm.base_url, lambda: TOKEN, lambda: TOKEN, http,
                          sleep=lambda _s: None, **options)


def answer_lead_query(crm: HostileCrm, respond: Any) -> None:
    """``respond(handler)`` answers the CRM's Lead queries (and pages after them)."""
    def script(handler: Handler) -> bool:
        soql = handler.query().get("q", "")
        if " FROM Lead" in soql or "/query/" in handler.route:
            respond(handler)
            return True
        return False

    crm.scripts.append(script)


def stored_leads(store: Store) -> list[str]:
    with store.sessions() as session:
        return sorted(c or "" for c in session.scalars(select(Lead.crm_id)))


def refused_lines(store: Store) -> list[str]:
    return [line.error or "" for line in outbox_lines(store.sessions) if line.op == "receive"]


def token_stayed_home(crm: HostileCrm, trap: Server) -> None:
    assert trap.seen == []
    assert all(seen.authorization in (None, f"Bearer {TOKEN}") for seen in crm.seen)


# -- same origin, always -----------------------------------------------------------------------
@pytest.mark.parametrize("following", [
    "http://localhost:{trap}" + API + "/query/01gX-2000",      # another host
    "http://127.0.0.1:{trap}" + API + "/query/01gX-2000",      # another port
    "https://127.0.0.1:{crm}" + API + "/query/01gX-2000",      # another scheme
    "http://rep@localhost:{trap}" + API + "/query/01gX-2000",  # a user name before another host
], ids=["host", "port", "scheme", "userinfo"])
def test_a_next_page_on_another_origin_is_refused_and_the_token_stays_home(
        hostile: tuple[HostileCrm, Server], store: Store, following: str) -> None:
    crm, trap = hostile
    crm.lead_page = page([lead(1)], following.format(trap=trap.server_address[1],
                                                     crm=crm.server_address[1]))
    with pytest.raises(CrmError, match="RepDesk sends your sign-in nowhere else"):
        sync_once(store.sessions, adapter(crm), clock)
    assert stored_leads(store) == [lead(1)["Id"]]  # the page before is kept
    token_stayed_home(crm, trap)


@pytest.mark.parametrize(("status", "location"), [
    (302, "http://localhost:{trap}/services/data/v62.0/query?q=x"),
    (307, "http://127.0.0.1:{trap}/plain-http"),
    (301, "/services/data/v62.0/query?q=SELECT+Id+FROM+Lead"),
], ids=["302-another-host", "307-plain-http-elsewhere", "301-same-origin"])
def test_a_redirect_is_never_followed(hostile: tuple[HostileCrm, Server], store: Store,
                                      status: int, location: str) -> None:
    crm, trap = hostile
    answer_lead_query(crm, lambda h: h.send(status, headers={
        "Location": location.format(trap=trap.server_address[1])}))
    with pytest.raises(CrmError, match="follows no redirect"):
        sync_once(store.sessions, adapter(crm), clock)
    assert len([s for s in crm.seen if "FROM+Lead" in s.path or "FROM%20Lead" in s.path]) == 1
    token_stayed_home(crm, trap)


# -- the sign-in -------------------------------------------------------------------------------
def answer_token(crm: HostileCrm, body: Any = None, raw: bytes | None = None) -> None:
    def script(handler: Handler) -> bool:
        if handler.route != "/services/oauth2/token":
            return False
        handler.send(200, body, raw=raw)
        return True

    crm.scripts.append(script)


@pytest.mark.parametrize("instance", [
    "https://evil.example", "http://crm.example.com", "javascript:alert(1)", "https://", "",
    None, 42], ids=["another-host", "plain-http", "javascript", "no-host", "empty", "null",
                    "number"])
def test_an_instance_elsewhere_is_refused_at_sign_in(
        hostile: tuple[HostileCrm, Server], tmp_path: Path, instance: Any,
        capsys: pytest.CaptureFixture[str]) -> None:
    crm, trap = hostile
    answer_token(crm, {"access_token": TOKEN, "refresh_token": REFRESH,
                       "instance_url": instance})
    assert main(["sync", "--data-dir", str(tmp_path), "--crm", crm.base_url]) == 2
    err = capsys.readouterr().err
    assert "Could not sign in" in err and "Traceback" not in err
    assert [s.method for s in crm.seen] == ["GET", "POST"]  # sign-in only: no API call
    token_stayed_home(crm, trap)


def test_an_instance_elsewhere_is_refused_at_refresh(hostile: tuple[HostileCrm, Server],
                                                     store: Store) -> None:
    crm, trap = hostile
    elsewhere = f"http://localhost:{trap.server_address[1]}"
    answer_token(crm, {"access_token": "NEW-TOKEN", "instance_url": elsewhere})
    answer_lead_query(crm, lambda h: h.send(401, [{"errorCode": "INVALID_SESSION_ID",
                                                   "message": "Session expired or invalid"}]))
    http = requests.Session()
    renewing = SalesforceRest(
        crm.base_url, lambda: TOKEN,
        lambda: refresh(http, crm.base_url, REFRESH, crm.base_url).access_token, http,
        sleep=lambda _s: None)
    with pytest.raises(AuthError, match="sign in again"):
        sync_once(store.sessions, renewing, clock)
    token_stayed_home(crm, trap)


@pytest.mark.parametrize(("body", "raw"), [
    ({"instance_url": "{crm}", "token_type": "Bearer"}, None),
    ({"access_token": None, "instance_url": "{crm}"}, None),
    ({"access_token": ["a", "list"], "instance_url": "{crm}"}, None),
    ({"access_token": "abc\r\nX-Injected: 1", "instance_url": "{crm}"}, None),
    ({"access_token": "x" * 100_000, "instance_url": "{crm}"}, None),
    ({"access_token": TOKEN, "refresh_token": {"a": 1}, "instance_url": "{crm}"}, None),
    (None, b"[]"),
    (None, b"<html>Service Unavailable</html>"),
], ids=["no-token", "null-token", "list-token", "header-injection", "huge-token",
        "odd-refresh-token", "a-list", "html"])
def test_a_token_answer_without_a_usable_token_is_a_clear_error(
        hostile: tuple[HostileCrm, Server], tmp_path: Path, body: Any, raw: bytes | None,
        capsys: pytest.CaptureFixture[str]) -> None:
    crm, trap = hostile
    if body is not None:
        body = {k: v.format(crm=crm.base_url) if isinstance(v, str) and k == "instance_url"
                else v for k, v in body.items()}
    answer_token(crm, body, raw)
    assert main(["sync", "--data-dir", str(tmp_path), "--crm", crm.base_url]) == 2
    err = capsys.readouterr().err
    assert "Could not sign in" in err and "Traceback" not in err
    token_stayed_home(crm, trap)


# -- bounded answers ---------------------------------------------------------------------------
def test_ten_megabyte_strings_are_refused_by_field_and_the_rest_synced(
        hostile: tuple[HostileCrm, Server], store: Store) -> None:
    crm, trap = hostile
    huge = "x" * 10_000_000
    crm.lead_page = page([lead(1), lead(2, Title=huge), lead(3, Company=huge),
                          lead(4, LastName=huge), lead(5)])
    sync_once(store.sessions, adapter(crm), clock)
    assert stored_leads(store) == [lead(1)["Id"], lead(5)["Id"]]
    refused = refused_lines(store)
    assert len(refused) == 3
    for number, field in ((2, "Title"), (3, "Company"), (4, "LastName")):
        assert any(f"Lead {lead(number)['Id']}: {field} is 10,000,000 characters long" in line
                   for line in refused), refused
    assert store.path.stat().st_size < 5_000_000
    token_stayed_home(crm, trap)


def _huge_body(length: int) -> bytes:
    return b'{"totalSize": 1, "done": true, "records": [], "pad": "' + \
        b"x" * length + b'"}'


def _packed(item: bytes, count: int) -> bytes:
    return b'{"totalSize": 1, "done": true, "records": [' + item * count + item[:-1] + b"]}"


@pytest.mark.parametrize("answer", ["3000-records", "40MB-body", "10GB-announced",
                                    "10M-empty-objects", "7M-numbers", "4M-longer-numbers"])
def test_a_huge_page_is_refused_whole(hostile: tuple[HostileCrm, Server], store: Store,
                                      answer: str) -> None:
    crm, trap = hostile

    def respond(handler: Handler) -> None:
        if answer == "3000-records":
            handler.send(200, page([lead(n) for n in range(3000)]))
        elif answer == "40MB-body":
            handler.send(200, raw=_huge_body(40_000_000))
        elif answer == "10M-empty-objects":
            handler.send(200, raw=_packed(b"{},", 10_000_000))
        elif answer == "7M-numbers":
            handler.send(200, raw=_packed(b"1.5,", 7_000_000))
        elif answer == "4M-longer-numbers":  # sparse enough to be parsed, then too many
            handler.send(200, raw=_packed(b"1234.56,", 4_000_000))
        else:
            handler.send_response(200)
            handler.send_header("Content-Length", str(10 * 1024 ** 3))
            handler.end_headers()
            handler.wfile.write(b'{"records": [')
            handler.close_connection = True

    answer_lead_query(crm, respond)
    with pytest.raises(CrmError, match=r"at most 2,000 a page|RepDesk (reads at most|stopped|"
                                       r"did not read it)"):
        sync_once(store.sessions, adapter(crm), clock)
    assert stored_leads(store) == []
    token_stayed_home(crm, trap)


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
def test_a_trickling_answer_ends_at_the_deadline(hostile: tuple[HostileCrm, Server],
                                                 store: Store, headers_too: bool) -> None:
    crm, trap = hostile
    answer_lead_query(crm, lambda h: h.trickle(b'{"totalSize": 0, "done": true, '
                                               b'"records": []}', 0.2, headers_too))
    with pytest.raises(TransientError, match=r"no whole answer within 0\.3 s"):
        sync_once(store.sessions, adapter(crm, deadline_s=0.3), clock)
    token_stayed_home(crm, trap)


# -- malformed records -------------------------------------------------------------------------
def test_malformed_records_are_refused_by_name_and_the_rest_synced(
        hostile: tuple[HostileCrm, Server], store: Store) -> None:
    crm, trap = hostile
    bad_id = {**lead(20), "Id": 12345}
    no_id = {**lead(21), "Id": None}
    crm.lead_page = page([
        lead(1), None, "a string", ["a", "list"], 42, bad_id, no_id,
        lead(2, SystemModstamp="not-a-date"), lead(3, Title=["a", "list"]),
        lead(4, Company={"an": "object"}), lead(5, NumberOfEmployees="many"),
        lead(6, DoNotCall="yes"), lead(7, OwnerId=["005"]),
        lead(8, RepDesk_Id__c="y" * 500), lead(9)])
    report = sync_once(store.sessions, adapter(crm), clock)
    assert report.pull.received == 2 and report.pull.refused == 13
    assert stored_leads(store) == [lead(1)["Id"], lead(9)["Id"]]
    refused = refused_lines(store)
    expected = [
        "Lead (no valid id): the record is None, not a record",
        "Lead (no valid id): the record is 'a string', not a record",
        "Lead (no valid id): the record is ['a', 'list'], not a record",
        "Lead (no valid id): the record is 42, not a record",
        "Lead (no valid id): Id is 12345, not a Salesforce id",
        "Lead (no valid id): Id is None, not a Salesforce id",
        f"Lead {lead(2)['Id']}: SystemModstamp is 'not-a-date', not a date-time",
        f"Lead {lead(3)['Id']}: Title is ['a', 'list'], where a single value belongs",
        f"Lead {lead(4)['Id']}: Company is {{'an': 'object'}}, where a single value belongs",
        f"Lead {lead(5)['Id']}: NumberOfEmployees is 'many', not a number",
        f"Lead {lead(6)['Id']}: DoNotCall is 'yes', not a true or false",
        f"Lead {lead(7)['Id']}: OwnerId is ['005'], not the id of a record",
        f"Lead {lead(8)['Id']}: RepDesk_Id__c is",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in refused), (start, refused)
    assert len(refused) == len(expected)
    # The next sync refuses them again without listing them twice.
    sync_once(store.sessions, adapter(crm), clock)
    assert len(refused_lines(store)) == len(expected)
    token_stayed_home(crm, trap)


def test_a_record_refused_once_is_taken_in_when_the_crm_sends_it_sound(
        hostile: tuple[HostileCrm, Server], store: Store) -> None:
    crm, _trap = hostile
    crm.lead_page = page([lead(1, Title=["a", "list"])])
    sync_once(store.sessions, adapter(crm), clock)
    assert stored_leads(store) == [] and len(refused_lines(store)) == 1
    crm.lead_page = page([lead(1, Title="CTO", SystemModstamp="2026-11-21T10:00:00.000+0000")])
    sync_once(store.sessions, adapter(crm), clock)
    assert stored_leads(store) == [lead(1)["Id"]] and refused_lines(store) == []


# -- answers matched to their request ----------------------------------------------------------
def _edited_lead(crm: HostileCrm, store: Store) -> str:
    """A lead pulled from the hostile CRM, then edited here; its CRM id."""
    crm.lead_page = page([lead(1)])
    sync_once(store.sessions, adapter(crm), clock)
    with store.sessions.begin() as session:
        session.scalars(select(Lead)).one().title = "Head of Sales"
    crm_id: str = lead(1)["Id"]

    def retrieve(handler: Handler) -> bool:
        if handler.command != "GET" or handler.route != f"{API}/composite/sobjects/Lead":
            return False
        handler.send(200, [{"attributes": {"type": "Lead"}, "Id": crm_id, "Title": None}])
        return True

    crm.scripts.append(retrieve)
    return crm_id


@pytest.mark.parametrize("answer", [
    [], [{"id": "00Q000000000001AAA", "success": True, "errors": []}] * 2,
    [{"id": "00Q000000000777AAA", "success": True, "errors": []}],
    [{"id": None, "success": True}], ["not a result"], {"an": "object"},
], ids=["too-short", "too-long", "other-id", "success-without-id", "not-a-result",
        "not-a-list"])
def test_an_update_answered_for_other_records_is_never_accepted(
        hostile: tuple[HostileCrm, Server], store: Store, answer: Any) -> None:
    crm, trap = hostile
    _edited_lead(crm, store)

    def update(handler: Handler) -> bool:
        if handler.command != "PATCH" or handler.route != f"{API}/composite/sobjects":
            return False
        handler.send(200, answer)
        return True

    crm.scripts.append(update)
    with pytest.raises(OutcomeUnknown, match="no answer RepDesk can trust"):
        sync_once(store.sessions, adapter(crm), clock)
    patches = [s for s in crm.seen if s.method == "PATCH"]
    assert len(patches) == 1  # an update is not idempotent: never sent twice by the adapter
    assert [line.op for line in outbox_lines(store.sessions)] == ["update"]  # still waiting
    token_stayed_home(crm, trap)


def test_a_stale_upsert_answer_drops_the_connection_and_the_upsert_is_sent_again(
        hostile: tuple[HostileCrm, Server], store: Store) -> None:
    crm, trap = hostile
    with store.sessions.begin() as session:
        session.add(Lead(last_name="Reddy", company="Nova Power", created_at=clock()))
    answers = iter([[{"id": "00Q000000000555AAA", "success": True, "created": True}] * 2,
                    [{"id": "00Q000000000556AAA", "success": True, "created": True}]])

    def upsert(handler: Handler) -> bool:
        if handler.command != "PATCH" or not handler.route.endswith("/RepDesk_Id__c"):
            return False
        handler.send(200, next(answers))
        return True

    crm.scripts.append(upsert)
    sync_once(store.sessions, adapter(crm), clock)
    assert stored_leads(store) == ["00Q000000000556AAA"]
    first, second = [s for s in crm.seen if s.method == "PATCH"]
    assert first.body == second.body and first.client_port != second.client_port
    token_stayed_home(crm, trap)


@pytest.mark.parametrize(("call", "retried"), [
    ("email", False), ("update", False), ("delete", False), ("upsert", True), ("get", True)])
def test_only_idempotent_calls_are_sent_again_after_a_lost_answer(
        hostile: tuple[HostileCrm, Server], call: str, retried: bool) -> None:
    crm, trap = hostile
    crm_id = lead(1)["Id"]
    drops = [1]

    def lose_first_answer(handler: Handler) -> bool:
        if drops and handler.route.startswith(API):
            drops.pop()
            handler.close_connection = True  # the request arrived; its answer never leaves
            return True
        if handler.command in ("PATCH", "DELETE") or "emailSimple" in handler.route:
            handler.send(200, [{"actionName": "emailSimple", "isSuccess": True}]
                         if "emailSimple" in handler.route
                         else [{"id": crm_id, "success": True, "created": False}])
            return True
        return False

    crm.scripts.append(lose_first_answer)
    rest = adapter(crm)
    calls = {"email": lambda: rest.send_email("a@example.com", "Hi", "Hello"),
             "update": lambda: rest.update("Lead", [{"Id": crm_id, "Title": "CTO"}]),
             "delete": lambda: rest.delete([crm_id]),
             "upsert": lambda: rest.upsert("Lead", [{"RepDesk_Id__c": "x", "Title": "CTO"}]),
             "get": lambda: rest.picklists("Lead")}
    if retried:
        calls[call]()
    else:
        with pytest.raises(OutcomeUnknown, match="not sent again automatically"):
            calls[call]()
    assert len([s for s in crm.seen if s.path.startswith(API)]) == (2 if retried else 1)
    token_stayed_home(crm, trap)


def test_a_tls_handshake_that_never_ends_meets_the_deadline() -> None:
    """A server that takes the connection and says nothing: the TLS handshake waits for its
    first answer, before any HTTP is read."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    held: list[socket.socket] = []
    taking = threading.Thread(target=lambda: [held.append(silent.accept()[0])
                                              for _ in range(5)], daemon=True)
    taking.start()
    rest = SalesforceRest(f"https://127.0.0.1:{silent.getsockname()[1]}", lambda: TOKEN,
                          lambda: TOKEN, requests.Session(), sleep=lambda _s: None,
                          deadline_s=0.3)
    try:
        with pytest.raises(TransientError, match=r"no whole answer within 0\.3 s"):
            rest.picklists("Lead")
    finally:
        for connection in held:
            connection.close()
        silent.close()
