"""FaceEngineConfig sweep: decode size and HOG upsampling vs CPU time and manifest recall.

Evidence for the face engine's defaults (not part of ``make bench``): for each (max_side,
upsample) the whole ../shared/data/library is decoded and run through dlib's detector, one
process; reported are CPU seconds per photo for decode + detection, faces found, and manifest
face boxes matched at IoU >= 0.5. Descriptors cost the same per face in every setting.

    python -m benchmarks.bench_face_config [--sizes 800,1024,1280] [--upsample 0,1] [--photos N] [--quick]
"""

from __future__ import annotations

import argparse
import json
import time

from benchmarks.bench_indexing import matched_faces, select_photos
from benchmarks.common import data_dir, print_table


def sweep(sizes: list[int], upsamples: list[int], photos: int | None = None) -> list[list]:
    from plvm_photos.engines.face.engine import dlib_models
    from plvm_photos.imaging import decode

    root = data_dir() / "library"
    images = select_photos(json.loads((root / "manifest.json").read_text()), photos)
    detector, _ = dlib_models()
    rows = []
    for size in sizes:
        for upsample in upsamples:
            boxes, found, decode_s, detect_s = {}, 0, 0.0, 0.0
            for image in images:
                t0 = time.process_time()
                decoded = decode(root / image["path"], max_side=size)
                t1 = time.process_time()
                rects, _scores, _ = detector.run(decoded.pixels, upsample, 0.0)
                t2 = time.process_time()
                decode_s += t1 - t0
                detect_s += t2 - t1
                boxes[image["path"]] = [decoded.to_full((r.left(), r.top(), r.right(), r.bottom())) for r in rects]
                found += len(rects)
            hit, total = matched_faces(images, boxes)
            rows.append([size, upsample, len(images), f"{decode_s / len(images):.3f}", f"{detect_s / len(images):.3f}",
                         found, f"{hit}/{total} = {hit / total:.3f}"])
            print(rows[-1], flush=True)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="800,1024,1280")
    parser.add_argument("--upsample", default="1")
    parser.add_argument("--photos", type=int, default=0, help="how many manifest photos (0 = all 108)")
    parser.add_argument("--quick", action="store_true", help="a smoke run (2 photos, 800 px, upsample 0), not the figures")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.upsample, args.photos = "800", "0", 2
    rows = sweep([int(s) for s in args.sizes.split(",")], [int(u) for u in args.upsample.split(",")], args.photos or None)
    print_table(["max_side", "upsample", "photos", "decode CPU s/photo", "detect CPU s/photo", "faces", "manifest boxes"], rows)


if __name__ == "__main__":
    main()
