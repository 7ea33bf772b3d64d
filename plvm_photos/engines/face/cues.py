"""What the people-pose stage saw of one person: the typed value stored with a face region
(``regions.pose``, JSON) and read back by the judgements (``interaction.py``, ``ask``).

Standard library only: ``ask`` reads it without NumPy. A region whose ``pose`` is NULL was never
seen by the stage (not installed, or analysed before it existed: ``scan --pose`` fills it in); a
stored value whose ``face`` or ``body`` is None means the stage ran and did not find that part
(the body out of frame, a face the mesh could not follow).

Coordinates are full-size pixels of the photo as displayed (as region boxes); angles in degrees
with ``pose.py``'s signs (yaw + = toward the image's right, pitch + = up, roll + = clockwise).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

VERSION = 1
BODY_POINTS = ("nose", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
               "left_index", "right_index", "left_hip", "right_hip")  # "left" = the person's own left


@dataclass(frozen=True)
class FaceCues:
    score: float  # the face mesh's probability that a face fills its crop
    yaw_deg: float  # head pose fitted to the mesh (``pose.fit_pose``)
    pitch_deg: float
    roll_deg: float
    mouth_open: float  # gap between the inner lips / mouth width
    mouth_width: float  # mouth corner to corner / outer eye corner to corner
    smile_lift: float  # how far the mouth corners sit above the lips' middle / eye span (+ = up)
    eye_open_left: float  # lid gap / eye width (the iris network's eye contour), the image-left eye
    eye_open_right: float
    gaze_yaw_deg: float  # where the eyes look: the head's yaw plus the irises' turn in it
    gaze_pitch_deg: float
    eye_span_px: float  # outer eye corner to corner, full-size pixels (the face's scale)


@dataclass(frozen=True)
class BodyPoint:
    x: float
    y: float
    z: float  # depth, same scale as x: + = farther from the camera than the hips' middle
    visibility: float  # 0..1: the model's belief that the point is in frame and not hidden


@dataclass(frozen=True)
class BodyCues:
    score: float  # the pose model's probability that a person fills its crop
    points: dict[str, BodyPoint] = field(default_factory=dict)  # the names of ``BODY_POINTS``

    def point(self, name: str, min_visibility: float = 0.5) -> BodyPoint | None:
        p = self.points.get(name)
        return p if p is not None and p.visibility >= min_visibility else None


@dataclass(frozen=True)
class PersonCues:
    face: FaceCues | None
    body: BodyCues | None
    version: int = VERSION

    def to_json(self) -> str:
        data = {"v": self.version, "face": _rounded(asdict(self.face)) if self.face else None,
                "body": None}
        if self.body is not None:
            data["body"] = {"score": round(self.body.score, 3),
                            "points": {k: _rounded(asdict(p)) for k, p in self.body.points.items()}}
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> PersonCues:
        data = json.loads(text)
        face = FaceCues(**data["face"]) if data.get("face") else None
        body = None
        if data.get("body"):
            body = BodyCues(data["body"]["score"], {k: BodyPoint(**p) for k, p in data["body"]["points"].items()})
        return cls(face, body, data.get("v", VERSION))


def _rounded(values: dict) -> dict:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in values.items()}
