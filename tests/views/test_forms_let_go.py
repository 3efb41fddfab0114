"""A rep opens and closes forms all day: the window keeps the last one of a kind, not all."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from views.main_window import MainWindow
from views.qualification_form import QualificationForm


def _forms_alive() -> int:
    return sum(isinstance(w, QualificationForm) for w in QApplication.allWidgets())


def test_qualification_forms_opened_one_after_another_do_not_pile_up(
        qtbot: QtBot, window: MainWindow) -> None:
    window.show_screen("Leads")
    qtbot.waitUntil(lambda: window.leads.model.rowCount() >= 5)
    for row in range(5):
        window.qualification_form = None
        window.open_qualification(window.leads.model.lead_id(row))
        qtbot.waitUntil(lambda: window.qualification_form is not None
                        and window.qualification_form.isVisible())
        form = window.qualification_form
        assert form is not None
        form.reject()
        qtbot.waitUntil(lambda form=form: not form.isVisible())
    qtbot.wait(50)  # Qt frees a dropped form when back in the event loop
    assert _forms_alive() <= 1


def test_a_draft_that_could_not_be_kept_after_its_form_was_freed_is_said_in_the_status_bar(
        qtbot: QtBot) -> None:
    import threading

    from PySide6.QtWidgets import QLabel, QStatusBar
    from sqlalchemy.exc import OperationalError

    from desktop.commands import CommandRunner
    from desktop.error_log import BugReport, report_failures

    status, commands = QStatusBar(), CommandRunner()
    qtbot.addWidget(status)
    report_failures(commands, BugReport(None), status)

    class Form(QLabel):
        def draft_failed(self, error: BaseException) -> None:
            self.setText(str(error))

    form = Form("a closed form")
    go_on = threading.Event()

    def locked() -> None:
        go_on.wait(5)
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    commands.run("Keep the draft", locked, on_error=form.draft_failed)
    form.deleteLater()  # the rep opened the next form while the draft waited for the lock
    qtbot.wait(50)
    go_on.set()
    qtbot.waitUntil(commands.idle)
    assert "another program" in status.currentMessage()
    commands.stop()
