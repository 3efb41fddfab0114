"""Keep only the last dialog of a kind: opening the next one lets the previous one go.

Forms are made with the window as their parent, so a closed one lived as long as the window
with every widget it had: a rep qualifying and closing deals all day piled them up (about 3 MB
a qualification form, measured on 100,000 leads). The last one stays, so what it showed can
still be read after it closed.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


class LastDialog(Generic[W]):
    def __init__(self) -> None:
        self._last: W | None = None

    def opened(self, dialog: W) -> W:
        """``dialog`` is the one open now; the previous one is freed unless still shown."""
        previous, self._last = self._last, dialog
        if previous is not None and previous is not dialog and not previous.isVisible():
            previous.deleteLater()
        return dialog
