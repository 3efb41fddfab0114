"""`make install-user` / `make uninstall-user`: the app and its menu entry under ~/.local,
tried in a scratch home with a stand-in for the built folder."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _built_app(folder: Path) -> Path:
    """What `make package` leaves: a folder whose `repdesk` runs (and, like the real
    bootloader, finds its folder through the link it was started by)."""
    folder.mkdir(parents=True)
    (folder / "_internal").mkdir()
    (folder / "_internal" / "data.txt").write_text("kept with the app\n")
    executable = folder / "repdesk"
    executable.write_text('#!/bin/sh\necho "repdesk from $(dirname "$(readlink -f "$0")")"\n')
    executable.chmod(executable.stat().st_mode | stat.S_IXUSR)
    return folder


def _make(target: str, home: Path, package: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env["HOME"] = str(home)
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), target, f"PACKAGE_DIR={package}"],
        capture_output=True, text=True, env=env, timeout=120, check=False)


def test_install_user_puts_the_app_its_entry_and_icon_under_local(tmp_path: Path) -> None:
    home, package = tmp_path / "home", _built_app(tmp_path / "dist" / "repdesk")
    home.mkdir()
    done = _make("install-user", home, package)
    assert done.returncode == 0, done.stderr

    local = home / ".local"
    app = local / "lib" / "repdesk"
    assert (app / "_internal" / "data.txt").read_text() == "kept with the app\n"
    started = subprocess.run([str(local / "bin" / "repdesk")], capture_output=True, text=True,
                             timeout=30, check=True)
    # The link runs the installed copy, not the build folder.
    assert started.stdout.strip() == f"repdesk from {app}"
    entry = (local / "share" / "applications" / "repdesk.desktop").read_text()
    assert f"Exec={app}/repdesk\n" in entry
    assert "Icon=repdesk\n" in entry
    icons = local / "share" / "icons" / "hicolor"
    assert (icons / "scalable" / "apps" / "repdesk.svg").read_bytes() == \
        (ROOT / "resources" / "repdesk.svg").read_bytes()
    assert (icons / "256x256" / "apps" / "repdesk.png").read_bytes() == \
        (ROOT / "resources" / "repdesk.png").read_bytes()


def test_uninstall_user_removes_the_app_and_keeps_the_reps_data(tmp_path: Path) -> None:
    home, package = tmp_path / "home", _built_app(tmp_path / "dist" / "repdesk")
    profile = home / ".local" / "share" / "RepDesk" / "repdesk.db"
    profile.parent.mkdir(parents=True)
    profile.write_bytes(b"the rep's store")
    assert _make("install-user", home, package).returncode == 0

    done = _make("uninstall-user", home, package)

    assert done.returncode == 0, done.stderr
    left = sorted(str(p.relative_to(home)) for p in home.rglob("*")
                  if p.is_file() or p.is_symlink())
    assert left == [".local/share/RepDesk/repdesk.db"]
    assert profile.read_bytes() == b"the rep's store"


def test_install_user_without_a_build_says_what_to_run(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    done = subprocess.run(["sh", str(ROOT / "packaging" / "user_install.sh"), "install",
                           str(tmp_path / "nothing")], capture_output=True, text=True,
                          env=dict(os.environ, HOME=str(home)), timeout=30, check=False)
    assert done.returncode == 2
    assert "make package" in done.stderr
    assert not (home / ".local").exists()
