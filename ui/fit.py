"""Windows and forms that fit the screen they open on (1366×768 included): sized to the
available space, long forms scrolling inside themselves with their buttons always in view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QLayout, QScrollArea, QWidget

# Room left for the window frame, the task bar and the dialog's offset from its parent.
MARGIN_W, MARGIN_H = 40, 80


def fit_on_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize ``widget`` to ``width``×``height``, or less where the screen is smaller."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        widget.resize(width, height)
        return
    room = screen.availableGeometry()
    widget.resize(min(width, room.width() - MARGIN_W), min(height, room.height() - MARGIN_H))


def scrolling(content: QLayout) -> QScrollArea:
    """``content`` in a frameless area that scrolls when the window is short."""
    holder = QWidget()
    holder.setLayout(content)
    area = QScrollArea()
    area.setWidget(holder)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    # As wide as the form's narrowest where the screen allows; sideways scrolling only on a
    # screen narrower than that (never clipped).
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    screen = QGuiApplication.primaryScreen()
    widest = screen.availableGeometry().width() - MARGIN_W if screen else 10_000
    needed = holder.minimumSizeHint().width() + area.verticalScrollBar().sizeHint().width()
    area.setMinimumWidth(min(needed, widest))
    return area
