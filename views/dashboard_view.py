"""The KPI dashboard: the seeds' numbers against their targets for the signed-in rep, any rep or
the team, this week, month or quarter, with a 12-week trend. Computed off the UI thread and
refreshed when a write changes what it counts; every number opens the records behind it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from models.changes import Kind
from models.kpis.behind import Behind
from models.kpis.digest_charts import consecutive, weekly_targets
from models.kpis.digest_html import figure
from models.kpis.reasons import pareto
from models.kpis.sheet import Sheet
from models.records import RepProfile
from ui.fit import scrolling
from ui.tile_rows import TileRows
from views.background import Background
from views.behind_dialog import BehindDialog
from views.commanding import Commands, follow
from views.dashboard_charts import (
    ChartView,
    counting_chart,
    pareto_chart,
    trend_chart,
    waterfall_chart,
)
from views.dashboard_reps import fill_reps, reps_table
from views.digest_button import DigestButton, DigestServices
from views.failure_text import failure_text

# (key in the sheet, label, how it is written, whether more is better)
TILES = (("calls", "Calls", "count", True), ("meetings", "Meetings set", "count", True),
         ("pipeline_added", "Pipeline added", "money", True),
         ("touches_per_day", "Touches a day", "count", True), ("mqls", "MQLs", "count", True),
         ("first_touch_within_24h", "First touch ≤ 24 h", "share", True),
         ("median_first_touch_hours", "Median first touch", "hours", False),
         ("sql_to_opportunity", "SQL → opportunity", "share", True),
         ("win_rate", "Win rate", "share", True), ("lvr", "Lead Velocity Rate", "rate", True),
         ("aged_leads", "Held > 2 days", "count", False),
         ("selling_share", "Selling time", "share", True),
         ("forecast", "Forecast (weighted)", "money", True))
TILES_A_ROW, TILES_LEAST_A_ROW = 7, 4
PERIODS = (("This week", "week"), ("This month", "month"), ("This quarter", "quarter"))
TEAM = "team"
# Counted from records behind the numbers: a write to any of these can move them (a block
# started or ended moves selling time).
COUNTED = (Kind.TOUCH, Kind.LEAD, Kind.HANDOFF, Kind.OPPORTUNITY, Kind.DAY_PLAN)


@dataclass(frozen=True)
class DashboardServices:
    people: Callable[[], list[RepProfile]]
    # (period kind, rep id or None for the team) → the sheet
    sheet: Callable[[str, str | None], Sheet]
    # (figure: "calls" or "aged_leads", period kind, rep id or None) → the records
    behind: Callable[[str, str, str | None], list[Behind]]
    signed_in: RepProfile | None
    # The same sheet in two steps, so the first numbers show while the trend, waterfall,
    # reasons and forecast are still being counted: (kind, rep) → the numbers; then them
    # → the whole sheet, the one ``sheet`` gives.
    figures: Callable[[str, str | None], Sheet] | None = None
    details: Callable[[Sheet], Sheet] | None = None
    # A manager's "send this week's digest now"; None on a rep's desk.
    send_digest: DigestServices | None = None


def _when(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment.astimezone():%a %d %b %H:%M}"


class DashboardView(QWidget):
    shown = Signal(object)  # the whole sheet on screen, once drawn
    first_numbers = Signal(object)  # the tiles and reps drawn; the charts still counting

    def __init__(self, services: DashboardServices, background: Background,
                 commands: Commands, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services, self._background = services, background
        self.sheet: Sheet | None = None
        title = QLabel("Dashboard", objectName="screenTitle")
        self.who = QComboBox()
        self.who.setAccessibleName("Whose figures")
        # Filled after the screen is first shown: as wide as the names it then holds.
        self.who.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.period = QComboBox()
        self.period.setAccessibleName("Period")
        for label, kind in PERIODS:
            self.period.addItem(label, kind)
        # Wraps rather than widening the window past a 1366-px or 1.25x-scaled screen.
        self.caption = QLabel(objectName="dashboardNote", wordWrap=True)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.who)
        top.addWidget(self.period)
        top.addWidget(self.caption, 1)
        self.digest = (DigestButton(services.send_digest, background, commands)
                       if services.send_digest else None)
        if self.digest is not None:
            top.addWidget(self.digest)  # the caption wraps first
        self.tiles: dict[str, QPushButton] = {}
        # Seven a row where there is room; one more row on a narrow screen.
        self.tile_rows = tiles = TileRows(TILES_A_ROW, TILES_LEAST_A_ROW)
        for key, label, _kind, _better in TILES:
            tile = QPushButton(label, objectName="kpiTile")
            tile.setAccessibleName(label)
            tile.setMinimumHeight(44)
            tile.clicked.connect(lambda _=False, k=key: self.open_figure(k))
            self.tiles[key] = tile
            tiles.add(tile)
        self.charts = {key: ChartView(key) for key in ("calls", "meetings", "waterfall",
                                                       "reasons")}
        for chart in self.charts.values():
            chart.opened.connect(self.open_figure)
        self.reps = reps_table()
        self.reps.activated.connect(lambda index: self._choose_row(index.row()))
        self.notes = QLabel(objectName="dashboardNote", wordWrap=True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The charts and the table take the height there is, down to their minimum: their
        # own wishes would make the sheet taller than a 1.25x-scaled 1366x768 window, and
        # the page would scroll for nothing.
        for grows in (*self.charts.values(), self.reps):
            policy = grows.sizePolicy()
            policy.setVerticalPolicy(QSizePolicy.Policy.Ignored)
            grows.setSizePolicy(policy)
        grid = QGridLayout()
        grid.setSpacing(6)
        grid.addWidget(self.charts["calls"], 0, 0)
        grid.addWidget(self.charts["meetings"], 0, 1)
        grid.addWidget(self.charts["waterfall"], 0, 2)
        grid.addWidget(self.charts["reasons"], 1, 0)
        grid.addWidget(self.reps, 1, 1, 1, 2)
        grid.setRowStretch(0, 1)
        grid.setRowStretch(1, 1)
        layout = QVBoxLayout()
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(tiles)
        layout.addLayout(grid, 1)
        layout.addWidget(self.notes)
        # A short window scrolls the sheet rather than growing past the screen (at 1.25×
        # on 1366×768 it fits as it is; narrower, the tiles take a fourth row).
        page = QVBoxLayout(self)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(scrolling(layout))
        self.who.currentIndexChanged.connect(lambda _i: self.refresh())
        self.period.currentIndexChanged.connect(lambda _i: self.refresh())
        # Whose figures: read off the UI thread; counting waits for it (it says whose).
        self._people_loaded = self._count_when_loaded = False
        background.run("dashboard-people", services.people, self._fill_people)
        follow(self, commands, COUNTED, lambda _c: self.refresh(), skip_own=False)

    # -- whose figures ---------------------------------------------------------------

    def _fill_people(self, people: list[RepProfile]) -> None:
        me = self._services.signed_in
        self.who.blockSignals(True)
        self.who.addItem("The team", TEAM)
        for person in people:
            mine = " (me)" if me and person.id == me.id else ""
            self.who.addItem(f"{person.name}{mine} · {person.role}", person.id)
        # A manager opens on the team; a rep on their own figures.
        start = me.id if me and me.role != "manager" else TEAM
        self.who.setCurrentIndex(max(0, self.who.findData(start)))
        self.who.blockSignals(False)
        self._people_loaded = True
        if self._count_when_loaded:
            self.refresh()

    def rep_id(self) -> str | None:
        chosen = self.who.currentData()
        return None if chosen in (TEAM, None) else str(chosen)

    def kind(self) -> str:
        return str(self.period.currentData())

    def show_for(self, rep_id: str | None, kind: str = "week") -> None:
        self.period.blockSignals(True)
        self.period.setCurrentIndex(max(0, self.period.findData(kind)))
        self.period.blockSignals(False)
        self.who.setCurrentIndex(max(0, self.who.findData(rep_id or TEAM)))
        self.refresh()

    def _choose_row(self, row: int) -> None:
        item = self.reps.item(row, 0)
        if item is not None:
            self.show_for(item.data(Qt.ItemDataRole.UserRole), self.kind())

    # -- computing and drawing -------------------------------------------------------

    def refresh(self) -> None:
        self.caption.setText("Counting…")
        if not self._people_loaded:
            self._count_when_loaded = True
            return
        kind, rep = self.kind(), self.rep_id()
        figures, details = self._services.figures, self._services.details
        if figures is None or details is None:
            self._background.run("dashboard", lambda: self._services.sheet(kind, rep),
                                 self._show, self._failed)
            return
        self._background.run("dashboard", lambda: figures(kind, rep),
                             self._show_first, self._failed)

    def _show_first(self, first: Sheet) -> None:
        """The numbers now; the trend, waterfall, reasons and forecast when counted (their
        charts say so meanwhile)."""
        self._show(first)
        details = self._services.details
        assert details is not None
        self._background.run("dashboard", lambda: details(first), self._show_details,
                             self._failed)

    def _show_details(self, sheet: Sheet) -> None:
        self._show(sheet)

    def _failed(self, error: BaseException) -> None:
        self.caption.setText(failure_text(error))

    def _show(self, sheet: Sheet) -> None:
        before, self.sheet = self.sheet, sheet
        who = self.who.currentText()
        still = "" if sheet.complete else \
            " · counting the trend, waterfall, reasons and forecast…"
        self.caption.setText(f"{who} · {sheet.period.label} "
                             f"({sheet.period.first_day:%d %b} – {sheet.period.days} days, "
                             f"{sheet.period.timezone}){still}")
        self._show_tiles(sheet)
        if sheet.complete:
            self._show_charts(sheet)
        elif before is None or (before.period, before.scope) != (sheet.period, sheet.scope):
            # Other figures than those drawn: the charts say they are being counted (the
            # same figures counted again keep their charts until the new ones come).
            for chart in self.charts.values():
                chart.setChart(counting_chart())
        fill_reps(self.reps, sheet.reps)
        self.notes.setText(self._notes(sheet) if sheet.complete else "")
        (self.shown if sheet.complete else self.first_numbers).emit(sheet)

    def value(self, key: str) -> Any:
        if self.sheet is None:
            return None
        if key == "forecast":
            return self.sheet.forecast.weighted if self.sheet.complete else None
        return self.sheet.team.get(key)

    def target(self, key: str) -> float | None:
        if self.sheet is None:
            return None
        if key == "forecast":
            return self.sheet.forecast.quota
        targets: dict[str, float] = self.sheet.team.get("targets", {})
        return targets.get(key)

    def _show_tiles(self, sheet: Sheet) -> None:
        for key, label, kind, better in TILES:
            value, target = self.value(key), self.target(key)
            line = figure(value, kind)
            state = ""
            if target is not None:
                line += f"  / {figure(target, kind)}"
                if value is not None:
                    state = "met" if (value >= target) == better else "below"
            if key == "lvr" and sheet.team.get("lvr_compared"):
                # Which months it compares: a week's "this month" may be a day old.
                line += f"  ({sheet.team['lvr_compared']})"
            tile = self.tiles[key]
            tile.setText(f"{label}\n{line}")
            tile.setAccessibleDescription(f"{label}: {line}")
            if key == "lvr" and sheet.team.get("lvr_months"):
                tile.setToolTip("Growth of qualified leads (entered SQL), "
                                f"{sheet.team['lvr_months']}")
            tile.setProperty("state", state)
            tile.style().unpolish(tile)
            tile.style().polish(tile)
        self.tile_rows.refit()  # longer figures may need one more row

    def _show_charts(self, sheet: Sheet) -> None:
        weeks = [t.week for t in sheet.trend]
        per_week = weekly_targets(sheet)
        year = weeks[-1][:4] if weeks else ""
        self.charts["calls"].setChart(trend_chart(
            f"Calls a week, {year} (target {figure(per_week['calls'])})", weeks,
            [t.calls for t in sheet.trend], per_week["calls"]))
        self.charts["meetings"].setChart(trend_chart(
            f"Meetings set a week (target {figure(per_week['meetings'])})", weeks,
            [t.meetings for t in sheet.trend], per_week["meetings"]))
        steps = [(f"{w['from']}→{w['to']}", w["rate"], w["median_days_in_from"])
                 for w in self.consecutive(sheet)]
        self.charts["waterfall"].setChart(waterfall_chart(steps))
        reasons = [(b.name, b.count, b.cumulative_share)
                   for b in self.reason_bars(sheet)]
        self.charts["reasons"].setChart(pareto_chart(
            "Why leads and deals are lost (Pareto)", reasons))

    @staticmethod
    def consecutive(sheet: Sheet) -> list[dict[str, Any]]:
        """The waterfall's consecutive steps (each stage to the next), not the exits."""
        return consecutive(sheet.waterfall)

    @staticmethod
    def reason_bars(sheet: Sheet) -> list[Any]:
        merged: dict[str, int] = {}
        for kind in ("disqualified", "rejected", "lost"):
            for bar in sheet.pareto.get(kind, []):
                merged[bar.name] = merged.get(bar.name, 0) + bar.count
        return pareto(merged)

    @staticmethod
    def _notes(sheet: Sheet) -> str:
        team = sheet.team
        top = team.get("top_two_share", {})
        # The spread across reps means something only for the team: one rep's "top two"
        # is always that rep, 100 %.
        parts = [("Top two reps' share: meetings " + figure(top.get("meetings"), "share")
                  + ", pipeline " + figure(top.get("pipeline"), "share")
                  + ", bookings " + figure(top.get("bookings"), "share"))
                 ] if sheet.scope == "team" else []
        for rate in sheet.close_rates:
            if rate["band"]:
                low, high = rate["band"]
                parts.append(f"{rate['framework']} SQL close rate "
                             f"{figure(rate['rate'], 'share')} (expected {low:.0%}–{high:.0%})")
        forecast = sheet.forecast
        parts.append(f"{forecast.open_deals:,} open deals this quarter → "
                     f"{forecast.expected_wins:.1f} sales expected")
        if team.get("coaching"):
            parts.append("Close rate under 20 %: " + ", ".join(team["coaching"]))
        return " · ".join(parts)

    # -- what is behind a number ------------------------------------------------------

    def open_figure(self, key: str) -> BehindDialog | None:
        if self.sheet is None:
            return None
        sheet, kind, rep = self.sheet, self.kind(), self.rep_id()
        if key in ("calls", "aged_leads"):
            title = {"calls": f"Calls, {sheet.period.label}",
                     "aged_leads": "Leads held over 2 days without a touch"}[key]
            self._background.run(
                "dashboard-behind", lambda: self._services.behind(key, kind, rep),
                lambda records: self._open_records(title, records), self._failed)
            return None
        return self._open(*self._breakdown(key, sheet))

    def _open_records(self, title: str, records: list[Behind]) -> BehindDialog:
        return self._open(title, ("When", "Who", "What"),
                          [[_when(r.at), r.title, r.detail] for r in records])

    def _breakdown(self, key: str, sheet: Sheet) -> tuple[str, tuple[str, ...], list[list[str]]]:
        if key == "waterfall":
            return ("Waterfall", ("From", "To", "Entered", "Went on", "Rate", "Median days"),
                    [[w["from"], w["to"], f"{w['entered']:,}", f"{w['converted']:,}",
                      figure(w["rate"], "share"), figure(w["median_days_in_from"])]
                     for w in sheet.waterfall])
        if key == "reasons":
            rows = [[kind, bar.name, f"{bar.count:,}", figure(bar.cumulative_share, "share")]
                    for kind, bars in sheet.pareto.items() for bar in bars]
            return ("Reasons and competitors", ("Kind", "Reason", "Count", "Cumulative"), rows)
        if key == "forecast":
            f = sheet.forecast
            return ("Forecast this quarter", ("Open deals", "Amount", "Weighted", "Quota",
                                              "Expected sales"),
                    [[f"{f.open_deals:,}", figure(f.open_amount, "money"),
                      figure(f.weighted, "money"), figure(f.quota, "money"),
                      f"{f.expected_wins:.1f}"]])
        kind = next((k for tile, _l, k, _b in TILES if tile == key), "count")
        label = next((lab for tile, lab, _k, _b in TILES if tile == key), key)
        return (f"{label} by rep, {sheet.period.label}", ("Rep", "Role", label),
                [[r.name, r.role, figure(getattr(r, key, None), kind)] for r in sheet.reps])

    def _open(self, title: str, headers: tuple[str, ...], rows: list[list[str]]
              ) -> BehindDialog:
        dialog = BehindDialog(title, headers, rows, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.behind_dialog = dialog
        dialog.open()
        return dialog
