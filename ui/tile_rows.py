"""Tiles in rows of equal columns, as many a row as the width allows: a narrow window (1366 px
at 1.25× scaling) gets one more row of tiles rather than a window wider than the screen."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLayout, QWidget


class TileRows(QWidget):
    """At most ``most`` tiles a row, at least ``least``; the tiles keep their order."""

    def __init__(self, most: int, least: int, spacing: int = 4,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._most, self._least = most, least
        self._tiles: list[QWidget] = []
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(spacing)
        # The width this widget may shrink to is ours (the fewest tiles a row), not the
        # grid's as it stands.
        self._grid.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.per_row = most

    def add(self, tile: QWidget) -> None:
        self._tiles.append(tile)
        self._place()

    def needed(self, per_row: int) -> int:
        """The width ``per_row`` tiles a row take: each column as wide as its widest tile."""
        widths = [tile.minimumSizeHint().expandedTo(tile.minimumSize()).width()
                  for tile in self._tiles]
        columns = [max(widths[c::per_row], default=0) for c in range(per_row)]
        return sum(columns) + self._grid.spacing() * (per_row - 1)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.needed(self._least), self._grid.minimumSize().height())

    def sizeHint(self) -> QSize:
        return QSize(self.needed(self._most), self._grid.sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit(event.size().width())
        super().resizeEvent(event)

    def refit(self) -> None:
        """After the tiles' texts changed: as many a row as now fit."""
        self.updateGeometry()
        self._fit(self.width())

    def _fit(self, width: int) -> None:
        fitting = next((n for n in range(self._most, self._least - 1, -1)
                        if self.needed(n) <= width), self._least)
        if fitting != self.per_row:
            self.per_row = fitting
            self._place()

    def _place(self) -> None:
        for tile in self._tiles:
            self._grid.removeWidget(tile)
        for number, tile in enumerate(self._tiles):
            self._grid.addWidget(tile, number // self.per_row, number % self.per_row)
        for column in range(self._most):
            self._grid.setColumnStretch(column, 1 if column < self.per_row else 0)
        self.updateGeometry()
