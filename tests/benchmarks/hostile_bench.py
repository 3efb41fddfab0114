"""Time and peak memory of each hostile-server case, each in a process of its own.

``python -m tests.benchmarks.hostile_bench`` prints a Markdown table: the case, its outcome,
the seconds its setup, call and teardown took, the process's peak RSS before the case (the
interpreter, pytest and RepDesk imported) and after it. Server and client share the process,
so the peak counts both sides.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from typing import Any

import pytest

SUITE = "tests/integration/test_hostile_server.py"


class _Measure:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.before_mb = 0.0
        self.outcome = "not run"

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self.before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds += report.duration
        if report.when == "call" or report.outcome != "passed":
            self.outcome = report.outcome


def _one(nodeid: str) -> None:
    measure = _Measure()
    pytest.main([nodeid, "-q", "-p", "no:cacheprovider", "--no-header", "--tb=line"],
                plugins=[measure])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"case": nodeid.split("::")[1], "outcome": measure.outcome,
                      "seconds": round(measure.seconds, 2),
                      "before_mb": round(measure.before_mb), "peak_mb": round(peak)}))


def main() -> None:
    if len(sys.argv) > 1:
        _one(sys.argv[1])
        return
    listed = subprocess.run([sys.executable, "-m", "pytest", SUITE, "--collect-only", "-q"],
                            capture_output=True, text=True, check=True).stdout.splitlines()
    print("| case | outcome | seconds | RSS before (MB) | peak RSS (MB) |")
    print("|---|---|---:|---:|---:|")
    for nodeid in (line for line in listed if "::" in line):
        run = subprocess.run([sys.executable, "-m", "tests.benchmarks.hostile_bench", nodeid],
                             capture_output=True, text=True)
        row = json.loads(run.stdout.strip().splitlines()[-1])
        print(f"| {row['case']} | {row['outcome']} | {row['seconds']} | {row['before_mb']} | "
              f"{row['peak_mb']} |", flush=True)


if __name__ == "__main__":
    main()
