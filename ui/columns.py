"""Table columns that fit the width the table has, at any window size.

Each column has a width it would like and a least width it stays readable at. When the table
is narrower than the columns' least widths, the least important columns are hidden (the detail
panel beside a list still shows them), and the rest share the width in proportion to what
they would like. A column the rep drags keeps the width they gave it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractItemView, QHeaderView

# Never narrower than this, whatever the header says.
LEAST = 40


class ColumnFit(QObject):
    """Keeps ``view``'s columns inside its viewport. ``drop_order`` names the columns to hide
    first, least important first, when even their least widths do not fit (or, with
    ``drop_to_want``, when the columns cannot all have the width they would like)."""

    def __init__(self, view: QAbstractItemView, header: QHeaderView,
                 wanted: Mapping[int, int] | None = None,
                 drop_order: Sequence[int] = (),
                 least: Mapping[int, int] | None = None, drop_to_want: bool = False) -> None:
        super().__init__(view)
        self._view, self._header = view, header
        self._wanted: dict[int, int] = dict(wanted or {})
        self._drop_order = list(drop_order)
        self._least_given = dict(least or {})
        self._drop_to_want = drop_to_want
        self._fitting = False
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.sectionResized.connect(self._dragged)
        view.viewport().installEventFilter(self)

    def want(self, widths: Mapping[int, int]) -> None:
        """The widths the columns would like (e.g. their contents'); fits them at once."""
        self._wanted.update(widths)
        self.fit()

    def want_contents(self) -> None:
        """Each column would like its header's and its visible rows' width."""
        header = self._header
        widths = {}
        for column in range(header.count()):
            widths[column] = max(self._view.sizeHintForColumn(column),
                                 header.sectionSizeHint(column)) + 8
        self.want(widths)

    def hidden(self) -> list[int]:
        return [c for c in range(self._header.count()) if self._header.isSectionHidden(c)]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def _wanted_width(self, column: int) -> int:
        return self._wanted.get(column, self._header.defaultSectionSize())

    def _least(self, column: int) -> int:
        if column in self._least_given:
            return self._least_given[column]
        wanted = self._wanted.get(column, self._header.defaultSectionSize())
        return max(LEAST, min(wanted, self._header.sectionSizeHint(column)))

    def fit(self) -> None:
        header = self._header
        room = self._view.viewport().width()
        if room <= 0 or header.count() == 0:
            return
        columns = list(range(header.count()))
        shown = list(columns)
        needs = self._wanted_width if self._drop_to_want else self._least
        for column in self._drop_order:
            if sum(needs(c) for c in shown) <= room:
                break
            if column in shown and len(shown) > 1:
                shown.remove(column)
        wanted = {c: self._wanted.get(c, header.defaultSectionSize()) for c in shown}
        total = sum(wanted.values())
        spare = room - sum(self._least(c) for c in shown)
        widths = {}
        if total <= room:  # room to spare: every column grows in proportion
            widths = {c: w * room // total for c, w in wanted.items()}
        else:  # share what is above the least widths in proportion to what each would like
            above = {c: max(0, wanted[c] - self._least(c)) for c in shown}
            extra = sum(above.values()) or 1
            widths = {c: self._least(c) + max(0, spare) * above[c] // extra for c in shown}
        self._fitting = True
        try:
            for column in columns:
                header.setSectionHidden(column, column not in shown)
            for column, width in widths.items():
                header.resizeSection(column, width)
        finally:
            self._fitting = False

    def _dragged(self, column: int, _old: int, new: int) -> None:
        if not self._fitting:
            self._wanted[column] = new
