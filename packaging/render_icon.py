"""Render resources/repdesk.svg to the PNG icons desktops without SVG support take.

`make icon` runs it after the SVG changes; the PNGs are committed beside the SVG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def render(svg: Path, png: Path, size: int) -> None:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(png)):
        raise SystemExit(f"could not write {png}")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no screen needed
    _app = QGuiApplication(sys.argv[:1])
    svg = RESOURCES / "repdesk.svg"
    render(svg, RESOURCES / "repdesk.png", 256)
    print(f"rendered {svg.name} to repdesk.png (256 px)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
