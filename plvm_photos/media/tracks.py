"""Faces followed through one clip: the regions found in its sampled frames, grouped so that one
person is one face of the video, with the times they are seen.

Frames are taken in time order; each region joins the open track whose mean vector is nearest,
when nearer than ``same_face`` and that track has no region in this frame yet (a person is in a
frame once), else it starts a track. Tracks that never share a frame and whose means are within
``same_face`` are then merged (a person who left and came back). A track's face is its medoid:
the region nearest its mean, a real detection whose box and vector are stored. Deterministic:
the same frames give the same tracks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Sighting:
    time: float
    box: tuple[int, int, int, int]
    score: float
    vector: np.ndarray
    kind: str = "face"


@dataclass
class Track:
    sightings: list[Sighting] = field(default_factory=list)

    @property
    def mean(self) -> np.ndarray:
        return np.mean(np.stack([s.vector for s in self.sightings]), axis=0)

    @property
    def times(self) -> set[float]:
        return {s.time for s in self.sightings}

    def medoid(self) -> Sighting:
        mean = self.mean
        return min(self.sightings, key=lambda s: (float(np.linalg.norm(s.vector - mean)), s.time))

    def segments(self, interval: float) -> list[tuple[float, float]]:
        """Runs of sampled frames it is seen in: a gap of more than one and a half sampling
        intervals starts a new run. (start, end) of the frames seen, in seconds."""
        out: list[list[float]] = []
        for t in sorted(self.times):
            if out and t - out[-1][1] <= 1.5 * interval + 1e-6:
                out[-1][1] = t
            else:
                out.append([t, t])
        return [(round(a, 2), round(b, 2)) for a, b in out]


def track_faces(frames: list[tuple[float, list[Sighting]]], same_face: float) -> list[Track]:
    """``frames``: (time, the regions of that frame), any order. Tracks of one kind of region
    each; ordered by the time they are first seen."""
    tracks: list[Track] = []
    for _, sightings in sorted(frames, key=lambda f: f[0]):
        taken: set[int] = set()
        pairs = []
        for i, s in enumerate(sightings):
            for j, track in enumerate(tracks):
                if track.sightings[0].kind == s.kind:
                    pairs.append((float(np.linalg.norm(s.vector - track.mean)), i, j))
        placed: set[int] = set()
        for distance, i, j in sorted(pairs):
            if distance < same_face and i not in placed and j not in taken:
                tracks[j].sightings.append(sightings[i])
                placed.add(i)
                taken.add(j)
        for i, s in enumerate(sightings):
            if i not in placed:
                tracks.append(Track([s]))
                taken.add(len(tracks) - 1)
    return _merged(tracks, same_face)


def _merged(tracks: list[Track], same_face: float) -> list[Track]:
    while True:
        best = None
        for a in range(len(tracks)):
            for b in range(a + 1, len(tracks)):
                ta, tb = tracks[a], tracks[b]
                if ta.sightings[0].kind != tb.sightings[0].kind or ta.times & tb.times:
                    continue
                d = float(np.linalg.norm(ta.mean - tb.mean))
                if d < same_face and (best is None or d < best[0]):
                    best = (d, a, b)
        if best is None:
            return sorted(tracks, key=lambda t: min(t.times))
        _, a, b = best
        tracks[a] = Track(sorted(tracks[a].sightings + tracks[b].sightings, key=lambda s: s.time))
        del tracks[b]
