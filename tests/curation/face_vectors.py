"""A library of faces with chosen descriptors, rows written directly (no photo files, no engine
run): for the clustering tests, fast at any size."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def blobs(sizes: tuple[int, ...] = (4, 3, 2), lone: int = 2, seed: int = 0) -> list[np.ndarray]:
    """Faces of ``len(sizes)`` people (0.01 around centres far apart) and ``lone`` faces far from all."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(sizes) + lone, 128)).astype(np.float32) * 3
    out = []
    for k, n in enumerate(sizes):
        out += [centres[k] + rng.normal(scale=0.01, size=128).astype(np.float32) for _ in range(n)]
    return out + [centres[len(sizes) + k] for k in range(lone)]


def add_faces(library, vectors: list[np.ndarray]) -> list[int]:
    """One photo (a current one: a file row not missing) per face; the faces' region ids."""
    from plvm_photos.db.models import File, Photo, Region

    ids = []
    with library.transaction() as s:
        for vec in vectors:
            photo = Photo(sha256=f"{len(ids)}-{np.asarray(vec).tobytes().hex()[:48]}", width=400, height=400,
                          engine="face")
            s.add(photo)
            s.flush()
            s.add(File(path=f"/photos/p{photo.id}.jpg", photo_id=photo.id, size=1, mtime_ns=1))
            region = Region(photo_id=photo.id, kind="face", left=10, top=10, right=110, bottom=110, score=0.99,
                            vector=np.asarray(vec, dtype=np.float32).tobytes())
            s.add(region)
            s.flush()
            ids.append(region.id)
    return ids


def vector_library(root: Path, vectors: list[np.ndarray]):
    """(an open Library at ``root`` holding ``vectors`` as faces, their region ids)."""
    from plvm_photos.library import Library

    library = Library(root)
    return library, add_faces(library, vectors)
