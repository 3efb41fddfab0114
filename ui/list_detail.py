"""A list beside the detail of what is chosen in it, the way every list screen is laid out:
neither side can be squeezed out of sight, and the divider (named) is remembered with the
window (desktop/window_memory.py)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLayout, QSplitter, QVBoxLayout, QWidget


class ListWithDetail(QSplitter):
    def __init__(self, name: str, items: QWidget, detail: QWidget,
                 sizes: tuple[int, int], least: tuple[int, int],
                 orientation: Qt.Orientation = Qt.Orientation.Horizontal,
                 parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        self.setObjectName(name)
        self.addWidget(items)
        self.addWidget(detail)
        self.setChildrenCollapsible(False)
        # A side's least is never below what its own layout needs (its buttons' text).
        for widget, minimum in zip((items, detail), least, strict=True):
            needs = widget.minimumSizeHint()
            if orientation == Qt.Orientation.Horizontal:
                widget.setMinimumWidth(max(minimum, needs.width()))
            else:
                widget.setMinimumHeight(max(minimum, needs.height()))
        # The window's extra room goes to both sides in the proportion of their first sizes.
        self.setStretchFactor(0, sizes[0])
        self.setStretchFactor(1, sizes[1])
        self.setSizes(list(sizes))


def stacked(parts: Sequence[QWidget | QLayout], grows: QWidget | None = None) -> QWidget:
    """``parts`` one under the other with no margin (a detail side: its buttons, its panel);
    ``grows`` takes the height left."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for part in parts:
        if isinstance(part, QLayout):
            layout.addLayout(part)
        else:
            layout.addWidget(part, 1 if part is grows else 0)
    return holder
