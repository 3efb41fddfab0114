"""Only an OS keychain keeps the CRM sign-in: keyrings.alt's file backends, keyring's null and
fail backends and a chainer of none of the keychains are no secure storage (memory only)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import SecretService, chainer, fail, null
from keyrings.alt.file import EncryptedKeyring, PlaintextKeyring

from desktop.secrets import SERVICE, WARNING, SecretStore

TOKEN = "5Aep861-refresh-token-that-must-stay-off-disk"


class KeychainInMemory(SecretService.Keyring):
    """The Secret Service backend as this test box has no D-Bus: its class, a dict inside."""

    priority = 5  # type: ignore[assignment]

    def __init__(self) -> None:
        self.kept: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        self.kept.pop((service, username), None)


@pytest.fixture
def plaintext(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PlaintextKeyring]:
    """keyrings.alt's plain-text file, set as keyring's backend, writing under tmp_path."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path))
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring_pass.cfg")  # type: ignore[misc]
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def _files(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def test_a_plaintext_file_backend_is_no_secure_storage(plaintext: PlaintextKeyring,
                                                       tmp_path: Path) -> None:
    store = SecretStore()
    assert not store.secure and store.warning == WARNING
    store.save("refresh:https://acme.my.salesforce.com", TOKEN)
    assert store.load("refresh:https://acme.my.salesforce.com") == TOKEN  # for this session
    assert plaintext.get_password(SERVICE, "refresh:https://acme.my.salesforce.com") is None
    assert TOKEN.encode() not in _files(tmp_path)


# Built without its __init__, which needs pycryptodome: only its class is judged.
ENCRYPTED_FILE = EncryptedKeyring.__new__(EncryptedKeyring)


@pytest.mark.parametrize("backend", [ENCRYPTED_FILE, null.Keyring(), fail.Keyring()],
                         ids=["encrypted-file", "null", "fail"])
def test_file_null_and_fail_backends_keep_secrets_in_memory_only(
        backend: KeyringBackend) -> None:
    store = SecretStore(backend)
    assert not store.secure and store.warning
    store.save("refresh:x", TOKEN)
    assert store.load("refresh:x") == TOKEN
    store.delete("refresh:x")
    assert store.load("refresh:x") is None


def test_a_chainer_of_no_keychain_is_no_secure_storage(plaintext: PlaintextKeyring,
                                                       tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: [plaintext, null.Keyring()])
    store = SecretStore(chainer.ChainerBackend())
    assert not store.secure
    store.save("refresh:x", TOKEN)
    assert TOKEN.encode() not in _files(tmp_path)


def test_a_chainer_keeps_secrets_in_its_keychain_never_in_a_file_ranked_above(
        plaintext: PlaintextKeyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keychain = KeychainInMemory()
    plaintext.priority = 50  # type: ignore[misc]  # ranked above the keychain
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: [plaintext, keychain])
    store = SecretStore(chainer.ChainerBackend())
    assert store.secure and store.warning is None
    store.save("refresh:x", TOKEN)
    assert keychain.kept == {(SERVICE, "refresh:x"): TOKEN}
    assert store.load("refresh:x") == TOKEN
    assert TOKEN.encode() not in _files(tmp_path)


def test_an_os_keychain_keeps_the_sign_in_for_next_time() -> None:
    keychain = KeychainInMemory()
    SecretStore(keychain).save("refresh:x", TOKEN)
    assert SecretStore(keychain).load("refresh:x") == TOKEN
