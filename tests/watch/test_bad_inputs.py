"""A corpus of bad inputs dropped into a watched folder: each is logged and recorded with its
error, the watcher keeps running, and the good photos around them are analysed."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

from PIL import Image

from tests.watch.helpers import analysed, db_rows, file_row, variant


def _png_bomb(path: Path, side: int = 30_000) -> None:
    """A valid PNG header claiming side x side pixels, with a few bytes of data (a bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * (side // 8)
    raw = zlib.compress(row * 64, 9)
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def _broken_exif(source: Path, path: Path) -> None:
    """A JPEG whose APP1 Exif block is garbage (bad byte order mark, offsets past the end)."""
    data = source.read_bytes()
    body = b"Exif\x00\x00" + b"MM\x00\x2a\xff\xff\xff\xf0" + b"\x00\x07" + b"\xde\xad" * 20
    app1 = b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    path.write_bytes(data[:2] + app1 + data[2:])


def test_bad_input_corpus(tmp_path, sample_photos, watchers):
    library, photos = tmp_path / "lib", tmp_path / "photos"
    photos.mkdir()
    good_before = variant(sample_photos["astronaut"], photos / "good-before.jpg", 1)
    w = watchers(library, [photos])
    w.wait_for(lambda: analysed(library, good_before), what="the first good photo")

    bad: dict[str, Path] = {}
    bad["zero-byte"] = photos / "zero.jpg"
    bad["zero-byte"].write_bytes(b"")
    full = variant(sample_photos["hopper"], tmp_path / "staging" / "full.jpg", 2).read_bytes()
    bad["truncated"] = photos / "truncated.jpg"
    bad["truncated"].write_bytes(full[: len(full) // 3])
    bad["text"] = photos / "notes.jpg"
    bad["text"].write_text("shopping list: milk, eggs\n")
    bad["bomb"] = photos / "bomb.png"
    _png_bomb(bad["bomb"])
    bad["fifo"] = photos / "pipe.jpg"  # hashing would block forever on a FIFO
    os.mkfifo(bad["fifo"])
    if os.geteuid() != 0:  # root reads through chmod 000; the FIFO above is the honest stand-in then
        bad["unreadable"] = photos / "secret.jpg"
        bad["unreadable"].write_bytes(full)
        bad["unreadable"].chmod(0)
    bad["symlink-loop"] = photos / "loop.jpg"
    os.symlink(bad["symlink-loop"], bad["symlink-loop"])
    bad["folder"] = photos / "holiday.jpg"
    bad["folder"].mkdir()
    bad["ephemeral"] = photos / "ephemeral.jpg"
    bad["ephemeral"].write_bytes(full)
    bad["ephemeral"].unlink()

    good_between = variant(sample_photos["hopper"], photos / "good-between.jpg", 3)
    non_utf8 = Path(os.fsdecode(os.path.join(os.fsencode(photos), b"caf\xe9-\xff.jpg")))
    variant(sample_photos["astronaut"], non_utf8, 4)
    broken_exif = photos / "broken-exif.jpg"
    _broken_exif(variant(sample_photos["astronaut"], tmp_path / "staging" / "exif.jpg", 5), broken_exif)
    huge = photos / "huge.jpg"
    Image.open(sample_photos["astronaut"]).resize((7000, 6600)).save(huge, quality=80)  # 46 MP
    good_after = variant(sample_photos["coffee"], photos / "good-after.jpg", 6)

    goods = [good_between, non_utf8, broken_exif, huge, good_after]
    w.wait_for(lambda: all(analysed(library, p) for p in goods), timeout=90, what="the good photos")

    def recorded(path: Path):
        row = file_row(library, path)
        return row and (row["error"] or row["photo_error"])

    w.wait_for(lambda: all(recorded(p) for p in bad.values()), timeout=60, what="every bad input recorded")
    assert w.proc.poll() is None, "the watcher must keep running"
    errors = {e["path"]: e["error"] for e in w.of("error")}
    log = (library / "watch.log").read_text(errors="replace")
    for kind, path in bad.items():
        message = recorded(path)
        assert str(path) in errors, f"{kind}: no error event"
        assert str(path) in log, f"{kind}: not in the log file"
        assert file_row(library, path)["photo_id"] is None or file_row(library, path)["photo_error"], kind
        print(f"{kind:>12}: {message}")
    assert "too large" in recorded(bad["bomb"]) or "bomb" in recorded(bad["bomb"])
    assert "regular file" in recorded(bad["fifo"])
    assert "symbolic links" in recorded(bad["symlink-loop"])
    assert "folder" in recorded(bad["folder"])
    assert file_row(library, bad["ephemeral"])["missing"]
    # The non-UTF-8 name round-trips to the same bytes through the database.
    (stored,) = [p for (p,) in db_rows(library, "SELECT path FROM files WHERE path LIKE 'fsbytes:%'")]
    from plvm_photos.fsnames import from_db

    assert os.fsencode(from_db(stored)) == os.fsencode(non_utf8)
    assert db_rows(library, "SELECT width, height FROM photos p JOIN files f ON f.photo_id = p.id WHERE f.path LIKE '%huge.jpg'") == [(7000, 6600)]
    assert w.stop() == 0
