"""Contact sheets: a person's photos in one image, their face box drawn, for the terminal user."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from plvm_photos.imaging import ImageError
from plvm_photos.library import Library, LibraryError
from plvm_photos.names import show

BOX_COLOUR = (242, 177, 52)
LABEL_HEIGHT = 22
GAP = 6
BACKGROUND = (30, 32, 36)


@dataclass(frozen=True)
class SheetResult:
    output: str
    person: str
    photos: int  # photos on the sheet
    total: int  # photos the person is in
    size: tuple[int, int]
    skipped: list[str]  # photos that could not be read

    def as_dict(self) -> dict:
        return {"output": self.output, "person": self.person, "photos": self.photos, "total": self.total,
                "size": list(self.size), "skipped": self.skipped}


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has no sized default font
        return ImageFont.load_default()


def contact_sheet(library: Library, person: str, output: str | Path, columns: int = 6, tile: int = 240,
                  limit: int = 200, progress: bool = True) -> SheetResult:
    """Write a grid of thumbnails (cached ones reused) with the person's box on each."""
    from PIL import Image, ImageDraw

    from plvm_photos.web.pages import person_tiles
    from plvm_photos.web.thumbs import thumbnail

    if columns < 1 or tile < 64 or limit < 1:
        raise LibraryError("--columns must be >= 1, --tile >= 64 and --limit >= 1")
    output = Path(output)
    if output.suffix.lower() not in (".png", ".jpg", ".jpeg", ".webp"):
        raise LibraryError(f"{output}: write the sheet as .png, .jpg or .webp")
    with library.session() as s:
        concept = library.concept(s, person)
        concept_id, name = concept.id, concept.name
    _, tiles = person_tiles(library, concept_id)
    if not tiles:
        raise LibraryError(f"{show(name)} is in no photo yet; nothing to put on a sheet")
    shown = tiles[:limit]
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
    from sqlalchemy import select

    from plvm_photos.db.models import Photo

    with library.session() as s:
        shas = dict(s.execute(select(Photo.id, Photo.sha256).where(Photo.id.in_([t.photo_id for t in shown]))).all())
    for k, t in enumerate(iterator):
        try:
            with Image.open(thumbnail(library.root, shas[t.photo_id], t.path, "small")) as im:
                im = im.convert("RGB")
                im.thumbnail((tile, tile))
                thumb = im.copy()
        except (ImageError, OSError) as exc:
            skipped.append(f"{t.path}: {exc}")
            continue
        x0 = GAP + (k % columns) * (cell_w + GAP) + (tile - thumb.width) // 2
        y0 = GAP + (k // columns) * (cell_h + GAP) + (tile - thumb.height) // 2
        sheet.paste(thumb, (x0, y0))
        scale = thumb.width / t.width
        for b in t.boxes:
            left, top, right, bottom = (round(v * scale) for v in b.box)
            draw.rectangle((x0 + left, y0 + top, x0 + right, y0 + bottom), outline=BOX_COLOUR, width=3)
        label = os.path.basename(t.path)
        while label and draw.textlength(label, font=font) > tile:
            label = label[:-2] + "…" if len(label) > 2 else ""
        lx = GAP + (k % columns) * (cell_w + GAP)
        draw.text((lx, GAP + (k // columns) * (cell_h + GAP) + tile + 4), label, fill=(220, 220, 220), font=font)
    output.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(output)
    return SheetResult(str(output), name, len(shown) - len(skipped), len(tiles), sheet.size, skipped)
