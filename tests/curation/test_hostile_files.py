"""Curation given files that are not photos: a FIFO or a device never hangs a command, and the
message says what the file is (not "not found")."""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from plvm_photos.curation.confirm import describe_drawn
from plvm_photos.engines.registry import open_engine
from plvm_photos.errors import LibraryError
from tests.curation.small_library import run_cli


def _unblock(fifo) -> None:
    with contextlib.suppress(OSError):
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_a_fifo_or_a_device_as_a_reference_photo_says_what_it_is(small_lib, tmp_path, kind):
    lib, root, _ = small_lib
    path = "/dev/zero" if kind == "/dev/zero" else str(tmp_path / "ref.jpg")
    if kind == "fifo":
        os.mkfifo(path)
    lib.close()
    with ThreadPoolExecutor(1) as pool:
        try:
            done = pool.submit(run_cli, ["-L", str(root), "add-person", "zed", path]).result(timeout=20)
        finally:
            _unblock(path)
    assert isinstance(done.exception, LibraryError)
    assert str(done.exception) == (f"{path} is not a regular file (a FIFO, socket or device); "
                                   "give a reference photo (an image file)")


def test_drawing_a_face_on_a_photo_replaced_by_a_fifo_is_refused_at_once(small_lib, tmp_path):
    """``draw "#N" ...`` on a photo whose file became a FIFO once hung for good."""
    lib, _, _ = small_lib
    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)
    with ThreadPoolExecutor(1) as pool:
        try:
            future = pool.submit(describe_drawn, open_engine(lib), str(fifo), "0" * 64, [(10, 10, 60, 60)])
            with pytest.raises(LibraryError, match="is not a regular file any more"):
                future.result(timeout=20)
        finally:
            _unblock(fifo)
