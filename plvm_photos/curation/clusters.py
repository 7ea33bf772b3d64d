"""Unknown faces: grouping the faces no registered person claims, and curating matches.

Clustering is DBSCAN on the 128-d descriptors (the density-based grouping photo tools such as
Immich and digiKam use): a face with at least ``min_samples`` faces (itself included) within
``eps`` is a core face; clusters are core faces linked through each other plus the faces they
reach. Neighbours come from a FAISS range search, so no N x N matrix is built. A person is in a
photo once, so a cluster holding two faces of one photo is split by which of the two each of
its faces is nearer (``split_by_photo``).

The clustering is kept in the library folder (``cluster_store``), keyed by the signature of its
inputs: while the unknown faces stay the same it is read, not computed again; and
``add-person --from-cluster ID`` names exactly the cluster ``faces --unknown`` printed, even if the
library changed in between.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import select

from plvm_photos.ask.answer import resolve_photo, session_reader
from plvm_photos.db.models import Photo, Region, Rejection, Verdict
from plvm_photos.db.queries import CHUNK, photo_paths, unknown_faces_query
from plvm_photos.curation import cluster_store
from plvm_photos.curation.cluster_store import Signature, StoredCluster
from plvm_photos.curation.confirm import Rejected
from plvm_photos.errors import LibraryError
from plvm_photos.reads.photos import photo_faces
from plvm_photos.store.library_store import LibraryStore

DEFAULT_EPS = 0.5
DEFAULT_MIN_SAMPLES = 2
MAX_REFERENCES = 3  # faces of a cluster kept as references when it becomes a person


@dataclass(frozen=True)
class UnknownFace:
    region_id: int
    photo_id: int
    path: str
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class FaceCluster:
    id: int  # 1 = largest
    faces: list[UnknownFace]  # closest to the cluster's centre first
    spread: float  # mean distance of its faces to the centre

    def as_dict(self) -> dict:
        return {"id": self.id, "size": len(self.faces), "spread": round(self.spread, 4), "faces": [asdict(f) for f in self.faces]}


@dataclass(frozen=True)
class Clustering:
    clusters: list[FaceCluster]
    unknown_faces: int  # faces matched to nobody
    noise: int  # of those, faces in no cluster
    eps: float
    min_samples: int
    singles: list[UnknownFace] = field(default_factory=list)  # the faces in no cluster
    signature: Signature | None = None  # of the faces clustered (cluster_store)

    def as_dict(self) -> dict:
        return {
            "eps": self.eps,
            "min_samples": self.min_samples,
            "unknown_faces": self.unknown_faces,
            "unclustered": self.noise,
            "clusters": [c.as_dict() for c in self.clusters],
            "singles": [asdict(f) for f in self.singles],
        }

    def describe(self) -> str:
        if not self.clusters:
            return f"{self.unknown_faces} unknown face(s), no cluster of {self.min_samples} or more"
        lines = [
            f"{self.unknown_faces} unknown face(s) in {len(self.clusters)} cluster(s), "
            f"{self.noise} alone (eps {self.eps}):"
        ]
        for c in self.clusters:
            files = list(dict.fromkeys(os.path.basename(f.path) for f in c.faces))
            more = f", ... (+{len(files) - 4})" if len(files) > 4 else ""
            lines.append(f"  cluster {c.id}: {len(c.faces)} face(s) in {len(files)} photo(s): {', '.join(files[:4])}{more}")
        lines.append("see them with `plvm-photos serve` (Unknown faces); name one with: plvm-photos name NAME --cluster ID "
                     "(or add-person NAME --from-cluster ID to make its faces references)")
        return "\n".join(lines)


def dbscan(vectors: np.ndarray, eps: float, min_samples: int) -> np.ndarray:
    """Cluster labels (0, 1, ... in order of discovery; -1 = noise) for float32 rows."""
    import faiss

    n = len(vectors)
    labels = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return labels
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    index = faiss.IndexFlatL2(x.shape[1])
    index.add(x)
    lims, _dist2, ids = index.range_search(x, float(eps) ** 2)
    neighbours = [ids[lims[i] : lims[i + 1]] for i in range(n)]  # each includes the face itself
    core = np.array([len(nb) >= min_samples for nb in neighbours])
    next_label = 0
    for start in range(n):
        if not core[start] or labels[start] != -1:
            continue
        labels[start] = next_label
        queue = deque([start])
        while queue:
            i = queue.popleft()
            for j in neighbours[i]:
                j = int(j)
                if labels[j] == -1:
                    labels[j] = next_label
                    if core[j]:
                        queue.append(j)
        next_label += 1
    return labels


def unknown_region_ids(library: LibraryStore) -> list[int]:
    """The unknown faces' region ids, ascending (no vectors: what a signature is made of)."""
    with library.session() as s:  # Core rows, not ORM ones: 96 000 ids in a third of the time
        return [r[0] for r in s.connection().execute(unknown_faces_query(Region.id)).fetchall()]


def unknown_regions(library: LibraryStore) -> tuple[list[UnknownFace], np.ndarray]:
    """The unknown faces with their vectors."""
    with library.session() as s:
        rows = s.execute(unknown_faces_query(Region.id, Region.photo_id, Region.left, Region.top, Region.right,
                                              Region.bottom, Region.vector)).all()
        paths = photo_paths(s, {r[1] for r in rows})
    faces = [UnknownFace(r[0], r[1], paths.get(r[1], ""), (r[2], r[3], r[4], r[5])) for r in rows]
    vectors = (
        np.frombuffer(b"".join(r[6] for r in rows), dtype=np.float32).reshape(len(rows), -1)
        if rows
        else np.zeros((0, 128), dtype=np.float32)
    )
    return faces, vectors


def faces_by_id(library: LibraryStore, region_ids) -> dict[int, UnknownFace]:
    """The photo, path and box of the faces ``region_ids`` that still exist (no vectors)."""
    ids = list(dict.fromkeys(region_ids))
    rows = []
    with library.session() as s:
        for start in range(0, len(ids), CHUNK):
            rows += s.execute(select(Region.id, Region.photo_id, Region.left, Region.top, Region.right, Region.bottom)
                              .where(Region.id.in_(ids[start : start + CHUNK]))).all()
        paths = photo_paths(s, {r[1] for r in rows})
    return {r[0]: UnknownFace(r[0], r[1], paths.get(r[1], ""), (r[2], r[3], r[4], r[5])) for r in rows}


def split_by_photo(members: list[int], photo_of: list[int], vectors: np.ndarray) -> list[list[int]]:
    """``members`` (indices) as groups that never hold two faces of one photo: where two faces of
    a photo share a group, it is split in two, each member going with the nearer of the two."""
    seen: dict[int, int] = {}
    for m in members:
        if photo_of[m] in seen:
            a, b = seen[photo_of[m]], m
            da = np.linalg.norm(vectors[members] - vectors[a], axis=1)
            db = np.linalg.norm(vectors[members] - vectors[b], axis=1)
            near_a = [x for x, p, q in zip(members, da, db) if p < q or x == a]
            near_b = [x for x in members if x not in set(near_a)]
            return split_by_photo(near_a, photo_of, vectors) + split_by_photo(near_b, photo_of, vectors)
        seen[photo_of[m]] = m
    return [members]


def check_parameters(eps: float, min_samples: int) -> None:
    if eps <= 0:
        raise LibraryError(f"--eps must be positive (got {eps})")
    if min_samples < 1:
        raise LibraryError(f"--min-size must be at least 1 (got {min_samples})")


def cluster_unknown(library: LibraryStore, eps: float = DEFAULT_EPS, min_samples: int = DEFAULT_MIN_SAMPLES) -> Clustering:
    """The unknown faces grouped: the stored clustering when its signature is that of the unknown
    faces now, else computed (``compute_clustering``) and stored for the next reader."""
    check_parameters(eps, min_samples)
    stored = cluster_store.read(library.root)
    if stored is not None:
        ids = unknown_region_ids(library)
        if stored.signature == cluster_store.signature(ids, eps, min_samples):
            return from_store(library, stored)
    clustering = compute_clustering(*unknown_regions(library), eps, min_samples)
    store_clustering(library, clustering, printed=False)
    return clustering


def compute_clustering(faces: list[UnknownFace], vectors: np.ndarray, eps: float, min_samples: int) -> Clustering:
    """DBSCAN, then split by photo; clusters largest first (ties: smallest region id first), ids
    1, 2, ...: the same faces always give the same clusters, ids and order."""
    labels = dbscan(vectors, eps, min_samples)
    photo_of = [f.photo_id for f in faces]
    groups: list[tuple[list[UnknownFace], float]] = []
    alone = [int(i) for i in np.flatnonzero(labels == -1)]
    for label in range(int(labels.max()) + 1 if len(labels) else 0):
        for members in split_by_photo([int(i) for i in np.flatnonzero(labels == label)], photo_of, vectors):
            if len(members) < max(min_samples, 2):
                alone += members
                continue
            centre = vectors[members].mean(axis=0)
            d = np.linalg.norm(vectors[members] - centre, axis=1)
            order = np.argsort(d, kind="stable")
            groups.append(([faces[members[k]] for k in order], float(d.mean())))
    groups.sort(key=lambda g: (-len(g[0]), min(f.region_id for f in g[0])))
    clusters = [FaceCluster(i + 1, members, spread) for i, (members, spread) in enumerate(groups)]
    singles = [faces[i] for i in sorted(alone, key=lambda i: faces[i].region_id)]
    sig = cluster_store.signature([f.region_id for f in faces], eps, min_samples)
    return Clustering(clusters, len(faces), len(singles), eps, min_samples, singles, sig)


def from_store(library: LibraryStore, stored: cluster_store.StoredClustering) -> Clustering:
    """A stored clustering with its faces' photos and boxes read again (no vectors)."""
    faces = faces_by_id(library, [r for c in stored.clusters for r in c.faces] + stored.singles)
    clusters = [FaceCluster(c.id, [faces[r] for r in c.faces if r in faces], c.spread) for c in stored.clusters]
    singles = [faces[r] for r in stored.singles if r in faces]
    sig = stored.signature
    return Clustering(clusters, sig.faces, len(singles), sig.eps, sig.min_samples, singles, sig)


def store_clustering(library: LibraryStore, clustering: Clustering, printed: bool) -> Path:
    sig = clustering.signature or cluster_store.signature(
        [f.region_id for c in clustering.clusters for f in c.faces] + [f.region_id for f in clustering.singles],
        clustering.eps, clustering.min_samples)
    clusters = [StoredCluster(c.id, [f.region_id for f in c.faces], c.spread) for c in clustering.clusters]
    return cluster_store.write(library.root, sig, clusters, [f.region_id for f in clustering.singles], printed)


def save_clustering(library: LibraryStore, clustering: Clustering) -> Path:
    """Store the clustering ``faces --unknown`` printed: ``--cluster ID`` names its clusters."""
    return store_clustering(library, clustering, printed=True)


def saved_cluster(library: LibraryStore, cluster_id: int) -> list[int]:
    """Region ids of cluster ``cluster_id`` from the last ``faces --unknown``."""
    stored = cluster_store.read(library.root)
    clusters = stored.cluster_faces() if stored is not None else cluster_store.read_printed_v1(library.root)
    if clusters is None:
        raise LibraryError("no clusters yet: run `plvm-photos faces --unknown` first")
    if 1 <= cluster_id <= len(clusters):
        return clusters[cluster_id - 1]
    raise LibraryError(
        f"no cluster {cluster_id} in the last `faces --unknown` ({len(clusters)} cluster(s)); run it again to see the current ones"
    )


def add_person_from_cluster(library: LibraryStore, name: str, cluster_id: int, force: bool = False):
    """Register ``name`` from a cluster: its faces nearest the centre become the references."""
    from plvm_photos.curation.people import StoredFace, add_person_from_faces

    region_ids = saved_cluster(library, cluster_id)
    with library.session() as s:
        rows = {r.id: r for r in s.scalars(select(Region).where(Region.id.in_(region_ids)))}
        paths = photo_paths(s, {r.photo_id for r in rows.values()})
        claimed = set(
            s.scalars(select(Verdict.region_id).where(Verdict.region_id.in_(region_ids), Verdict.present.is_(True)))
        )
    usable = [rid for rid in region_ids if rid in rows and rid not in claimed and os.path.isfile(paths.get(rows[rid].photo_id, ""))]
    if not usable:
        raise LibraryError(
            f"cluster {cluster_id}'s faces are gone or now belong to someone; run `plvm-photos faces --unknown` again"
        )
    faces = [
        StoredFace(Path(paths[rows[rid].photo_id]), rows[rid].box, np.frombuffer(rows[rid].vector, dtype=np.float32))
        for rid in usable[:MAX_REFERENCES]
    ]
    return add_person_from_faces(library, name, faces, force=force)


# --- rejecting a wrong match -----------------------------------------------------------------
def reject_match(library: LibraryStore, photo_ref: str, name: str, face: int | None = None) -> Rejected:
    """Remember that ``name`` is not in a photo (or not face number ``face``, 1 = leftmost).

    Without ``face`` the face the person was matched to is rejected, or, when they were matched
    to none, the whole photo; the photo is decided again at once and never pairs them again
    (``confirm.reject_face``, which the gallery uses too).
    """
    from plvm_photos.curation.confirm import reject_face

    with library.session() as s:
        photo_id = resolve_photo(session_reader(s), photo_ref)
        concept = library.concept(s, name)
        path = photo_paths(s, [photo_id]).get(photo_id, photo_ref)
        if face is not None:
            region_id: int | None = photo_faces(library, photo_id).numbered(face).region_id
        else:
            verdict = s.scalar(select(Verdict).where(Verdict.photo_id == photo_id, Verdict.concept_id == concept.id))
            region_id = verdict.region_id if verdict is not None and verdict.present else None
            said = s.scalar(select(Rejection.id).where(Rejection.photo_id == photo_id, Rejection.concept_id == concept.id))
            if region_id is None and said is not None:  # not matched and rejected here already: nothing to add
                return Rejected(photo_id, path, concept.display, None, False)
    return reject_face(library, photo_id, name, region_id)

