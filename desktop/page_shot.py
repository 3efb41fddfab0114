"""``python -m desktop.page_shot PAGE --width W [--png FILE]``: an HTML page (the digest) laid
out by a real browser engine (Qt WebEngine, offscreen) in a window W pixels wide. Prints the
page's width against the window's as JSON (wider: it scrolls sideways) and saves a picture of
the whole page. A process of its own: the engine must be loaded before any QApplication."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

MEASURE = ("JSON.stringify([document.documentElement.scrollWidth,"
           " document.documentElement.clientWidth, document.documentElement.scrollHeight])")
GIVE_UP_MS = 60_000


def lay_out(page: Path, width: int, png: Path | None) -> dict[str, Any]:
    # No GPU and no sandbox offscreen (a container, a CI runner); set before the engine loads.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
    from PySide6.QtCore import QTimer, QUrl
    from PySide6.QtWebEngineWidgets import QWebEngineView
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    view = QWebEngineView()
    view.resize(width, 700)
    view.show()
    found: dict[str, Any] = {}

    def picture() -> None:
        if png is not None:
            view.grab().save(str(png))
        app.quit()

    def measured(text: object) -> None:
        scroll, client, height = json.loads(str(text))
        found.update(page_width=scroll, window_width=client, height=height)
        if png is None:
            app.quit()
            return
        view.resize(width, min(height + 20, 6000))  # the whole page in one picture
        QTimer.singleShot(500, picture)

    def loaded(_ok: bool) -> None:
        QTimer.singleShot(300, lambda: view.page().runJavaScript(MEASURE, 0, measured))

    view.loadFinished.connect(loaded)
    view.setUrl(QUrl.fromLocalFile(str(page.resolve())))
    QTimer.singleShot(GIVE_UP_MS, app.quit)
    app.exec()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("page", type=Path)
    parser.add_argument("--width", type=int, default=900)
    parser.add_argument("--png", type=Path)
    args = parser.parse_args()
    print(json.dumps(lay_out(args.page, args.width, args.png)))


if __name__ == "__main__":
    main()
