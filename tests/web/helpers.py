"""Helpers shared by the gallery tests (a module of its own: ``conftest`` names clash across folders)."""

from __future__ import annotations

import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def start_server(library, token=None, quiet=True, **limits):
    """A gallery server on a free loopback port, serving from a daemon thread."""
    from plvm_photos.web.server import make_server

    server = make_server(library, "127.0.0.1", 0, token, quiet=quiet, **limits)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def http_get(server, path: str, headers: dict | None = None, method: str = "GET") -> tuple[int, bytes, dict]:
    """(status, body, headers) of one request; ``path`` is sent verbatim."""
    import http.client

    host, port = server.server_address[:2]
    headers = dict(headers or {})
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", headers.pop("Host", f"127.0.0.1:{port}"))
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read(), dict(resp.getheaders())
    finally:
        conn.close()


def noise_jpeg(path: Path, seed: int, size: tuple[int, int] = (640, 480)) -> Path:
    """A JPEG of random pixels: distinct content (and sha256) per seed."""
    import numpy as np
    from PIL import Image

    pixels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path, "JPEG", quality=80)
    return path


def synthetic_library(root: Path, photos: dict, people: list[str] = ()):
    """A library whose rows are written directly (no face engine runs): ``photos`` maps an image
    path (str, may hold surrogate escapes) to its faces ``[(name or None, (l, t, r, b)), ...]``.
    Returns the open Library and {path: photo id}."""
    import os

    from PIL import Image

    from plvm_photos.db.models import Concept, File, Photo, Region, Verdict
    from plvm_photos.imaging import sha256_file
    from plvm_photos.library import Library

    library = Library(root)
    ids = {}
    with library.transaction() as s:
        concepts = {name: Concept(name=name) for name in people}
        s.add_all(concepts.values())
        for path, faces in photos.items():
            with Image.open(path) as im:
                width, height = im.size
            st = os.stat(path)
            photo = Photo(sha256=sha256_file(path), width=width, height=height, engine="face")
            s.add(photo)
            s.flush()
            s.add(File(path=path, photo_id=photo.id, size=st.st_size, mtime_ns=st.st_mtime_ns))
            for name, box in faces:
                region = Region(photo_id=photo.id, kind="face", left=box[0], top=box[1], right=box[2],
                                bottom=box[3], score=0.99, vector=b"\0" * 512)
                s.add(region)
                s.flush()
                if name:
                    s.add(Verdict(photo_id=photo.id, concept_id=concepts[name].id, region_id=region.id,
                                  present=True, score=0.9, distance=0.3, engine="face"))
            ids[path] = photo.id
    return library, ids


def place_photos(library, positions: dict[int, tuple[float, float]]) -> None:
    """Give photos (by id) a GPS position, stored as a scan stores what it read from EXIF
    (``indexing.facts``: the position reverse geocoded to the nearest listed city)."""
    from dataclasses import replace

    from plvm_photos.db.models import Photo
    from plvm_photos.indexing.facts import StoredFacts, apply_facts
    from plvm_photos.places.geocode import reverse

    with library.transaction() as s:
        for photo_id, (lat, lon) in positions.items():
            photo = s.get(Photo, photo_id)
            place = reverse(lat, lon)
            kept = StoredFacts(photo.taken_at, photo.taken_offset_minutes, photo.taken_source, lat, lon)
            apply_facts(photo, replace(kept, place_id=place.geonameid, place_name=place.name, admin1=place.admin1 or None,
                                       admin1_code=place.admin1_code or None, country_code=place.country_code,
                                       country=place.country or None))
