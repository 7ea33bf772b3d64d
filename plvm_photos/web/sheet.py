"""Contact sheets: a person's photos in one image, their face box drawn, for the terminal user.

The sheet is written through ``safe_write`` (exclusive temporary file in the target folder, then
renamed over the target; no link followed). The target is checked before any photo is read: a
folder, a missing folder (never created) or a folder that takes no files is a one-line
``LibraryError`` and nothing is left behind.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from plvm_photos import safe_write
from plvm_photos.fsnames import printable
from plvm_photos.errors import LibraryError
from plvm_photos.imaging import ImageError
from plvm_photos.library import Library, PersonPhoto
from plvm_photos.names import show

BOX_COLOUR = (242, 177, 52)
LABEL_HEIGHT = 22
GAP = 6
BACKGROUND = (30, 32, 36)
FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}


@dataclass(frozen=True)
class SheetResult:
    output: str
    person: str
    photos: int  # photos on the sheet
    total: int  # photos the person is in
    size: tuple[int, int]
    skipped: list[str]  # photos that could not be read

    def as_dict(self) -> dict:
        """For JSON: paths with undecodable bytes shown as \\xNN."""
        return {"output": printable(self.output), "person": self.person, "photos": self.photos, "total": self.total,
                "size": list(self.size), "skipped": [printable(s) for s in self.skipped]}


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has no sized default font
        return ImageFont.load_default()


def contact_sheet(library: Library, person: str, output: str | Path, columns: int = 6, tile: int = 240,
                  limit: int = 200, progress: bool = True) -> SheetResult:
    """Write a grid of thumbnails (cached ones reused) with the person's box on each."""
    if columns < 1 or tile < 64 or limit < 1:
        raise LibraryError("--columns must be >= 1, --tile >= 64 and --limit >= 1")
    output = Path(output)
    shown = printable(str(output))
    if output.is_dir():
        raise LibraryError(f"cannot write the sheet to {shown}: is a directory (give a file name such as sheet.png)")
    fmt = FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise LibraryError(f"{shown}: write the sheet as .png, .jpg or .webp")
    found = library.find_person(person)
    photos = library.person_photos(found.id)
    if not photos:
        raise LibraryError(f"{show(found.key)} is in no photo yet; nothing to put on a sheet")
    try:
        with safe_write.atomic_writer(output) as fh:  # fails here, before any photo is read
            sheet, skipped, placed = _render(library, photos[:limit], columns, tile, progress)
            sheet.save(fh, format=fmt)
    except OSError as exc:
        raise LibraryError(f"cannot write the sheet to {shown}: {safe_write.describe(exc)}") from None
    return SheetResult(str(output), found.key, placed, len(photos), sheet.size, skipped)


def _render(library: Library, shown: list[PersonPhoto], columns: int, tile: int, progress: bool):
    """(the sheet image, skipped photos with the reason, photos placed)."""
    from PIL import Image, ImageDraw

    from plvm_photos.web.thumbs import Busy, thumbnail

    rows = (len(shown) + columns - 1) // columns
    cell_w, cell_h = tile, tile + LABEL_HEIGHT
    sheet = Image.new("RGB", (columns * cell_w + (columns + 1) * GAP, rows * cell_h + (rows + 1) * GAP), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    font = _font(13)
    skipped: list[str] = []
    iterator = shown
    if progress and len(shown) > 20:
        from tqdm import tqdm

        iterator = tqdm(shown, unit="photo", desc="sheet")
    for k, t in enumerate(iterator):
        try:
            with Image.open(thumbnail(library.root, t.sha256, t.path, "small")) as im:
                im = im.convert("RGB")
                im.thumbnail((tile, tile))
                thumb = im.copy()
        except (ImageError, Busy, OSError) as exc:
            skipped.append(f"{t.path}: {exc}")
            continue
        x0 = GAP + (k % columns) * (cell_w + GAP) + (tile - thumb.width) // 2
        y0 = GAP + (k // columns) * (cell_h + GAP) + (tile - thumb.height) // 2
        sheet.paste(thumb, (x0, y0))
        scale = thumb.width / t.width
        if t.box is not None:
            left, top, right, bottom = (round(v * scale) for v in t.box)
            draw.rectangle((x0 + left, y0 + top, x0 + right, y0 + bottom), outline=BOX_COLOUR, width=3)
        label = printable(os.path.basename(t.path))
        while label and draw.textlength(label, font=font) > tile:
            label = label[:-2] + "…" if len(label) > 2 else ""
        lx = GAP + (k % columns) * (cell_w + GAP)
        draw.text((lx, GAP + (k // columns) * (cell_h + GAP) + tile + 4), label, fill=(220, 220, 220), font=font)
    return sheet, skipped, len(shown) - len(skipped)
