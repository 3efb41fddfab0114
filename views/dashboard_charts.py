"""The dashboard's charts (QtCharts): a 12-week trend with its target as a line, the waterfall's
conversions, and a Pareto of reasons. Each chart takes the keyboard focus (Tab) and opens what
is behind it with Enter or a click."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QMouseEvent, QPainter, QPen
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
        self.setMinimumHeight(170)

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
    x = QBarCategoryAxis()
    x.append([label[-2:] for label in labels])  # "48": the year is in the title
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
    y.append([label if days is None else f"{label} ({days:.1f} d)"
              for label, _rate, days in steps])
    _axis_font(y)
    x = _percent_axis()
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(x)
    series.attachAxis(y)
    return chart


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
