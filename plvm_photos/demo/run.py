"""``make demo``: register people, scan a folder of photos, answer questions, on the face engine.

Everything goes into one folder (``~/plvm-photos-demo``: ``library/``, and ``photos/`` and
``references/`` built from the public-domain pictures in ``pictures/``), so that the README's
commands name it from any folder. With ../shared/data/library present (or PLVM_DEMO_DATA pointing
at such a folder) its 19 people and 108 photos are added. ``--install-command DIR`` first links
the ``plvm-photos`` command into DIR (the Makefile's ``~/.local/bin``, see ``demo.command``).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
from pathlib import Path

from plvm_photos.demo.command import Installed, install_link, new_shell_path, reach

REPO = Path(__file__).resolve().parents[2]
DEMO_FOLDER = "plvm-photos-demo"  # in the home folder


def _run(args: list[str], library: Path) -> None:
    """Run one ``plvm-photos`` command line in this process (one interpreter start for the whole
    demo instead of one per command), printed as the user would type it."""
    import typer

    from plvm_photos.cli.app import app, register_command_modules, state
    from plvm_photos.errors import LibraryError, error_line

    shown = "plvm-photos --library " + shlex.quote(str(library)) + " " + " ".join(shlex.quote(a) for a in args)
    print(f"\n$ {shown}", flush=True)
    register_command_modules()
    try:
        app(["--library", str(library), *args], prog_name="plvm-photos", standalone_mode=False)
    except typer.Exit:
        pass
    except (LibraryError, ValueError) as exc:
        print(error_line(exc), file=sys.stderr)
    finally:
        state.close()
        sys.stdout.flush()


def _shared_library() -> Path | None:
    candidate = Path(os.environ.get("PLVM_DEMO_DATA", REPO.parent / "shared" / "data" / "library"))
    return candidate if (candidate / "manifest.json").exists() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help=f"the demo's folder (default: ~/{DEMO_FOLDER})")
    parser.add_argument("--install-command", type=Path, metavar="DIR",
                        help="first link the plvm-photos command into DIR (make demo: ~/.local/bin)")
    args = parser.parse_args()
    installed = _install_command(args.install_command) if args.install_command else None
    out = (args.out or Path.home() / DEMO_FOLDER).expanduser().absolute()
    library = out / "library"
    for made in (library, out / "photos", out / "references"):  # what an earlier run made; nothing else
        if made.exists():
            shutil.rmtree(made)
    _start_analysis_server()
    from plvm_photos.demo.photos import build_demo_set

    refs, photos = build_demo_set(out)
    print(f"demo photos built in {photos} from public-domain pictures")
    for name, ref in refs.items():
        _run(["add-person", f"<{name}>", str(ref)], library)
    folders = [photos]
    questions = [
        "where is <grace>?",
        "photos with <eileen> and <grace>",
        "photos with <grace> but not <eileen>",
        "how many photos of <eileen>?",
        "who is in grace-and-eileen.jpg?",
        "photos where <eileen> and <grace> are talking",
    ]
    data = _shared_library()
    if data is not None:
        manifest = json.loads((data / "manifest.json").read_text())
        print(f"and the photos of {data} ({len(manifest['identities'])} people, {len(manifest['images'])} photos)")
        for identity, info in manifest["identities"].items():
            _run(["add-person", f"<{identity}>", str(data / info["ref"])], library)
        folders.append(data)
        questions += [
            "photos with <barack_obama> and <joe_biden>",
            "photos with <kit_harington> but not <rose_leslie>",
            f"who is in {data / '_group/test/facerec__test_obama_and_biden.jpg'}?",
            "photos where <kit_harington> and <rose_leslie> are talking",
        ]
    _run(["scan", *map(str, folders)], library)
    _run(["people"], library)
    for question in questions:
        _run(["ask", question], library)
    how = _how_to_run(installed)
    print(f"\nthe demo is in {out} (its library: {library}); ask it yourself, from any folder:")
    print(f"  {how} --library {shlex.quote(str(library))} ask {shlex.quote(questions[0])}")


def _script() -> Path:
    """This virtual environment's ``plvm-photos`` script (``sys.executable`` not resolved: a
    virtual environment's python is a link to the base interpreter)."""
    return Path(os.path.abspath(sys.executable)).parent / "plvm-photos"


def _install_command(bin_dir: Path) -> Installed | None:
    script = _script()
    if not script.exists():
        print(f"no {script}: plvm-photos is not installed in this environment, nothing linked", file=sys.stderr)
        return None
    try:
        installed = install_link(bin_dir.expanduser().absolute(), script)
    except OSError as exc:
        print(f"plvm-photos not linked: {exc}", file=sys.stderr)
        return None
    note = f" (it was {installed.replaced})" if installed.replaced else ""
    print(f"plvm-photos: {installed.link} -> {script}{note}; make uninstall removes it")
    return installed


def _how_to_run(installed: Installed | None) -> str:
    """How to type the command from any folder, after saying what to do where the PATH lacks it."""
    if installed is None:
        script = _script()
        return shlex.quote(str(script)) if script.exists() else f"{shlex.quote(sys.executable)} -m plvm_photos"
    found = reach(installed, new_shell_path())
    for line in found.advice:
        print(line)
    return found.how


def _start_analysis_server() -> None:
    """The scan's workers (one per core) are forked from a server that loads the face models;
    started now, it does so on another core while the people are registered."""
    from plvm_photos.engines.face.engine import FaceAnalyzer
    from plvm_photos.indexing.pool import start_fork_server

    start_fork_server(FaceAnalyzer(), os.cpu_count() or 1)


if __name__ == "__main__":
    main()
