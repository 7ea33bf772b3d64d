"""Shared fixtures: where the real photos are, and one indexed library reused by many tests.

The photos in ../shared/data are found through PLVM_TEST_DATA (default: ../shared/data beside
the repository); tests that need them skip with a clear reason where they are absent.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TEST_DATA = Path(os.environ.get("PLVM_TEST_DATA", REPO.parent / "shared" / "data"))
# The people-pose stage ([pose] extra, ~0.1 CPU s a face) runs only where a test turns it on
# (``face.pose on``: tests/engines/face/test_people_pose.py): libraries left at auto, in this
# process and the ones it starts, skip it. PLVM_FACE_POSE=auto runs every scan with it.
os.environ.setdefault("PLVM_FACE_POSE", "off")


@pytest.fixture(scope="session", autouse=True)
def place_index(tmp_path_factory) -> Path:
    """The offline place index, built once for the session in its own folder (not the user's
    cache), before any test or process it starts looks a place up (they inherit the folder)."""
    from plvm_photos.places.build_index import build

    folder = tmp_path_factory.mktemp("places")
    os.environ["PLVM_PLACES_DIR"] = str(folder)
    build(folder)
    return folder


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"test photos not found at {path} (set PLVM_TEST_DATA to the shared data folder)")
    return path


@pytest.fixture(scope="session")
def library_data() -> Path:
    """../shared/data/library: 19 references, 108 test photos and manifest.json."""
    return _need(TEST_DATA / "library")


@pytest.fixture(scope="session")
def bench_data() -> Path:
    """../shared/data/plvm-bench: the PLVM paper's test-set format."""
    return _need(TEST_DATA / "plvm-bench")


@pytest.fixture(scope="session")
def manifest(library_data) -> dict:
    return json.loads((library_data / "manifest.json").read_text())


@pytest.fixture(scope="session")
def indexed_library_dir(tmp_path_factory, library_data, manifest) -> Path:
    """A library with all 19 identities registered and ../shared/data/library scanned, built once.

    Tests must not modify it: copy it with ``copy_library`` first if they need to write.
    """
    from plvm_photos.evaluation.manifest import register_all
    from plvm_photos.library import Library

    root = tmp_path_factory.mktemp("indexed-library")
    with Library(root) as library:
        register_all(library, library_data, manifest)
        library.scan([library_data], progress=False)
    return root


@pytest.fixture(scope="session")
def ask_library_dir(tmp_path_factory, library_data, manifest) -> Path:
    """Six people and 16 photos of the shared library with EXIF dates and GPS positions written
    by the tests (``tests/ask/photo_library.py``), built once. Copy it before writing."""
    from tests.ask import photo_library

    root = tmp_path_factory.mktemp("ask-library")
    photo_library.build(root, library_data, manifest)
    return root / "lib"


@pytest.fixture
def copy_library(tmp_path):
    """Copy a library folder (SQLite, index, references) to a fresh temp folder for writing."""

    def copy(source: Path) -> Path:
        target = tmp_path / "library-copy"
        shutil.copytree(source, target)
        return target

    return copy


@pytest.fixture(scope="session")
def sample_photos(tmp_path_factory) -> dict[str, Path]:
    """Small public-domain photos that installed packages ship (no ../shared needed).

    astronaut: Eileen Collins (scikit-image, NASA, public domain); hopper: Grace Hopper
    (matplotlib sample data); coffee: a cup, no face (scikit-image, CC0).
    """
    from plvm_photos.demo.photos import sample_images

    return sample_images(tmp_path_factory.mktemp("samples"))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class PostgresServer:
    url: str
    data: Path | None  # the throwaway server's data folder; None for PLVM_TEST_PG_URL's server


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server on loopback: PLVM_TEST_PG_URL, else a throwaway cluster started here.

    Its data folder is a temporary folder of its own, not under pytest's base temp folder: another
    pytest session on the machine may empty that (a --basetemp given again, or pytest pruning old
    ones), which stopped the server under the tests ("Connection refused"). Skips (with the
    reason) only where no server can be started: no PostgreSQL binaries.
    """
    import glob
    import subprocess
    import tempfile

    if url := os.environ.get("PLVM_TEST_PG_URL"):
        yield PostgresServer(url, None)
        return
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        pytest.skip("no PostgreSQL server binaries (apt-get install postgresql) and PLVM_TEST_PG_URL unset")
    bindir = Path(bins[-1]).parent
    data = Path(tempfile.mkdtemp(prefix="plvm-test-postgres-"))
    port = _free_port()
    run_as: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(data, "postgres", "postgres")
        for parent in data.parents:
            if str(parent).startswith(tempfile.gettempdir()):
                os.chmod(parent, os.stat(parent).st_mode | 0o711)
        run_as = ["runuser", "-u", "postgres", "--"]
    try:
        subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "plvm"], check=True,
                       capture_output=True)
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-w",
             "-o", f"-h 127.0.0.1 -p {port} -k {data}", "start"],
            check=True, capture_output=True,
        )
        try:
            subprocess.run([*run_as, str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "plvm", "photos"],
                           check=True, capture_output=True)
            yield PostgresServer(f"postgresql+psycopg://plvm@127.0.0.1:{port}/photos", data)
        finally:
            subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True)
    finally:
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_server) -> str:
    """The URL of a database on the tests' PostgreSQL server (shared by the session)."""
    return postgres_server.url


@pytest.fixture
def pg_url(postgres_url):
    """A fresh, empty database on the tests' PostgreSQL server for one test, dropped afterwards."""
    from tests.db.databases import fresh_database

    with fresh_database(postgres_url) as url:
        yield url


@pytest.fixture(scope="session")
def demo_set(tmp_path_factory) -> tuple[dict[str, Path], Path]:
    """References of <eileen> and <grace> and a small photo folder built from packaged pictures."""
    from plvm_photos.demo.photos import build_demo_set

    return build_demo_set(tmp_path_factory.mktemp("demo-set"))


@pytest.fixture(scope="session")
def demo_library_dir(tmp_path_factory, demo_set) -> Path:
    """The demo set registered and scanned once; copy it with ``copy_library`` before writing."""
    from plvm_photos.library import Library

    refs, photos = demo_set
    root = tmp_path_factory.mktemp("demo-library")
    with Library(root) as library:
        for name, ref in refs.items():
            library.add_person(name, [ref])
        library.scan([photos], workers=1, progress=False)
    return root
