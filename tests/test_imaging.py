import io

import numpy as np
import pytest
from PIL import Image

from plvm_photos.imaging import ImageError, decode, sha256_file


def _save(tmp_path, name, image, **kw):
    path = tmp_path / name
    image.save(path, **kw)
    return path


def test_exif_orientation_is_applied(tmp_path):
    # A 40x20 image whose EXIF says "rotate 90° clockwise to display" (orientation 6).
    image = Image.new("RGB", (40, 20), (255, 0, 0))
    image.paste((0, 0, 255), (0, 0, 10, 20))  # blue stripe on the stored image's left
    exif = Image.Exif()
    exif[0x0112] = 6
    path = _save(tmp_path, "rot.jpg", image, exif=exif, quality=95)
    decoded = decode(path)
    assert (decoded.full_width, decoded.full_height) == (20, 40)
    assert decoded.pixels.shape == (40, 20, 3)
    # After rotating clockwise the stored left stripe is at the top.
    assert decoded.pixels[2, 10, 2] > 200 and decoded.pixels[38, 10, 0] > 200


def test_large_jpeg_is_decoded_reduced_and_boxes_map_back(tmp_path):
    path = _save(tmp_path, "big.jpg", Image.new("RGB", (4000, 3000), (10, 200, 10)), quality=80)
    decoded = decode(path, max_side=1000)
    assert max(decoded.pixels.shape[:2]) <= 1000
    assert (decoded.full_width, decoded.full_height) == (4000, 3000)
    s = decoded.scale
    assert decoded.to_full((100 * s, 50 * s, 300 * s, 250 * s)) == (100, 50, 300, 250)


def test_heif_is_read(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    path = tmp_path / "photo.heic"
    try:
        image.save(path, format="HEIF")
    except (KeyError, OSError, ValueError) as exc:
        pytest.skip(f"this pillow-heif build cannot encode HEIF: {exc}")
    decoded = decode(path)
    assert (decoded.full_width, decoded.full_height) == (64, 48)
    assert decoded.pixels[10, 10, 0] > 150


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "not an image"),
        (b"hello, I am text\n", "not an image"),
    ],
)
def test_non_images_are_image_errors(tmp_path, content, expected):
    path = tmp_path / "fake.jpg"
    path.write_bytes(content)
    with pytest.raises(ImageError, match=expected):
        decode(path)


def test_truncated_jpeg_is_an_image_error(tmp_path):
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (300, 300, 3), dtype=np.uint8)).save(buf, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(ImageError):
        decode(path)


def test_decompression_bomb_is_refused_without_decoding(tmp_path):
    # A 12000x12000 one-bit PNG compresses to a few kB but would be 432 MB of RGB.
    path = tmp_path / "bomb.png"
    Image.new("1", (12000, 12000)).save(path)
    assert path.stat().st_size < 100_000
    with pytest.raises(ImageError, match="too large|bomb"):
        decode(path)


def test_directory_named_like_an_image(tmp_path):
    (tmp_path / "holiday.jpg").mkdir()
    with pytest.raises(ImageError, match="directory"):
        decode(tmp_path / "holiday.jpg")


def test_sha256_matches_hashlib(tmp_path):
    import hashlib

    path = tmp_path / "x.bin"
    path.write_bytes(b"abc" * 1000)
    assert sha256_file(path) == hashlib.sha256(b"abc" * 1000).hexdigest()
