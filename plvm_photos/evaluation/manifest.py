"""Scoring a library against a ``manifest.json`` of who is in each photo (../shared/data/library).

Usage: python -m plvm_photos.evaluation.manifest DATA_DIR [--library DIR] [--json]
registers every identity from its reference, scans DATA_DIR and prints precision, recall and
the share of group-photo boxes found (IoU >= 0.5 with the labelled box).
"""

from __future__ import annotations

import argparse
import os
import json
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from plvm_photos.library import Library
from plvm_photos.positions import iou


@dataclass
class ManifestScore:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0
    group_boxes: int = 0  # labelled boxes of enrolled people in group photos
    group_boxes_found: int = 0  # ... whose returned box has IoU >= 0.5
    group_boxes_returned: int = 0  # ... for which a box was returned (the person was found)
    errors: list[str] = field(default_factory=list)  # "path: person wrongly present/absent"

    @property
    def precision(self) -> float:
        return self.true_positives / max(self.true_positives + self.false_positives, 1)

    @property
    def recall(self) -> float:
        return self.true_positives / max(self.true_positives + self.false_negatives, 1)

    @property
    def box_rate(self) -> float:
        """Labelled boxes found, a recognition miss counting as a wrong box."""
        return self.group_boxes_found / max(self.group_boxes, 1)

    @property
    def returned_box_rate(self) -> float:
        """Of the boxes returned for people who are there, those that overlap the labelled box."""
        return self.group_boxes_found / max(self.group_boxes_returned, 1)

    def as_dict(self) -> dict:
        return {**asdict(self), "precision": self.precision, "recall": self.recall, "box_rate": self.box_rate,
                "returned_box_rate": self.returned_box_rate}


def register_all(library: Library, data_dir: Path, manifest: dict) -> None:
    """Register every identity; a reference with several faces uses the one the manifest boxes."""
    from plvm_photos.errors import SeveralFacesError

    for identity, info in manifest["identities"].items():
        reference = data_dir / info["ref"]
        try:
            library.add_person(identity, [reference], force=True)
        except SeveralFacesError as exc:
            boxes = exc.boxes
            best = max(range(len(boxes)), key=lambda i: iou(boxes[i], info["ref_face_box"]))
            library.add_person(identity, [reference], face=best + 1, force=True)


def score(library: Library, data_dir: Path, manifest: dict) -> ManifestScore:
    result = ManifestScore()
    identities = list(manifest["identities"])
    by_path: dict[str, dict[str, list[int]]] = {}
    for row in library.verdicts():
        if row["present"]:
            by_path.setdefault(row["path"], {})[row["person"]] = row["box"]
    for image in manifest["images"]:
        path = os.path.abspath(data_dir / image["path"])  # as scan records it (symlinks kept)
        found = by_path.get(path, {})
        truth = set(image["identities"])
        uncertain = set(image.get("uncertain_identities", []))
        for identity in identities:
            if identity in uncertain:
                continue
            predicted = identity in found
            actual = identity in truth
            if predicted and actual:
                result.true_positives += 1
            elif predicted:
                result.false_positives += 1
                result.errors.append(f"{image['path']}: <{identity}> reported but not there")
            elif actual:
                result.false_negatives += 1
                result.errors.append(f"{image['path']}: <{identity}> missed")
            else:
                result.true_negatives += 1
        if image["kind"] == "group":
            for face in image.get("faces", []):
                if face.get("identity") in truth and "box" in face and face["identity"] not in uncertain:
                    result.group_boxes += 1
                    box = found.get(face["identity"])
                    result.group_boxes_returned += bool(box)
                    if box and iou(box, face["box"]) >= 0.5:
                        result.group_boxes_found += 1
    return result


def evaluate(data_dir: Path, library_dir: Path | None = None, workers: int | None = None) -> ManifestScore:
    data_dir = Path(data_dir)
    manifest = json.loads((data_dir / "manifest.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        with Library(library_dir or tmp) as library:
            register_all(library, data_dir, manifest)
            library.scan([data_dir], workers=workers, progress=False)
            return score(library, data_dir, manifest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--library", type=Path, default=None, help="keep the library here (default: a temp folder)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = evaluate(args.data_dir, args.library, args.workers)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
        return
    print(f"precision {result.precision:.3f}  recall {result.recall:.3f}  "
          f"(TP {result.true_positives}, FP {result.false_positives}, FN {result.false_negatives})")
    print(f"group photos, returned boxes with IoU >= 0.5: {result.group_boxes_found}/{result.group_boxes_returned}"
          f" = {result.returned_box_rate:.3f}; labelled boxes found: {result.group_boxes_found}/{result.group_boxes}"
          f" = {result.box_rate:.3f}")
    for line in result.errors:
        print("  " + line)


if __name__ == "__main__":
    main()
