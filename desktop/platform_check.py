"""Before Qt starts on Linux/X11: say which system libraries are missing, instead of letting
Qt abort with "could not load the Qt platform plugin"."""

from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

# Library name for find_library → the Debian/Ubuntu package that provides it.
X11_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xkbcommon-x11": "libxkbcommon-x11-0",
}


def find_library(name: str) -> str | None:
    """The system's library, or the packaged app's own copy: PyInstaller puts the libraries it
    bundles in the app's folder, where the system's search does not look."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        for copy in Path(bundle).glob(f"lib{name}.so*"):
            return str(copy)
    return ctypes.util.find_library(name)


def missing_x11_packages(
    environ: Mapping[str, str] = os.environ,
    platform: str = sys.platform,
    find: Callable[[str], str | None] = find_library,
) -> list[str]:
    """The packages to install before the window can open on X11 (empty if none needed)."""
    if platform != "linux" or environ.get("QT_QPA_PLATFORM") or environ.get("WAYLAND_DISPLAY"):
        return []
    return [package for library, package in X11_LIBRARIES.items() if find(library) is None]


def explain(packages: list[str]) -> str:
    return (
        "RepDesk cannot open its window: this system lacks X11 libraries Qt needs "
        f"({', '.join(packages)}). On Debian or Ubuntu: sudo apt install {' '.join(packages)}"
    )
