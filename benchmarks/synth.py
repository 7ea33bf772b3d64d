"""Synthetic libraries for benchmarks at scale: photos, files, face regions, people and verdicts.

The schema comes from the real migrations (``Library(root)``); rows are bulk-inserted with
``sqlite3.executemany`` (the ORM would take minutes for a million rows). Descriptors look like
dlib's: identities are random centres about 1.0 apart, faces of one identity lie ~0.35 from each
other, so the prefilter and the decision rule see realistic neighbourhoods.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

DIM = 128
CENTRE_NORM = 0.72  # random centres of this norm are ~1.0 apart, like different people in dlib
FACE_NOISE = 0.25  # norm of a face's offset from its identity centre (same person ~0.35 apart)


@dataclass
class SynthLibrary:
    root: Path
    photos: int
    regions: int
    people: list[str]  # registered names, most photographed first
    photo_paths: list[str] = field(default_factory=list)  # a few sample paths (for "who is in")
    seconds: float = 0.0


def unit_rows(rng: np.random.Generator, n: int, norm: float) -> np.ndarray:
    v = rng.standard_normal((n, DIM)).astype(np.float32)
    v *= norm / np.linalg.norm(v, axis=1, keepdims=True)
    return v


def faces_of(rng: np.random.Generator, centres: np.ndarray, identities: np.ndarray) -> np.ndarray:
    return (centres[identities] + unit_rows(rng, len(identities), FACE_NOISE)).astype(np.float32)


def build(
    root: Path,
    photos: int,
    faces_per_photo: float = 1.3,
    people: int = 40,
    seed: int = 7,
    planted: np.ndarray | None = None,
    planted_photos: int = 0,
    batch: int = 50_000,
) -> SynthLibrary:
    """A library at ``root`` with ``photos`` photos and about ``photos * faces_per_photo`` faces.

    ``people`` identities are registered (one reference each) with verdicts on their photos.
    ``planted``: a real descriptor placed (with noise) in ``planted_photos`` photos, for add-person.
    """
    import time

    from plvm_photos.library import Library
    from plvm_photos.store.layout import DB_FILE

    started = time.perf_counter()
    root = Path(root)
    Library(root).close()  # schema at the head revision
    rng = np.random.default_rng(seed)
    cities = _cities()
    identities = max(people * 5, photos // 20)
    centres = unit_rows(rng, identities, CENTRE_NORM)
    # Zipf-like popularity: a few people are in many photos, most in few.
    weights = 1.0 / np.arange(1, identities + 1) ** 0.8
    weights /= weights.sum()
    registered = list(range(people))
    names = [f"person{i:03d}" for i in registered]
    conn = sqlite3.connect(root / DB_FILE)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")
    planted_set = set(rng.choice(photos, size=planted_photos, replace=False).tolist()) if planted_photos else set()
    concept_ids = {}
    with conn:
        for cid, name in enumerate(names, start=1):
            conn.execute("INSERT INTO concepts (id, name, display, kind, created_at) VALUES (?, ?, ?, 'person', '2026-01-01')",
                         (cid, name, name))
            ref = (centres[cid - 1] + unit_rows(rng, 1, FACE_NOISE)[0]).astype(np.float32)
            conn.execute(
                "INSERT INTO concept_references (concept_id, image, source_path, engine, \"left\", top, \"right\", bottom, vector) "
                "VALUES (?, ?, ?, 'face', 10, 10, 110, 110, ?)",
                (cid, f"{name}.jpg", f"/refs/{name}.jpg", ref.tobytes()),
            )
            concept_ids[cid - 1] = cid
    region_id = 0
    samples: list[str] = []
    for start in range(0, photos, batch):
        stop = min(photos, start + batch)
        n = stop - start
        counts = rng.poisson(faces_per_photo, n).clip(0, 8)
        for i in range(n):  # a planted face needs a face slot
            if start + i in planted_set and counts[i] == 0:
                counts[i] = 1
        total = int(counts.sum())
        ids = rng.choice(identities, size=total, p=weights)
        vectors = faces_of(rng, centres, ids)
        photo_rows, file_rows, region_rows, verdict_rows = [], [], [], []
        k = 0
        for i in range(n):
            pid = start + i + 1
            path = f"/photos/{2000 + pid % 25}/{pid % 97:02d}/IMG_{pid:07d}.jpg"
            if len(samples) < 20 and counts[i] >= 2:
                samples.append(path)
            placed, unknown = [], 0
            chosen_people = set()
            for j in range(int(counts[i])):
                region_id += 1
                ident = int(ids[k])
                vec = vectors[k]
                if j == 0 and (pid - 1) in planted_set:
                    vec = (planted + unit_rows(rng, 1, FACE_NOISE)[0]).astype(np.float32)
                    ident = -1
                left = 200 + 900 * j
                region_rows.append((region_id, pid, left, 300, left + 400, 700, 0.8, vec.tobytes()))
                if ident in concept_ids and ident not in chosen_people:
                    chosen_people.add(ident)
                    d = float(rng.uniform(0.2, 0.45))
                    verdict_rows.append((pid, concept_ids[ident], region_id, 1, 0.99, d))
                    placed.append((names[ident], left))
                else:
                    unknown += 1
                k += 1
            caption = _caption(placed, unknown)
            photo_rows.append((pid, f"{pid:064x}", 4000, 3000, "face", caption, *_facts(rng, pid, cities)))
            file_rows.append((pid, path, pid, 2_000_000, 1_600_000_000_000_000_000))
        with conn:
            conn.executemany(
                "INSERT INTO photos (id, sha256, width, height, engine, caption, analyzed_at, taken_at, taken_source, lat, lon, "
                "place_id, place_name, admin1, admin1_code, country_code, country, facts_version) "
                "VALUES (?, ?, ?, ?, ?, ?, '2026-01-01', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                photo_rows,
            )
            conn.executemany(
                "INSERT INTO files (id, path, photo_id, size, mtime_ns, missing, seen_at) VALUES (?, ?, ?, ?, ?, 0, '2026-01-01')",
                file_rows,
            )
            conn.executemany(
                "INSERT INTO regions (id, photo_id, kind, \"left\", top, \"right\", bottom, score, vector) "
                "VALUES (?, ?, 'face', ?, ?, ?, ?, ?, ?)",
                region_rows,
            )
            conn.executemany(
                "INSERT INTO verdicts (photo_id, concept_id, region_id, present, score, distance, engine) "
                "VALUES (?, ?, ?, ?, ?, ?, 'face')",
                verdict_rows,
            )
    conn.close()
    return SynthLibrary(root, photos, region_id, names, samples, time.perf_counter() - started)


# Where the synthetic photos were taken: around these cities (a few km of spread), or without GPS.
CITIES = ("Paris", "Tokyo", "New York", "London", "Sydney", "Berlin", "Kyoto", "Los Angeles")
NO_DATE, NO_GPS = 0.05, 0.10  # shares of photos without an EXIF date / without a GPS position


def _cities() -> list:
    from plvm_photos.places.geocode import lookup

    return [lookup(name) for name in CITIES]


def _facts(rng: np.random.Generator, pid: int, cities: list) -> tuple:
    """taken_at, taken_source, lat, lon and the city columns of a synthetic photo: dated in the
    year its path says (``2000 + pid % 25``), placed near one of ``CITIES``."""
    if rng.random() < NO_DATE:
        taken, source = "2026-01-01 00:00:00.000000", "file"
    else:
        taken, source = f"{2000 + pid % 25:04d}-{pid % 12 + 1:02d}-{pid % 28 + 1:02d} 12:00:00.000000", "exif"
    if rng.random() < NO_GPS:
        return (taken, source, None, None, None, None, None, None, None, None)
    city = cities[pid % len(cities)]
    lat, lon = city.lat + rng.normal(0, 0.03), city.lon + rng.normal(0, 0.03)
    return (taken, source, lat, lon, city.geonameid, city.name, city.admin1, city.admin1_code, city.country_code, city.country)


def _caption(placed: list[tuple[str, int]], unknown: int) -> str:
    from plvm_photos.positions import PlacedPerson, caption

    people = [PlacedPerson(name, (left, 300, left + 400, 700)) for name, left in placed]
    return caption(people, unknown, 4000, 3000)


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def connect_readonly(root: Path) -> sqlite3.Connection:
    from plvm_photos.store.layout import DB_FILE

    return sqlite3.connect(f"file:{(Path(root) / DB_FILE).resolve()}?mode=ro", uri=True)


def build_regions(root: Path, regions: int, faces_per_photo: int = 2, seed: int = 11, batch: int = 100_000) -> SynthLibrary:
    """A library of ``regions`` face regions (``faces_per_photo`` per photo), no people: for scale.

    Vectorised bulk inserts; no verdicts or captions (the prefilter and the database size are
    what is measured). Returns with the vectors' identity centres implicit in the seed.
    """
    import time

    from plvm_photos.library import Library
    from plvm_photos.store.layout import DB_FILE

    started = time.perf_counter()
    root = Path(root)
    Library(root).close()
    rng = np.random.default_rng(seed)
    centres = unit_rows(rng, max(1, regions // 20), CENTRE_NORM)
    conn = sqlite3.connect(root / DB_FILE)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")
    photos = (regions + faces_per_photo - 1) // faces_per_photo
    for start in range(0, regions, batch):
        stop = min(regions, start + batch)
        vectors = faces_of(rng, centres, rng.integers(0, len(centres), stop - start))
        region_ids = range(start + 1, stop + 1)
        first_photo = start // faces_per_photo + 1
        last_photo = (stop - 1) // faces_per_photo + 1
        with conn:
            conn.executemany(
                "INSERT OR IGNORE INTO photos (id, sha256, width, height, engine, caption, analyzed_at) "
                "VALUES (?, ?, 4000, 3000, 'face', ?, '2026-01-01')",
                ((pid, f"{pid:064x}", f"{faces_per_photo} unknown people") for pid in range(first_photo, last_photo + 1)),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO files (id, path, photo_id, size, mtime_ns, missing, seen_at) "
                "VALUES (?, ?, ?, 2000000, 1600000000000000000, 0, '2026-01-01')",
                ((pid, f"/photos/{pid % 97:02d}/IMG_{pid:07d}.jpg", pid) for pid in range(first_photo, last_photo + 1)),
            )
            conn.executemany(
                "INSERT INTO regions (id, photo_id, kind, \"left\", top, \"right\", bottom, score, vector) "
                "VALUES (?, ?, 'face', 100, 100, 300, 300, 0.8, ?)",
                ((rid, (rid - 1) // faces_per_photo + 1, vectors[rid - 1 - start].tobytes()) for rid in region_ids),
            )
    conn.close()
    return SynthLibrary(root, photos, regions, [], [], time.perf_counter() - started)
