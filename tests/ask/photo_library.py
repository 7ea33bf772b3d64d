"""A small real library for the ask tests: photos of ../shared/data/library copied with EXIF dates
and GPS positions written here with Pillow, six people registered, scanned.

Who is in each photo comes from ``manifest.json``; when and where each was taken is set below, so
every expected answer is known by construction. Two photos get no EXIF date (``obama3`` and the
photo without faces): time questions must say they were left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image
from PIL.TiffImagePlugin import IFDRational

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATE_TIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x9003, 0x9011

# Who is registered: key in the manifest -> how the name is typed (the display form).
PEOPLE = {
    "barack_obama": "Obama",
    "joe_biden": "biden",
    "kit_harington": "kit",
    "rose_leslie": "Rosé",
    "angelina_jolie": "angelina",
    "katy_perry": "katy",
}
# Where a library built by a version whose names are ASCII only registers ``Rosé``.
ASCII_FALLBACK = {"Rosé": "rose"}

PARIS, WASHINGTON, EDINBURGH = (48.8566, 2.3522), (38.8977, -77.0365), (55.9533, -3.1883)
HONOLULU, CHICAGO, WILMINGTON = (21.3069, -157.8583), (41.8781, -87.6298), (39.7391, -75.5398)
BELFAST, SYDNEY, TOKYO = (54.5973, -5.9301), (-33.8688, 151.2093), (35.6762, 139.6503)
LOS_ANGELES, SANTA_MONICA, KYOTO = (34.0522, -118.2437), (34.0195, -118.4912), (35.0116, 135.7681)


@dataclass(frozen=True)
class Shot:
    source: str  # path under the shared library folder
    name: str  # file name in the test library
    taken: datetime | None
    where: tuple[float, float] | None
    people: tuple[str, ...]  # manifest identities that are registered here


SHOTS = (
    Shot("_group/test/facerec__two_people.jpg", "two_people.jpg", datetime(2019, 7, 14, 12), PARIS, ("barack_obama", "joe_biden")),
    Shot("_group/test/facerec__test_obama_and_biden.jpg", "obama_and_biden.jpg", datetime(2020, 1, 20, 12), WASHINGTON, ("barack_obama", "joe_biden")),
    Shot("_group/test/facerec__test_kit_with_rose.jpg", "kit_with_rose.jpg", datetime(2018, 6, 23, 18), EDINBURGH, ("kit_harington", "rose_leslie")),
    Shot("barack_obama/test/facerec__obama.jpg", "obama.jpg", datetime(2019, 12, 25, 9), HONOLULU, ("barack_obama",)),
    Shot("barack_obama/test/facerec__obama2.jpg", "obama2.jpg", datetime(2021, 3, 10, 15), CHICAGO, ("barack_obama",)),
    Shot("barack_obama/test/facerec__obama3.jpg", "obama3.jpg", None, None, ("barack_obama",)),
    Shot("joe_biden/test/facerec__biden.jpg", "biden.jpg", datetime(2020, 11, 7, 20), WILMINGTON, ("joe_biden",)),
    Shot("kit_harington/test/facerec__test_johnsnow_test1.jpg", "johnsnow.jpg", datetime(2019, 8, 5, 11), BELFAST, ("kit_harington",)),
    Shot("angelina_jolie/test/deepface__img2.jpg", "angelina_sydney_july.jpg", datetime(2019, 7, 20, 10), SYDNEY, ("angelina_jolie",)),
    Shot("angelina_jolie/test/deepface__img4.jpg", "angelina_sydney_january.jpg", datetime(2020, 1, 15, 10), SYDNEY, ("angelina_jolie",)),
    Shot("angelina_jolie/test/deepface__img6.jpg", "angelina_tokyo.jpg", datetime(2022, 5, 1, 10), TOKYO, ("angelina_jolie",)),
    Shot("_group/test/deepface__couple.jpg", "couple_kyoto.jpg", datetime(2022, 5, 3, 10), KYOTO, ("angelina_jolie",)),
    Shot("katy_perry/test/deepface__img26.jpg", "katy_la.jpg", datetime(2021, 3, 12, 10), LOS_ANGELES, ("katy_perry",)),
    Shot("katy_perry/test/deepface__img28.jpg", "katy_santa_monica.jpg", datetime(2019, 7, 2, 10), SANTA_MONICA, ("katy_perry",)),
    Shot("_negatives/test/dlib__Tom_Cruise_avp_2014_4.jpg", "stranger_paris.jpg", datetime(2019, 7, 15, 10), PARIS, ()),
    Shot("_negatives/test/facenetpt__kate_siegel_1.jpg", "stranger_undated.jpg", None, None, ()),
)
# Subfolders make "a tail of a path" questions possible; two_people.jpg is also in one of them.
FOLDER = {"two_people.jpg": "2019/paris", "obama2.jpg": "2021/chicago", "johnsnow.jpg": "2019/belfast"}


def _dms(value: float) -> tuple:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 1000)
    return (IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(seconds, 1000))


def write_copy(source: Path, target: Path, taken: datetime | None, where: tuple[float, float] | None) -> Path:
    """``source`` saved at ``target`` with its own EXIF plus a date and GPS position (or with
    none of the two, where None)."""
    with Image.open(source) as image:
        exif = image.getexif()
        for tag in (0x0132,):  # IFD0 DateTime: an editor's date, not the camera's
            exif.pop(tag, None)
        sub = exif.get_ifd(EXIF_IFD)
        for tag in (DATE_TIME_ORIGINAL, 0x9004, OFFSET_TIME_ORIGINAL):
            sub.pop(tag, None)
        if taken is not None:
            sub[DATE_TIME_ORIGINAL] = taken.strftime("%Y:%m:%d %H:%M:%S")
        if where is not None:
            lat, lon = where
            exif.get_ifd(GPS_IFD).update({1: "N" if lat >= 0 else "S", 2: _dms(abs(lat)), 3: "E" if lon >= 0 else "W", 4: _dms(abs(lon))})
        target.parent.mkdir(parents=True, exist_ok=True)
        rgb = image.convert("RGB") if target.suffix.lower() in (".jpg", ".jpeg") else image
        rgb.save(target, exif=exif, **({"quality": 95} if target.suffix.lower() in (".jpg", ".jpeg") else {}))
    return target


def write_photos(data_dir: Path, folder: Path) -> dict[str, Path]:
    """Every shot written under ``folder``; returns file name -> path."""
    out = {}
    for shot in SHOTS:
        target = folder / FOLDER.get(shot.name, "misc") / shot.name
        out[shot.name] = write_copy(data_dir / shot.source, target, shot.taken, shot.where)
    return out


def register_people(library, data_dir: Path, manifest: dict) -> dict[str, str]:
    """Register the six people under their display names; returns manifest key -> name used."""
    from plvm_photos.errors import InvalidNameError, SeveralFacesError

    used = {}
    for identity, typed in PEOPLE.items():
        info = manifest["identities"][identity]
        reference = data_dir / info["ref"]
        for name in (typed, ASCII_FALLBACK.get(typed)):
            if name is None:
                continue
            try:
                try:
                    library.add_person(f"<{name}>", [reference])
                except SeveralFacesError as exc:
                    box, boxes = info["ref_face_box"], exc.boxes
                    centre = (box[0] + box[2]) / 2
                    face = 1 + min(range(len(boxes)), key=lambda i: abs((boxes[i][0] + boxes[i][2]) / 2 - centre))
                    library.add_person(f"<{name}>", [reference], face=face)
                used[identity] = name
                break
            except InvalidNameError:
                continue
    return used


def build(root: Path, data_dir: Path, manifest: dict, workers: int = 2) -> dict[str, Path]:
    """The library at ``root / 'lib'`` with the photos under ``root / 'photos'``."""
    from plvm_photos.library import Library

    photos = write_photos(data_dir, root / "photos")
    with Library(root / "lib") as library:
        register_people(library, data_dir, manifest)
        library.scan([root / "photos"], workers=workers, progress=False)
    return photos


def file_names(answer) -> set[str]:
    """The file names of an answer's photos."""
    return {p.path.rsplit("/", 1)[-1] for p in answer.photos}
