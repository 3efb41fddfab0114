"""`repdesk demo-data` as a new profile gets it: the store with eight weeks of past made
through the services, and its demo CRM, timed phase by phase.

``python -m tests.benchmarks.demo_bench --leads N --accounts M``; prints JSON.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from desktop.demo import make_demo
from models.store.open import open_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp))  # an empty profile, as `repdesk demo-data` finds it
        store.close()
        phases: dict[str, float] = {}
        started, cpu = time.perf_counter(), time.process_time()
        counts = make_demo(store.path, args.leads, args.accounts, seed=2026, past=True,
                           timings=phases)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({
        "leads": args.leads, "seconds": round(seconds, 1), "cpu_seconds": round(cpu_seconds, 1),
        "phases": {name: round(value, 1) for name, value in phases.items()},
        "qualified": counts.get("qualified in the last weeks", 0),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))


if __name__ == "__main__":
    main()
