"""A Linux desktop without Qt's X11 libraries gets told what to install."""

from __future__ import annotations

from desktop.platform_check import explain, missing_x11_packages


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
