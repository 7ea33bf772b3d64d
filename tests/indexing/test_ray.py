"""Analysis on a Ray cluster (``scan --ray``): a real two-CPU cluster on loopback, started once.

It stores exactly what a local scan stores; a worker killed mid-scan loses nothing; a photo that
kills workers is recorded as failed, as locally; and nothing of Ray loads without ``--ray``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from plvm_photos.engines.registry import open_engine
from plvm_photos.errors import LibraryError
from plvm_photos.indexing.files import known_files
from plvm_photos.indexing.indexer import WORKER_DIED, Indexer
from plvm_photos.indexing.ray_cluster import check_address, connect
from plvm_photos.library import Library
from tests.conftest import TEST_DATA
from tests.db.databases import fresh_database
from tests.indexing.contents import stored
from tests.indexing.test_workers import CrashingEngine, _poison
from tests.watch.helpers import PLVM, REPO, Watcher, variant

# Photos of the shared library with EXIF dates and several faces, beside the demo set's.
SHARED = ["barack_obama/test/facerec__obama.jpg", "_group/test/facenetpt__multiface.jpg"]


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _session_processes(sid: int) -> dict[int, str]:
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                cmdline = Path(f"/proc/{entry}/cmdline").read_text(errors="replace").replace("\0", " ")
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":
                found[int(entry)] = cmdline
    return found


class Cluster:
    def __init__(self, head: subprocess.Popen, address: str):
        self.head, self.address = head, address

    def actor_pids(self) -> list[int]:
        return [pid for pid, cmd in _session_processes(self.head.pid).items() if cmd.startswith("ray::AnalysisActor")]


@pytest.fixture(scope="session")
def ray_cluster():
    """``ray start --head`` on 127.0.0.1 with 2 CPUs and ports of its own; stopped at the end."""
    if importlib.util.find_spec("ray") is None:
        pytest.skip("Ray is not installed (pip install 'plvm-photos[ray]')")
    assert "ray" not in sys.modules, "Ray reads its authentication settings once, when imported: set them first"
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # short: Ray's socket paths must fit in 107 bytes
    gcs, client, node, objects, agent_grpc, agent_http, env_agent, metrics = _free_ports(8)
    log_path = Path(temp) / "head.log"
    # Token authentication with a token of this session (Ray would otherwise read or write ~/.ray/auth_token);
    # the drivers, in this process and the CLI's, read the same variables.
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32), "RAY_USAGE_STATS_ENABLED": "0"}
    saved = {key: os.environ.get(key) for key in auth}
    os.environ.update(auth)
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # workers import the tests' analyzers
    with open(log_path, "w") as log:
        head = subprocess.Popen(
            [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block", "--node-ip-address", "127.0.0.1",
             "--port", str(gcs), "--ray-client-server-port", str(client), "--node-manager-port", str(node),
             "--object-manager-port", str(objects), "--dashboard-agent-grpc-port", str(agent_grpc),
             "--dashboard-agent-listen-port", str(agent_http), "--runtime-env-agent-port", str(env_agent),
             "--metrics-export-port", str(metrics), "--num-cpus", "2", "--object-store-memory", str(200 << 20),
             "--include-dashboard", "false", "--disable-usage-stats", "--temp-dir", temp],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while "block forever" not in log_path.read_text(errors="replace"):
            assert head.poll() is None and time.monotonic() < deadline, log_path.read_text(errors="replace")[-3000:]
            time.sleep(0.2)
        yield Cluster(head, f"127.0.0.1:{gcs}")
    finally:
        head.send_signal(signal.SIGTERM)  # the head stops its own processes
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
        for pid in _session_processes(head.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(temp, ignore_errors=True)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def mixed_photos(tmp_path_factory, demo_set) -> Path:
    """The demo set (a text file named .jpg among them) and four shared photos with EXIF dates."""
    folder = tmp_path_factory.mktemp("mixed")
    shutil.copytree(demo_set[1], folder / "demo")
    if (TEST_DATA / "library").is_dir():
        for rel in SHARED:
            (folder / "shared").mkdir(exist_ok=True)
            (folder / "shared" / rel.replace("/", "__")).symlink_to(TEST_DATA / "library" / rel)
    return folder


def _register(library: Library, demo_set) -> None:
    for name, ref in demo_set[0].items():
        library.add_person(name, [ref])


def test_scan_on_ray_into_postgresql_stores_exactly_what_a_local_scan_stores(tmp_path, ray_cluster, demo_set,
                                                                               mixed_photos, postgres_url):
    with fresh_database(postgres_url) as url:
        with Library(tmp_path / "lib", db_url=url) as library:
            _register(library, demo_set)
        done = subprocess.run([*PLVM, "--library", str(tmp_path / "lib"), "--db", url, "scan", str(mixed_photos),
                               "--ray", ray_cluster.address, "--json"], capture_output=True, text=True, cwd=REPO, timeout=300)
        assert done.returncode == 0, done.stderr
        by_ray = json.loads(done.stdout)
        with Library(tmp_path / "local") as local, Library(tmp_path / "lib", db_url=url) as library:
            _register(local, demo_set)
            by_pool = local.scan([mixed_photos], workers=2, progress=False).as_dict()
            assert by_ray | {"seconds": 0} == by_pool | {"seconds": 0}
            assert by_ray["analysed"] >= 5 and by_ray["errors"] == 1 and by_ray["faces"] >= 6
            got = stored(library)
            assert got == stored(local)
        if (mixed_photos / "shared").is_dir():  # their EXIF dates were read beside the files, not by the workers
            assert sum(v["facts"][1] == "exif" for v in got.values() if "facts" in v) == len(SHARED)


def test_scan_with_a_local_ray_started_and_stopped_by_the_scan(tmp_path, demo_set):
    if importlib.util.find_spec("ray") is None:
        pytest.skip("Ray is not installed (pip install 'plvm-photos[ray]')")
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    env.update(HOME=str(tmp_path / "home"), RAY_TMPDIR=temp)
    try:
        done = subprocess.run([*PLVM, "--library", str(tmp_path / "lib"), "scan", str(demo_set[1]), "--ray", "local",
                               "--workers", "1", "--json"], capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        assert (json.loads(done.stdout)["analysed"], json.loads(done.stdout)["errors"]) == (5, 1)
        assert not (tmp_path / "home" / ".ray").exists()  # its token was its own, not one left in ~/.ray
        assert not [cmd for cmd in _session_processes_all() if temp in cmd]  # Ray stopped with the scan
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _session_processes_all() -> list[str]:
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            found.append((entry / "cmdline").read_text(errors="replace").replace("\0", " "))
        except OSError:
            pass
    return found


def _index(library: Library, engine, folder: Path, address: str, during=None) -> tuple[dict[str, str], int]:
    """Offer every file of ``folder`` to an indexer on Ray; (name -> outcome or error, worker deaths)."""
    indexer = Indexer(library, engine, 2, ray=address)
    indexer.start()
    outcomes = []
    paths = sorted(str(p) for p in folder.iterdir())
    with library.session() as s:
        known = known_files(s, paths)
    try:
        for path in paths:
            while not indexer.has_room():
                outcomes += indexer.collect(timeout=None)
            outcome = indexer.offer(path, known.get(path))
            outcomes += [outcome] if outcome else []
            if during is not None:
                during()
        outcomes += indexer.drain()
    finally:
        indexer.stop()
    return {Path(o.path).name: o.kind if o.kind != "error" else o.error for o in outcomes}, indexer.worker_crashes


def test_a_ray_worker_killed_mid_scan_loses_nothing(tmp_path, ray_cluster, sample_photos):
    folder = tmp_path / "photos"
    for k in range(10):
        variant(sample_photos[("astronaut", "hopper", "coffee")[k % 3]], folder / f"p{k:03d}.jpg", k)
    killed: list[int] = []

    def kill_one_worker_once_it_works():
        pids = ray_cluster.actor_pids()
        if not killed and len(pids) == 2:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    with Library(tmp_path / "lib") as library:
        outcomes, deaths = _index(library, open_engine(library), folder, ray_cluster.address, kill_one_worker_once_it_works)
        assert killed and deaths >= 1
        assert outcomes == {f"p{k:03d}.jpg": "analysed" for k in range(10)}
        assert len(stored(library)) == 10


def test_a_photo_that_kills_ray_workers_is_recorded_as_failed(tmp_path, ray_cluster, sample_photos, capsys):
    folder = tmp_path / "photos"
    for k in range(3):
        variant(sample_photos[("astronaut", "hopper", "coffee")[k]], folder / f"p{k:03d}.jpg", k)
    _poison(folder / "poison.png", sample_photos)
    with Library(tmp_path / "lib") as library:
        outcomes, deaths = _index(library, CrashingEngine(), folder, ray_cluster.address)
    assert outcomes == {"p000.jpg": "analysed", "p001.jpg": "analysed", "p002.jpg": "analysed", "poison.png": WORKER_DIED}
    assert deaths == 2  # alone once more after the first death, then recorded (later scans skip it: test_workers)
    assert capsys.readouterr().out == ""  # Ray's reports of the deaths stay off stdout (--json goes there)


class _NeedsAGpu:
    in_process = False
    max_side = 512
    num_gpus = 1

    def warm_up(self) -> None:
        pass


def test_an_analyzer_that_needs_a_gpu_gets_gpu_workers_only(ray_cluster):
    from plvm_photos.indexing.ray_pool import RayPool, default_workers

    assert default_workers(_NeedsAGpu(), cpus=64, gpus=4) == 4
    assert default_workers(_NeedsAGpu(), cpus=64, gpus=0) == 0
    with pytest.raises(LibraryError, match="has no GPU"):
        RayPool(_NeedsAGpu(), None, ray_cluster.address)  # the test cluster has CPUs only


def test_ray_addresses_are_checked_before_anything_starts(tmp_path):
    for good in ("local", "auto", "ray://head:10001", "10.0.0.5:6379", "head.lan:6379"):
        assert check_address(good) == good
    for bad in ("", "head", "http://head:8265", "ray://"):
        with pytest.raises(LibraryError, match="give 'local', 'auto'"):
            check_address(bad)
    closed = _free_ports(1)[0]
    started = time.monotonic()
    with pytest.raises(LibraryError, match=f"nothing answers on 127.0.0.1:{closed}"):
        connect(f"127.0.0.1:{closed}")  # Ray itself would retry for minutes
    assert time.monotonic() - started < 10


def test_a_scan_without_ray_does_not_import_it(tmp_path, sample_photos):
    code = (
        "import sys\n"
        "from plvm_photos.library import Library\n"
        f"with Library({str(tmp_path / 'lib')!r}) as lib:\n"
        f"    assert lib.scan([{str(sample_photos['coffee'])!r}], workers=1, progress=False).analysed == 1\n"
        "print(sorted(m for m in sys.modules if m == 'ray' or m.startswith(('ray.', 'plvm_photos.indexing.ray'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_watch_on_ray(tmp_path, ray_cluster, sample_photos):
    folder = tmp_path / "photos"
    variant(sample_photos["hopper"], folder / "before.jpg", 1)
    watcher = Watcher(tmp_path / "lib", [folder], extra=("--ray", ray_cluster.address))
    try:
        watcher.wait_for(lambda: watcher.of("analysed"), 120, "the photo there before the watcher")
        variant(sample_photos["astronaut"], folder / "after.jpg", 2)
        watcher.wait_for(lambda: len(watcher.of("analysed")) == 2, 120, "a photo added while it watches")
    finally:
        code = watcher.stop()
    assert code == 0 and "Traceback" not in watcher.stderr, watcher.stderr[-3000:]
    assert {Path(e["path"]).name: e["faces"] for e in watcher.of("analysed")} == {"before.jpg": 1, "after.jpg": 1}
