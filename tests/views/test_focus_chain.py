"""Tab walks every form and dialog in the order the eye reads it, and leaves every table."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QDialog,
    QWidget,
)
from pytestqt.qtbot import QtBot

from models.store.open import Store
from tests.views.conftest import activate, cell, row_count, tab_round
from tests.views.test_import_dialog import ROWS, write_csv
from views.main_window import MainWindow

ROW_SLACK = 4  # px: widgets of one row may sit a little higher or lower than each other


def _tab_chain(qtbot: QtBot, dialog: QWidget, key: Qt.Key = Qt.Key.Key_Tab) -> list[QWidget]:
    """Press Tab until focus comes back to where it started; the widgets it visited."""
    activate(qtbot, dialog)
    return tab_round(qtbot, dialog, key)


def _place(widget: QWidget) -> tuple[tuple[int, int, int], tuple[int, int]]:
    """Where the eye finds the widget: its box in the window, or for a widget inside a table
    the table's box, then its place inside the table's content (a table scrolls to the cell
    widget Tab reaches, so window positions of cells move during the walk)."""
    outer, inner = widget, (-1, -1)
    scrolled_y = scrolled_x = 0
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and parent.viewport().isAncestorOf(widget):
            # A table scrolled by whole rows counts each row as far further down.
            step = 1000 if isinstance(parent, QAbstractItemView) else 1
            scrolled_y += parent.verticalScrollBar().value() * step
            scrolled_x += parent.horizontalScrollBar().value() * step
            at = widget.mapTo(parent.viewport(), widget.rect().topLeft())
            inner = (at.y() + scrolled_y, at.x() + scrolled_x)
            outer = parent
        parent = parent.parentWidget()
    point = outer.mapTo(outer.window(), outer.rect().topLeft())
    return (point.y(), point.x(), outer.height()), inner


def _assert_reading_order(chain: list[QWidget]) -> None:
    """Each next stop is lower on the screen, or on the same row further right."""
    start = min(range(len(chain)), key=lambda i: _place(chain[i]))
    ordered = chain[start:] + chain[:start]
    for before, after in itertools.pairwise(ordered):
        ((y1, x1, h1), inner1), ((y2, x2, h2), inner2) = _place(before), _place(after)
        if (y1, x1) == (y2, x2) and inner1 != (-1, -1):  # two cells of one table
            assert inner2 > inner1, f"Tab goes back up inside {before.parentWidget()!r}"
            continue
        in_row = abs(y1 - y2) <= max(ROW_SLACK, min(h1, h2) / 2)
        assert (in_row and x2 > x1) or (not in_row and y2 > y1) or \
            ((y1, x1) == (y2, x2) and inner2 > inner1), \
            f"Tab goes from {before!r} at {(x1, y1)} back up to {after!r} at {(x2, y2)}"


def _check(qtbot: QtBot, dialog: QWidget) -> list[QWidget]:
    chain = _tab_chain(qtbot, dialog)
    _assert_reading_order(chain)
    for index, widget in enumerate(chain):
        if isinstance(widget, QAbstractItemView):  # Tab leaves the table at once
            assert chain[(index + 1) % len(chain)] is not widget
    backwards = _tab_chain(qtbot, dialog, Qt.Key.Key_Backtab)
    _assert_reading_order(list(reversed(backwards)))  # Shift+Tab reads it backwards
    assert any(isinstance(w, QAbstractButton) for w in chain)
    return chain


def test_the_qualification_form_reads_top_to_bottom_and_ends_on_save(
        qtbot: QtBot, window: MainWindow) -> None:
    from tests.views.test_qualification_views import _open_form

    _, form = _open_form(qtbot, window)
    qtbot.keyClick(form, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    chain = _check(qtbot, form)
    named = [w for w in chain if w in (form.reason, form.framework, form.competitors,
                                       form.features, form.competitive_info, form.next_step,
                                       form.ae, form.save_button)]
    assert named == [form.reason, form.framework, form.competitors, form.features,
                     form.competitive_info, form.next_step, form.ae, form.save_button]
    answers = [chain.index(edit) for edit in form.answers.values()]
    assert chain.index(form.framework) < min(answers) < max(answers) < \
        chain.index(form.competitors)


def test_the_close_form_and_its_products_table(qtbot: QtBot, window: MainWindow) -> None:
    from tests.views.test_close_views import _open_close_form

    window.show_screen("Opportunities")
    window.workspace.setCurrentWidget(window.opportunities)
    qtbot.waitUntil(lambda: window.opportunities.close_button.isEnabled(), timeout=10_000)
    form = _open_close_form(qtbot, window)
    qtbot.keyClick(form, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    form.add_product_line()
    chain = _check(qtbot, form)
    assert form.lines in chain or any(form.lines.isAncestorOf(w) for w in chain)


def test_the_import_preview_lets_tab_go(qtbot: QtBot, window: MainWindow, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.views.test_import_dialog import _open

    dialog = _open(qtbot, window, monkeypatch, write_csv(tmp_path / "fair.csv", ROWS))
    chain = _check(qtbot, dialog)
    assert dialog.preview in chain


@pytest.mark.parametrize("opener", [
    lambda window: window.edit_reason_codes(),
    lambda window: window.edit_templates(),
    lambda window: window.today.edit_day(),
    lambda window: window.leads.new_lead(),
])
def test_every_other_dialog_reads_in_order(qtbot: QtBot, window: MainWindow,
                                           opener: Callable[[MainWindow], QDialog]) -> None:
    dialog = opener(window)
    qtbot.waitUntil(dialog.isVisible)
    _check(qtbot, dialog)


def test_the_email_composer_reads_in_order(qtbot: QtBot, window: MainWindow,
                                           demo_store: Store) -> None:
    from tests.views.test_email_composer import _compose, _lead

    composer = _compose(qtbot, window, _lead(demo_store))
    _check(qtbot, composer)



def test_f1_lists_every_shortcut_the_window_and_its_forms_registered(
        qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtGui import QAction, QKeySequence, QShortcut

    from tests.views.test_qualification_views import _open_form

    _, form = _open_form(qtbot, window)  # a form's keys count once it has been opened
    form.reject()
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    sheet = window.shortcut_sheet
    assert sheet is not None and sheet.isVisible()
    listed = {(cell(sheet.table, r, 0), cell(sheet.table, r, 2))
              for r in range(row_count(sheet.table))}
    native = QKeySequence.SequenceFormat.NativeText
    shortcuts = window.findChildren(QShortcut)
    assert len(shortcuts) > 30
    for made in shortcuts:
        assert made.whatsThis(), f"{made.key().toString()} says nothing about what it does"
        assert (made.key().toString(native), made.property("where")) in listed
    menu_keys = [a for a in window.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert "Ctrl+Shift+Q" in [a.shortcut().toString(native) for a in menu_keys]
    for action in menu_keys:
        assert (action.shortcut().toString(native), "Menus") in listed
    assert any(text == "F1" for text, _where in listed)
    sheet.close()


def test_block_cards_take_the_arrows_and_enter_opens_the_one_with_focus(
        qtbot: QtBot, window: MainWindow) -> None:
    today = window.today
    activate(qtbot, window)
    first = today.cards[0]
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    qtbot.keyClick(first, Qt.Key.Key_Down)
    assert today.cards[1].hasFocus()
    qtbot.keyClick(today.cards[1], Qt.Key.Key_Up)
    assert first.hasFocus()
    with qtbot.waitSignal(today.block_opened) as opened:
        qtbot.keyClick(first, Qt.Key.Key_Return)
    assert opened.args[0] == first.block
