"""Keyboard shortcuts that say what they do: every shortcut is made here, so the F1 sheet
lists exactly the keys that exist (it cannot drift from them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class KeyEntry:
    keys: str  # as the rep reads them, e.g. "Ctrl+Enter"
    says: str
    where: str


# Every shortcut made so far, by (where, keys): forms add theirs the first time they open.
REGISTERED: dict[tuple[str, str], KeyEntry] = {}


def shortcut(parent: QWidget, key: str | QKeySequence | QKeySequence.StandardKey,
             slot: Callable[[], object], says: str, where: str,
             context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut) -> QShortcut:
    """A shortcut on ``parent`` that calls ``slot``; ``says`` and ``where`` go on the sheet."""
    sequence = key if isinstance(key, QKeySequence) else QKeySequence(key)
    made = QShortcut(sequence, parent, slot, context=context)
    made.setWhatsThis(says)
    made.setProperty("where", where)
    text = sequence.toString(QKeySequence.SequenceFormat.NativeText)
    REGISTERED[(where, text)] = KeyEntry(text, says, where)
    return made


def sheet_rows(extra: list[KeyEntry]) -> list[KeyEntry]:
    """Every registered shortcut and ``extra`` (menu actions), by place then key."""
    rows = {(e.where, e.keys): e for e in [*REGISTERED.values(), *extra]}
    return sorted(rows.values(), key=lambda e: (e.where, e.keys))
