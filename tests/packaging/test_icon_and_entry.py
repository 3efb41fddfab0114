"""The icon (drawn as SVG, shipped as PNG too), the menu entry that names it, the window that
shows it, and the version the packaged app reports."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from desktop.app import app_icon

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"


def _render_icon_module() -> object:
    spec = importlib.util.spec_from_file_location("render_icon",
                                                  ROOT / "packaging" / "render_icon.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_png_icon_is_the_svg_rendered(qtbot: QtBot, tmp_path: Path) -> None:
    # `make icon` after an edit of the SVG keeps them the same picture.
    rendered = tmp_path / "icon.png"
    _render_icon_module().render(RESOURCES / "repdesk.svg", rendered, 256)  # type: ignore[attr-defined]
    fresh, shipped = QImage(str(rendered)), QImage(str(RESOURCES / "repdesk.png"))
    assert shipped.width() == shipped.height() == 256
    differences = [
        abs(a - b)
        for y in range(0, 256, 4) for x in range(0, 256, 4)
        for a, b in zip(fresh.pixelColor(x, y).getRgb(), shipped.pixelColor(x, y).getRgb(),
                        strict=True)
    ]
    assert sum(differences) / len(differences) < 2
    # A real picture: transparent corners, an opaque middle.
    assert shipped.pixelColor(0, 0).alpha() == 0
    assert shipped.pixelColor(128, 40).alpha() == 255


def test_the_window_uses_the_icon(qtbot: QtBot) -> None:
    icon = app_icon()
    assert not icon.isNull()
    assert icon.pixmap(64, 64).width() == 64


def test_the_menu_entry_starts_repdesk_with_its_icon() -> None:
    lines = (RESOURCES / "repdesk.desktop").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    entry = dict(line.split("=", 1) for line in lines[1:] if "=" in line)
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "repdesk"
    assert entry["Icon"] == "repdesk"  # the name the icons are installed under
    assert entry["Name"] == "RepDesk"
    assert entry["Categories"].endswith(";")


def test_version_is_the_one_in_pyproject() -> None:
    wanted = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    done = subprocess.run([sys.executable, "-m", "desktop", "--version"], capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.strip() == f"repdesk {wanted}"
