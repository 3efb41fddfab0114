"""Secrets live in an OS keychain, or only in memory: never in a file, a setting or a log.

keyring's priority is not security: keyrings.alt (installed by Debian and Ubuntu as
python3-keyrings.alt) registers a plain-text file backend above zero, and headless Linux boxes
often have only "fail" (raises) or "null" (drops what it is given). So only the OS keychains
count: Secret Service (GNOME Keyring, KeePassXC...), KWallet, the macOS Keychain and the
Windows Credential Locker; a chainer counts through such a member only, and is then bypassed,
so a file backend ranked above the keychain never gets the secret. Anything else is no secure
storage: RepDesk says so and keeps secrets in memory for the session.
"""

from __future__ import annotations

import contextlib

import keyring
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend

from desktop.error_log import hide_secret

SERVICE = "RepDesk"
# module, class name: the OS keychains keyring ships backends for.
KEYCHAINS = frozenset({
    ("keyring.backends.SecretService", "Keyring"),
    ("keyring.backends.libsecret", "Keyring"),
    ("keyring.backends.kwallet", "DBusKeyring"),
    ("keyring.backends.kwallet", "DBusKeyringKWallet4"),
    ("keyring.backends.macOS", "Keyring"),
    ("keyring.backends.Windows", "WinVaultKeyring"),
})
WARNING = ("No secure keyring on this computer: RepDesk keeps your CRM sign-in in memory only, "
           "so you will sign in again next time.")


def is_keychain(backend: KeyringBackend) -> bool:
    """An OS keychain's backend, by its class (subclasses included), not its priority."""
    return any((cls.__module__, cls.__name__) in KEYCHAINS for cls in type(backend).__mro__)


def keychain_of(backend: KeyringBackend) -> KeyringBackend | None:
    """The OS keychain to keep secrets in: the backend itself, or a chainer's keychain
    member; None when there is none."""
    if isinstance(backend, ChainerBackend):
        return next((member for member in backend.backends if is_keychain(member)), None)
    return backend if is_keychain(backend) else None


class SecretStore:
    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._keychain = keychain_of(backend or keyring.get_keyring())
        self._memory: dict[str, str] = {}

    @property
    def secure(self) -> bool:
        return self._keychain is not None

    @property
    def warning(self) -> str | None:
        return None if self.secure else WARNING

    def save(self, name: str, value: str) -> None:
        hide_secret(value)
        if self._keychain is not None:
            self._keychain.set_password(SERVICE, name, value)
        else:
            self._memory[name] = value

    def load(self, name: str) -> str | None:
        if self._keychain is not None:
            value = self._keychain.get_password(SERVICE, name)
        else:
            value = self._memory.get(name)
        if value:
            hide_secret(value)
        return value

    def delete(self, name: str) -> None:
        if self._keychain is not None:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                self._keychain.delete_password(SERVICE, name)
        self._memory.pop(name, None)
