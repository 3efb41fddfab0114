"""A question that cannot be taken back asks first: Cancel is the default, the Yes button says
what it does."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_first(parent: QWidget, title: str, question: str, what_follows: str, yes: str,
              on_yes: Callable[[], object]) -> QMessageBox:
    """Open (window-modal) and return the question; ``on_yes`` runs only on ``yes``."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, parent)
    box.setInformativeText(what_follows)
    box.button(QMessageBox.StandardButton.Yes).setText(yes)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.finished.connect(
        lambda answer: on_yes() if answer == QMessageBox.StandardButton.Yes else None)
    box.open()
    return box
