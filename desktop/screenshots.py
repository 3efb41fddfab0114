"""``python -m desktop.screenshots``: a PNG of each main screen on demo data, for the README."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from desktop.commands import CommandRunner
from desktop.composition import window_services
from desktop.dashboard_shots import dashboards
from models.demo.load import load_demo_data
from models.demo.past import make_past
from models.leads import LeadDirectory
from models.qualification import QualificationDraft, save_qualification
from models.references import record_use, reference_customers
from models.reps import current_rep, team_members
from models.store.open import Store, open_store
from ui.theme import apply_theme
from views.background import Background
from views.main_window import MainWindow

SCREENS = ("Today", "Queue", "Leads")


# The window's command runner: a picture waits for the writes it asked for as well.
_RUNNERS: list[CommandRunner] = []
DEFAULT_SIZE = (1440, 880)


def _settle(app: QApplication, background: Background, ms: int = 300) -> None:
    background.wait()
    for runner in _RUNNERS:
        runner.wait()
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    app.processEvents()


def capture(out: Path, leads: int = 5_000, accounts: int = 2_500,
            size: tuple[int, int] = DEFAULT_SIZE) -> list[Path]:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    apply_theme(app)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder))
        load_demo_data(store.engine, leads, accounts, seed=2026)
        rep = current_rep(store.sessions)
        # Mid-afternoon where the demo rep works, so Today shows a call block under way.
        now = datetime.now(ZoneInfo(rep.timezone if rep else "UTC")).replace(
            hour=14, minute=10, second=0, microsecond=0).astimezone(UTC)
        # The weeks before, up to that moment: the Dashboard's reasons, deals and selling time.
        make_past(store.sessions, 2026, now)
        background = Background()
        commands = CommandRunner()
        _RUNNERS[:] = [commands]
        window = MainWindow(window_services(store, clock=lambda: now, commands=commands),
                            background)
        room = app.primaryScreen().availableGeometry()
        window.resize(min(size[0], room.width()), min(size[1], room.height()))
        window.show()
        window.start()
        _settle(app, background)
        # A call block under way: started, a few outcomes logged, the next lead on screen.
        window.today.open_current()
        _settle(app, background)
        for outcome in ("no answer", "voicemail", "no answer"):
            window.queue.log(outcome)
            _settle(app, background, 100)
        window.queue.note.setText("Asked for the security review pack")
        written = []
        for name in SCREENS:
            if name == "Today":
                window.today.refresh()
            window.show_screen(name)
            _settle(app, background)
            if name == "Leads":
                window.leads.table.selectRow(3)
                _settle(app, background)
            path = out / f"{name.lower()}.png"
            window.grab().save(str(path))
            written.append(path)
        written.append(_cleanup(app, window, background, out))
        written += _forms(app, window, background, store, now, out)
        written += dashboards(window, store, now, lambda ms: _settle(app, background, ms),
                              out)
        window.close()
        background.wait()
        commands.wait()
        commands.stop()
        store.close()
    return written


def _forms(app: QApplication, window: MainWindow, background: Background, store: Store,
           now: datetime, out: Path) -> list[Path]:
    """The qualification form, the AE's inbox and an e-mail's preview."""
    written = []
    directory = LeadDirectory(store.sessions)
    lead_id = directory.search("")[2]
    window.open_qualification(lead_id)
    _settle(app, background)
    form = window.qualification_form
    assert form is not None
    form.set_category("A")
    form.reason.setCurrentIndex(1)
    form.competitors.setText("Northwind CRM")
    form.features.setText("Outlook add-in, territory maps")
    form.next_step.setText("Technical demo with the CIO on Thursday")
    form.save()  # shows the inline messages for what is still missing
    _settle(app, background, 100)
    written.append(_save(form, out / "qualification.png"))
    form.reject()
    rep = current_rep(store.sessions)
    aes = team_members(store.sessions, "AE")
    for number, lead in enumerate(directory.search("")[10:14]):
        save_qualification(store.sessions, lead, QualificationDraft(
            category="AB"[number % 2], reason_code=("A-TRIAL-SUCCESS", "B-NEXT-BUDGET")[number % 2],
            framework="AN", answers={"Authority": "VP signs", "Need": "Forecasting"},
            next_step="Demo with the buying team", handoff_to_id=aes[0].id),
            rep.id if rep else None, now - timedelta(hours=12 * number + 5))
    window.inbox.ae.setCurrentIndex(window.inbox.ae.findData(aes[0].id))
    window.show_screen("Opportunities")
    _settle(app, background)
    written.append(_save(window, out / "handoff-inbox.png"))
    window.open_email(lead_id)
    _settle(app, background)
    composer = window.composer
    assert composer is not None
    composer.template.setCurrentText("Trial follow-up")
    composer.body.setPlainText(composer.body.toPlainText().replace(
        "{!User.Name}", "{!User.Name}\n{!User.Title}"))
    _settle(app, background, 100)
    written.append(_save(composer, out / "email-preview.png"))
    composer.reject()
    written += _closing(app, window, background, store, now, out)
    return written


def _closing(app: QApplication, window: MainWindow, background: Background, store: Store,
             now: datetime, out: Path) -> list[Path]:
    """A won deal in the close form, then the references it and others gave."""
    window.show_screen("Opportunities")
    window.workspace.setCurrentWidget(window.opportunities)
    view = window.opportunities
    _settle(app, background)
    written = []
    for number in range(4):
        view.table.clearSelection()
        view.table.selectRow(0)
        _settle(app, background, 100)
        form = view.open_close_form()
        assert form is not None, "the first open deal did not load"
        _settle(app, background)  # its kept draft is read aside
        form.won.setChecked(True)
        form.reason.setCurrentIndex(1 + number % 3)
        form.competitor.setText(("Northwind CRM", "Pipeliner", "Spreadsheets")[number % 3])
        if form.lines.rowCount() == 0:
            form.add_product_line()
        form.lines.cellWidget(0, 1).setValue(40 + 10 * number)
        for box in (form.term, form.support, form.payment):
            box.setCurrentIndex(1 + number % 2)
        form.new_billing.setText("Ana Costa, ana.costa@example.com")
        form.new_contact.setText("Max Braun, max.braun@example.com")
        form.po_number.setText(f"PO-77{number}1")
        form.features.setText("Outlook add-in, territory maps")
        form.reference.setChecked(True)
        form.reference_kinds["call"].setChecked(True)
        form.reference_kinds["logo"].setChecked(number % 2 == 0)
        _settle(app, background, 50)
        if number == 0:
            written.append(_save(form, out / "close-form.png"))
        form.save()
        _settle(app, background, 100)
        view.include_closed.setChecked(False)
        _settle(app, background, 100)
    view.include_closed.setChecked(True)
    _settle(app, background)
    written.append(_save(window, out / "opportunities.png"))
    rows = reference_customers(store.sessions)
    for number, row in enumerate(rows[:2]):
        record_use(store.sessions, row.id, "call", ("Acme Freight evaluation",
                                                    "Webinar: inside sales in 2027")[number],
                   None, now - timedelta(days=3 * number + 1))
    window.show_screen("References")
    _settle(app, background)
    written.append(_save(window, out / "references.png"))
    return written + _team_screens(app, window, background, out)


def _team_screens(app: QApplication, window: MainWindow, background: Background,
                  out: Path) -> list[Path]:
    """The pipeline by stage, the dashboard, product feedback and the sync screen."""
    written = []
    if window.pipeline is not None:
        window.show_screen("Opportunities")
        window.workspace.setCurrentWidget(window.pipeline)
        _settle(app, background)
        written.append(_save(window, out / "pipeline.png"))
    for name in ("Feedback", "Sync"):
        window.show_screen(name)
        _settle(app, background, 600)
        written.append(_save(window, out / f"{name.lower()}.png"))
    return written


def _cleanup(app: QApplication, window: MainWindow, background: Background, out: Path) -> Path:
    """The clean-up block on a lead whose account match needs confirming."""
    window.show_screen("Queue")
    window.queue.open_block("clean-up")
    _settle(app, background)
    tree = window.queue.tree
    for index in range(tree.topLevelItemCount()):
        header = tree.topLevelItem(index)
        if header.text(0).startswith("Accounts to confirm") and header.childCount():
            tree.setCurrentItem(header.child(0))
            _settle(app, background)
    return _save(window, out / "cleanup.png")


def _save(widget: QWidget, path: Path) -> Path:
    widget.grab().save(str(path))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("resources/screenshots"))
    parser.add_argument("--size", type=_size, default=DEFAULT_SIZE,
                        help="the screen's width×height in pixels, e.g. 1366x768 "
                             "(default 1440x880); the window fills it")
    parser.add_argument("--scale", type=float, default=None,
                        help="the display's scaling, e.g. 1.25 (QT_SCALE_FACTOR)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _pretend_screen(args.size, args.scale, Path(folder))
        for path in capture(args.out, size=args.size):
            print(path)


def _pretend_screen(size: tuple[int, int], scale: float | None, folder: Path) -> None:
    """Offscreen, a screen of ``size`` pixels (Qt's own is 800×600, too small for the forms'
    fit rule), seen through ``scale``: the window and forms open as they would on it."""
    if scale is not None:
        os.environ["QT_SCALE_FACTOR"] = f"{scale:g}"
    if os.environ.get("QT_QPA_PLATFORM", "offscreen") != "offscreen":
        return
    config = folder / "screen.json"
    config.write_text(json.dumps({"screens": [{
        "name": "Screen", "x": 0, "y": 0, "width": size[0], "height": size[1],
        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().replace("×", "x").split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give width x height, e.g. 1366x768") from None
    if not (640 <= width <= 7680 and 480 <= height <= 4320):
        raise argparse.ArgumentTypeError(f"{text!r}: between 640x480 and 7680x4320")
    return width, height


if __name__ == "__main__":
    main()
