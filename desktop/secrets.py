"""Secrets live in the OS keyring, or only in memory: never in a file, a setting or a log.

Headless Linux boxes often have no secure keyring: keyring's "fail" backend raises and its
"null" backend silently drops what it is given. Both count as no secure storage; RepDesk then
says so and keeps secrets in memory for the session.
"""

from __future__ import annotations

import contextlib

import keyring
from keyring.backends import fail, null

from desktop.error_log import hide_secret

SERVICE = "RepDesk"


class SecretStore:
    def __init__(self) -> None:
        backend = keyring.get_keyring()
        self.secure = not isinstance(backend, fail.Keyring | null.Keyring) and \
            getattr(backend, "priority", 0) > 0
        self._memory: dict[str, str] = {}

    @property
    def warning(self) -> str | None:
        if self.secure:
            return None
        return ("No secure keyring on this computer: RepDesk keeps your CRM sign-in in memory "
                "only, so you will sign in again next time.")

    def save(self, name: str, value: str) -> None:
        hide_secret(value)
        if self.secure:
            keyring.set_password(SERVICE, name, value)
        else:
            self._memory[name] = value

    def load(self, name: str) -> str | None:
        value = keyring.get_password(SERVICE, name) if self.secure else self._memory.get(name)
        if value:
            hide_secret(value)
        return value

    def delete(self, name: str) -> None:
        if self.secure:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                keyring.delete_password(SERVICE, name)
        self._memory.pop(name, None)
