"""The dashboard on the hand-counted week (tests/kpi_week.py): the numbers, the records behind
them, the keyboard, the bus, and the digest agreeing with the screen."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.cli import main
from desktop.commands import CommandRunner
from desktop.dashboard_services import dashboard_services
from models.changes import LEAD_WORKED, Changed, Changes
from models.reps import find_rep
from models.store.open import Store
from models.touches import log_touch
from tests.kpi_week import THURSDAY, build_week
from views.background import Background
from views.behind_dialog import BehindDialog
from views.dashboard_view import DashboardView


@pytest.fixture
def week(store: Store) -> dict[str, Any]:
    return build_week(store)


@pytest.fixture
def dashboard(qtbot: QtBot, store: Store, week: dict, background: Background,
              commands: CommandRunner) -> DashboardView:
    manager = None  # signed in as nobody in particular: the team's figures first
    view = DashboardView(dashboard_services(store, lambda: THURSDAY, manager), background,
                         commands)
    qtbot.addWidget(view)
    view.resize(1190, 700)
    view.show()
    with qtbot.waitSignal(view.shown, timeout=10_000):
        view.refresh()
    return view


def _tile(view: DashboardView, key: str) -> str:
    return view.tiles[key].text().split("\n", 1)[1]


def test_the_team_s_week_against_its_targets(dashboard: DashboardView) -> None:
    assert dashboard.who.currentText() == "The team"
    assert _tile(dashboard, "calls") == "5  / 50.0"  # two SDRs at 25 a week
    assert _tile(dashboard, "meetings") == "1  / 20.0"
    assert _tile(dashboard, "pipeline_added").startswith("$100,000")
    assert _tile(dashboard, "first_touch_within_24h") == "60%"
    assert _tile(dashboard, "median_first_touch_hours") == "2.5 h"
    # DOMAIN.md's "this month against last month": the week ends in November, which on
    # this Thursday is still under way, and the tile says so.
    assert _tile(dashboard, "lvr") == "-50.0 %  (Nov so far vs Oct)"
    assert dashboard.tiles["calls"].property("state") == "below"
    names = [dashboard.reps.item(r, 0).text() for r in range(dashboard.reps.rowCount())]
    assert "Hugo Martin ⚑" in names
    flagged = dashboard.reps.item(names.index("Hugo Martin ⚑"), 0)
    assert "needs coaching" in flagged.toolTip()
    assert "Close rate under 20 %: Hugo Martin" in dashboard.notes.text()


def test_enter_on_the_calls_chart_lists_the_week_s_calls(qtbot: QtBot,
                                                         dashboard: DashboardView) -> None:
    dashboard.charts["calls"].setFocus()
    qtbot.keyClick(dashboard.charts["calls"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(getattr(dashboard, "behind_dialog", None),
                                       BehindDialog))
    dialog = dashboard.behind_dialog
    assert len(dialog.rows()) == 5
    assert {row[2] for row in dialog.rows()} == {"connected", "no answer", "voicemail"}
    dialog.close()


def test_a_click_on_held_leads_lists_them(qtbot: QtBot, dashboard: DashboardView) -> None:
    qtbot.mouseClick(dashboard.tiles["aged_leads"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(dashboard, "behind_dialog", None) is not None)
    assert len(dashboard.behind_dialog.rows()) == 4  # L4, L5 and October's two SQLs
    dashboard.behind_dialog.close()


def test_tab_moves_from_chart_to_chart(qtbot: QtBot, dashboard: DashboardView) -> None:
    dashboard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dashboard)
    dashboard.charts["calls"].setFocus()
    order = [dashboard.focusWidget()]
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == [dashboard.charts[k] for k in ("calls", "meetings", "waterfall",
                                                  "reasons")]


def test_a_call_logged_anywhere_moves_the_count(qtbot: QtBot, store: Store, week: dict,
                                                dashboard: DashboardView,
                                                commands: CommandRunner) -> None:
    def call() -> Changed[Any]:
        logged = log_touch(store.sessions, week["l4"], week["amelia"], "call", THURSDAY,
                           "no answer")
        return Changed(logged, Changes.of(*LEAD_WORKED, records=[week["l4"]]))

    with qtbot.waitSignal(dashboard.shown, timeout=10_000):
        commands.run("Log a call", call)
    assert _tile(dashboard, "calls") == "6  / 50.0"


def test_the_digest_and_the_screen_agree(qtbot: QtBot, store: Store, week: dict,
                                         dashboard: DashboardView,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    amelia = find_rep(store.sessions, "amelia@example.com")
    assert amelia is not None
    for rep_id, flag in ((None, ["--team"]), (amelia.id, ["--rep", "amelia@example.com"])):
        with qtbot.waitSignal(dashboard.shown, timeout=10_000):
            dashboard.show_for(rep_id, "week")
        assert main(["digest", "--data-dir", str(store.path.parent), "--week", "2026-W48",
                     *flag, "--json"]) == 0
        digest = json.loads(capsys.readouterr().out)
        for key in ("calls", "meetings", "pipeline_added", "first_touch_within_24h",
                    "median_first_touch_hours", "win_rate", "lvr", "mqls"):
            assert dashboard.value(key) == digest["team"][key], key
        shown = {dashboard.reps.item(r, 0).data(Qt.ItemDataRole.UserRole):
                 dashboard.reps.item(r, 2).text() for r in range(dashboard.reps.rowCount())}
        assert shown == {rep["id"]: str(rep["calls"]) for rep in digest["reps"]}


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_the_html_digest_carries_the_screen_s_numbers_and_charts(
        store: Store, dashboard: DashboardView, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "digest.html"
    assert main(["digest", "--data-dir", str(store.path.parent), "--week", "2026-W48",
                 "--team", "--html", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    # A label without the months it compares ("Lead Velocity Rate (2026-11 against …)").
    rows = {re.sub(r" \(.*\)$", "", label): value for label, value in
            re.findall(r"<tr><th>([^<]+)</th><td>([^<]*)</td>", html)}
    # Counted as of the week's end, when November was still under way.
    assert "Lead Velocity Rate (2026-11 so far against 2026-10)" in html
    # The tiles read "5  / 50.0" or "-50.0 %  (Nov so far vs Oct)": the page's value and the
    # screen's are one figure.
    for label, key in (("Calls", "calls"), ("Meetings set", "meetings"),
                       ("Pipeline added", "pipeline_added"),
                       ("First touch within 24 h", "first_touch_within_24h"),
                       ("Median first touch", "median_first_touch_hours"),
                       ("Lead Velocity Rate", "lvr")):
        assert re.split(r"  [/(]", _tile(dashboard, key))[0] == rows[label], label
    images = re.findall(r"<img src='data:image/png;base64,([^']+)' alt='([^']*)'", html)
    assert [alt.split(":")[0] for _png, alt in images][:2] == ["2026-W37", "2026-W37"]
    for png, _alt in images:
        assert _png_size(base64.b64decode(png))[0] == 520
    # Each trend's figures, week by week, are those the screen's charts draw.
    assert dashboard.sheet is not None
    on_screen = {key: [getattr(week, key) for week in dashboard.sheet.trend]
                 for key in ("calls", "meetings")}
    for (_png, alt), key in zip(images, ("calls", "meetings"), strict=False):
        assert [int(part.split(": ")[1]) for part in alt.split("; ")] == on_screen[key]
    assert on_screen["calls"][-1] == 5 and on_screen["meetings"][-1] == 1
    waterfall_alt = images[2][1]
    assert "MQL&gt;SQL: 20%" in waterfall_alt  # 5 entered MQL, 1 went on to SQL


def test_the_numbers_show_first_and_say_the_charts_are_still_counting(
        qtbot: QtBot, dashboard: DashboardView) -> None:
    seen: list[tuple[str, bool, str, str]] = []

    def record(kind: str) -> Any:
        return lambda sheet: seen.append((kind, sheet.complete, dashboard.caption.text(),
                                          dashboard.charts["calls"].chart().title()))

    dashboard.first_numbers.connect(record("first"))
    dashboard.shown.connect(record("whole"))
    with qtbot.waitSignal(dashboard.shown, timeout=10_000):
        dashboard.show_for(None, "month")  # other figures than those drawn
    assert [(kind, complete) for kind, complete, _c, _t in seen] == [("first", False),
                                                                      ("whole", True)]
    assert "counting the trend, waterfall, reasons and forecast" in seen[0][2]
    assert seen[0][3] == "Counting…" and seen[1][3] != "Counting…"
    assert "counting" not in seen[1][2]


def test_the_spread_across_reps_is_said_for_the_team_only(qtbot: QtBot,
                                                          dashboard: DashboardView) -> None:
    assert "Top two reps' share" in dashboard.notes.text()
    with qtbot.waitSignal(dashboard.shown, timeout=10_000):
        dashboard.who.setCurrentIndex(1)  # one rep: their "top two" would be them, 100 %
    assert dashboard.who.currentText() != "The team"
    qtbot.waitUntil(lambda: bool(dashboard.notes.text()), timeout=10_000)
    assert "Top two reps' share" not in dashboard.notes.text()
