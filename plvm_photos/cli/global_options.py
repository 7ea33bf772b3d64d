"""The program's global options (``--library``/``-L``, ``--db``, ``--engine``) accepted after the
command too: ``plvm-photos ask "where is <x>?" --library DIR`` is ``plvm-photos --library DIR ask
"where is <x>?"``.

Click reads a group's options only before the command's name. The command line is rewritten
instead: a global option written after the command, where that command has no option of the same
name (``eval --engine`` is eval's own), is moved in front of the command, with its value. Imports
nothing, so the launcher's fast ``ask`` path uses the same rewriting as the typer program.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

# Every global option takes a value; the long name of each alias.
GLOBAL_OPTIONS = {"--library": "--library", "-L": "--library", "--db": "--db", "--engine": "--engine"}


def _global_name(token: str) -> str | None:
    """The global option ``token`` spells (``--db``, ``--db=URL``, ``-L``), else None."""
    name = token.split("=", 1)[0] if token.startswith("--") else token
    return name if name in GLOBAL_OPTIONS else None


def hoist_global_options(argv: list[str], own_options: Callable[[list[str]], Collection[str]]) -> list[str]:
    """``argv`` (without the program's name) with the global options written after the command
    moved in front of it. ``own_options(words)`` names the options of the command that ``words``
    (the command line from the command's name on) runs: those are the command's, never moved."""
    i = 0
    while i < len(argv) and argv[i].startswith("-"):  # options before the command
        i += 2 if argv[i] in GLOBAL_OPTIONS else 1
    if i >= len(argv):
        return list(argv)
    head, rest = list(argv[:i]), argv[i:]
    own = set(own_options(rest))
    moved: list[str] = []
    kept: list[str] = []
    j = 0
    while j < len(rest):
        token = rest[j]
        if token == "--":  # what follows is arguments, whatever it looks like
            kept.extend(rest[j:])
            break
        name = _global_name(token)
        if name is None or name in own:
            kept.append(token)
            j += 1
        elif "=" in token:
            moved.append(token)
            j += 1
        elif j + 1 < len(rest):
            moved.extend(rest[j : j + 2])
            j += 2
        else:  # no value: left where it is, for the command to report
            kept.append(token)
            j += 1
    return head + moved + kept
