"""Every command of ``plvm-photos``, run in one process against one library (or ``--db`` URL), as
the installed program runs it (``plvm_photos.launcher.main``): what each exits with and says, and
the traceback if one escaped. ``python -m tests.cli.every_command JSON`` runs them from a child
process (a mount namespace, another user) and prints the results as JSON.

Left out: ``serve`` and ``watch`` run until stopped, ``eval`` builds a library of its own.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import traceback

COMMANDS: list[list[str]] = [
    ["people"], ["people", "--json"], ["person", "obama"], ["person", "obama", "--json"], ["hidden"], ["verdicts"], ["suggestions"], ["status"],
    ["config"], ["config", "engine"], ["faces", "--unknown"], ["faces", "#1"],
    ["ask", "who is in #1?"], ["ask", "photos of <obama>", "--json"], ["undo", "--list"],
    ["add-person", "zed", "{ref}"], ["add-reference", "obama", "{ref}"], ["rename-person", "bea", "beatrix"],
    ["hide", "obama"], ["unhide", "obama"], ["name", "joe", "#5", "--face", "1"],
    ["draw", "#1", "zed", "--box", "10,10,60,60"], ["merge", "obama", "marissa"],
    ["set-reference", "obama", "#1", "--face", "1"], ["faces", "#3", "--not", "obama", "--face", "1"],
    ["ignore", "#2", "--face", "1"], ["undo"], ["redo"], ["remove-person", "marissa"], ["scan", "{photos}", "-q"], ["import-xmp", "{photos}"],
    ["export-xmp", "--into", "{out}/xmp"], ["sheet", "obama", "-o", "{out}/sheet.png"],
    ["config", "plvm.threshold", "0.6"], ["db", "upgrade"],
]


def run(argv: list[str]) -> dict:
    """One command through the program's entry point: exit code, stdout, stderr, traceback."""
    from plvm_photos.launcher import main

    out, err = io.StringIO(), io.StringIO()
    code, escaped = 0, None
    saved = sys.argv
    sys.argv = ["plvm-photos", *argv]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:  # noqa: BLE001 - what a user would have seen as a traceback
        code, escaped = 1, traceback.format_exc()
    finally:
        sys.argv = saved
    return {"argv": argv, "code": code, "stdout": out.getvalue(), "stderr": err.getvalue(), "traceback": escaped}


def run_all(prefix: list[str], places: dict[str, str]) -> list[dict]:
    return [run([*prefix, *(a.format(**places) for a in args)]) for args in COMMANDS]


def problems(results: list[dict]) -> list[str]:
    """What breaks the rule: every command works, or fails with one line ``error: ...`` (exit 2;
    3 for a refused question) and no traceback."""
    found = []
    for r in results:
        lines = [line for line in r["stderr"].splitlines() if line.strip()]
        if r["traceback"] or "Traceback" in r["stderr"]:
            found.append(f"{r['argv']}: traceback\n{r['traceback'] or r['stderr']}")
        elif r["code"] != 0 and (r["code"] not in (2, 3) or len(lines) != 1 or not lines[0].startswith("error: ")):
            found.append(f"{r['argv']}: exit {r['code']}, stderr {r['stderr']!r}")
    return found


if __name__ == "__main__":
    spec = json.loads(sys.argv[1])
    print(json.dumps(run_all(spec["prefix"], spec["places"])))
