"""What the long forms share: every change kept as a draft (cancel or a crash loses nothing),
a message under each field, and a save that either closes the form or shows what is missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from ui.focus import ReadingOrder
from views.commanding import Commands
from views.failure_text import failure_text

DRAFT_DELAY_MS = 300


class DraftForm(ReadingOrder, QDialog):
    """Subclasses fill ``errors`` (field → label) and implement ``draft_data`` and
    ``problems``; they call ``changed`` whenever a field changes and ``submit`` to save.

    Drafts and the save go through the command runner, in the order made: the form never
    waits for the database, and a draft kept before a save never outlives it.
    """

    def __init__(self, record_id: str, load_draft: Callable[[str], dict[str, Any] | None],
                 save_draft: Callable[[str, dict[str, Any]], object],
                 discard_draft: Callable[[str], object], commands: Commands,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._commands = commands
        self._saving = False
        # Subclasses set the button a save disables while it runs.
        self.save_button: QWidget | None = None
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
        record, data = self._record_id, self.draft_data()
        self._commands.run("Keep the draft", lambda: self._save_draft(record, data),
                           on_error=self._draft_failed, origin=self)

    def _draft_failed(self, error: BaseException) -> None:
        self.notice.setText(f"Your draft could not be kept: {failure_text(error)} "
                            "What you typed is still here.")

    def submit(self, save: Callable[[], Any], saved: Callable[[Any], None]) -> None:
        """Run ``save`` off the UI thread, then close and call ``saved`` with its result; on
        an error carrying ``problems`` show them by their fields and keep the form open."""
        self._tried = True
        if self._saving:  # Ctrl+Enter again while the first save runs
            return
        self._saving = True
        self._draft_timer.stop()
        self._commands.run("Save the form", save, lambda value: self._saved(value, saved),
                           self._not_saved, action=self.save_button, origin=self)

    def _saved(self, value: Any, saved: Callable[[Any], None]) -> None:
        self._saving = False
        record = self._record_id
        self._commands.run("Drop the draft", lambda: self._discard_draft(record))
        self.accept()
        saved(value)

    def _not_saved(self, error: BaseException) -> None:
        self._saving = False
        problems = getattr(error, "problems", None)
        if problems is not None:
            self.show_problems(problems)
            self.notice.setText("Some fields need attention before saving.")
        else:
            self.notice.setText(f"Not saved: {failure_text(error)} What you typed is kept.")

    def reject(self) -> None:
        self.save_draft_now()
        super().reject()
