"""The window says so when no OS keychain can keep the CRM sign-in (not only the CLI)."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyrings.alt.file import PlaintextKeyring
from pytestqt.qtbot import QtBot

from desktop.composition import window_services
from models.store.open import Store
from tests.conftest import FIXED_NOW
from tests.unit.test_secret_store import KeychainInMemory
from views.background import Background
from views.main_window import MainWindow


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> Iterator[KeyringBackend]:
    previous = keyring.get_keyring()
    chosen: KeyringBackend = request.param()
    keyring.set_keyring(chosen)
    yield chosen
    keyring.set_keyring(previous)


def _window(qtbot: QtBot, store: Store, background: Background) -> MainWindow:
    main = MainWindow(window_services(store, clock=lambda: FIXED_NOW), background)
    qtbot.addWidget(main)
    main.show()
    main.refresh_status()
    qtbot.waitUntil(lambda: "waiting to sync" in main.status.pending.text())
    return main


@pytest.mark.parametrize("backend", [PlaintextKeyring], indirect=True)
def test_a_plaintext_keyring_is_named_in_the_status_bar(qtbot: QtBot, demo_store: Store,
                                                        background: Background,
                                                        backend: KeyringBackend) -> None:
    window = _window(qtbot, demo_store, background)
    assert window.status.secrets.isVisible()
    assert "No secure keyring" in window.status.secrets.text()
    assert "memory only" in window.status.secrets.toolTip()


@pytest.mark.parametrize("backend", [KeychainInMemory], indirect=True)
def test_an_os_keychain_needs_no_warning(qtbot: QtBot, demo_store: Store,
                                         background: Background,
                                         backend: KeyringBackend) -> None:
    window = _window(qtbot, demo_store, background)
    assert not window.status.secrets.isVisible()
    assert window.status.secrets.text() == ""
