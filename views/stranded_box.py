"""The Sync screen's list of tasks that can never go (logged on a record the CRM deleted,
which the rep chose to leave deleted), with what each holds, so the rep reads them before
dropping one or all of them. Hidden while there are none."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from models.stranded_tasks import StrandedTask
from ui.tables import fill, read_only_table, rows_of, selected_row


def _cells(task: StrandedTask) -> tuple[str, ...]:
    said = task.subject if not task.outcome or task.outcome in task.subject \
        else f"{task.subject} ({task.outcome})"
    return (task.logged_on, said, f"{task.occurred_at.astimezone():%a %d %b %H:%M}",
            task.notes or "")


class StrandedBox(QWidget):
    """``chosen()`` names the task the rep picked, ``everything()`` all of them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel("Tasks that can never go: logged on a record the CRM deleted, "
                              "which you chose to leave deleted. Read them, then drop "
                              "them; the record then goes here too.")
        self.heading.setWordWrap(True)
        self.tasks = read_only_table(("Logged on", "Task", "When", "Notes"), drop_first=(0,),
                                     cells=_cells)
        self.tasks.setTabKeyNavigation(False)  # Tab goes on to the buttons below
        self.discard = QPushButton("Dis&card this task")
        self.drop_all = QPushButton("Drop &all these tasks")
        buttons = QHBoxLayout()
        buttons.addWidget(self.discard)
        buttons.addWidget(self.drop_all)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.tasks, 1)
        layout.addLayout(buttons)
        self.setVisible(False)

    def show_tasks(self, tasks: list[StrandedTask]) -> None:
        fill(self.tasks, tasks)
        if tasks:
            self.tasks.selectRow(0)
        self.drop_all.setText(f"Drop &all {len(tasks)} tasks" if len(tasks) != 1
                              else "Drop this t&ask")
        self.discard.setVisible(len(tasks) > 1)
        # As tall as its rows (up to six), so the outbox above keeps its room.
        shown = min(max(len(tasks), 1), 6)
        self.tasks.setMaximumHeight(self.tasks.horizontalHeader().sizeHint().height()
                                    + shown * self.tasks.verticalHeader().defaultSectionSize()
                                    + 2 * self.tasks.frameWidth() + 2)
        self.setVisible(bool(tasks))

    def chosen(self) -> list[StrandedTask]:
        task: StrandedTask | None = selected_row(self.tasks)
        return [task] if task is not None else []

    def everything(self) -> list[StrandedTask]:
        return list(rows_of(self.tasks))
