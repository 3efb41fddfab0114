"""The pipeline by stage: groups with totals, past close dates in red, a deal moved and edited
from the keyboard."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from models.deals import changes_of, open_stages
from models.store import Opportunity
from models.store.open import Store
from tests.views.conftest import activate
from views.main_window import MainWindow
from views.pipeline_view import PAST


def _open(qtbot: QtBot, window: MainWindow) -> None:
    activate(qtbot, window)
    window.show_screen("Opportunities")
    assert window.pipeline is not None
    window.workspace.setCurrentWidget(window.pipeline)
    qtbot.waitUntil(lambda: window.pipeline is not None
                    and window.pipeline.tree.topLevelItemCount() > 0)


def _deal(store: Store, deal_id: str) -> Opportunity:
    with store.sessions() as session:
        deal = session.get(Opportunity, deal_id)
        assert deal is not None
        return deal


def test_deals_are_grouped_by_stage_with_totals_and_late_ones_flagged(
        qtbot: QtBot, window: MainWindow) -> None:
    _open(qtbot, window)
    pipeline = window.pipeline
    assert pipeline is not None
    titles = [pipeline.tree.topLevelItem(i).text(0)
              for i in range(pipeline.tree.topLevelItemCount())]
    order = [s.stage for s in open_stages()]
    stages = [title.split(" · ")[0] for title in titles]
    assert stages == sorted(stages, key=order.index)
    assert all("weighted" in title for title in titles)
    late = [pipeline.tree.topLevelItem(g).child(c)
            for g in range(pipeline.tree.topLevelItemCount())
            for c in range(pipeline.tree.topLevelItem(g).childCount())
            if pipeline.tree.topLevelItem(g).child(c).text(3).endswith("PAST")]
    assert late and all(item.foreground(3) == PAST for item in late)
    assert "past their close date" in pipeline.totals.text()


def test_a_deal_moves_on_with_alt_right_and_is_edited_with_ctrl_s(
        qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    _open(qtbot, window)
    pipeline = window.pipeline
    assert pipeline is not None
    deal_id = pipeline.current_id()
    assert deal_id is not None
    before = _deal(demo_store, deal_id).stage
    order = [s.stage for s in open_stages()]
    qtbot.keyClick(pipeline.tree, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: _deal(demo_store, deal_id).stage != before)
    moved = _deal(demo_store, deal_id).stage
    assert order.index(moved) == order.index(before) + 1
    qtbot.waitUntil(lambda: pipeline.current_id() == deal_id
                    and pipeline.stage.currentText() == moved)
    pipeline.amount.setValue(64_000)
    pipeline.close_date.setDate(QDate(2027, 3, 31))
    pipeline.next_step.setText("Security review with IT")
    qtbot.keyClick(pipeline.next_step, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _deal(demo_store, deal_id).next_step == "Security review with IT")
    deal = _deal(demo_store, deal_id)
    assert (deal.amount, deal.close_date) == (64_000, date(2027, 3, 31))
    fields = [c.field for c in changes_of(demo_store.sessions, deal_id)]
    assert fields[-1] == "stage" and {"amount", "close_date", "next_step"} <= set(fields)
    qtbot.waitUntil(lambda: pipeline.history.count() >= 4)
    assert pipeline.history.item(pipeline.history.count() - 1).text().endswith(
        f"{before} → {moved}")


def test_a_refused_edit_says_why_and_changes_nothing(qtbot: QtBot, window: MainWindow,
                                                     demo_store: Store) -> None:
    _open(qtbot, window)
    pipeline = window.pipeline
    assert pipeline is not None
    deal_id = pipeline.current_id()
    assert deal_id is not None
    before = _deal(demo_store, deal_id)
    pipeline.close_date.setDate(QDate(2026, 1, 5))
    qtbot.keyClick(pipeline.next_step, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "in the past" in pipeline.message.text())
    after = _deal(demo_store, deal_id)
    assert (after.close_date, after.amount) == (before.close_date, before.amount)
