"""The dashboard's charts (QtCharts): a 12-week trend with its target as a line, the waterfall's
conversions, and a Pareto of reasons. Each chart takes the keyboard focus (Tab) and opens what
is behind it with Enter or a click."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QKeyEvent, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QWidget

from ui.chart_theme import colour


class ChartView(QChartView):
    """A chart that can be reached with Tab and opened with Enter, Space or a click."""

    opened = Signal(str)

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("kpiChart")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        # Two rows of charts, the tiles and the reps table fit 614 px (768 at 1.25×).
        self.setMinimumHeight(150)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.opened.emit(self.key)
            return
        super().keyPressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.opened.emit(self.key)
        super().mouseReleaseEvent(event)


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    font = QFont()
    font.setPointSize(9)
    font.setBold(True)
    chart.setTitleFont(font)
    chart.setTitleBrush(colour("text"))
    chart.setBackgroundBrush(colour("background"))
    chart.setMargins(QMargins(2, 2, 2, 2))
    chart.layout().setContentsMargins(0, 0, 0, 0)
    chart.legend().setVisible(False)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return chart


def counting_chart() -> QChart:
    """A chart's place while its figures are still being counted."""
    return _chart("Counting…")


# QtCharts cuts an axis label to "..." when it is wider than its share of the axis: a
# horizontal axis gives each of its n categories (plot width) / (n + 1) less 4 px each side; a
# vertical axis takes at most 40 % of the chart's width. The labels below choose the longest
# form that fits the chart as it is laid out, instead of letting every label turn into "...".
LABEL_PADDING = 4
TEXT_MARGIN = 2  # the label's own margins, and a pixel for rounding


class _WeekLabels(QObject):
    """Every week's number where there is room, else every second (third…) one, counted
    back from the latest week, which is always named."""

    def __init__(self, chart: QChart, axis: QCategoryAxis, weeks: Sequence[str]) -> None:
        super().__init__(chart)
        self._axis, self._weeks, self.step = axis, list(weeks), 0
        widest = max((QFontMetricsF(axis.labelsFont()).boundingRect(w).width() for w in weeks),
                     default=0.0)
        self._needed = widest + TEXT_MARGIN + 2 * LABEL_PADDING
        self.fit(QRectF(0, 0, 1e6, 1))
        chart.plotAreaChanged.connect(self.fit)

    def fit(self, plot: QRectF) -> None:
        count = len(self._weeks)
        step = next((s for s in range(1, count + 1)
                     if plot.width() / (math.ceil(count / s) + 1) >= self._needed), count)
        if step == self.step:
            return
        self.step = step
        for label in self._axis.categoriesLabels():
            self._axis.remove(label)
        # Each label stands under its week's bar.
        for index in range(count - 1, -1, -step)[::-1]:
            self._axis.append(self._weeks[index], index)


class _StepLabels(QObject):
    """The waterfall's step names in full where there is room, else shortened."""

    def __init__(self, chart: QChart, axis: QBarCategoryAxis,
                 forms: Sequence[Sequence[str]]) -> None:
        super().__init__(chart)
        self._chart, self._axis, self.forms = chart, axis, [list(f) for f in forms]
        metrics = QFontMetricsF(axis.labelsFont())
        self._needed = [max((metrics.boundingRect(t).width() for t in form), default=0.0)
                        + TEXT_MARGIN + 2 * LABEL_PADDING for form in self.forms]
        self.shown = self.forms[0]
        chart.plotAreaChanged.connect(self.fit)

    def fit(self, _plot: QRectF | None = None) -> None:
        room = 0.4 * self._chart.size().width()
        chosen = next((form for form, needed in zip(self.forms, self._needed, strict=True)
                       if needed <= room), self.forms[-1])
        if chosen != self.shown:
            self.shown = chosen
            self._axis.setCategories(chosen)


def _axis_font(axis: QValueAxis | QBarCategoryAxis) -> None:
    font = QFont()
    font.setPointSize(7)
    axis.setLabelsFont(font)
    axis.setLabelsBrush(colour("text"))
    axis.setGridLineColor(colour("grid"))


def _percent_axis() -> QValueAxis:
    axis = QValueAxis()
    axis.setRange(0, 100)
    axis.setLabelFormat("%.0f%%")
    axis.setTickCount(3)
    _axis_font(axis)
    return axis


def trend_chart(title: str, labels: Sequence[str], values: Sequence[float],
                target: float | None) -> QChart:
    """Bars per week, the target as a red line across them."""
    chart = _chart(title)
    bars = QBarSet(title)
    bars.append([float(v) for v in values])
    bars.setColor(colour("bar"))
    bars.setBorderColor(colour("bar"))
    series = QBarSeries()
    series.append(bars)
    series.setBarWidth(0.7)
    chart.addSeries(series)
    # Bars stand at 0, 1, 2…; a category axis names them by week.
    x = QCategoryAxis()
    x.setRange(-0.5, len(values) - 0.5)
    x.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    x.setGridLineVisible(False)
    _axis_font(x)
    top = max([*values, target or 0, 1])
    y = QValueAxis()
    y.setRange(0, max(4.0, top * 1.15))
    y.setLabelFormat("%.0f")
    y.applyNiceNumbers()
    _axis_font(y)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x)
    series.attachAxis(y)
    _WeekLabels(chart, x, [label[-2:] for label in labels])  # "48": the year is in the title
    if target is not None:
        line = QLineSeries()
        line.setName("target")
        line.append([QPointF(-0.5, target), QPointF(len(values) - 0.5, target)])
        pen = QPen(colour("target"))
        pen.setWidth(2)
        pen.setStyle(Qt.PenStyle.DashLine)
        line.setPen(pen)
        chart.addSeries(line)
        line.attachAxis(x)
        line.attachAxis(y)
    return chart


def waterfall_chart(steps: Sequence[tuple[str, float | None, float | None]]) -> QChart:
    """Each consecutive pair of stages: conversion in %, with the median days in the first."""
    chart = _chart("Waterfall: conversion between stages")
    bars = QBarSet("conversion")
    # A horizontal series draws its first category at the bottom: the funnel reads top-down.
    steps = list(steps)[::-1]
    bars.append([round(100 * (rate or 0.0)) for _label, rate, _days in steps])
    bars.setColor(colour("bar"))
    bars.setLabelColor(colour("text"))
    series = QHorizontalBarSeries()
    series.append(bars)
    series.setLabelsVisible(True)
    series.setLabelsFormat("@value %")
    series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsInsideEnd)
    chart.addSeries(series)
    y = QBarCategoryAxis()
    forms = [[_step_label(label, days, short) for label, _rate, days in steps]
             for short in (False, True)]
    y.append(forms[0])
    _axis_font(y)
    x = _percent_axis()
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(x)
    series.attachAxis(y)
    _StepLabels(chart, y, forms)
    return chart


# How a rep shortens the stages' names when the chart is narrow.
SHORT_STAGES = {"Opportunity": "Opp.", "Closed Won": "Won", "Closed Lost": "Lost"}


def _step_label(label: str, days: float | None, short: bool) -> str:
    if short:
        label = "→".join(SHORT_STAGES.get(stage, stage) for stage in label.split("→"))
    return label if days is None else f"{label} ({days:.1f} d)"


def pareto_chart(title: str, bars_in: Sequence[tuple[str, int, float]]) -> QChart:
    """Counts largest first and the running share as a line (0-100 % on the right)."""
    chart = _chart(title)
    shown = list(bars_in)[:6]
    bars = QBarSet("count")
    bars.append([float(n) for _name, n, _share in shown])
    bars.setColor(colour("bar"))
    series = QBarSeries()
    series.append(bars)
    chart.addSeries(series)
    x = QBarCategoryAxis()
    x.append([name[:14] for name, _n, _share in shown] or ["(none)"])
    _axis_font(x)
    y = QValueAxis()
    y.setRange(0, max([n * 1.1 for _name, n, _s in shown] + [4.0]))
    y.setLabelFormat("%.0f")
    y.applyNiceNumbers()
    _axis_font(y)
    share = _percent_axis()
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    chart.addAxis(share, Qt.AlignmentFlag.AlignRight)
    series.attachAxis(x)
    series.attachAxis(y)
    running = QLineSeries()
    running.append([QPointF(i, 100 * s) for i, (_name, _n, s) in enumerate(shown)])
    pen = QPen(colour("warn"))
    pen.setWidth(2)
    running.setPen(pen)
    chart.addSeries(running)
    running.attachAxis(x)
    running.attachAxis(share)
    return chart
