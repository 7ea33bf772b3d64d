"""When and where a photo was taken, as stored on its ``photos`` row.

The analysis worker reads them with the photo (``read_facts``: EXIF date and GPS through
``photo_facts``, the GPS position reverse geocoded to the nearest listed city) and the commit
stores them (``apply_facts``). Photos analysed by a version that did not read them have
``facts_version`` NULL (or older than ``FACTS_VERSION``): ``backfill_facts`` reads one current file
of each, without analysing the photo again, in batches of one transaction each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from plvm_photos.store.library_store import LibraryStore

FACTS_VERSION = 1  # bump when the rules change: photos read under an older version are read again
BATCH = 200  # photos whose facts are written in one transaction


@dataclass(frozen=True)
class StoredFacts:
    taken: datetime | None  # the camera's local time, naive
    offset_minutes: int | None
    source: str | None  # exif | file
    lat: float | None
    lon: float | None
    place_id: int | None = None  # the nearest listed city (GeoNames id), its region and country
    place_name: str | None = None
    admin1: str | None = None
    admin1_code: str | None = None
    country_code: str | None = None
    country: str | None = None


def read_facts(path: str) -> StoredFacts | None:
    """The facts of the photo at ``path``; None when the file cannot be read now."""
    from plvm_photos.photo_facts import photo_facts

    try:
        facts = photo_facts(path)
    except OSError:
        return None
    place = None
    if facts.lat is not None and facts.lon is not None:
        from plvm_photos.places.geocode import reverse

        try:
            place = reverse(facts.lat, facts.lon)
        except (ValueError, OSError):
            place = None
    if place is None:
        return StoredFacts(facts.taken, facts.utc_offset_minutes, facts.taken_source, facts.lat, facts.lon)
    return StoredFacts(facts.taken, facts.utc_offset_minutes, facts.taken_source, facts.lat, facts.lon, place.geonameid,
                       place.name, place.admin1 or None, place.admin1_code or None, place.country_code, place.country or None)


def apply_facts(photo, facts: StoredFacts) -> None:
    """Set the facts columns of a ``Photo`` row."""
    photo.taken_at, photo.taken_offset_minutes, photo.taken_source = facts.taken, facts.offset_minutes, facts.source
    photo.lat, photo.lon = facts.lat, facts.lon
    photo.place_id, photo.place_name, photo.admin1 = facts.place_id, facts.place_name, facts.admin1
    photo.admin1_code, photo.country_code, photo.country = facts.admin1_code, facts.country_code, facts.country
    photo.facts_version = FACTS_VERSION


def backfill_facts(store: LibraryStore, paths: Iterable[str]) -> int:
    """Read the facts of photos that lack them, from one of their current files among ``paths``
    (the files a scan or a watcher's walk just saw); returns how many photos got them."""
    from sqlalchemy import or_, select

    from plvm_photos.db.models import File, Photo

    seen = set(paths)
    with store.session() as s:
        rows = s.execute(
            select(Photo.id, File.path).join(File, File.photo_id == Photo.id)
            .where(or_(Photo.facts_version.is_(None), Photo.facts_version < FACTS_VERSION), Photo.error.is_(None),
                   File.missing.is_(False))
            .order_by(Photo.id, File.id)
        ).all()
    todo: dict[int, str] = {}
    for photo_id, path in rows:
        if path in seen:
            todo.setdefault(photo_id, path)
    read = 0
    items = list(todo.items())
    for start in range(0, len(items), BATCH):
        found = [(pid, facts) for pid, path in items[start : start + BATCH] if (facts := read_facts(path)) is not None]
        with store.transaction() as s:  # files are read before the transaction: no lock held meanwhile
            for photo_id, facts in found:
                photo = s.get(Photo, photo_id)
                if photo is not None and (photo.facts_version is None or photo.facts_version < FACTS_VERSION):
                    apply_facts(photo, facts)
                    read += 1
    return read


def moment_of(path: str):
    """When the file at ``path`` was recorded, to tell the files of one item (``media.items``);
    OSError when it cannot be read."""
    import os

    from plvm_photos.media.items import Moment
    from plvm_photos.photo_facts import photo_facts

    facts = photo_facts(path)
    recorded = facts.taken_source == "exif"
    return Moment(facts.taken if recorded else None, facts.utc_offset_minutes if recorded else None, os.stat(path).st_mtime)


def same_moment(a: str, b: str) -> bool:
    """Whether the files ``a`` and ``b`` were recorded at the same moment (``media.items``)."""
    from plvm_photos.media.items import same_moment as same

    try:
        return same(moment_of(a), moment_of(b))
    except OSError:
        return False
