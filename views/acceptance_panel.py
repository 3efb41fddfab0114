"""In front of the AE who decides on a hand-off: what the SDR learned (the qualification as
filed, and who filed it) and seed 004's definition of an opportunity, to confirm criterion by
criterion (Alt+1 … Alt+4) before accepting."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QTextBrowser, QWidget

from models.qualification_summary import QualificationSummary

CATEGORIES = {"A": "A: opportunity this quarter", "B": "B: opportunity next quarter",
              "C": "C: keep in touch", "D": "D: unqualified"}


def _list(values: Sequence[str]) -> str:
    return escape(", ".join(values)) if values else "—"


def qualification_html(summary: QualificationSummary | None) -> str:
    if summary is None:
        return "<p><i>No qualification recorded here for this lead.</i></p>"
    reason = summary.reason_code + (f" ({summary.reason_label})" if summary.reason_label
                                    else "")
    answers = "".join(f"<tr><td><b>{escape(criterion)}</b></td><td>{escape(answer)}</td></tr>"
                      for criterion, answer in summary.answers)
    return "".join([
        f"<h3>What {escape(summary.qualified_by or 'the SDR')} learned "
        f"<small>({summary.qualified_at.astimezone():%d %b %Y %H:%M})</small></h3>",
        f"<p><b>{escape(CATEGORIES.get(summary.category, summary.category))}</b> · "
        f"{escape(reason)} · {escape(summary.framework)}</p>",
        f"<table cellspacing='2'>{answers}</table>" if answers else "<p>No answers.</p>",
        f"<p><b>Competitors:</b> {_list(summary.competitors)}<br>",
        f"<b>Features asked for:</b> {_list(summary.requested_features)}<br>",
        f"<b>Notes:</b> {escape(summary.competitive_info or '—')}<br>",
        f"<b>Next step:</b> {escape(summary.next_step or '—')}</p>",
    ])


class QualificationCard(QTextBrowser):
    def show_summary(self, summary: QualificationSummary | None) -> None:
        self.setHtml(qualification_html(summary))


class AcceptanceChecks(QGroupBox):
    """One box per criterion; all ticked, the hand-off can be accepted."""

    def __init__(self, criteria: Sequence[tuple[str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__("Is it an opportunity? Confirm each point to accept", parent)
        self.boxes: dict[str, QCheckBox] = {}
        # Two to a row: the AE's reading panes above keep their height on a short screen.
        grid = QGridLayout(self)
        for number, (key, label) in enumerate(criteria, start=1):
            box = QCheckBox(f"&{number} {label}")
            self.boxes[key] = box
            grid.addWidget(box, (number - 1) // 2, (number - 1) % 2)

    def confirmed(self) -> tuple[str, ...]:
        return tuple(key for key, box in self.boxes.items() if box.isChecked())

    def reset(self) -> None:
        for box in self.boxes.values():
            box.setChecked(False)
