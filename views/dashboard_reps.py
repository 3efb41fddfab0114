"""The Dashboard's reps side by side: one row a rep, AEs under the close-rate floor flagged,
the columns sharing the table's width (at 1366 px and 1.25× scaling too) rather than running
off to the right."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem

from models.kpis.digest_html import figure
from models.kpis.sheet import RepFigures
from ui.columns import ColumnFit
from ui.tables import fit_to_contents

# (header, figure, how it is written)
REP_COLUMNS = (("Rep", "name", "text"), ("Role", "role", "text"), ("Calls", "calls", "count"),
               ("Meetings", "meetings", "count"), ("Pipeline", "pipeline_added", "money"),
               ("Touch/day", "touches_per_day", "count"),
               ("≤ 24 h", "first_touch_within_24h", "share"),
               ("Win rate", "win_rate", "share"), ("SQL close", "sql_close_rate", "share"),
               ("Held > 2 d", "aged_leads", "count"), ("Selling", "selling_share", "share"))
# Hidden first, least needed first, when the columns cannot all have their figures' width
# (the tiles and the "by rep" lists still have them): role, selling, touches a day, held
# leads, ≤ 24 h.
DROP_FIRST = (1, 10, 5, 9, 6)
NAME_LEAST = 110  # a rep's name stays readable


def reps_table() -> QTableWidget:
    table = QTableWidget(0, len(REP_COLUMNS))
    table.setHorizontalHeaderLabels([c for c, _k, _t in REP_COLUMNS])
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setTabKeyNavigation(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(22)
    table.setWordWrap(False)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    # A column shown gets the width its figures need (no "$126,0…"); when they do not all
    # fit, the least needed leave.
    ColumnFit(table, table.horizontalHeader(), drop_order=DROP_FIRST,
              least={0: NAME_LEAST}, drop_to_want=True)
    return table


def fill_reps(table: QTableWidget, reps: list[RepFigures]) -> None:
    table.setSortingEnabled(False)
    table.setRowCount(len(reps))
    for r, rep in enumerate(reps):
        for c, (_label, key, kind) in enumerate(REP_COLUMNS):
            value = getattr(rep, key)
            text = value if kind == "text" else figure(value, kind)
            if key == "name" and rep.needs_coaching:
                text += " ⚑"  # the whole word in its tooltip and the notes line
            item = QTableWidgetItem(str(text))
            if key == "name" and rep.needs_coaching:
                item.setToolTip("SQL close rate under 20 %: needs coaching")
            if kind != "text":
                item.setData(Qt.ItemDataRole.UserRole + 1, value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
            if c == 0:
                item.setData(Qt.ItemDataRole.UserRole, rep.id)
            table.setItem(r, c, item)
    # Every column measured, those the last fit hid included (a hidden column measures as
    # nothing, and would come back too narrow for its header).
    header = table.horizontalHeader()
    for column in range(header.count()):
        header.setSectionHidden(column, False)
    fit_to_contents(table)
    # Once more after the rows are laid out (a vertical scroll bar may have come and taken
    # its width).
    fit = table.findChild(ColumnFit)
    if fit is not None:
        QTimer.singleShot(0, fit, fit.fit)
