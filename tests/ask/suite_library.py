"""A library the parser has never seen, for the large question suite (``big_suite.py``): eleven
people, 96 photos in four cities (and a few elsewhere, without GPS or without a date), faces and
verdicts written straight into the schema, so every answer is known by construction.

Each photo is a small JPEG whose EXIF date and GPS position the builder writes (at known spots:
Shinjuku, Times Square, the Eiffel Tower, ...), read back by the scan's own reader
(``indexing.facts.read_facts``: EXIF, then reverse geocoding); the faces and verdicts are
written into the database directly (no face engine runs), so every answer is known.
The builder works with any version of plvm-photos whose schema has these columns, so the same
library can be asked by an older checkout (the before/after numbers of the report).
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

# (key, display): eleven people; first names unique, "Amy" and "Amir" share a prefix
PEOPLE = [
    ("sheldon_cooper", "Sheldon Cooper"),
    ("leonard_hofstadter", "Leonard Hofstadter"),
    ("penny", "Penny"),
    ("howard_wolowitz", "Howard Wolowitz"),
    ("raj_koothrappali", "Raj Koothrappali"),
    ("amy_farrah_fowler", "Amy Farrah Fowler"),
    ("bernadette_rostenkowski", "Bernadette Rostenkowski"),
    ("stuart_bloom", "Stuart Bloom"),
    ("george_clooney", "George Clooney"),
    ("emily_sweeney", "Emily Sweeney"),
    ("amir_khan", "Amir Khan"),
]
FIRST = {key: display.split()[0] for key, display in PEOPLE}

SPOTS = {  # spot -> (city, lat, lon)
    "shinjuku": ("Tokyo", 35.6938, 139.7034),
    "asakusa": ("Tokyo", 35.7148, 139.7967),
    "tokyotower": ("Tokyo", 35.6586, 139.7454),
    "shibuya": ("Tokyo", 35.6595, 139.7005),
    "timessquare": ("New York", 40.7580, -73.9855),
    "centralpark": ("New York", 40.7829, -73.9654),
    "brooklyn": ("New York", 40.7003, -73.9967),
    "eiffel": ("Paris", 48.8584, 2.2945),
    "louvre": ("Paris", 48.8606, 2.3376),
    "montmartre": ("Paris", 48.8867, 2.3431),
    "opera": ("Sydney", -33.8568, 151.2153),
    "bondi": ("Sydney", -33.8915, 151.2767),
    "manly": ("Sydney", -33.7970, 151.2880),
    "yokohama": ("Yokohama", 35.4437, 139.6380),
    "kyoto": ("Kyoto", 35.0116, 135.7681),
}
CITY_COUNTRY = {"Tokyo": "Japan", "New York": "United States", "Paris": "France", "Sydney": "Australia",
                "Yokohama": "Japan", "Kyoto": "Japan"}
CONTINENT = {"Japan": "Asia", "United States": "North America", "France": "Europe", "Australia": "Oceania"}
TODAY = datetime(2024, 7, 15).date()  # the suite's "today"
WIDTH, HEIGHT = 4000, 3000


@dataclass
class Shot:
    id: int
    name: str  # file name
    folder: str
    taken: datetime | None
    spot: str | None  # None: no GPS
    people: list[str]  # keys, left to right
    strangers: int = 0  # unknown faces (at the right end)
    copies: list[str] = field(default_factory=list)  # other file names of the same photo

    @property
    def city(self) -> str | None:
        return SPOTS[self.spot][0] if self.spot else None

    @property
    def country(self) -> str | None:
        return CITY_COUNTRY[self.city] if self.city else None

    @property
    def faces(self) -> int:
        return len(self.people) + self.strangers


def shots() -> list[Shot]:
    """The photos, the same every time (seeded)."""
    rng = random.Random(25)
    keys = [k for k, _ in PEOPLE]
    weights = [14, 12, 12, 8, 7, 7, 5, 3, 2, 2, 2]
    trips = [  # (city spots, year, month, day, photos)
        (("shinjuku", "asakusa", "tokyotower", "shibuya"), 2018, 4, 3, 12),
        (("shinjuku", "shibuya"), 2022, 5, 1, 10),
        (("timessquare", "centralpark", "brooklyn"), 2019, 12, 20, 12),
        (("timessquare", "centralpark"), 2021, 8, 10, 8),
        (("eiffel", "louvre", "montmartre"), 2019, 7, 12, 12),
        (("eiffel", "montmartre"), 2023, 6, 2, 8),
        (("opera", "bondi", "manly"), 2020, 1, 5, 10),
        (("opera", "bondi"), 2022, 12, 24, 8),
        (("yokohama",), 2018, 4, 8, 2),
        (("kyoto",), 2017, 11, 3, 2),
    ]
    out: list[Shot] = []
    for spots, year, month, day, count in trips:
        for k in range(count):
            spot = spots[k % len(spots)]
            n = rng.choice([1, 1, 1, 2, 2, 3, 4])
            people: list[str] = []
            while len(people) < n:
                person = rng.choices(keys, weights)[0]
                if person not in people:
                    people.append(person)
            strangers = rng.choice([0, 0, 0, 1])
            taken = datetime(year, month, min(28, day + k // 3), 9 + k % 10, 15)
            out.append(Shot(len(out) + 1, f"{spot}_{year}_{k + 1:02d}.jpg", f"{year}/{spot}", taken, spot, people, strangers))
    extra = [  # no GPS, no date, a group photo, an exact copy
        Shot(0, "party_no_gps.jpg", "misc", datetime(2021, 10, 31, 21), None, ["penny", "leonard_hofstadter", "sheldon_cooper"]),
        Shot(0, "scan_no_date.jpg", "misc", None, "louvre", ["sheldon_cooper"]),
        Shot(0, "old_no_date_no_gps.jpg", "misc", None, None, ["howard_wolowitz", "bernadette_rostenkowski"]),
        Shot(0, "group_c03.jpg", "2019/timessquare", datetime(2019, 12, 24, 18), "timessquare",
             ["raj_koothrappali", "penny", "sheldon_cooper", "leonard_hofstadter"], 1),
        Shot(0, "raj.jpg", "misc", datetime(2020, 2, 14, 12), "bondi", ["raj_koothrappali"], copies=["raj_copy.jpg"]),
        Shot(0, "empty_room.jpg", "misc", datetime(2020, 3, 1, 12), "opera", []),
        Shot(0, "crowd (1).jpg", "misc", datetime(2022, 5, 2, 12), "shinjuku", [], 3),
    ]
    for shot in extra:
        shot.id = len(out) + 1
        out.append(shot)
    return out


def write_photo(path: Path, shot: Shot) -> Path:
    """A small JPEG at ``path`` whose EXIF holds the shot's date and GPS position (as a camera
    writes them), for the scan's own reader (``indexing.facts.read_facts``)."""
    from PIL import Image

    from tests.ask.photo_library import write_copy

    path.parent.mkdir(parents=True, exist_ok=True)
    source = path.with_name(path.stem + ".source.png")
    shade = (shot.id * 37) % 256
    Image.new("RGB", (64, 48), (shade, 255 - shade, (shade * 7) % 256)).save(source)
    where = SPOTS[shot.spot][1:] if shot.spot else None
    write_copy(source, path, shot.taken, where)
    source.unlink()
    return path


def _facts_columns(path: Path) -> tuple:
    from plvm_photos.indexing.facts import read_facts

    f = read_facts(str(path))
    taken = f.taken.strftime("%Y-%m-%d %H:%M:%S.%f") if f.taken else "2024-01-02 00:00:00.000000"
    return (taken, f.source, f.lat, f.lon, f.place_id, f.place_name, f.admin1, f.admin1_code, f.country_code, f.country)


def build(root: Path, photo_root: Path | None = None) -> list[Shot]:
    """The library at ``root`` (created at the head revision of the checkout that runs this),
    its photos written under ``photo_root`` (default: ``root``/photos)."""
    from plvm_photos.library import Library
    from plvm_photos.store.layout import DB_FILE

    Library(root).close()
    photo_root = Path(photo_root or Path(root) / "photos").resolve()
    conn = sqlite3.connect(Path(root) / DB_FILE)
    taken_photos = shots()
    with conn:
        for cid, (key, display) in enumerate(PEOPLE, start=1):
            conn.execute("INSERT INTO concepts (id, name, display, kind, created_at) VALUES (?, ?, ?, 'person', '2024-01-01')",
                         (cid, key, display))
        ids = {key: cid for cid, (key, _) in enumerate(PEOPLE, start=1)}
        region = 0
        file_id = 0
        for shot in taken_photos:
            paths = [write_photo(photo_root / shot.folder / name, shot) for name in [shot.name, *shot.copies]]
            conn.execute(
                "INSERT INTO photos (id, sha256, width, height, engine, caption, analyzed_at, taken_at, taken_source, lat, lon, "
                "place_id, place_name, admin1, admin1_code, country_code, country, facts_version) "
                "VALUES (?, ?, ?, ?, 'face', ?, '2024-01-01', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                (shot.id, f"{shot.id:064x}", WIDTH, HEIGHT, _caption(shot), *_facts_columns(paths[0])))
            for path in paths:
                file_id += 1
                conn.execute("INSERT INTO files (id, path, photo_id, size, mtime_ns, missing, seen_at) "
                             "VALUES (?, ?, ?, 1000, 1, 0, '2024-01-01')", (file_id, str(path), shot.id))
            slots = shot.faces
            for k in range(slots):
                region += 1
                left = int((k + 0.5) * WIDTH / max(slots, 1)) - 150
                conn.execute("INSERT INTO regions (id, photo_id, kind, \"left\", top, \"right\", bottom, score, vector) "
                             "VALUES (?, ?, 'face', ?, 1000, ?, 1300, 0.9, ?)", (region, shot.id, left, left + 300, b"\0" * 512))
                if k < len(shot.people):
                    conn.execute("INSERT INTO verdicts (photo_id, concept_id, region_id, present, score, distance, engine) "
                                 "VALUES (?, ?, ?, 1, 0.95, 0.3, 'face')", (shot.id, ids[shot.people[k]], region))
    conn.close()
    return taken_photos


def _caption(shot: Shot) -> str:
    from plvm_photos.positions import PlacedPerson, caption

    boxes = []
    for k, key in enumerate(shot.people):
        left = int((k + 0.5) * WIDTH / max(shot.faces, 1)) - 150
        boxes.append(PlacedPerson(dict(PEOPLE)[key], (left, 1000, left + 300, 1300)))
    return caption(boxes, shot.strangers, WIDTH, HEIGHT)
