"""The watcher as a service of the user's: a systemd user unit (Linux) or a launchd agent (macOS)
that runs ``plvm-photos watch`` on the folders and library it was installed for, starts with the
user's session (at boot where systemd keeps the user's manager running: ``loginctl enable-linger``)
and is restarted when it fails.

Only the unit file (``$XDG_CONFIG_HOME/systemd/user``) or the agent's property list
(``~/Library/LaunchAgents``) is written; the service manager is driven through its own command
(``systemctl --user``, ``launchctl``). The command line in the file is the one this process runs
as (its interpreter, by absolute path: a service has no PATH of the user's), so the service runs
the same installation as the command that installed it.
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from plvm_photos.errors import LibraryError
from plvm_photos.user_cache import write_atomically

SYSTEMD, LAUNCHD = "systemd", "launchd"
RESTART_SECONDS = 30  # after a failure (a folder not mounted yet, a crash), try again this much later


@dataclass(frozen=True)
class ServiceSpec:
    """What the service runs: ``plvm-photos --library LIBRARY [--db URL] watch FOLDER... OPTIONS``."""

    library: Path  # absolute
    folders: tuple[Path, ...]  # absolute
    db_url: str | None = None
    watch_options: tuple[str, ...] = ()  # e.g. ("--workers", "2", "--poll-only")
    program: tuple[str, ...] = field(default_factory=lambda: (os.path.abspath(sys.executable), "-m", "plvm_photos"))
    environment: tuple[tuple[str, str], ...] = ()  # e.g. PYTHONPATH where this program runs with one

    def command(self) -> list[str]:
        db = ["--db", self.db_url] if self.db_url else []
        return [*self.program, "--library", str(self.library), *db, "watch", *map(str, self.folders), *self.watch_options]

    @property
    def name(self) -> str:
        return service_name(self.library)


def spec_for(library: Path, folders: list[Path], db_url: str | None = None, watch_options: tuple[str, ...] = ()) -> ServiceSpec:
    """The service for this program: the library and folders made absolute (a folder must exist,
    as ``watch`` needs), the interpreter and ``PYTHONPATH`` this process runs with."""
    unwritable = [str(p) for p in (library, *folders) if any(ord(c) < 32 for c in str(p))]
    if unwritable:  # a line break would end the unit file's line
        raise LibraryError(f"a service cannot name a path with a control character: {unwritable[0]!r}")
    missing = [str(f) for f in folders if not Path(f).expanduser().is_dir()]
    if missing:
        raise LibraryError(f"no such folder: {', '.join(missing)}")
    environment = (("PYTHONPATH", os.environ["PYTHONPATH"]),) if os.environ.get("PYTHONPATH") else ()
    return ServiceSpec(
        library=Path(os.path.abspath(Path(library).expanduser())),
        folders=tuple(Path(os.path.abspath(Path(f).expanduser())) for f in folders),
        db_url=db_url,
        watch_options=tuple(watch_options),
        environment=environment,
    )


def service_name(library: Path) -> str:
    """One service per library: ``plvm-photos-watch-`` and 8 hex digits of its absolute path."""
    digest = hashlib.sha256(os.fsencode(os.path.abspath(library))).hexdigest()[:8]
    return f"plvm-photos-watch-{digest}"


def manager() -> str | None:
    """The service manager of this machine's user sessions: launchd on macOS, systemd where
    ``systemctl`` is installed; None elsewhere."""
    if sys.platform == "darwin":
        return LAUNCHD
    if sys.platform.startswith("linux") and shutil.which("systemctl"):
        return SYSTEMD
    return None


# --- the files ----------------------------------------------------------------------------------

def _systemd_word(word: str) -> str:
    """One word of a systemd command line: ``%`` and ``$`` doubled (specifiers, variables), and
    quoted where it holds white space, quotes, backslashes or a ``;``."""
    word = word.replace("%", "%%").replace("$", "$$")
    if word and re.fullmatch(r"[A-Za-z0-9_@%+=:,./$-]+", word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_unit(spec: ServiceSpec) -> str:
    folders = ", ".join(map(str, spec.folders))
    environment = "".join(f"Environment={_systemd_word(f'{k}={v}')}\n" for k, v in spec.environment)
    description = f"plvm-photos watch: {folders} into the library {spec.library}".replace("%", "%%")
    return (
        f"# Written by `plvm-photos service install`; remove it with\n"
        f"# plvm-photos --library {shlex.quote(str(spec.library))} service uninstall\n"
        "[Unit]\n"
        f"Description={' '.join(description.split())}\n"
        "\n"
        "[Service]\n"
        "Type=simple\n"
        f"ExecStart={' '.join(_systemd_word(w) for w in spec.command())}\n"
        f"{environment}"
        "Restart=on-failure\n"
        f"RestartSec={RESTART_SECONDS}\n"
        "# watch finishes the photos in hand on SIGTERM (--grace, 10 s by default)\n"
        "TimeoutStopSec=60\n"
        "Nice=10\n"
        "\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def launchd_plist(spec: ServiceSpec) -> bytes:
    agent = {
        "Label": launchd_label(spec.library),
        "ProgramArguments": spec.command(),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},  # restarted when it fails, not when stopped cleanly
        "ThrottleInterval": RESTART_SECONDS,
        "ProcessType": "Background",
        "StandardOutPath": str(launchd_log(spec.library)),
        "StandardErrorPath": str(launchd_log(spec.library)),
    }
    if spec.environment:
        agent["EnvironmentVariables"] = dict(spec.environment)
    return plistlib.dumps(agent)


def launchd_label(library: Path) -> str:
    return "plvm-photos." + service_name(library).removeprefix("plvm-photos-")


def launchd_log(library: Path) -> Path:
    """The agent's stdout and stderr (what happens before ``watch.log`` is open): in the user's log
    folder, which every macOS account has (launchd creates the file, not folders)."""
    return Path.home() / "Library" / "Logs" / f"{launchd_label(library)}.log"


def unit_path(kind: str, library: Path) -> Path:
    if kind == SYSTEMD:
        config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        return config / "systemd" / "user" / f"{service_name(library)}.service"
    return Path.home() / "Library" / "LaunchAgents" / f"{launchd_label(library)}.plist"


def unit_text(kind: str, spec: ServiceSpec) -> bytes:
    return systemd_unit(spec).encode() if kind == SYSTEMD else launchd_plist(spec)


def logs_where(kind: str, library: Path) -> str:
    from plvm_photos.watch.daemon import LOG_FILE

    own = library / LOG_FILE
    if kind == SYSTEMD:
        return f"journalctl --user -u {service_name(library)}, and {own}"
    return f"{launchd_log(library)}, and {own}"


# --- the service manager ------------------------------------------------------------------------

class ServiceError(LibraryError):
    pass


def _run(args: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return subprocess.CompletedProcess(args, 127, "", str(exc))


def _first_line(proc: subprocess.CompletedProcess) -> str:
    text = (proc.stderr or proc.stdout or "").strip()
    return text.splitlines()[0] if text else f"exit status {proc.returncode}"


def _launchd_domain() -> str:
    return f"gui/{os.getuid()}"


def install(kind: str, spec: ServiceSpec) -> Path:
    """Write the unit and start it now and at every login (again, if it was installed before)."""
    path = unit_path(kind, spec.library)
    text = unit_text(kind, spec)
    write_atomically(path, lambda name: Path(name).write_bytes(text))
    if kind == SYSTEMD:
        steps = [["systemctl", "--user", "daemon-reload"], ["systemctl", "--user", "enable", f"{spec.name}.service"],
                 ["systemctl", "--user", "restart", f"{spec.name}.service"]]
        retry = f"systemctl --user enable --now {spec.name}"
    else:
        label = launchd_label(spec.library)
        _run(["launchctl", "bootout", f"{_launchd_domain()}/{label}"])  # an earlier version of it, if loaded
        steps = [["launchctl", "bootstrap", _launchd_domain(), str(path)]]
        retry = f"launchctl bootstrap {_launchd_domain()} {path}"
    for step in steps:
        proc = _run(step)
        if proc.returncode != 0:
            raise ServiceError(f"wrote {path}, but `{' '.join(step)}` failed: {_first_line(proc)}; "
                               f"in a session the service manager runs, start it with: {retry}")
    return path


def uninstall(kind: str, library: Path) -> Path | None:
    """Stop the service and remove its file; None where none was installed."""
    path = unit_path(kind, library)
    if not path.exists():
        return None
    name = service_name(library)
    if kind == SYSTEMD:
        stop = _run(["systemctl", "--user", "disable", "--now", f"{name}.service"])
    else:
        stop = _run(["launchctl", "bootout", f"{_launchd_domain()}/{launchd_label(library)}"])
    path.unlink()
    if kind == SYSTEMD:
        _run(["systemctl", "--user", "daemon-reload"])
    if stop.returncode != 0 and kind == SYSTEMD and "not loaded" not in (stop.stderr or ""):
        raise ServiceError(f"removed {path}, but `systemctl --user disable --now {name}` failed: {_first_line(stop)}; "
                           f"a watcher it started may still run (plvm-photos status)")
    return path


@dataclass
class ServiceStatus:
    kind: str
    name: str
    path: str
    installed: bool
    command: list[str] | None = None  # what the file runs
    state: str = "unknown"  # running | stopped | failed | not loaded | unknown
    pid: int | None = None
    enabled: bool | None = None  # systemd: starts with the user's session
    last_exit: str | None = None
    restarts: int | None = None
    linger: bool | None = None  # systemd: the user's manager runs without a login (at boot)
    error: str | None = None  # why the manager could not be asked
    logs: str = ""

    def as_dict(self) -> dict:
        from dataclasses import asdict

        return asdict(self)


def status(kind: str, library: Path) -> ServiceStatus:
    path = unit_path(kind, library)
    name = service_name(library)
    result = ServiceStatus(kind=kind, name=name, path=str(path), installed=path.exists(), logs=logs_where(kind, library))
    if not result.installed:
        return result
    result.command = read_command(kind, path)
    if kind == SYSTEMD:
        _systemd_status(result)
    else:
        _launchd_status(result, library)
    return result


def read_command(kind: str, path: Path) -> list[str] | None:
    """The command line an installed file runs (None where it cannot be read back)."""
    try:
        if kind == LAUNCHD:
            return list(plistlib.loads(path.read_bytes())["ProgramArguments"])
        line = next(ln for ln in path.read_text().splitlines() if ln.startswith("ExecStart="))
    except (OSError, ValueError, KeyError, StopIteration):
        return None
    # The words as _systemd_word writes them: double quotes with \\ and \" inside, %% and $$.
    return [w.replace("%%", "%").replace("$$", "$") for w in shlex.split(line.removeprefix("ExecStart="))]


def _systemd_status(result: ServiceStatus) -> None:
    proc = _run(["systemctl", "--user", "show", f"{result.name}.service",
                 "--property=LoadState,ActiveState,SubState,MainPID,UnitFileState,Result,ExecMainStatus,NRestarts"])
    if proc.returncode != 0:
        result.error = f"systemctl --user: {_first_line(proc)}"
        return
    props = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    active, sub = props.get("ActiveState", ""), props.get("SubState", "")
    if props.get("LoadState") not in (None, "loaded"):
        result.state = "not loaded"
    elif active in ("active", "activating", "reloading"):
        result.state = "running" if sub == "running" else f"{active} ({sub})"
    elif active == "failed":
        result.state = "failed"
    else:
        result.state = "stopped"
    pid = int(props.get("MainPID") or 0)
    result.pid = pid or None
    result.enabled = props.get("UnitFileState") == "enabled"
    if props.get("Result") not in (None, "", "success") or props.get("ExecMainStatus") not in (None, "", "0"):
        result.last_exit = f"{props.get('Result', '')} (exit status {props.get('ExecMainStatus', '?')})"
    if props.get("NRestarts", "").isdigit():
        result.restarts = int(props["NRestarts"])
    user = os.environ.get("USER") or os.environ.get("LOGNAME")
    if user:
        linger = _run(["loginctl", "show-user", user, "--property=Linger"])
        if linger.returncode == 0 and "=" in linger.stdout:
            result.linger = linger.stdout.strip().split("=", 1)[1] == "yes"


def _launchd_status(result: ServiceStatus, library: Path) -> None:
    proc = _run(["launchctl", "print", f"{_launchd_domain()}/{launchd_label(library)}"])
    if proc.returncode != 0:
        result.state = "not loaded"
        return
    for line in proc.stdout.splitlines():
        key, _, value = (part.strip() for part in line.partition("="))
        if key == "state":
            result.state = value
        elif key == "pid" and value.isdigit():
            result.pid = int(value)
        elif key == "last exit code":
            result.last_exit = value
