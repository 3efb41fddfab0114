"""A Linux desktop without Qt's X11 libraries gets told what to install."""

from __future__ import annotations

import ctypes.util
import sys
from pathlib import Path

import pytest

from desktop.platform_check import explain, find_library, missing_x11_packages


def test_missing_x11_libraries_are_named_with_their_packages() -> None:
    present = {"xcb-icccm", "xcb-keysyms"}
    missing = missing_x11_packages(environ={"DISPLAY": ":0"}, platform="linux",
                                   find=lambda lib: lib if lib in present else None)
    assert missing == ["libxcb-cursor0", "libxkbcommon-x11-0"]
    assert "sudo apt install libxcb-cursor0 libxkbcommon-x11-0" in explain(missing)


def test_nothing_is_needed_offscreen_on_wayland_or_elsewhere() -> None:
    def absent(_library: str) -> None:
        return None

    assert missing_x11_packages({"QT_QPA_PLATFORM": "offscreen"}, "linux", absent) == []
    assert missing_x11_packages({"WAYLAND_DISPLAY": "wayland-0"}, "linux", absent) == []
    assert missing_x11_packages({}, "darwin", absent) == []


def test_the_packaged_apps_own_copy_of_a_library_counts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The packaged app carries libxcb-cursor (it comes with the build); a system without the
    # package must not be told to install it.
    (tmp_path / "libxcb-cursor.so.0").write_bytes(b"")
    monkeypatch.setattr(ctypes.util, "find_library", lambda _name: None)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)

    assert find_library("xcb-cursor") == str(tmp_path / "libxcb-cursor.so.0")
    assert missing_x11_packages({"DISPLAY": ":0"}, "linux") == [
        "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0"]
