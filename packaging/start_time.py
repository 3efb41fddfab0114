"""Time from starting RepDesk to its first frame, the packaged app beside the checkout, on the
same profile: `python packaging/start_time.py [dist/repdesk] [--runs N]`.

Each run is a new process (the window is not already open); the file cache stays as the
previous run left it. Prints one line per run and the median of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def first_frame(command: list[str], profile: Path) -> float:
    """Seconds from the process start until it says its window is shown."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.perf_counter()
    process = subprocess.Popen([*command, "--data-dir", str(profile), "--exit-when-shown"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env=env, cwd=ROOT)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("shown after"):
            seconds = time.perf_counter() - started
            break
    else:
        raise SystemExit(f"{command[0]} never showed its window")
    process.wait(timeout=120)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("package", nargs="?", default=str(ROOT / "dist" / "repdesk"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    commands = {
        "packaged": [str(Path(args.package) / "repdesk")],
        "checkout": [sys.executable, "-m", "desktop"],
    }
    with tempfile.TemporaryDirectory(prefix="repdesk-start-") as folder:
        profile = Path(folder)
        first_frame(commands["checkout"], profile)  # the first run makes the demo profile
        times: dict[str, list[float]] = {name: [] for name in commands}
        for run in range(args.runs):
            for name, command in commands.items():  # interleaved: both see the same load
                seconds = first_frame(command, profile)
                times[name].append(seconds)
                print(f"run {run + 1}  {name:<9} {seconds:.2f} s", flush=True)
    for name, values in times.items():
        print(f"{name}: median {statistics.median(values):.2f} s "
              f"(min {min(values):.2f}, max {max(values):.2f}, {len(values)} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
