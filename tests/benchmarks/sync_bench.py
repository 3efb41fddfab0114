"""Sync figures against the sandbox CRM running in its own process on loopback: the first
pull, a push of 1,000 local edits, a delta of 1,000 remote changes, and peak memory.

``python -m tests.benchmarks.sync_bench --leads N --accounts M`` prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select

from models.crm.oauth import approve_at_once, refresh
from models.crm.salesforce import SalesforceRest
from models.store import Lead
from models.store.open import open_store
from models.sync.engine import sync_once


def _clock() -> datetime:
    return datetime.now(UTC)


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _raw_insert_rate(pulled: Path, indexes_after: bool = False) -> int:
    """The same rows the first pull stored, inserted again into an empty store straight
    through the driver, one executemany per 2,000 rows and a commit each, as the pull pages:
    the ceiling the pull is measured against. ``indexes_after``: as a bulk load does, the
    plain indexes dropped first and built at the end (included in the time)."""
    with tempfile.TemporaryDirectory() as folder:
        empty = open_store(Path(folder))
        target = empty.path
        empty.close()
        source = sqlite3.connect(pulled)
        sink = sqlite3.connect(target, isolation_level=None)
        sink.execute("PRAGMA synchronous=FULL")
        plain = sink.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ('accounts', 'leads')").fetchall()
        rows, started = 0, time.perf_counter()
        for name, _sql in plain if indexes_after else ():
            sink.execute(f"DROP INDEX {name}")
        for table in ("accounts", "leads"):
            cursor = source.execute(f"SELECT * FROM {table}")
            marks = ", ".join("?" for _ in cursor.description)
            while page := cursor.fetchmany(2000):
                sink.execute("BEGIN")
                sink.executemany(f"INSERT INTO {table} VALUES ({marks})", page)
                sink.execute("COMMIT")
                rows += len(page)
        for _name, sql in plain if indexes_after else ():
            sink.execute(sql)
        seconds = time.perf_counter() - started
        source.close()
        sink.close()
    return round(rows / seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=50_000)
    args = parser.parse_args()
    port = _port()
    # Its own output only: an orphan must never hold the caller's pipes open.
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "desktop", "sandbox", "--port", str(port), "--seed-leads",
         str(args.leads), "--seed-accounts", str(args.accounts)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
    figures: dict[str, Any] = {}
    try:
        assert sandbox.stdout is not None
        sandbox.stdout.readline()
        url = f"http://127.0.0.1:{port}"
        http = requests.Session()
        tokens = approve_at_once(http, url)

        def renew() -> str:
            tokens.access_token = refresh(http, url, tokens.refresh_token or "").access_token
            return tokens.access_token

        adapter = SalesforceRest(tokens.instance_url, lambda: tokens.access_token, renew, http)
        with tempfile.TemporaryDirectory() as folder:
            store = open_store(Path(folder))
            started = time.perf_counter()
            report = sync_once(store.sessions, adapter, _clock)
            seconds = time.perf_counter() - started
            figures.update(first_pull_records=report.pull.received,
                           first_pull_s=round(seconds, 2),
                           first_pull_per_s=round(report.pull.received / seconds))
            figures["raw_insert_per_s"] = _raw_insert_rate(store.path)
            figures["raw_insert_indexes_after_per_s"] = _raw_insert_rate(store.path, True)
            rng = random.Random(1)
            with store.sessions.begin() as session:
                leads = list(session.scalars(select(Lead).limit(5000)))
                for lead in rng.sample(leads, 1000):
                    lead.title = f"Title {rng.randrange(10**6)}"
                crm_ids = [lead.crm_id for lead in leads[-1000:]]
            started = time.perf_counter()
            pushed = sync_once(store.sessions, adapter, _clock)
            figures.update(push_1000_edits_s=round(time.perf_counter() - started, 2),
                           push_sent=pushed.push.sent)
            for start in range(0, 1000, 200):
                adapter.update("Lead", [{"Id": crm_id, "City": "Lyon"}
                                        for crm_id in crm_ids[start:start + 200]])
            started = time.perf_counter()
            delta = sync_once(store.sessions, adapter, _clock)
            figures.update(delta_1000_s=round(time.perf_counter() - started, 2),
                           delta_received=delta.pull.received)
            store.close()
        http.close()
    finally:
        sandbox.send_signal(signal.SIGINT)
        try:
            sandbox.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sandbox.kill()
            sandbox.wait()
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
