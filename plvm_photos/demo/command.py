"""``plvm-photos`` as a command of the user's, the way pipx and ``uv tool install`` put one on the
PATH: a link in the user's command folder (``$XDG_BIN_HOME``, else ``~/.local/bin``; the Makefile
names it) to the script in the clone's virtual environment, which runs that environment's Python
from any folder. ``make uninstall`` removes the link.

Whether a new shell finds the command depends on the user's shell start-up files (Debian's
``~/.profile`` adds ``~/.local/bin`` only where it exists at login; macOS adds nothing), so it is
checked by starting one, as pipx's ``ensurepath`` does, and where it does not the user is told
the line that adds it.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

COMMAND = "plvm-photos"
MARK = "PLVM_NEW_SHELL_PATH="


@dataclass(frozen=True)
class Installed:
    link: Path  # where the command is, e.g. ~/.local/bin/plvm-photos
    target: Path  # the virtual environment's script it runs
    replaced: Path | None = None  # what the link pointed to before (another clone's environment)


def install_link(bin_dir: Path, script: Path) -> Installed:
    """Link ``bin_dir/plvm-photos`` to ``script``. A link to another ``plvm-photos`` is replaced
    (the newest ``make demo`` wins); a file that is not a link is somebody else's: refused."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    link = bin_dir / COMMAND
    replaced = None
    if link.is_symlink():
        previous = Path(os.readlink(link))
        if previous != script:
            replaced = previous
        link.unlink()
    elif link.exists():
        raise FileExistsError(f"{link} exists and is not a link made by make demo: left alone")
    link.symlink_to(script)
    return Installed(link, script, replaced)


def _display(path: Path) -> str:
    """``~/...`` for a path under the home folder, as the user would type it."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def new_shell_path(timeout: float = 15.0) -> list[str] | None:
    """The PATH an interactive login shell of the user's (``$SHELL``) starts with, from their
    start-up files alone; None where none could be started."""
    shell = os.environ.get("SHELL") or "/bin/sh"
    env = {key: os.environ[key] for key in ("HOME", "USER", "LOGNAME", "SHELL", "LANG") if key in os.environ}
    env["TERM"] = "dumb"
    try:
        proc = subprocess.run([shell, "-l", "-i", "-c", f'printf "\\n%s\\n" "{MARK}$PATH"'], env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = [line[len(MARK):] for line in proc.stdout.splitlines() if line.startswith(MARK)]
    if not lines:
        return None
    value = lines[-1].replace(" ", ":") if Path(shell).name == "fish" else lines[-1]  # fish joins its list with spaces
    return [part for part in value.split(":") if part]


def _same(a: str | Path, b: Path) -> bool:
    try:
        return Path(a).expanduser().resolve() == b.resolve()
    except OSError:
        return False


def profile_line(bin_dir: Path) -> str:
    """The command that puts ``bin_dir`` on the PATH of new shells, for the user's shell."""
    shell = Path(os.environ.get("SHELL") or "/bin/sh").name
    shown = _display(bin_dir).replace("~/", "$HOME/", 1)
    export = f'export PATH="{shown}:$PATH"'
    if shell == "fish":
        return f"fish_add_path {shlex.quote(str(bin_dir))}"
    if shell == "zsh":
        startup = "~/.zshenv"
    elif shell == "bash" and (Path.home() / ".bash_profile").exists():
        startup = "~/.bash_profile"
    else:
        startup = "~/.profile"
    return f"echo {shlex.quote(export)} >> {startup}"


@dataclass(frozen=True)
class Reach:
    """How the user reaches the installed command: ``how`` to type it in this shell, and the
    lines that tell them what to do where the bare name does not reach it."""

    how: str
    advice: list[str]


def reach(installed: Installed, new_path: list[str] | None) -> Reach:
    """``plvm-photos`` where this shell's PATH finds the link, else the link's absolute path, with
    the lines to run where this shell or a new one would not find it."""
    bin_dir = installed.link.parent
    found = shutil.which(COMMAND)
    here = found is not None and _same(found, installed.target)
    advice: list[str] = []
    in_new = new_path is not None and any(_same(part, bin_dir) for part in new_path)
    if found is not None and not here:
        advice.append(f"note: another {COMMAND} comes first on your PATH ({found}); "
                      f"this one is {_display(installed.link)}")
    elif not here:
        shown = _display(bin_dir).replace("~/", "$HOME/", 1)
        advice.append(f"{_display(bin_dir)} is not on this shell's PATH; to use {COMMAND} by its name here, run:")
        advice.append(f'  export PATH="{shown}:$PATH"')
    if new_path is None:
        advice.append(f"(could not start a new shell to check that it finds {COMMAND}; if it does not, run: "
                      f"{profile_line(bin_dir)})")
    elif not in_new:
        advice.append(f"new shells do not put {_display(bin_dir)} on the PATH; to make them, run once:")
        advice.append(f"  {profile_line(bin_dir)}")
    return Reach(COMMAND if here else shlex.quote(str(installed.link)), advice)
