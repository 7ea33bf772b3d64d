"""``plvm-photos service install|uninstall|status``: the watcher as a service of the user's session
(a systemd user unit on Linux, a launchd agent on macOS; see ``watch.service``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

import typer

from plvm_photos.cli.app import JsonOption, app, emit, state
from plvm_photos.errors import LibraryError

service_app = typer.Typer(
    help="Keep a library up to date without a terminal: `watch` as a service of your session (a systemd user unit "
    "on Linux, a launchd agent on macOS), started at login and restarted when it fails.",
    no_args_is_help=True,
)
app.add_typer(service_app, name="service")


def _library() -> Path:
    from plvm_photos.store.layout import default_root

    return Path(state.library_dir) if state.library_dir else default_root()


def _kind(given: Optional[str]) -> str:
    from plvm_photos.watch.service import LAUNCHD, SYSTEMD, manager

    if given is not None:
        if given not in (SYSTEMD, LAUNCHD):
            raise typer.BadParameter(f"choose {SYSTEMD} or {LAUNCHD}", param_hint="--manager")
        return given
    found = manager()
    if found is None:
        raise LibraryError("no systemd (systemctl) or launchd here: run `plvm-photos watch FOLDER` under your own "
                           "service manager, or see the unit this would write with `service install FOLDER --print "
                           "--manager systemd`")
    return found


ManagerOption = typer.Option(None, "--manager", help="systemd | launchd (default: this machine's: launchd on macOS, "
                             "systemd where systemctl is installed).", show_default=False)


@service_app.command("install")
def install(
    folders: List[Path] = typer.Argument(..., help="Folders to keep indexed (recursively), as for `watch`."),
    workers: Optional[int] = typer.Option(None, "--workers", "-j", help="Analysis processes (default: CPU cores)."),
    rescan: Optional[float] = typer.Option(None, "--rescan", help="Seconds between full rescans (watch's default: 900)."),
    poll_only: bool = typer.Option(False, "--poll-only", help="No file-system events, rescans only (network shares)."),
    print_only: bool = typer.Option(False, "--print", help="Print the unit (or property list) and install nothing."),
    kind: Optional[str] = ManagerOption,
    as_json: bool = JsonOption,
) -> None:
    """Run `plvm-photos watch FOLDER...` on this library as a service: started now and at every login (at boot too
    with `loginctl enable-linger`), restarted when it fails. Installing again replaces it."""
    from plvm_photos.watch import service

    options: list[str] = []
    if workers is not None:
        options += ["--workers", str(workers)]
    if rescan is not None:
        options += ["--rescan", repr(rescan)]
    if poll_only:
        options.append("--poll-only")
    chosen = _kind(kind)
    spec = service.spec_for(_library(), folders, db_url=state.db_url, watch_options=tuple(options))
    if print_only:
        typer.echo(service.unit_text(chosen, spec).decode(), nl=False)
        return
    path = service.install(chosen, spec)
    emit(
        {"name": spec.name, "manager": chosen, "path": str(path), "command": spec.command(),
         "logs": service.logs_where(chosen, spec.library)},
        as_json,
        f"installed {spec.name} ({path}), started: it watches {', '.join(map(str, spec.folders))} into the library "
        f"{spec.library}\nlogs: {service.logs_where(chosen, spec.library)}\n"
        f"see it with: plvm-photos --library {spec.library} service status",
    )


@service_app.command("uninstall")
def uninstall(kind: Optional[str] = ManagerOption) -> None:
    """Stop this library's service and remove it (the library is left as it is)."""
    from plvm_photos.watch import service

    chosen, library = _kind(kind), _library()
    removed = service.uninstall(chosen, library)
    if removed is None:
        typer.echo(f"no service installed for the library {library}: nothing to remove")
    else:
        typer.echo(f"stopped and removed {service.service_name(library)} ({removed})")


@service_app.command("status")
def status(kind: Optional[str] = ManagerOption, as_json: bool = JsonOption) -> None:
    """Is this library's service installed and running, what it runs, and where it logs."""
    from plvm_photos.watch import service

    chosen, library = _kind(kind), _library()
    found = service.status(chosen, library)
    if not found.installed:
        emit(found.as_dict(), as_json, f"no service installed for the library {library} "
                                       "(install one with: plvm-photos service install FOLDER)")
        return
    state_line = found.state + (f" (pid {found.pid})" if found.pid else "")
    if found.last_exit:
        state_line += f"; last exit: {found.last_exit}"
    if found.restarts:
        state_line += f"; restarted {found.restarts} time(s)"
    if found.error:
        state_line += f" ({found.error})"
    lines = [f"{found.name}: {state_line}", f"file: {found.path}"]
    if found.enabled is not None:
        lines.append(f"starts at login: {'yes' if found.enabled else 'no (systemctl --user enable ' + found.name + ')'}")
    if found.linger is False:
        user = os.environ.get("USER") or os.environ.get("LOGNAME") or "$USER"
        lines.append(f"at boot and after you log out: no (loginctl enable-linger {user} keeps it running)")
    if found.command:
        lines.append("runs: " + " ".join(found.command))
    lines.append(f"logs: {found.logs}")
    lines.append(f"what it has done: plvm-photos --library {library} status")
    emit(found.as_dict(), as_json, "\n".join(lines))
