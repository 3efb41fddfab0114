"""Runs RepDesk's entry point as the packaged app's bootloader does, without building it:
``sys.frozen`` is set, ``sys.executable`` is a launcher script that comes back here, and
PyInstaller's own multiprocessing runtime hook is installed before ``desktop/__main__.py``
runs as ``__main__``. So a child that the app spawns (its sync process, multiprocessing's
resource tracker) is started the frozen way: this launcher with ``--multiprocessing-fork`` or
``-c 'from multiprocessing.resource_tracker import main…'`` as its arguments.

Usage: python frozen_app.py LAUNCHER [repdesk arguments]. Each start appends its arguments
as a JSON line to the file named by REPDESK_FROZEN_LOG.
"""

from __future__ import annotations

import importlib.util
import json
import os
import runpy
import stat
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def launcher(folder: Path) -> Path:
    """An executable standing in for dist/repdesk/repdesk, written into ``folder``."""
    script = folder / "repdesk"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).resolve()}" '
                      '"$0" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def _runtime_hook() -> Path:
    # Found without importing PyInstaller, which would import multiprocessing first.
    spec = importlib.util.find_spec("PyInstaller")
    assert spec is not None and spec.submodule_search_locations is not None
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder / "hooks" / "rthooks" / "pyi_rth_multiprocessing.py"


def main() -> None:
    launcher, arguments = sys.argv[1], sys.argv[2:]
    with open(os.environ["REPDESK_FROZEN_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(arguments) + "\n")
    sys.frozen = True  # type: ignore[attr-defined]
    sys.executable = launcher
    sys.argv = [launcher, *arguments]
    sys.path.insert(0, str(ROOT))
    runpy.run_path(str(_runtime_hook()), run_name="pyi_rth_multiprocessing")
    runpy.run_path(str(ROOT / "desktop" / "__main__.py"), run_name="__main__")


if __name__ == "__main__":
    main()
