"""The composer opened on a deal, from the opportunities list or the pipeline (Ctrl+E): the AE
writes to the deal's contact with the deal templates and merge fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from models.deal_emails import DealAddressee
from ui.keys import shortcut
from views.background import Background
from views.commanding import Commands
from views.email_composer import ComposerServices, EmailComposer


@dataclass(frozen=True)
class DealMailServices:
    addressee: Callable[[str], DealAddressee | None]
    composer: ComposerServices


class DealMail(QObject):
    """Opens the composer on one deal at a time; each screen that offers it holds one."""

    mailto_requested = Signal(str)
    sent = Signal(str)  # what the screen tells the rep

    def __init__(self, services: DealMailServices, background: Background,
                 commands: Commands, parent: QWidget) -> None:
        super().__init__(parent)
        self._services, self._background, self._commands = services, background, commands
        self._parent = parent
        self.composer: EmailComposer | None = None

    def open(self, deal_id: str | None) -> None:
        if deal_id is None:
            return
        self._background.run("deal-addressee", lambda: self._services.addressee(deal_id),
                             self._show)

    def _show(self, addressee: DealAddressee | None) -> None:
        if addressee is None:
            self.sent.emit("That opportunity no longer exists.")
            return
        composer = EmailComposer(addressee, self._services.composer, self._commands,
                                 self._parent)
        composer.setWindowTitle(f"E-mail about {addressee.deal} to {addressee.name}")
        composer.mailto_requested.connect(self.mailto_requested.emit)
        composer.sent.connect(lambda _logged: self.sent.emit(
            f"E-mail logged on {addressee.deal}; it goes out with the next sync."))
        self.composer = composer
        composer.open()


def offer_deal_mail(screen: QWidget, services: DealMailServices | None,
                    background: Background, commands: Commands, button: QPushButton,
                    message: QLabel, mailto_requested: SignalInstance, section: str,
                    deal_id: Callable[[], str | None]) -> DealMail | None:
    """Ctrl+E and ``button`` open the composer on the deal ``deal_id`` names; what it says
    lands in ``message``. Without mail services the button is hidden and no key is taken."""
    button.setVisible(services is not None)
    if services is None:
        return None
    mail = DealMail(services, background, commands, screen)
    mail.mailto_requested.connect(mailto_requested.emit)
    mail.sent.connect(message.setText)
    button.clicked.connect(lambda: mail.open(deal_id()))
    shortcut(screen, "Ctrl+E", lambda: mail.open(deal_id()), "E-mail the deal's contact",
             section, Qt.ShortcutContext.WidgetWithChildrenShortcut)
    return mail
