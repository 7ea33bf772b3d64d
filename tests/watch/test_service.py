"""``plvm-photos service``: the systemd user unit and the launchd agent that run ``watch``.

The unit is checked by systemd itself (``systemd-analyze --user verify``) where it is installed,
and the exact command line it holds is run: it must start a real watcher, which stops cleanly on
SIGTERM as the service manager stops it. Installing drives ``systemctl --user``, here a stand-in
on PATH that records what it was asked (a test machine has no user session to start units in).
Everything is written under a temporary HOME and XDG_CONFIG_HOME.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from plvm_photos.watch import service
from plvm_photos.watch.status import read_status

CLI = [sys.executable, "-m", "plvm_photos"]


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("PLVM_DB", raising=False)
    return home


def _unit_environment(text: str) -> dict[str, str]:
    """The ``Environment=`` assignments of a unit as written (one quoted word each)."""
    import shlex

    env = {}
    for line in text.splitlines():
        if line.startswith("Environment="):
            key, _, value = shlex.split(line.removeprefix("Environment="))[0].partition("=")
            env[key] = value.replace("%%", "%").replace("$$", "$")
    return env


def test_the_systemd_unit_verifies_and_its_command_line_runs_watch(home, tmp_path):
    photos = tmp_path / "my photos 100%"  # a space and a per cent sign: quoted and escaped in the unit
    photos.mkdir()
    library = tmp_path / "the library"
    spec = service.spec_for(library, [photos], watch_options=("--workers", "1", "--rescan", "0"))
    path = service.unit_path(service.SYSTEMD, library)
    assert path == home / ".config" / "systemd" / "user" / f"{service.service_name(library)}.service"
    path.parent.mkdir(parents=True)
    path.write_bytes(service.unit_text(service.SYSTEMD, spec))
    text = path.read_text()
    assert "Restart=on-failure" in text and "WantedBy=default.target" in text

    if shutil.which("systemd-analyze"):
        runtime = tmp_path / "runtime"
        runtime.mkdir(mode=0o700)
        verify = subprocess.run(["systemd-analyze", "--user", "verify", str(path)], capture_output=True, text=True,
                                env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)}, timeout=60)
        assert verify.returncode == 0 and not verify.stdout.strip() and not verify.stderr.strip(), verify.stderr

    command = service.read_command(service.SYSTEMD, path)
    assert command == spec.command()
    assert command[:3] == [os.path.abspath(sys.executable), "-m", "plvm_photos"]
    assert command[3:] == ["--library", str(library), "watch", str(photos), "--workers", "1", "--rescan", "0"]
    env = {**os.environ, **_unit_environment(text)}
    if "PYTHONPATH" not in _unit_environment(text):
        env.pop("PYTHONPATH", None)
    watcher = subprocess.Popen(command, env=env, cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status = read_status(library)
            if status.get("running") and status.get("state") == "idle":
                break
            assert watcher.poll() is None, watcher.stderr.read()
            time.sleep(0.2)
        else:
            pytest.fail(f"the unit's watcher did not become idle: {read_status(library)}")
        assert status["pid"] == watcher.pid and [r["path"] for r in status["roots"]] == [str(photos)]
    finally:
        watcher.send_signal(signal.SIGTERM)  # what systemctl stop sends
        code = watcher.wait(timeout=60)
    assert code == 0, watcher.stderr.read()
    assert (library / "watch.log").is_file()


def test_the_launchd_agent_is_a_property_list_running_the_same_command(home, tmp_path):
    library = tmp_path / "lib"
    spec = service.spec_for(library, [tmp_path], db_url="postgresql+psycopg://me@db/photos")
    agent = plistlib.loads(service.unit_text(service.LAUNCHD, spec))
    assert agent["ProgramArguments"] == spec.command()
    assert agent["ProgramArguments"][3:] == ["--library", str(library), "--db", "postgresql+psycopg://me@db/photos",
                                             "watch", str(tmp_path)]
    assert agent["Label"] == service.launchd_label(library) and agent["RunAtLoad"] is True
    assert agent["KeepAlive"] == {"SuccessfulExit": False}  # restarted after a failure, not after a clean stop
    assert agent["StandardErrorPath"] == str(home / "Library" / "Logs" / f"{agent['Label']}.log")
    assert service.unit_path(service.LAUNCHD, library) == home / "Library" / "LaunchAgents" / f"{agent['Label']}.plist"


def _stand_in(bin_dir: Path, name: str, body: str) -> None:
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / name
    script.write_text(f"#!/bin/sh\necho \"{name} $*\" >> \"$STAND_IN_LOG\"\n{body}\n")
    script.chmod(0o755)


SHOW = ("LoadState=loaded\\nActiveState=active\\nSubState=running\\nMainPID=4242\\nUnitFileState=enabled\\n"
        "Result=success\\nExecMainStatus=0\\nNRestarts=2\\n")


def test_install_status_uninstall_through_systemctl(home, tmp_path):
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    _stand_in(bin_dir, "systemctl", f'case "$*" in *show*) printf "{SHOW}";; esac')
    _stand_in(bin_dir, "loginctl", 'printf "Linger=no\\n"')
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "STAND_IN_LOG": str(log), "USER": "me",
           "NO_COLOR": "1"}
    library, photos = tmp_path / "lib", tmp_path / "photos"
    photos.mkdir()
    name = service.service_name(library)

    def run(*args):
        return subprocess.run([*CLI, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)

    missing = run("service", "install", str(tmp_path / "nowhere"), "-L", str(library), "--manager", "systemd")
    assert missing.returncode == 2 and "no such folder" in missing.stderr and not log.exists()

    installed = run("service", "install", "photos", "--library", str(library), "--manager", "systemd", "--workers", "2")
    assert installed.returncode == 0, installed.stderr
    unit = home / ".config" / "systemd" / "user" / f"{name}.service"
    assert stat.S_IMODE(unit.stat().st_mode) == 0o600  # it may hold a --db URL with a password
    assert service.read_command(service.SYSTEMD, unit)[3:] == ["--library", str(library), "watch", str(photos),
                                                              "--workers", "2"]
    assert log.read_text().splitlines() == ["systemctl --user daemon-reload", f"systemctl --user enable {name}.service",
                                            f"systemctl --user restart {name}.service"]
    assert f"journalctl --user -u {name}" in installed.stdout

    shown = run("-L", str(library), "service", "status", "--manager", "systemd")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"{name}: running (pid 4242); restarted 2 time(s)\n")
    assert "loginctl enable-linger me" in shown.stdout and f"journalctl --user -u {name}" in shown.stdout
    assert f"runs: {' '.join(service.read_command(service.SYSTEMD, unit))}" in shown.stdout

    log.unlink()
    removed = run("service", "uninstall", "-L", str(library), "--manager", "systemd")
    assert removed.returncode == 0 and not unit.exists(), removed.stderr
    assert log.read_text().splitlines() == [f"systemctl --user disable --now {name}.service",
                                            "systemctl --user daemon-reload"]
    again = run("service", "status", "-L", str(library), "--manager", "systemd")
    assert again.returncode == 0 and again.stdout.startswith("no service installed for the library")


def test_install_without_a_user_session_says_what_was_written_and_how_to_start_it(home, tmp_path):
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    _stand_in(bin_dir, "systemctl", 'echo "Failed to connect to bus: No medium found" >&2; exit 1')
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "STAND_IN_LOG": str(log)}
    proc = subprocess.run([*CLI, "-L", str(tmp_path / "lib"), "service", "install", str(tmp_path), "--manager", "systemd"],
                          env=env, capture_output=True, text=True, timeout=120)
    name = service.service_name(tmp_path / "lib")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "systemctl --user daemon-reload` failed: Failed to connect to bus" in proc.stderr
    assert f"systemctl --user enable --now {name}" in proc.stderr
    assert (home / ".config" / "systemd" / "user" / f"{name}.service").is_file()
