"""Tab follows what the eye sees: left to right along a row, then row after row, whatever
order the widgets were made in; and Tab always leaves a table.

A window class lists ``ReadingOrder`` first among its bases.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QTextEdit,
    QWidget,
)


def _in_table(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractItemView):
            return True
        parent = parent.parentWidget()
    return False


def _takes_tab(widget: QWidget, window: QWidget) -> bool:
    # A table's cell widget scrolled out of view is "visible" to Qt but not to the rep (the
    # table itself is a stop); a long form's fields below the fold are reached by scrolling.
    return (widget.isVisible() and widget.isEnabled() and widget.window() is window
            and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
            and widget.focusProxy() is None
            and not (_in_table(widget) and widget.visibleRegion().isEmpty()))


# A row of fields is about this tall; a taller widget (a list, a table, the navigation down
# the window's side) does not widen the row it starts: the eye still reads the widgets
# beside its top, not those halfway down it, as its row.
LINE_HEIGHT = 32


def same_row(first: tuple[int, int], second: tuple[int, int]) -> bool:
    """(top, height) of two widgets: do they read as one row? Tops close for their size."""
    return abs(first[0] - second[0]) <= max(4, min(first[1], second[1], LINE_HEIGHT) / 2)


def _skipped_radio(widget: QWidget) -> bool:
    """In a group of radio buttons, Tab reaches only the chosen one (arrows move inside)."""
    if not isinstance(widget, QRadioButton):
        return False
    group = widget.group()
    if group is None or not group.exclusive():
        return False
    chosen = group.checkedButton() or next(
        (b for b in group.buttons() if b.isVisible() and b.isEnabled()), None)
    return chosen is not None and chosen is not widget


def _position(widget: QWidget, window: QWidget) -> QPoint:
    """Where the widget sits in the window, as if no form had been scrolled (a scrolled form
    moves its fields up; the reading order does not change)."""
    point = widget.mapTo(window, widget.rect().topLeft())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QScrollArea) and not isinstance(parent, QAbstractItemView):
            point += QPoint(parent.horizontalScrollBar().value(),
                            parent.verticalScrollBar().value())
        parent = parent.parentWidget()
    return point


def reading_order(window: QWidget) -> list[QWidget]:
    """The widgets Tab reaches in ``window``, in reading order."""
    found = [w for w in window.findChildren(QWidget)
             if _takes_tab(w, window) and not _skipped_radio(w)]
    placed = [(_position(w, window), w.height(), w) for w in found]
    placed.sort(key=lambda p: (p[0].y(), p[0].x()))
    rows: list[list[tuple[int, QWidget]]] = []
    row_start = (0, 0)
    for top_left, height, widget in placed:
        if rows and same_row(row_start, (top_left.y(), height)):
            rows[-1].append((top_left.x(), widget))
        else:
            rows.append([(top_left.x(), widget)])
            row_start = (top_left.y(), height)
    return [widget for row in rows for _x, widget in sorted(row, key=lambda p: p[0])]


class ReadingOrder:
    """Mixin for a window or dialog: Tab and Shift+Tab in reading order; tables let Tab go."""

    def showEvent(self, event: QShowEvent) -> None:
        assert isinstance(self, QWidget)
        for view in self.findChildren(QAbstractItemView):
            view.setTabKeyNavigation(False)
        for text in self.findChildren(QPlainTextEdit) + self.findChildren(QTextEdit):
            text.setTabChangesFocus(True)  # a Tab typed into a note is never wanted
        super().showEvent(event)  # type: ignore[misc]

    def focusNextPrevChild(self, forward: bool) -> bool:
        assert isinstance(self, QWidget)
        order = reading_order(self)
        if not order:
            return False
        current = self.focusWidget()
        while current is not None and current not in order and current is not self:
            current = current.parentWidget()  # inside a compound widget (a spin box's edit)
        step = 1 if forward else -1
        index = order.index(current) + step if current in order else (0 if forward else -1)
        chosen = order[index % len(order)]
        chosen.setFocus(
            Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason)
        parent = chosen.parentWidget()
        while parent is not None:
            if isinstance(parent, QScrollArea):
                parent.ensureWidgetVisible(chosen)
            parent = parent.parentWidget()
        return True
