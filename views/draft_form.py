"""What the long forms share: every change kept as a draft (cancel or a crash loses nothing),
a message under each field, and a save that either closes the form or shows what is missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from ui.focus import ReadingOrder, reading_order
from views.background import Background
from views.commanding import Commands
from views.failure_text import failure_text

DRAFT_DELAY_MS = 300
READING = "Reading your unsaved draft…"


class DraftForm(ReadingOrder, QDialog):
    """Subclasses fill ``errors`` (field → label) and implement ``draft_data``,
    ``problems_check`` and ``restore``; they call ``changed`` whenever a field changes,
    ``read_draft`` once built, and ``submit`` to save.

    Drafts and the save go through the command runner, in the order made: the form never
    waits for the database, and a draft kept before a save never outlives it. The kept draft
    and the check of a refused form are read off the UI thread.
    """

    def __init__(self, record_id: str, load_draft: Callable[[str], dict[str, Any] | None],
                 save_draft: Callable[[str, dict[str, Any]], object],
                 discard_draft: Callable[[str], object], commands: Commands,
                 background: Background, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._commands, self._background = commands, background
        self._saving = False
        # Subclasses set the button a save disables while it runs.
        self.save_button: QWidget | None = None
        self._record_id = record_id
        self._load_draft, self._save_draft = load_draft, save_draft
        self._discard_draft = discard_draft
        self._tried = False
        # True until the kept draft has been read and shown: the fields are held meanwhile, so
        # nothing the rep types is overwritten by it (nor kept over it).
        self.reading = False
        self._restoring = False
        self._keep_drafts = True
        self._held: QWidget | None = None
        self.errors: dict[str, QLabel] = {}
        self.notice = QLabel()
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft_now)

    def draft_data(self) -> dict[str, Any]:
        raise NotImplementedError

    def problems_check(self) -> Callable[[], dict[str, str]]:
        """What is missing from the form as it is now, as a read to run off the UI thread."""
        raise NotImplementedError

    def restore(self, data: dict[str, Any] | None) -> None:
        """Fill the fields from a kept draft (None: there is none)."""
        raise NotImplementedError

    def problems(self) -> dict[str, str]:
        return self.problems_check()()

    # -- the kept draft ----------------------------------------------------------------------
    def read_draft(self, fields: QWidget) -> None:
        """Read the kept draft in the background and restore it; ``fields`` (everything the
        rep could type into) are held until it is shown."""
        self.reading, self._held = True, fields
        self._hold(True)
        self.notice.setText(READING)
        record, load = self._record_id, self._load_draft
        self._background.run(f"draft-{type(self).__name__}", lambda: load(record),
                             self._draft_read, self._draft_not_read)

    def _hold(self, held: bool) -> None:
        for widget in (self._held, self.save_button):
            if widget is not None:
                widget.setEnabled(not held)

    def restore_kept(self, data: dict[str, Any] | None) -> None:
        """``restore`` without keeping what it fills in as a new draft."""
        self._restoring = True
        try:
            self.restore(data)
        finally:
            self._restoring = False

    def _draft_read(self, data: dict[str, Any] | None) -> None:
        self._release()
        self.notice.setText("")
        self.restore_kept(data)

    def _draft_not_read(self, error: BaseException) -> None:
        # What was kept stays as it was: nothing typed now is kept over it.
        self._keep_drafts = False
        self._release()
        self.restore_kept(None)
        self.notice.setText(f"Your unsaved draft could not be read: {failure_text(error)} "
                            "It is kept as it was; close the form and open it again to see "
                            "it. You can still fill in the form and save.")

    def _release(self) -> None:
        self.reading = False
        self._hold(False)
        focused = self.focusWidget()
        if self._held is not None and (focused is None or not self._held.isAncestorOf(focused)):
            order = [w for w in reading_order(self) if self._held.isAncestorOf(w)]
            if order:
                order[0].setFocus(Qt.FocusReason.OtherFocusReason)

    # -- changes -----------------------------------------------------------------------------
    def changed(self, *_: object) -> None:
        if self.reading or self._restoring:
            return
        self._draft_timer.start()
        if self._tried:
            self._background.run(f"problems-{type(self).__name__}", self.problems_check(),
                                 self.show_problems)

    def show_problems(self, problems: dict[str, str]) -> None:
        for key, label in self.errors.items():
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)

    def save_draft_now(self) -> None:
        self._draft_timer.stop()
        if self.reading or not self._keep_drafts:
            return
        record, data = self._record_id, self.draft_data()
        self._commands.run("Keep the draft", lambda: self._save_draft(record, data),
                           on_error=self._draft_failed, origin=self)

    def _draft_failed(self, error: BaseException) -> None:
        self.notice.setText(f"Your draft could not be kept: {failure_text(error)} "
                            "What you typed is still here.")

    def submit(self, save: Callable[[], Any], saved: Callable[[Any], None]) -> None:
        """Run ``save`` off the UI thread, then close and call ``saved`` with its result; on
        an error carrying ``problems`` show them by their fields and keep the form open."""
        if self.reading:  # Ctrl+Enter before the draft is shown: nothing to save yet
            return
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
