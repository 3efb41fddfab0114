"""`make package-test`: the built one-folder app, used as a rep and an installer would use it.

Each step runs the frozen executable with a time limit and says what it ran and what came out
when it fails. Usage: python packaging/smoke_test.py dist/repdesk
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Libraries a Linux desktop provides and the build machine may lack: Qt's X11 plugin needs them
# (the window names them when they are missing: desktop/platform_check.py).
# Wayland's client libraries come with every Wayland session.
DESKTOP_LIBRARIES = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0",
                     "libxkbcommon-x11.so.0", "libwayland-cursor.so.0", "libwayland-egl.so.1"}


class StepFailed(Exception):
    pass


class FrozenApp:
    def __init__(self, folder: Path, scratch: Path) -> None:
        self.executable = folder / "repdesk"
        self.scratch = scratch
        # No keyring daemon, no display: the environment of a CI machine, made explicit.
        self.env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1",
                        HOME=str(scratch / "home"), XDG_RUNTIME_DIR=str(scratch / "run"))
        (scratch / "run").mkdir(mode=0o700)

    def run(self, *args: str, timeout: float = 60, env: dict[str, str] | None = None,
            executable: Path | None = None) -> subprocess.CompletedProcess[str]:
        command = [str(executable or self.executable), *args]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  env=env or self.env, check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as expired:
            raise StepFailed(f"{' '.join(command)} did not finish within {timeout:.0f} s\n"
                             f"{_tail(expired.stdout)}{_tail(expired.stderr)}") from None
        if done.returncode != 0:
            raise StepFailed(f"{' '.join(command)} exited with {done.returncode}\n"
                             f"stdout:\n{_tail(done.stdout)}\nstderr:\n{_tail(done.stderr)}")
        return done


def _tail(text: str | bytes | None, lines: int = 25) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return "\n".join((text or "").splitlines()[-lines:]) + "\n" if text else ""


def check(condition: bool, message: str, output: str = "") -> None:
    if not condition:
        raise StepFailed(f"{message}\n{_tail(output)}")


def step_help(app: FrozenApp) -> None:
    out = app.run("--help").stdout
    for command in ("demo-data", "queue", "sandbox", "sync", "import"):
        check(command in out, f"--help does not list {command}", out)


def step_version(app: FrozenApp) -> None:
    wanted = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    out = app.run("--version").stdout.strip()
    check(out == f"repdesk {wanted}", f"--version says {out!r}, pyproject says {wanted}")


def step_demo_data(app: FrozenApp) -> None:
    out = app.run("--data-dir", str(app.scratch / "cli"), "demo-data", "--leads", "1000",
                  "--accounts", "500", "--json", timeout=120).stdout
    counts = json.loads(out)["counts"]
    check(counts["leads"] == 1000, f"demo-data wrote {counts['leads']} leads, not 1000", out)


def step_queue(app: FrozenApp) -> None:
    profile = str(app.scratch / "cli")
    calls = json.loads(app.run("--data-dir", profile, "queue", "--json").stdout)
    check(calls["count"] > 0, "the calls queue of 1,000 demo leads is empty", json.dumps(calls))
    # The clean-up block matches leads to accounts first: rapidfuzz and numpy, frozen.
    problems = json.loads(app.run("--data-dir", profile, "queue", "--block", "clean-up",
                                  "--json", timeout=120).stdout)
    check(isinstance(problems, list), "queue --block clean-up --json is not a list")


def step_import(app: FrozenApp) -> None:
    csv = app.scratch / "leads.csv"
    csv.write_text("First name;Last name;Company;E-mail;Country\n"
                   "Zoë;Brandt;Nordlicht GmbH;zoe.brandt@nordlicht.example;DE\n"
                   "Jean;Dupré;Atelier Lumière SARL;jean.dupre@lumiere.example;FR\n",
                   encoding="cp1252")
    out = app.run("--data-dir", str(app.scratch / "cli"), "import", str(csv), "--dry-run",
                  "--json", timeout=120).stdout
    check("cp1252" in out.lower() or "windows-1252" in out.lower(),
          "import did not name the file's encoding (Windows-1252)", out)


def step_sandbox_and_sync(app: FrozenApp) -> None:
    sandbox = subprocess.Popen(
        [str(app.executable), "sandbox", "--port", "0", "--seed-leads", "200"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=app.env,
        stdin=subprocess.DEVNULL)
    try:
        url = _sandbox_url(sandbox, timeout=60)
        # A new profile: the demo-data one is bound to its own demo CRM.
        profile = str(app.scratch / "synced")
        out = app.run("--data-dir", profile, "sync", "--crm", url, "--json", timeout=180).stdout
        figures = json.loads(out.strip().splitlines()[-1])
        check(figures["pulled"] >= 200, f"the sync pulled {figures['pulled']} of the "
              "sandbox's 200 leads", out)
    finally:
        sandbox.send_signal(signal.SIGINT)
        try:
            sandbox.wait(timeout=20)
        except subprocess.TimeoutExpired:
            sandbox.kill()
            sandbox.wait()
    check(sandbox.returncode == 0, f"the sandbox stopped with {sandbox.returncode}",
          sandbox.stderr.read() if sandbox.stderr else "")


def _sandbox_url(sandbox: subprocess.Popen[str], timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    # A thread reads, so a sandbox that says nothing cannot hold the test past its deadline.
    threading.Thread(target=lambda: [lines.put(line) for line in sandbox.stdout or ()],
                     daemon=True).start()
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline and sandbox.poll() is None:
        try:
            seen += lines.get(timeout=0.2)
        except queue.Empty:
            continue
        found = re.search(r"Sandbox CRM at (http://\S+) ", seen)
        if found:
            return found.group(1)
    sandbox.kill()
    raise StepFailed(f"the sandbox did not say where it listens within {timeout:.0f} s\n"
                     f"{seen}{_tail(sandbox.communicate()[1])}")


def step_window_first_run(app: FrozenApp) -> None:
    """A first run: demo data, the demo's sandbox CRM, one sync through the window's own
    sync process (spawned by the frozen executable), then the window closes by itself."""
    profile = app.scratch / "window"
    out = app.run("--data-dir", str(profile), "--exit-after-sync", timeout=240).stdout
    check(re.search(r"^first sync: Synced: ", out, re.MULTILINE) is not None,
          "the window did not report a finished sync", out)
    with sqlite3.connect(profile / "repdesk.db") as db:
        pulled = db.execute("SELECT count(*) FROM sync_state WHERE last_pull_at IS NOT NULL"
                            ).fetchone()[0]
    check(pulled > 0, "the window's sync left no pull recorded in the store", out)
    check((profile / "demo-crm.db").exists(), "the demo's sandbox CRM kept no file", out)


def step_libraries_resolve(app: FrozenApp) -> None:
    """Every library and plugin in the folder finds what it links to (the folder or the
    system): leaving out Qt modules must not strand a plugin."""
    folder = app.executable.parent
    internal = folder / "_internal"
    search = ":".join(str(p) for p in (internal, internal / "PySide6" / "Qt" / "lib"))
    missing: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.so*")):
        if path.is_symlink() or not path.is_file():
            continue
        done = subprocess.run(["ldd", str(path)], capture_output=True, text=True, timeout=30,
                              env=dict(os.environ, LD_LIBRARY_PATH=search), check=False)
        for line in done.stdout.splitlines():
            if "not found" in line:
                name = line.split("=>")[0].strip()
                if name not in DESKTOP_LIBRARIES:
                    missing.setdefault(name, set()).add(str(path.relative_to(folder)))
    check(not missing, "libraries not found: " + "; ".join(
        f"{name} (needed by {', '.join(sorted(users))})" for name, users in missing.items()))


def step_install_user(app: FrozenApp) -> None:
    """`make install-user` and `make uninstall-user` into a scratch home."""
    home = app.scratch / "installer-home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen")
    folder = app.executable.parent
    make = ["make", "--no-print-directory", "-C", str(ROOT), f"PACKAGE_DIR={folder}"]
    for target in ("install-user", "uninstall-user"):
        if target == "uninstall-user":
            installed = home / ".local" / "bin" / "repdesk"
            out = app.run("--version", env=env, executable=installed).stdout
            check(out.startswith("repdesk "), "the installed repdesk does not start", out)
            entry = (home / ".local/share/applications/repdesk.desktop").read_text()
            check(f"Exec={home}/.local/lib/repdesk/repdesk" in entry,
                  "the menu entry does not start the installed app", entry)
            for icon in ("scalable/apps/repdesk.svg", "256x256/apps/repdesk.png"):
                check((home / ".local/share/icons/hicolor" / icon).is_file(),
                      f"the {icon} icon is not installed")
        done = subprocess.run([*make, target], capture_output=True, text=True, timeout=120,
                              env=env, check=False)
        check(done.returncode == 0, f"make {target} failed", done.stdout + done.stderr)
    left = [str(p.relative_to(home)) for p in home.rglob("*") if not p.is_dir()]
    check(not left, f"make uninstall-user left {left}")


STEPS: list[tuple[str, Callable[[FrozenApp], None]]] = [
    ("--help", step_help),
    ("--version", step_version),
    ("demo-data --leads 1000", step_demo_data),
    ("queue --json (calls, clean-up)", step_queue),
    ("import --dry-run (Windows-1252 CSV)", step_import),
    ("sandbox, then sync against it", step_sandbox_and_sync),
    ("window: first run, one sync through its sync process, exits", step_window_first_run),
    ("every library resolves", step_libraries_resolve),
    ("install-user, uninstall-user", step_install_user),
]


def main(argv: list[str]) -> int:
    folder = Path(argv[1] if len(argv) > 1 else ROOT / "dist" / "repdesk").resolve()
    if not (folder / "repdesk").is_file():
        print(f"No built app in {folder}: run `make package` first.", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="repdesk-smoke-"))
    app = FrozenApp(folder, scratch)
    passed = failed = 0
    started = time.perf_counter()
    try:
        for name, step in STEPS:
            began = time.perf_counter()
            try:
                step(app)
            except (StepFailed, json.JSONDecodeError, KeyError, OSError) as error:
                failed += 1
                print(f"FAIL  {name} ({time.perf_counter() - began:.1f} s)\n"
                      f"      {str(error).strip()}".replace("\n", "\n      "), flush=True)
            else:
                passed += 1
                print(f"ok    {name} ({time.perf_counter() - began:.1f} s)", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"package-test: {folder} holds {size / 2**20:.0f} MiB; "
          f"{time.perf_counter() - started:.1f} s in all")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
