"""The clean-up block's list: what needs a hand before anyone calls, in groups, each fixed with
one key (M merges, R routes, A links the account, C creates it, F fixes the data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTreeWidgetItem

from models.changes import Changed
from models.hygiene.cleanup import DataProblem
from ui.confirm import ask_first
from views.itemmodels.queue_roles import HEADING_ROLE, LEAD_ROLE, PROBLEM_ROLE

if TYPE_CHECKING:
    from views.queue_view import QueueView

# Clean-up groups in the order the block works them: kind, heading, the key that fixes it.
CLEANUP_GROUPS = (("duplicate", "Suspected duplicates", "M", "M merges into the older lead"),
                  ("routing", "Routed to the wrong person", "R", "R routes it"),
                  ("account", "Accounts to confirm", "A", "A links the account"),
                  ("no account", "No account yet", "C", "C creates the account"),
                  ("data", "Missing or bad data", "F", "F fixes what it can"))
CLEANUP_KEYS = {kind: key for kind, _heading, key, _hint in CLEANUP_GROUPS}
CLEANUP_BUTTONS = ("fix", "merge", "route", "link", "account")


class CleanUpList:
    """The queue screen's clean-up half (mixed into ``QueueView``, whose list it fills)."""

    def _show_problems(self: QueueView, problems: list[DataProblem]) -> None:
        keep = self.current_lead_id()
        self.tree.clear()
        self._items = {}
        bold = QFont()
        bold.setBold(True)
        for kind, heading, _key, hint in CLEANUP_GROUPS:
            mine = [problem for problem in problems if problem.kind == kind]
            if not mine:
                continue
            header = QTreeWidgetItem([f"{heading}  ({len(mine)})  — {hint}"])
            header.setData(0, HEADING_ROLE, (heading, f"  — {hint}"))
            header.setFont(0, bold)
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.tree.addTopLevelItem(header)
            for problem in mine:
                fix = ("   → " + ", ".join(value for _field, value in problem.fixes)
                       if problem.fixes else "")
                row = QTreeWidgetItem([f"{problem.name} — {problem.company}\n    "
                                       f"{'; '.join(problem.problems)}{fix}"])
                row.setData(0, LEAD_ROLE, problem.lead_id)
                row.setData(0, PROBLEM_ROLE, problem)
                header.addChild(row)
            header.setExpanded(True)
        self._recount()
        self.list_loaded.emit(len(problems))
        self._select(keep)

    def clean_up(self: QueueView, key: str) -> None:
        """Clean-up block: the one key that fixes the selected lead's problem."""
        row = self.tree.currentItem()
        problem = row.data(0, PROBLEM_ROLE) if row else None
        if self.current_block() != "clean-up" or not isinstance(problem, DataProblem):
            return
        if CLEANUP_KEYS[problem.kind] != key:
            self.message.setText(f"For this lead press {CLEANUP_KEYS[problem.kind]}.")
            return
        lead_id = problem.lead_id
        actions: dict[str, Callable[[], Changed[object]]] = {
            "duplicate": lambda: self._desk.merge(problem.merge_into or "", lead_id),
            "routing": lambda: self._desk.route(lead_id),
            "account": lambda: self._desk.link_account(lead_id),
            "no account": lambda: self._desk.create_account(lead_id),
            "data": lambda: self._desk.standardise(lead_id),
        }
        self._acting()

        def run() -> None:
            self._commands.run("Clean up the lead", actions[problem.kind],
                               lambda done: self._after_clean_up(problem, done),
                               self._show_error, origin=self)

        if problem.kind == "duplicate":
            self._confirm_merge(problem, run)
        else:
            run()

    def _confirm_merge(self: QueueView, problem: DataProblem, merge: Callable[[], None]) -> None:
        """A merge cannot be taken back by a key: say what it does and ask first."""
        self.confirmation = ask_first(
            self, "Merge these leads?",
            f"Merge {problem.name} ({problem.company}) into the older lead?",
            "The older lead keeps every activity of both; this copy is deleted here and in the "
            "CRM at the next sync.", "Merge", merge)

    def _after_clean_up(self: QueueView, problem: DataProblem, done: object) -> None:
        if problem.kind == "data" and not done:
            self.message.setText("Nothing RepDesk can fix by itself here: edit the lead.")
            return
        if problem.kind == "data" and isinstance(done, dict):
            self.message.setText("Fixed: " + ", ".join(
                f"{k.replace('_', ' ')} {v}" for k, v in done.items()) + ".")
        else:
            self.message.setText({
                "duplicate": "Merged: the older lead keeps every activity of both.",
                "routing": f"Routed: {done}.",
                "account": "Linked to its account.",
                "no account": f"Account {problem.company} created and linked.",
            }[problem.kind])
        self._remove(problem.lead_id)
