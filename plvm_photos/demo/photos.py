"""Demo photos built from three public-domain pictures kept in ``pictures/`` (see SOURCES.md there).

Used by ``make demo`` and by tests that must run anywhere: Eileen Collins (NASA), Grace Hopper
(U.S. Navy) and a cup of coffee (CC0), the sample pictures scikit-image and matplotlib ship.
Group photos are composed side by side.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

PICTURES = Path(__file__).resolve().parent / "pictures"


def _astronaut() -> Image.Image:
    # Head and shoulders (scikit-image's astronaut cropped): the full picture's mission patch also
    # trips the face detector.
    return Image.open(PICTURES / "astronaut.png").convert("RGB")


def _coffee() -> Image.Image:
    return Image.open(PICTURES / "coffee.jpg").convert("RGB")


def _hopper() -> Image.Image:
    return Image.open(PICTURES / "grace_hopper.jpg").convert("RGB")


def _side_by_side(left: Image.Image, right: Image.Image, height: int = 512, gap: int = 40) -> Image.Image:
    a = left.resize((round(left.width * height / left.height), height))
    b = right.resize((round(right.width * height / right.height), height))
    canvas = Image.new("RGB", (a.width + b.width + gap, height), (235, 235, 235))
    canvas.paste(a, (0, 0))
    canvas.paste(b, (a.width + gap, 0))
    return canvas


def sample_images(folder: Path) -> dict[str, Path]:
    """Write the base pictures into ``folder``; returns name -> path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, image in (("astronaut", _astronaut()), ("hopper", _hopper()), ("coffee", _coffee())):
        path = folder / f"{name}.jpg"
        image.save(path, quality=92)
        out[name] = path
    return out


def build_demo_set(folder: Path) -> tuple[dict[str, Path], Path]:
    """References and a small photo folder: returns ({name: reference}, photos folder)."""
    folder = Path(folder)
    refs_dir, photos = folder / "references", folder / "photos"
    for sub in (refs_dir, photos / "2023-trip", photos / "2024-party", photos / "misc"):
        sub.mkdir(parents=True, exist_ok=True)
    astronaut, hopper, coffee = _astronaut(), _hopper(), _coffee()
    astronaut.save(refs_dir / "eileen.jpg", quality=92)
    hopper.save(refs_dir / "grace.jpg", quality=92)
    # Single portraits, mirrored and resized so they are not byte copies of the references.
    ImageOps.mirror(astronaut).resize((400, 400)).save(photos / "2023-trip" / "eileen-mirror.jpg", quality=88)
    ImageOps.mirror(hopper).save(photos / "2023-trip" / "grace-mirror.jpg", quality=88)
    # Group photos: who is left and who is right is known by construction.
    _side_by_side(hopper, astronaut).save(photos / "2024-party" / "grace-and-eileen.jpg", quality=90)
    _side_by_side(astronaut, ImageOps.mirror(hopper)).save(photos / "2024-party" / "eileen-and-grace.jpg", quality=90)
    # No people; and one file that is not an image at all.
    coffee.save(photos / "misc" / "coffee.jpg", quality=90)
    (photos / "misc" / "notes.jpg").write_text("this is a text file with a .jpg name\n")
    return {"eileen": refs_dir / "eileen.jpg", "grace": refs_dir / "grace.jpg"}, photos


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))
