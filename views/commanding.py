"""How a screen asks for a write and hears about the others' (the runner and the bus live in
``desktop``; a screen sees them through these two shapes).

``follow`` is how a screen decides for itself: it names the kinds of change it shows and how to
refresh; a hidden screen refreshes once when it is next shown instead of on every change.
``load_on_first_show`` reads a screen the first time it comes on view, and never again on a
mere show: from then on only change-sets (and the rep's own refresh) read it again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QWidget

from models.changes import Changed, Changes, Kind


class Commands(Protocol):
    bus: Any  # has ``changed(Changes, origin)``

    def run(self, what: str, write: Callable[[], Changed[Any] | Changes | None],
            on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            action: Any | None = None, origin: object | None = None) -> None: ...


class _Follower(QObject):
    """Lives as the screen's child, so the bus stops calling it when the screen is gone."""

    def __init__(self, screen: QWidget, kinds: tuple[Kind, ...],
                 refresh: Callable[[Changes], None], skip_own: bool) -> None:
        super().__init__(screen)
        self._screen, self._kinds, self._refresh = screen, kinds, refresh
        self._skip_own = skip_own
        self._stale: Changes | None = None
        screen.installEventFilter(self)

    def heard(self, changes: Changes, origin: object) -> None:
        if not changes.touches(*self._kinds) or (self._skip_own and origin is self._screen):
            return
        if self._screen.isVisible():
            self._refresh(changes)
        else:
            self._stale = changes if self._stale is None else self._stale | changes

    def forget_stale(self) -> None:
        self._stale = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and self._stale is not None:
            stale, self._stale = self._stale, None
            self._refresh(stale)
        return False


def follow(screen: QWidget, commands: Commands, kinds: tuple[Kind, ...],
           refresh: Callable[[Changes], None], skip_own: bool = True) -> None:
    """Call ``refresh(changes)`` after each write that changed one of ``kinds``: at once if
    ``screen`` is on view, else once when it is next shown. Writes ``screen`` asked for
    itself are skipped when ``skip_own`` (it has already shown their result)."""
    follower = _Follower(screen, kinds, refresh, skip_own)
    commands.bus.changed.connect(follower.heard)


class _FirstShow(QObject):
    def __init__(self, screen: QWidget, load: Callable[[], None]) -> None:
        super().__init__(screen)
        self._screen, self._load = screen, load
        screen.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._screen and event.type() == QEvent.Type.Show:
            self._screen.removeEventFilter(self)
            # The first load reads everything: changes heard while it was hidden are in it.
            for follower in self._screen.findChildren(
                    _Follower, options=Qt.FindChildOption.FindDirectChildrenOnly):
                follower.forget_stale()
            self._load()
        return False


def load_on_first_show(screen: QWidget, load: Callable[[], None]) -> None:
    """Call ``load()`` when ``screen`` is first shown (at once if it is on view already)."""
    if screen.isVisible():
        load()
    else:
        _FirstShow(screen, load)
