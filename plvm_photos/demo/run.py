"""``make demo``: register people, scan a folder of photos, answer questions, on the face engine.

With ../shared/data/library present (or PLVM_DEMO_DATA pointing at such a folder) it uses that
set of 19 people and 108 photos; elsewhere it builds demo photos from public-domain pictures
that installed packages ship (see demo_photos.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


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
    parser.add_argument("--out", type=Path, default=REPO / "demo-library", help="where the demo library goes")
    args = parser.parse_args()
    library = args.out
    if library.exists():
        shutil.rmtree(library)
    _start_analysis_server()
    data = _shared_library()
    if data is not None:
        manifest = json.loads((data / "manifest.json").read_text())
        print(f"demo on {data} ({len(manifest['identities'])} people, {len(manifest['images'])} photos)")
        for identity, info in manifest["identities"].items():
            _run(["add-person", f"<{identity}>", str(data / info["ref"])], library)
        photos = data
        questions = [
            "where is <barack_obama>?",
            "photos with <barack_obama> and <joe_biden>",
            "photos with <kit_harington> but not <rose_leslie>",
            "how many photos of <angelina_jolie>?",
            f"who is in {data / '_group/test/facerec__test_obama_and_biden.jpg'}?",
            "photos where <kit_harington> and <rose_leslie> are talking",
        ]
    else:
        from plvm_photos.demo.photos import build_demo_set

        folder = REPO / "demo-photos"
        if folder.exists():
            shutil.rmtree(folder)
        refs, photos = build_demo_set(folder)
        print(f"../shared/data not found: demo photos built in {folder} from packaged public-domain pictures")
        for name, ref in refs.items():
            _run(["add-person", f"<{name}>", str(ref)], library)
        questions = [
            "where is <eileen>?",
            "photos with <eileen> and <grace>",
            "photos with <grace> but not <eileen>",
            "how many photos of <grace>?",
            "who is in grace-and-eileen.jpg?",
            "photos where <eileen> and <grace> are talking",
        ]
    _run(["scan", str(photos)], library)
    _run(["people"], library)
    for question in questions:
        _run(["ask", question], library)
    print(f"\nthe demo library is in {library}; ask it yourself:\n  {_command()} --library {shlex.quote(str(library))} "
          f"ask {shlex.quote(questions[0])}")


def _start_analysis_server() -> None:
    """The scan's workers (one per core) are forked from a server that loads the face models;
    started now, it does so on another core while the people are registered."""
    from plvm_photos.engines.face.engine import FaceAnalyzer
    from plvm_photos.indexing.pool import start_fork_server

    start_fork_server(FaceAnalyzer(), os.cpu_count() or 1)


def _command() -> str:
    """How to run plvm-photos from here: the virtual environment's script (not on the PATH)."""
    script = Path(sys.executable).parent / "plvm-photos"
    if not script.exists():
        return f"{shlex.quote(sys.executable)} -m plvm_photos"
    try:
        return shlex.quote(str(script.relative_to(Path.cwd())))
    except ValueError:
        return shlex.quote(str(script))


if __name__ == "__main__":
    main()
