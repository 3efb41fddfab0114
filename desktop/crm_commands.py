"""``repdesk sandbox`` runs the sandbox CRM; ``repdesk sync --crm URL`` syncs a profile (a demo
profile, with its own demo CRM when no URL is given)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests

from desktop.demo import demo_crm_file, in_demo_mode, start_demo_crm
from desktop.oauth_login import login
from desktop.secrets import SecretStore
from desktop.startup import open_profile
from models.bounds import crm_address, whole
from models.crm.adapter import CrmError
from models.crm.oauth import refresh
from models.crm.salesforce import SalesforceRest, check_url
from models.crm.sandbox.server import Sandbox, SandboxServer
from models.crm.sandbox.store import bulk_load
from models.demo.generator import generate
from models.sync.engine import sync_once
from models.sync.fieldmap import field_map
from models.sync.lock import WAIT_AT_MOST_S, SyncBusy, duration
from models.sync.status import remember_crm

# repdesk sync's exit code when another sync of the profile ran longer than it would wait
# (1: the CRM or the network stopped it; 2: a wrong address or sign-in).
BUSY = 3


def _now() -> datetime:
    return datetime.now(UTC)


def seed_leads(sandbox: Sandbox, count: int, seed: int = 7,
               age: timedelta = timedelta(days=1)) -> int:
    """Demo leads, as the CRM would hold them (no RepDesk ids yet)."""
    spec = field_map().by_table("leads")
    assert spec is not None
    data = generate(leads=count, accounts=max(1, count // 2), seed=seed)
    records = []
    for lead in data.tables.get("leads", []):
        fields: dict[str, Any] = {}
        for local, crm in spec.fields.items():
            value = lead.get(local)
            if local.endswith("_id") or value is None:
                continue
            fields[crm] = value.isoformat() if isinstance(value, datetime) else value
        records.append(fields)
    bulk_load(sandbox.store, "Lead", records, age)
    return len(records)


def seed_accounts(sandbox: Sandbox, count: int, age: timedelta = timedelta(days=1)) -> int:
    bulk_load(sandbox.store, "Account", [
        {"Name": f"Account {n}", "Type": "Prospect", "Industry": "Technology",
         "NumberOfEmployees": 50 + n % 5000, "BillingCountry": "US"} for n in range(count)],
        age)
    return count


def run_sandbox(args: argparse.Namespace, _folder: Path) -> int:
    for field in ("port", "seed_leads", "seed_accounts"):
        # OutOfBounds is reported by the command line's entry point.
        whole({"seed_leads": "leads", "seed_accounts": "accounts"}.get(field, field),
              getattr(args, field))
    server = SandboxServer(Sandbox(), port=args.port)
    seeded = seed_leads(server.sandbox, args.seed_leads) if args.seed_leads else 0
    accounts = seed_accounts(server.sandbox, args.seed_accounts) if args.seed_accounts else 0
    # Ctrl+C and a plain kill stop it, even when started from a shell that ignores Ctrl+C
    # for what it runs in the background (Python then leaves SIGINT ignored). Set before
    # saying so: a signal sent as soon as the line is read must find them.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        print(f"Sandbox CRM at {server.base_url} with {seeded:,} leads and {accounts:,} "
              "accounts. Ctrl+C stops it.", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _interrupt(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _sync_with_demo_crm(args: argparse.Namespace, folder: Path) -> int:
    """A demo profile syncs with its own demo CRM, run here for the length of the sync."""
    store = open_profile(folder)
    try:
        if not in_demo_mode(store) or not demo_crm_file(store).exists():
            print("Name the CRM with --crm URL: this profile has no demo CRM.",
                  file=sys.stderr)
            return 2
        server = start_demo_crm(store)
    finally:
        store.close()
    try:
        return run_sync(argparse.Namespace(**{**vars(args), "crm": server.base_url}), folder)
    finally:
        server.stop()


def run_sync(args: argparse.Namespace, folder: Path) -> int:
    if not args.wait_at_most >= 0:
        print("--wait-at-most takes a number of seconds, 0 or more.", file=sys.stderr)
        return 2
    if args.crm is None:
        return _sync_with_demo_crm(args, folder)
    try:
        args.crm = crm_address(args.crm)
        check_url(args.crm)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    secrets = SecretStore()
    if secrets.warning:
        print(secrets.warning, file=sys.stderr)
    http = requests.Session()
    try:
        tokens = login(http, args.crm)
    except (CrmError, requests.RequestException) as error:
        print(f"Could not sign in to {args.crm}: {error}", file=sys.stderr)
        return 2
    # A CRM on this computer (a sandbox) forgets its sign-ins when it stops: nothing to keep.
    if tokens.refresh_token and urlparse(args.crm).hostname not in ("127.0.0.1", "localhost"):
        secrets.save(f"refresh:{args.crm}", tokens.refresh_token)

    def renew() -> str:
        stored = secrets.load(f"refresh:{args.crm}") or tokens.refresh_token or ""
        tokens.access_token = refresh(http, args.crm, stored, tokens.instance_url).access_token
        return tokens.access_token

    adapter = SalesforceRest(tokens.instance_url, lambda: tokens.access_token, renew, http,
                             org=tokens.org)
    store = open_profile(folder)
    try:
        remember_crm(store.sessions, args.crm)
        started = time.perf_counter()
        try:
            report = sync_once(store.sessions, adapter, _now,
                               waiting=lambda: _say_waiting(args.wait_at_most),
                               wait_at_most=args.wait_at_most)
        except SyncBusy as error:
            print(f"The sync gave up: {error}", file=sys.stderr)
            return BUSY
        except CrmError as error:
            print(f"The sync stopped: {error}. Your changes are kept and go out next time.",
                  file=sys.stderr)
            return 1
        seconds = time.perf_counter() - started
    finally:
        store.close()
    figures = {"pushed": report.push.sent, "already_there": report.push.already_there,
               "conflicts": report.push.conflicts, "refused": report.push.failed,
               "waiting": report.push.waiting, "emails_sent": report.push.emails_sent,
               "emails_unsure": report.push.emails_unsure, "pulled": report.pull.received,
               "not_taken_in": report.pull.refused,
               "new_from_crm": report.pull.created, "seconds": round(seconds, 3)}
    if args.json:
        print(json.dumps(figures))
    else:
        print(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in figures.items()))
    return 0


def _say_waiting(seconds: float) -> None:
    print("Another sync of this profile is running: this one waits for it to end, "
          f"{duration(seconds)} at most.", file=sys.stderr, flush=True)


def add_parsers(commands: Any, add_profile: Any) -> None:
    sandbox = commands.add_parser("sandbox", help="run the sandbox CRM on loopback")
    add_profile(sandbox)
    sandbox.add_argument("--port", type=int, default=8765, metavar="P")
    sandbox.add_argument("--seed-leads", type=int, default=0, metavar="N")
    sandbox.add_argument("--seed-accounts", type=int, default=0, metavar="M")
    sandbox.set_defaults(run=run_sandbox)
    sync = commands.add_parser("sync", help="push local changes to the CRM and pull its own")
    add_profile(sync)
    sync.add_argument("--crm", metavar="URL",
                      help="the CRM's address (https, or http on this computer); a demo "
                           "profile syncs with its own demo CRM without it")
    sync.add_argument("--json", action="store_true", help="print the result as JSON")
    sync.add_argument("--wait-at-most", type=float, default=WAIT_AT_MOST_S, metavar="SECONDS",
                      help="how long to wait for another sync of this profile to end before "
                           f"giving up with exit code {BUSY}, nothing sent and nothing lost "
                           f"(default {WAIT_AT_MOST_S:g})")
    sync.set_defaults(run=run_sync)
