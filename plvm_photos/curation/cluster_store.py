"""The unknown faces' clustering kept in the library folder (``clusters.json``): one store for
two jobs.

- **The cache**: a clustering is keyed by the signature of its inputs (how many unknown faces, a
  hash of their sorted region ids, ``eps``, ``min_samples``); a reader whose unknown faces have
  the same signature uses it instead of clustering again (a minute on 100 000 faces).
- **What ``faces --unknown`` printed**: ``name --cluster ID`` and ``add-person --from-cluster ID``
  name the cluster the user was shown. When the CLI prints a clustering it is marked ``printed``;
  a later clustering written by the gallery keeps the printed clusters' face ids beside it
  (``printed_clusters``), so a cluster id keeps meaning what the terminal showed.

The file holds region ids only (a face's photo and box are read from the database for the faces
shown), so reading it costs milliseconds. It is written whole or not at all (a temporary file,
then ``os.replace``); a torn or unreadable file is ignored as if there were none.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CLUSTERS_FILE = "clusters.json"
FORMAT = 2


@dataclass(frozen=True)
class Signature:
    """What a clustering was computed from."""

    faces: int
    ids_sha256: str  # of the sorted region ids, as little-endian int64
    eps: float
    min_samples: int

    def as_dict(self) -> dict:
        return {"faces": self.faces, "ids_sha256": self.ids_sha256, "eps": self.eps, "min_samples": self.min_samples}


def signature(region_ids, eps: float, min_samples: int) -> Signature:
    ids = np.sort(np.asarray(list(region_ids), dtype="<i8"))
    return Signature(len(ids), hashlib.sha256(ids.tobytes()).hexdigest(), float(eps), int(min_samples))


@dataclass(frozen=True)
class StoredCluster:
    id: int  # 1 = largest
    faces: list[int]  # region ids, closest to the centre first
    spread: float


@dataclass(frozen=True)
class StoredClustering:
    signature: Signature
    clusters: list[StoredCluster]
    singles: list[int]  # region ids of the faces in no cluster, by id
    printed: bool  # these are the clusters `faces --unknown` last printed
    printed_clusters: list[list[int]] | None  # else those it printed, if any (cluster id = index + 1)

    def cluster_faces(self) -> list[list[int]] | None:
        """The face ids of each cluster ``--cluster ID`` refers to (None: nothing printed yet)."""
        return [c.faces for c in self.clusters] if self.printed else self.printed_clusters


def store_path(root: Path) -> Path:
    return Path(root) / CLUSTERS_FILE


def read(root: Path) -> StoredClustering | None:
    """The stored clustering, or None when there is none or it cannot be read (a torn write, an
    older format: both as if absent)."""
    try:
        data = json.loads(store_path(root).read_text())
        if data.get("format") != FORMAT:
            return None
        sig = Signature(int(data["signature"]["faces"]), str(data["signature"]["ids_sha256"]),
                        float(data["signature"]["eps"]), int(data["signature"]["min_samples"]))
        clusters = [StoredCluster(int(c["id"]), [int(r) for r in c["faces"]], float(c["spread"]))
                    for c in data["clusters"]]
        printed_clusters = data.get("printed_clusters")
        return StoredClustering(sig, clusters, [int(r) for r in data["singles"]], bool(data["printed"]),
                                None if printed_clusters is None else [[int(r) for r in c] for c in printed_clusters])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def read_printed_v1(root: Path) -> list[list[int]] | None:
    """The clusters of a ``clusters.json`` written before the cache (format 1: faces as objects)."""
    try:
        data = json.loads(store_path(root).read_text())
        return [[int(f["region_id"]) for f in c["faces"]] for c in sorted(data["clusters"], key=lambda c: c["id"])]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write(root: Path, sig: Signature, clusters: list[StoredCluster], singles: list[int], printed: bool) -> Path:
    """Store a clustering, whole or not at all. Not ``printed`` (the gallery's): the clusters the
    CLI printed last are kept beside it."""
    previous = read(root)
    printed_clusters = None
    if not printed:
        printed_clusters = previous.cluster_faces() if previous is not None else read_printed_v1(root)
    data = {
        "format": FORMAT,
        "signature": sig.as_dict(),
        "unknown_faces": sig.faces,
        "clusters": [{"id": c.id, "size": len(c.faces), "spread": round(c.spread, 4), "faces": c.faces} for c in clusters],
        "singles": singles,
        "printed": printed,
        "printed_clusters": printed_clusters,
    }
    path = store_path(root)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_text(json.dumps(data, separators=(",", ":")))
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
