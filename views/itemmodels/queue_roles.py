"""Item data roles of the queue screen's list."""

from __future__ import annotations

from PySide6.QtCore import Qt

LEAD_ROLE = Qt.ItemDataRole.UserRole + 1
PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 2
# A group header's text around its count, so the count follows the rows taken off the list.
HEADING_ROLE = Qt.ItemDataRole.UserRole + 3
