"""A form field with the line under it that says what is wrong with it: the rep's mistakes
are told where they were made, and the line takes no room until there is something to say."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLayout, QVBoxLayout, QWidget


def error_label(visible: bool = True) -> QLabel:
    """The line under a field that says what is wrong with it (theme.qss colours it)."""
    label = QLabel()
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.setVisible(visible)
    return label


class FieldWithMessage(QWidget):
    def __init__(self, field: QWidget | QLayout, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        if isinstance(field, QLayout):
            column.addLayout(field)
        else:
            column.addWidget(field)
        self.message = error_label(visible=False)
        column.addWidget(self.message)
