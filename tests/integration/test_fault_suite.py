"""Randomised rounds of edits on both sides and syncs through a fault-injecting proxy in front
of the real sandbox CRM (seeded, 300 rounds). Each round: a few local edits, creates, deletes
and e-mails; a colleague's edits and deletes made in the CRM itself; one or two syncs under
faults, with edits on both sides while a sync runs; now and then two syncs at once, or a sync
process killed mid-request. After a final clean sync every invariant below must hold."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from models.crm import salesforce
from models.crm.adapter import CrmError
from models.crm.salesforce import SalesforceRest
from models.crm.sandbox.server import Sandbox, SandboxServer
from models.store import Activity, EmailSend, Lead, OutboxEntry, SyncConflict
from models.store.mail import REFUSED, SENT, UNSURE
from models.store.open import Store, open_store
from models.sync.conflicts import RECORD_DELETED
from models.sync.engine import sync_once
from models.sync.fieldmap import FieldMap, field_map, values_equal
from tests.integration.conftest import clock, connect
from tests.integration.fault_proxy import FAULTS, LATE_S, TRANSPORT_FAULTS, FaultProxy

ROUNDS = int(os.environ.get("FAULT_ROUNDS", "300"))
# Thread timing still varies a run (two syncs at once, the proxy's threads, late answers), but
# a failure prints its seed, round and faults; FAULT_SEED=<n> runs another seed.
SEED = int(os.environ.get("FAULT_SEED", "12"))
# Share of data-API requests that meet a fault during a faulty sync: reads, writes, sends.
READ_FAULT_RATE, WRITE_FAULT_RATE, SEND_FAULT_RATE = 0.05, 0.25, 0.35
WEIGHTS = {"drop": 3, "lost": 5, "truncated": 2, "invalid_json": 2, "html_5xx_before": 2,
           "html_5xx_after": 2, "late": 0.4, "replay": 2}
# Stale answers on a keep-alive connection and answers trickled past the deadline
# (fault_proxy.TRANSPORT_FAULTS) are caught by the adapter matching every answer to its request
# and bounding each request's total time.
WEIGHTS.update({"duplicate_answer": 2, "trickle": 0.3})
ENABLED = FAULTS + TRANSPORT_FAULTS
KILL_ROUNDS = frozenset({60, 150, 240})
TWO_AT_ONCE_EVERY = 25
HOT = 6
T = TypeVar("T")
FIELDS = {"title": "Title", "city": "City", "phone": "Phone"}
VALUES = {"title": ("CEO", "CTO", "VP Sales", "IT Manager", "Consultant"),
          "city": ("Paris", "Berlin", "Austin", "Sydney", "Tokyo"),
          "phone": tuple(f"+4930{n}" for n in range(1000000, 1000010))}


@dataclass
class Log:
    """What each side did, in one sequence, for the invariants."""

    seq: int = 0
    # (lead, field) → (seq, value, base the rep saw) of every local edit
    local: dict[tuple[str, str], list[tuple[int, Any, Any]]] = field(default_factory=dict)
    # (lead, field) → (seq, value, value it replaced in the CRM) of every remote edit
    remote: dict[tuple[str, str], list[tuple[int, Any, Any]]] = field(default_factory=dict)
    remote_deleted: set[str] = field(default_factory=set)
    local_deleted: set[str] = field(default_factory=set)
    emails: dict[str, str] = field(default_factory=dict)  # activity → subject
    round: int = -1
    # (round, method, path, fault) of every fault drawn, printed when the suite fails
    faults: list[tuple[int, str, str, str]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next(self) -> int:
        self.seq += 1
        return self.seq


class World:
    def __init__(self, store: Store, server: SandboxServer, proxy: FaultProxy,
                 fields: FieldMap, rng: random.Random, monkeypatch: pytest.MonkeyPatch) -> None:
        self.store, self.server, self.proxy, self.fields = store, server, proxy, fields
        self.monkeypatch = monkeypatch  # holds the suite's short read timeout
        self.sandbox: Sandbox = server.sandbox
        self.rng, self.log = rng, Log()
        self.tokens = connect(server).tokens
        self.faulty = False
        # Two syncs at once: one's reads would let a colleague's edit land between the
        # other's read and write, a window no client closes (collection updates take no
        # precondition), so the colleague waits for them.
        self.two_running = False

    def adapter(self) -> SalesforceRest:
        tokens = self.tokens
        return SalesforceRest(self.proxy.base_url, lambda: tokens.access_token,
                              lambda: tokens.access_token, sleep=lambda _s: None)

    # -- the rep -----------------------------------------------------------------------------
    def local_round(self) -> None:
        with self.log.lock:
            edits: list[tuple[tuple[str, str], tuple[int, Any, Any]]] = []
            with self.store.sessions.begin() as session:
                self._local_action(session, edits)
            for key, edit in edits:  # logged once committed
                self.log.local.setdefault(key, []).append(edit)

    def _local_action(self, session: Any, edits: list[Any]) -> None:
        rng = self.rng
        leads = list(session.scalars(select(Lead)))
        action = rng.random()
        if action < 0.3 or not leads:
            n = self.log.next()
            session.add(Lead(last_name=f"Lead {n}", company="Acme", email=f"l{n}@acme.test",
                             title=rng.choice(VALUES["title"]), created_at=clock()))
            self.log.counts["local creates"] += 1
        elif action < 0.8:
            edit = self._edit(self._hot(leads, lambda lead: lead.id))
            if edit is not None:
                edits.append(edit)
        elif action < 0.9:
            lead = rng.choice(leads)
            n = self.log.next()
            activity = Activity(kind="email", lead_id=lead.id, subject=f"Mail {n}",
                                body="Hello", occurred_at=clock(), email_to=lead.email,
                                delivery="crm")
            session.add(activity)
            session.flush()
            self.log.emails[activity.id] = f"Mail {n}"
            self.log.counts["e-mails"] += 1
        else:
            with_mail = set(session.scalars(select(Activity.lead_id)))
            free = [lead for lead in leads if lead.id not in with_mail]
            if free:
                gone = rng.choice(free)
                session.delete(gone)
                self.log.local_deleted.add(gone.id)
                self.log.counts["local deletes"] += 1

    def _hot(self, rows: list[T], key: Callable[[T], str]) -> T:
        """Mostly the newest few records (ids are time-ordered): both sides edit the same
        ones, so conflicts happen."""
        if self.rng.random() < 0.7:
            return self.rng.choice(sorted(rows, key=key)[-HOT:])
        return self.rng.choice(rows)

    def _edit(self, lead: Lead) -> tuple[tuple[str, str], tuple[int, Any, Any]] | None:
        """Set a field; None when it already held the value (no edit, nothing to send)."""
        name = self.rng.choice(sorted(FIELDS))
        value = self.rng.choice(VALUES[name])
        if getattr(lead, name) == value:
            return None
        seen = (lead.base or {}).get(name, getattr(lead, name))
        setattr(lead, name, value)
        self.log.counts["local edits"] += 1
        return (lead.id, name), (self.log.next(), value, seen)

    # -- a colleague, in the CRM itself -------------------------------------------------------
    def remote_round(self, during_sync: bool = False) -> None:
        rng = self.rng
        with self.log.lock:
            live = [r for r in self.sandbox.store.all("Lead") if r.fields.get("RepDesk_Id__c")]
            if not live:
                return
            record = self._hot(live, lambda r: str(r.fields["RepDesk_Id__c"]))
            ext = str(record.fields["RepDesk_Id__c"])
            if rng.random() < 0.12 and not during_sync and ext not in self._mailed():
                self.sandbox.store.delete("Lead", record.id)
                self.log.remote_deleted.add(ext)
                self.log.counts["remote deletes"] += 1
                return
            name = rng.choice(sorted(FIELDS))
            value = rng.choice(VALUES[name])
            before = record.fields.get(FIELDS[name])
            self.sandbox.store.update("Lead", record.id, {FIELDS[name]: value})
            self.log.remote.setdefault((ext, name), []).append((self.log.next(), value, before))
            self.log.counts["remote edits during a sync" if during_sync else "remote edits"] += 1

    def _mailed(self) -> set[str]:
        with self.store.sessions() as session:
            return set(session.scalars(select(Activity.lead_id).where(
                Activity.lead_id.is_not(None))))

    # -- syncs ---------------------------------------------------------------------------------
    def decide(self, method: str, path: str) -> str | None:
        if not self.faulty:
            return None
        rate = SEND_FAULT_RATE if "emailSimple" in path else \
            READ_FAULT_RATE if method == "GET" else WRITE_FAULT_RATE
        if self.rng.random() >= rate:
            return None
        kinds = [k for k in ENABLED if k != "replay" or method in ("PATCH", "DELETE")]
        kind = self.rng.choices(kinds, [WEIGHTS[k] for k in kinds])[0]
        self.log.counts[f"fault {kind} on {_operation(method, path)}"] += 1
        self.log.faults.append((self.log.round, method, path.split("?")[0], kind))
        return kind

    def while_syncing(self, method: str, _path: str) -> None:
        # Only before reads: a write retried after a lost answer is the transport's, and an
        # edit slipped between an attempt and its retry is outside what the push can see.
        if not self.faulty or method != "GET" or self.rng.random() >= 0.04:
            return
        if self.rng.random() < 0.5:
            if not self.two_running:
                self.remote_round(during_sync=True)
            return
        with self.log.lock:
            with self.store.sessions.begin() as session:
                leads = list(session.scalars(select(Lead)))
                edit = self._edit(self._hot(leads, lambda lead: lead.id)) if leads else None
            if edit is not None:
                self.log.local.setdefault(edit[0], []).append(edit[1])
                self.log.counts["local edits during a sync"] += 1

    def sync(self) -> None:
        try:
            pushed = sync_once(self.store.sessions, self.adapter(), clock, self.fields).push
            self.log.counts["syncs"] += 1
            self.log.counts["creates in doubt looked up"] += pushed.looked_up
            self.log.counts["e-mails sent"] += pushed.emails_sent
        except CrmError:
            self.log.counts["syncs stopped by a fault"] += 1

    def two_at_once(self) -> None:
        errors: list[BaseException] = []

        def run() -> None:
            try:
                self.sync()
            except BaseException as error:  # reported below, in the test's thread
                errors.append(error)

        threads = [threading.Thread(target=run) for _ in range(2)]
        self.two_running = True
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.two_running = False
        assert not errors, errors
        self.log.counts["two syncs at once"] += 1

    def killed_sync(self) -> None:
        """`repdesk sync` in its own process, killed (SIGKILL) at a random data-API request,
        before or after the CRM carried it out."""
        folder = self.store.path.parent
        at = self.rng.randrange(2, 20)
        seen = [0]
        process = subprocess.Popen(
            [sys.executable, "-m", "desktop", "sync", "--data-dir", str(folder), "--crm",
             self.proxy.base_url, "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))

        def kill(_method: str, _path: str) -> None:
            seen[0] += 1
            if seen[0] == at:
                process.send_signal(signal.SIGKILL)
                time.sleep(0.05)  # the request may or may not reach the CRM after it

        self.proxy.before_forward.append(kill)
        try:
            process.communicate(timeout=60)
        finally:
            self.proxy.before_forward.remove(kill)
        self.log.counts["syncs killed" if process.returncode == -signal.SIGKILL
                        else "syncs that ended before their kill"] += 1


def _operation(method: str, path: str) -> str:
    if "emailSimple" in path:
        return "e-mail sends"
    if method == "PATCH" and "RepDesk_Id__c" in path:
        return "creates"
    return {"PATCH": "updates", "DELETE": "deletes", "POST": "posts"}.get(method, "reads")


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[Store]:
    """The rep's store in memory-backed files where the system has them: every commit is
    flushed to disk (synchronous=FULL), and the suite is about the sync, not the disk."""
    memory = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(dir=memory)) if memory.is_dir() else tmp_path
    store = open_store(folder / "profile")
    yield store
    store.close()
    if folder != tmp_path:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def world(profile: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    # A short read timeout, so a "late" answer is late without slowing the suite.
    monkeypatch.setattr(salesforce, "TIMEOUT", (2, LATE_S / 2))
    server = SandboxServer(Sandbox()).start()
    proxy = FaultProxy(server.base_url).start()
    full = field_map()
    fields = FieldMap(full.external_id, tuple(
        spec for spec in full.objects if spec.table in ("leads", "activities")))
    world = World(profile, server, proxy, fields, random.Random(SEED), monkeypatch)
    proxy.decide = world.decide
    proxy.before_forward.append(world.while_syncing)
    yield world
    proxy.stop()
    server.stop()


def test_three_hundred_rounds_of_faults_keep_every_invariant(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        _rounds(world, capsys)
    except BaseException:
        log = world.log
        where = f"round {log.round}" if log.round < ROUNDS else "the final check"
        print(f"FAULT_SEED={SEED} FAULT_ROUNDS={ROUNDS}: failed in {where}; the faults of "
              "the last three rounds:")
        for fault in [f for f in log.faults if f[0] >= log.round - 2]:
            print("  round {} {} {} {}".format(*fault))
        raise


def _rounds(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    rng = world.rng
    for round_number in range(ROUNDS):
        world.log.round = round_number
        world.faulty = False
        for _ in range(rng.randrange(1, 4)):
            world.local_round()
        for _ in range(rng.randrange(0, 3)):
            world.remote_round()
        world.faulty = True
        if round_number in KILL_ROUNDS:
            world.killed_sync()
        elif round_number % TWO_AT_ONCE_EVERY == TWO_AT_ONCE_EVERY - 1:
            world.two_at_once()
        else:
            world.sync()
            if rng.random() < 0.25:
                world.sync()
    world.faulty = False
    world.log.round = ROUNDS
    world.monkeypatch.undo()  # the final syncs wait as long as a real one would
    world.sync()
    world.sync()
    seconds = time.perf_counter() - started
    conflicts = _check_invariants(world)
    output = capsys.readouterr()
    for secret in (world.tokens.access_token, world.tokens.refresh_token or "-"):
        assert secret not in output.out + output.err
    faults = sum(n for kind, n in world.log.counts.items() if kind.startswith("fault "))
    print(f"{ROUNDS} rounds, {world.proxy.requests} requests, {faults} faults, "
          f"{conflicts} conflicts, {seconds:.1f} s")
    for kind, n in sorted(world.log.counts.items()):
        print(f"  {kind}: {n}")


def _check_invariants(world: World) -> int:
    store, log, sandbox = world.store, world.log, world.sandbox
    with sqlite3.connect(store.path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for path in store.path.parent.iterdir():
        data = path.read_bytes()
        for secret in (world.tokens.access_token, world.tokens.refresh_token):
            assert not secret or secret.encode() not in data, f"a token in {path.name}"

    crm_leads: dict[str, list[Any]] = {}
    for record in sandbox.store.all("Lead"):
        crm_leads.setdefault(str(record.fields.get("RepDesk_Id__c")), []).append(record)
    assert all(len(found) == 1 for found in crm_leads.values()), "a duplicate CRM lead"
    tasks = [r.fields.get("RepDesk_Id__c") for r in sandbox.store.all("Task")]
    assert len(tasks) == len(set(tasks)), "a duplicate CRM task"

    with store.sessions() as session:
        leads = {lead.id: lead for lead in session.scalars(select(Lead))}
        conflicts = list(session.scalars(select(SyncConflict)))
        entries = list(session.scalars(select(OutboxEntry).where(
            OutboxEntry.state != "done")))
        sends = {send.activity_id: send for send in session.scalars(select(EmailSend))}
    open_fields = {(c.record_id, c.field) for c in conflicts if c.resolved_at is None}
    deleted_conflicts = {c.record_id for c in conflicts if c.field == RECORD_DELETED
                         and c.resolved_at is None}
    # A Task logged on a lead whose create was in doubt and then found deleted in the CRM
    # waits, rightly, for the rep's decision on that lead (it has no CRM id to point at).
    waiting = [e for e in entries if e.state == "pending" and e.error and
               e.error.startswith("waiting for ") and
               any(lead_id in e.error for lead_id in deleted_conflicts)]
    # A str message is printed whole (every change not done, with its state and reason).
    assert not [e for e in entries if e.state == "pending" and e not in waiting], \
        "the outbox did not empty:\n" + \
        "\n".join(f"  {e.object} {e.op} {e.record_id} {e.state}: {e.error}" for e in entries)
    assert all(e.error for e in entries), (
        "a refused change without a message",
        [(e.object, e.op, e.state, e.error) for e in entries if not e.error])

    for ext in log.remote_deleted:  # no remote delete undone, none without a conflict
        assert ext not in crm_leads, f"{ext}: deleted in the CRM, created again"
        assert ext not in leads or ext in deleted_conflicts, f"{ext}: deletion lost"
    for lead_id, lead in leads.items():  # local equals the CRM but for conflicts
        if lead_id in deleted_conflicts:
            assert lead_id not in crm_leads
            continue
        [record] = crm_leads[lead_id]
        assert lead.crm_id == record.id
        for name, crm_name in FIELDS.items():
            if (lead_id, name) not in open_fields:
                assert values_equal(getattr(lead, name), record.fields.get(crm_name)), \
                    (lead_id, name, getattr(lead, name), record.fields.get(crm_name))

    for (lead_id, name), edits in log.local.items():  # no lost local edit
        seq, value, _seen = edits[-1]
        if lead_id not in leads:
            assert lead_id in log.remote_deleted | log.local_deleted, \
                f"{lead_id}: the rep's lead vanished"
            continue
        replaced = any(s > seq and before == value
                       for s, _v, before in log.remote.get((lead_id, name), []))
        assert getattr(leads[lead_id], name) == value or replaced or \
            (lead_id, name) in open_fields, (
                f"{lead_id} {name}: the rep's {value!r} lost; local {edits}, remote "
                f"{log.remote.get((lead_id, name))}, now {getattr(leads[lead_id], name)!r}, "
                f"conflicts {[(c.field, c.mine) for c in conflicts if c.record_id == lead_id]}")

    for (ext, name), edits in log.remote.items():  # a colleague's value replaced knowingly
        if ext not in crm_leads:
            continue
        final = crm_leads[ext][0].fields.get(FIELDS[name])
        for seq, value, before in edits:
            if values_equal(value, before):
                continue  # it changed nothing
            later = [s for s, _v, _b in edits if s > seq]
            seen_by_rep = any(s > seq and seen == value
                              for s, _v, seen in log.local.get((ext, name), []))
            assert values_equal(final, value) or later or seen_by_rep, (
                f"{ext} {name}: the colleague's {value!r} overwritten by {final!r}; "
                f"remote {edits}, local {log.local.get((ext, name))}, "
                f"conflicts {[(c.field, c.mine) for c in conflicts if c.record_id == ext]}")

    held_back = {e.record_id for e in waiting}
    sent = Counter(mail["subject"] for mail in sandbox.sent_emails)
    for activity_id, subject in log.emails.items():
        state = sends[activity_id].state if activity_id in sends else "never due"
        if state == SENT:
            assert sent[subject] == 1, (subject, sent[subject])
        elif state == "never due" and activity_id in held_back:
            assert sent[subject] == 0, (subject, sent[subject])  # its Task waits, unsent
        elif state in (UNSURE, REFUSED):
            assert sent[subject] <= 1 and (state == UNSURE or sent[subject] == 0)
            log.counts["e-mails flagged for the rep"] += 1
        else:
            raise AssertionError(f"{subject}: {state}")
    log.counts["conflicts"] = len(conflicts)
    return len(conflicts)
