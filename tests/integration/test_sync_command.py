"""`repdesk sync` against the sandbox: sign-in, the sync, and no secret left behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.crm_commands import seed_leads
from models.crm.sandbox.server import Sandbox, SandboxServer


@pytest.fixture
def sandbox_url() -> tuple[SandboxServer, str]:
    server = SandboxServer(Sandbox()).start()
    seed_leads(server.sandbox, 120)
    yield server, server.base_url  # type: ignore[misc]
    server.stop()


def test_sync_command_pulls_the_crm_and_keeps_no_secret_on_disk(
        tmp_path: Path, sandbox_url: tuple[SandboxServer, str],
        capsys: pytest.CaptureFixture[str]) -> None:
    server, url = sandbox_url
    assert main(["sync", "--data-dir", str(tmp_path), "--crm", url, "--json"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["pulled"] == 120 and report["new_from_crm"] == 120
    assert (report["emails_sent"], report["emails_unsure"]) == (0, 0)
    secrets = list(server.sandbox._tokens) + list(server.sandbox._refresh)
    assert secrets
    written = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    for secret in secrets:
        assert secret.encode() not in written
        assert secret not in out and secret not in err


def test_plain_http_to_a_remote_crm_is_refused(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", "--data-dir", str(tmp_path), "--crm", "http://crm.example.com"]) == 2
    assert "https only" in capsys.readouterr().err
