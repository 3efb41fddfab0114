"""`repdesk sync` with keyrings.alt's plain-text file as keyring's backend (as on a Debian or
Ubuntu box with python3-keyrings.alt): the refresh token stays in memory, the file never gets
it, and the rep is told."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring

from desktop.cli import main
from desktop.crm_commands import seed_leads
from desktop.secrets import WARNING
from models.crm.sandbox.server import Sandbox, SandboxServer


def test_a_plaintext_keyring_never_receives_the_refresh_token(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path))
    plaintext = PlaintextKeyring()
    plaintext.file_path = str(tmp_path / "data" / "python_keyring" / "keyring_pass.cfg")  # type: ignore[misc]
    previous = keyring.get_keyring()
    keyring.set_keyring(plaintext)
    server = SandboxServer(Sandbox()).start()
    try:
        seed_leads(server.sandbox, 20)
        assert main(["sync", "--data-dir", str(tmp_path / "profile"), "--crm",
                     server.base_url]) == 0
        refresh_tokens = list(server.sandbox._refresh)
    finally:
        server.stop()
        keyring.set_keyring(previous)
    assert refresh_tokens
    assert WARNING in capsys.readouterr().err
    written = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    for token in refresh_tokens:
        assert token.encode() not in written
    assert not Path(plaintext.file_path).exists()
