"""One library in PostgreSQL shared by several machines, each with its own library folder (FAISS
caches, reference copies): what one commits the others see, writers take turns, one watcher.

Two ``Library`` objects with separate folders on one database stand for two machines. The cache
tests run on a shared SQLite file too: two processes on one machine meet the same problems.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time

import numpy as np
import pytest
from sqlalchemy import select

from plvm_photos.ask.answer import ask
from plvm_photos.db.models import File, Photo, Region
from plvm_photos.engines.base import Analysis
from plvm_photos.engines.base import Region as FoundRegion
from plvm_photos.engines.face.space import DESCRIPTOR_DIM, FACE_SPACE
from plvm_photos.engines.registry import open_engine
from plvm_photos.indexing.analysis import AnalysisJob, AnalysisResult
from plvm_photos.indexing.commit import commit_result
from plvm_photos.indexing.concepts import ConceptsCache
from plvm_photos.indexing.files import FileStat
from plvm_photos.library import Library
from plvm_photos.store import vector_index
from plvm_photos.watch.lock import (
    DatabaseWatchLock,
    WatcherRunning,
    WatchLock,
    watch_lock,
)
from tests.db.databases import fresh_database
from tests.watch.helpers import PLVM, REPO, variant


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
        return
    with fresh_database(request.getfixturevalue("postgres_url")) as url:
        yield url


def _caught_up(library: Library):
    with library.session() as s:
        return library.indexes.catch_up(s, FACE_SPACE, DESCRIPTOR_DIM)


def _face_regions(library: Library) -> dict[int, np.ndarray]:
    with library.session() as s:
        return {rid: np.frombuffer(v, dtype=np.float32) for rid, v in s.execute(select(Region.id, Region.vector)).all()}


@pytest.mark.postgres
def test_a_second_machine_adds_a_person_and_asks_about_what_the_first_scanned(tmp_path, pg_url, demo_set, demo_library_dir):
    refs, photos = demo_set
    with Library(tmp_path / "a", db_url=pg_url) as a, Library(tmp_path / "b", db_url=pg_url) as b:
        b.add_person("eileen", [refs["eileen"]])  # b's cache is loaded now, empty
        a.scan([photos], workers=1, progress=False)  # a decides eileen at each commit
        b.add_person("grace", [refs["grace"]])  # b's prefilter must see a's regions
        assert len(ask(b, "photos with <eileen> and <grace>").photos) == 2
        assert ask(b, "who is in grace-and-eileen.jpg").answer.endswith("<grace> (left) and <eileen> (right)")
        with Library(demo_library_dir) as alone:  # the same people and photos on one machine
            assert sorted(map(_verdict, b.verdicts())) == sorted(map(_verdict, alone.verdicts()))


def _verdict(v: dict) -> tuple:
    return v["path"], v["person"], v["present"], v["score"], v["box"] and tuple(v["box"])


def test_a_cache_catches_up_with_regions_another_machine_replaced(tmp_path, shared_url, demo_set):
    """Another machine analyses a photo again: its regions are deleted and new ones stored, as many
    as before. SQLite gives the new regions the deleted ids, so count and sum of ids stay equal."""
    refs, photos = demo_set
    with Library(tmp_path / "a", db_url=shared_url) as a, Library(tmp_path / "b", db_url=shared_url) as b:
        a.add_person("eileen", [refs["eileen"]])
        a.scan([photos], workers=1, progress=False)
        before = _caught_up(b)
        assert len(before) == len(_face_regions(a)) > 0

        with a.session() as s:  # the newest photo, whose regions have the highest ids
            photo_id = s.scalar(select(Region.photo_id).order_by(Region.id.desc()).limit(1))
            photo = s.get(Photo, photo_id)
            path = s.scalar(select(File.path).where(File.photo_id == photo_id))
            old = s.scalars(select(Region).where(Region.photo_id == photo_id).order_by(Region.id)).all()
            found = [FoundRegion(r.box, r.score, np.roll(np.frombuffer(r.vector, dtype=np.float32), 7), r.kind) for r in old]
            old_ids = [r.id for r in old]
        again = AnalysisResult(AnalysisJob(path, photo.sha256), Analysis(photo.width, photo.height, found), None, 0.0)
        engine = open_engine(a)
        commit_result(a, engine, ConceptsCache(engine), again, [FileStat.of(path)])
        now = _face_regions(a)
        new_ids = sorted(rid for rid in now if rid >= min(old_ids))  # the old ones were the highest
        if shared_url.startswith("sqlite"):
            assert new_ids == old_ids  # the case a (count, sum of ids) signature cannot see

        after = _caught_up(b)
        for rid in new_ids:
            nearest = after.nearest(now[rid], 1)[0]
            assert nearest.region_id == rid and nearest.distance < 1e-4
        assert len(after) == len(now)


def test_a_cache_adds_what_another_machine_added_without_rebuilding(tmp_path, shared_url, demo_set, sample_photos,
                                                                    monkeypatch):
    """Regions the other machine added, below regions this machine added itself since: read, not rebuilt."""
    refs, photos = demo_set
    with Library(tmp_path / "a", db_url=shared_url) as a, Library(tmp_path / "b", db_url=shared_url) as b:
        a.add_person("eileen", [refs["eileen"]])
        a.scan([photos / "2023-trip"], workers=1, progress=False)
        _caught_up(b)
        a.scan([photos / "2024-party"], workers=1, progress=False)
        mine = variant(sample_photos["astronaut"], tmp_path / "b-photos" / "mine.jpg", 1)
        assert b.scan([mine.parent], workers=1, progress=False).analysed == 1  # ids above a's new ones

        builds = []
        build = vector_index.VectorIndex.build.__func__
        monkeypatch.setattr(vector_index.VectorIndex, "build",
                            classmethod(lambda cls, *args, **kw: builds.append(1) or build(cls, *args, **kw)))
        index = _caught_up(b)
        regions = _face_regions(a)
        assert builds == [] and len(index) == len(regions)
        assert all(index.nearest(v, 1)[0].region_id == rid for rid, v in regions.items())


@pytest.mark.postgres
def test_writers_on_two_machines_take_turns(tmp_path, pg_url):
    with Library(tmp_path / "a", db_url=pg_url) as a, Library(tmp_path / "b", db_url=pg_url) as b:
        entered = threading.Event()

        def second_writer():
            with b.write_transaction():
                entered.set()

        with a.write_transaction():
            other = threading.Thread(target=second_writer)
            other.start()
            assert not entered.wait(1.0)  # b waits while a holds the write lock
        assert entered.wait(10)
        other.join(10)


@pytest.mark.postgres
def test_one_watcher_per_library_in_postgresql(tmp_path, pg_url):
    with Library(tmp_path / "a", db_url=pg_url) as a, Library(tmp_path / "b", db_url=pg_url) as b, \
            Library(tmp_path / "sqlite") as local:
        assert isinstance(watch_lock(local), WatchLock)
        first, second = watch_lock(a), watch_lock(b)
        assert isinstance(first, DatabaseWatchLock)
        with first:
            with pytest.raises(WatcherRunning) as refused:
                second.acquire()
            assert (refused.value.pid, refused.value.host) == (os.getpid(), socket.gethostname())
        with second:  # released: the other machine may watch now
            pass


@pytest.mark.postgres
def test_a_second_watch_on_the_same_database_is_refused_until_the_first_dies(tmp_path, pg_url, sample_photos):
    folder = tmp_path / "photos"
    variant(sample_photos["coffee"], folder / "coffee.jpg", 1)
    env = {**os.environ, "PLVM_DB": pg_url}
    first = subprocess.Popen([*PLVM, "--library", str(tmp_path / "a"), "watch", str(folder), "--json", "--rescan", "0"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=REPO, env=env)
    try:
        started = json.loads(first.stdout.readline())
        assert started["event"] == "started"
        second = subprocess.run([*PLVM, "--library", str(tmp_path / "b"), "watch", str(folder)],
                                capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
        assert second.returncode != 0
        assert "already running" in second.stderr and f"pid {first.pid} on {socket.gethostname()}" in second.stderr
        os.kill(first.pid, signal.SIGKILL)  # the server drops the lock with the connection
        first.wait(10)
        with Library(tmp_path / "b", db_url=pg_url) as b:
            lock = watch_lock(b)
            deadline = time.monotonic() + 10
            while True:
                try:
                    lock.acquire()
                    break
                except WatcherRunning:
                    assert time.monotonic() < deadline
                    time.sleep(0.2)
            lock.release()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(10)
        first.stdout.close()
