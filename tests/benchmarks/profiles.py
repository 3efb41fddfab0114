"""What the one-profile benchmarks share: ``FOLDER`` names an existing profile, or ``--leads N``
builds a new demo profile of N leads (and N/2 accounts) to measure; the figures print as JSON."""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from models.demo.load import load_demo_data
from models.store.open import open_store


def measure_from_command_line(measure: Callable[[Path], dict[str, Any]],
                              description: str | None) -> None:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("folder", nargs="?", type=Path)
    parser.add_argument("--leads", type=int, default=100_000)
    args = parser.parse_args()
    if args.folder:
        print(json.dumps(measure(args.folder)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp))
        load_demo_data(store.engine, args.leads, args.leads // 2, seed=2026)
        store.close()
        print(json.dumps(measure(Path(tmp))))
