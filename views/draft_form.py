"""What the long forms share: every change kept as a draft (cancel or a crash loses nothing),
a message under each field, and a save that either closes the form or shows what is missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QLabel, QWidget

DRAFT_DELAY_MS = 300


class DraftForm(QDialog):
    """Subclasses fill ``errors`` (field → label) and implement ``draft_data`` and
    ``problems``; they call ``changed`` whenever a field changes and ``submit`` to save."""

    def __init__(self, record_id: str, load_draft: Callable[[str], dict[str, Any] | None],
                 save_draft: Callable[[str, dict[str, Any]], None],
                 discard_draft: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._record_id = record_id
        self._load_draft, self._save_draft = load_draft, save_draft
        self._discard_draft = discard_draft
        self._tried = False
        self.errors: dict[str, QLabel] = {}
        self.notice = QLabel()
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft_now)

    def draft_data(self) -> dict[str, Any]:
        raise NotImplementedError

    def problems(self) -> dict[str, str]:
        raise NotImplementedError

    def stored_draft(self) -> dict[str, Any] | None:
        return self._load_draft(self._record_id)

    def changed(self, *_: object) -> None:
        self._draft_timer.start()
        if self._tried:
            self.show_problems(self.problems())

    def show_problems(self, problems: dict[str, str]) -> None:
        for key, label in self.errors.items():
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)

    def save_draft_now(self) -> None:
        self._draft_timer.stop()
        self._save_draft(self._record_id, self.draft_data())

    def submit(self, save: Callable[[], Any]) -> Any | None:
        """Run ``save``; on an error carrying ``problems`` show them and keep the form open."""
        self._tried = True
        try:
            saved = save()
        except ValueError as error:
            problems = getattr(error, "problems", None)
            if problems is None:
                raise
            self.show_problems(problems)
            self.notice.setText("Some fields need attention before saving.")
            return None
        self._draft_timer.stop()
        self._discard_draft(self._record_id)
        self.accept()
        return saved

    def reject(self) -> None:
        self.save_draft_now()
        super().reject()
