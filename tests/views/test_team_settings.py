"""Managers edit the reason codes and templates in the app."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from models.reason_codes import choices
from models.store.open import Store
from views.main_window import MainWindow


def test_reason_codes_are_added_relabelled_and_retired(qtbot: QtBot, window: MainWindow,
                                                       demo_store: Store) -> None:
    dialog = window.edit_reason_codes()
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0)  # read in the background
    rows = dialog.table.rowCount()
    dialog.code.setText("C-BUDGET-FROZEN")
    dialog.applies_to.setCurrentText("C")
    dialog.label.setText("Budget frozen until next year")
    dialog.add()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == rows + 1)
    assert ("C-BUDGET-FROZEN", "Budget frozen until next year") in choices(
        demo_store.sessions, "C")
    row = next(r for r in range(dialog.table.rowCount())
               if dialog.table.item(r, 0).text() == "C-BUDGET-FROZEN")
    dialog.table.item(row, 2).setText("Budget frozen")
    qtbot.waitUntil(lambda: ("C-BUDGET-FROZEN", "Budget frozen") in choices(
        demo_store.sessions, "C"))
    dialog.table.cellWidget(row, 3).setChecked(False)
    qtbot.waitUntil(lambda: "C-BUDGET-FROZEN" not in dict(choices(demo_store.sessions, "C")))
    dialog.code.setText("bad code!")
    dialog.add()
    qtbot.waitUntil(lambda: "1 to 40" in dialog.error.text())


def test_templates_are_checked_before_they_are_saved(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.edit_templates()
    qtbot.waitUntil(lambda: dialog.list.count() > 0)  # read in the background
    count = dialog.list.count()
    dialog.new()
    dialog.name.setText("Webinar follow-up")
    dialog.subject.setText("Thanks for joining, {!Lead.FirstName}")
    dialog.body.setPlainText("Hi {!Lead.FirstName}, your budget {!Lead.Budget}")
    assert "Unknown merge field {!Lead.Budget}" in dialog.error.text()
    dialog.save()
    qtbot.waitUntil(lambda: "Unknown merge field" in dialog.error.text()
                    and dialog.save_button.isEnabled())
    assert dialog.list.count() == count
    dialog.body.setPlainText("Hi {!Lead.FirstName,there}, thanks for joining.\n{!User.Name}")
    assert dialog.error.text() == ""
    dialog.save()
    qtbot.waitUntil(lambda: dialog.list.count() == count + 1)
    assert dialog.list.currentItem().text() == "Webinar follow-up"
