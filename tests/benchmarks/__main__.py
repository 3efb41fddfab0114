"""``make bench``: RepDesk's speed and memory figures on a 100,000-lead profile.

Prints a table of figures against their targets. Not part of ``make test``: figures depend on
the machine, so they are read by people, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from models.demo.load import load_demo_data
from models.store.open import open_store

ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen")


def _generate(folder: Path, leads: int, accounts: int) -> dict[str, float]:
    store = open_store(folder)
    started = time.perf_counter()
    counts = load_demo_data(store.engine, leads, accounts, seed=2026)
    seconds = time.perf_counter() - started
    store.close()
    rows = sum(counts.values())
    return {"seconds": seconds, "leads_per_s": leads / seconds, "rows_per_s": rows / seconds}


def _cold_start(folder: Path, runs: int = 3) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "desktop", "--data-dir", str(folder), "--exit-when-shown"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=ENV)
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("shown"):
                times.append(time.perf_counter() - started)
        process.wait()
    return times


def _gui_probe(folder: Path) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-m", "tests.benchmarks.gui_probe", str(folder)],
                          capture_output=True, text=True, env=ENV, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _row(name: str, figure: str, target: str) -> None:
    print(f"| {name:<44} | {figure:>22} | {target:>10} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generated = _generate(folder, args.leads, args.accounts)
        starts = _cold_start(folder)
        probe = _gui_probe(folder)
    searches = probe["search_ms"]
    assert isinstance(searches, dict)
    print(f"\nRepDesk benchmarks: {args.leads:,} leads, {args.accounts:,} accounts\n")
    _row("measure", "figure", "target")
    print(f"|{'-' * 46}|{'-' * 24}|{'-' * 12}|")
    _row("demo-data generation", f"{generated['leads_per_s']:,.0f} leads/s", "")
    _row("  all rows written (leads, activities, ...)", f"{generated['rows_per_s']:,.0f} rows/s",
         "")
    _row("  total", f"{generated['seconds']:.1f} s", "")
    _row("cold start to main window shown (median of 3)",
         f"{statistics.median(starts):.2f} s", "≤ 1.5 s")
    _row("leads table open (all rows, first page drawn)", f"{probe['open_ms']:.0f} ms", "")
    _row("  then scroll to the end", f"{probe['scroll_to_end_ms']:.0f} ms", "")
    total = float(probe["open_ms"]) + float(probe["scroll_to_end_ms"])  # type: ignore[arg-type]
    _row("leads table open and scroll to the end", f"{total:.0f} ms", "≤ 300 ms")
    for text, ms in searches.items():
        _row(f"search {text!r} (median of 5)", f"{ms:.1f} ms", "≤ 50 ms")
    _row("peak memory, window with all leads", f"{probe['peak_rss_mb']:.0f} MB", "≤ 400 MB")


if __name__ == "__main__":
    main()
