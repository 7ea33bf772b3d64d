"""The settle stage: a file is handed on only after its size and mtime stop changing."""

from __future__ import annotations

import os

from plvm_photos.watch.settle import Observed, Settler, observe


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_file_being_written_waits_until_quiet():
    clock = FakeClock()
    files = {"/p/a.jpg": Observed("/p/a.jpg", "file", 10, int(clock.now * 1e9))}
    settler = Settler(1.0, clock=clock, wall=clock, observe_fn=lambda p: files[p])
    settler.touch("/p/a.jpg")
    assert settler.ready(10) == []
    clock.now += 0.6
    files["/p/a.jpg"] = Observed("/p/a.jpg", "file", 20, int(clock.now * 1e9))  # still growing
    assert settler.ready(10) == []
    clock.now += 0.6
    assert settler.ready(10) == []  # only 0.6 s quiet since the last change
    clock.now += 0.5
    ready = settler.ready(10)
    assert [o.size for o in ready] == [20]
    assert len(settler) == 0


def test_old_file_is_ready_at_first_sight_and_limit_is_respected():
    clock = FakeClock()
    old = int((clock.now - 3600) * 1e9)
    settler = Settler(1.0, clock=clock, wall=clock, observe_fn=lambda p: Observed(p, "file", 5, old))
    for i in range(5):
        settler.touch(f"/p/{i}.jpg")
    assert len(settler.ready(3)) == 3
    assert len(settler.ready(3)) == 2


def test_future_mtime_falls_back_to_watching():
    clock = FakeClock()
    future = int((clock.now + 3600) * 1e9)
    settler = Settler(1.0, clock=clock, wall=clock, observe_fn=lambda p: Observed(p, "file", 5, future))
    settler.touch("/p/a.jpg")
    assert settler.ready(10) == []
    clock.now += 1.1
    assert len(settler.ready(10)) == 1


def test_discard_and_retouch():
    clock = FakeClock()
    old = int((clock.now - 3600) * 1e9)
    settler = Settler(1.0, clock=clock, wall=clock, observe_fn=lambda p: Observed(p, "file", 5, old))
    settler.touch("/p/a.jpg", delay=2.0)
    assert settler.ready(10) == [] and settler.next_due() == clock.now + 2.0
    settler.discard("/p/a.jpg")
    assert settler.next_due() is None and len(settler) == 0


def test_observe_kinds(tmp_path):
    (tmp_path / "f.jpg").write_bytes(b"x")
    (tmp_path / "d.jpg").mkdir()
    os.mkfifo(tmp_path / "fifo.jpg")
    os.symlink(tmp_path / "loop.jpg", tmp_path / "loop.jpg")
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling.jpg")
    kinds = {name: observe(str(tmp_path / name)).kind for name in ("f.jpg", "d.jpg", "fifo.jpg", "loop.jpg", "dangling.jpg", "gone.jpg")}
    assert kinds == {"f.jpg": "file", "d.jpg": "dir", "fifo.jpg": "other", "loop.jpg": "error", "dangling.jpg": "error", "gone.jpg": "gone"}


def test_closed_file_settles_sooner_until_touched_again():
    clock = FakeClock()
    files = {"/p/a.jpg": Observed("/p/a.jpg", "file", 10, int(clock.now * 1e9))}
    settler = Settler(1.0, clock=clock, wall=clock, observe_fn=lambda p: files[p])
    settler.touch("/p/a.jpg", settle=0.25)  # its writer closed it
    assert settler.ready(10) == []
    clock.now += 0.3
    assert len(settler.ready(10)) == 1
    settler.touch("/p/a.jpg", settle=0.25)
    settler.touch("/p/a.jpg")  # written again: the full settle time applies
    assert settler.ready(10) == []
    clock.now += 0.3
    assert settler.ready(10) == []
    clock.now += 0.8
    assert len(settler.ready(10)) == 1
