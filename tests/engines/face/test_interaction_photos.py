"""The public photos fetched from registry packages for the interaction labels
(``tools/fetch_interaction_photos.py``): named in the label files, checked by sha256, never
committed; the tests that look at them skip where they were not fetched."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from tools import fetch_interaction_photos as fetcher
from tools.eval_interaction import load_face_labels, load_labels


def test_every_fetched_photo_the_labels_name_is_a_recorded_file():
    recorded = {f"{fetcher.PREFIX}{s.name}/{path}" for s in fetcher.SOURCES for path in s.files}
    named = {p for p in {**load_labels(), **load_face_labels()} if p.startswith(fetcher.PREFIX)}
    assert named and named <= recorded, sorted(named - recorded)
    assert fetcher.resolve(sorted(named)[0], Path("/data"), Path("/extra")) == Path("/extra") / sorted(named)[0][len("extra/"):]
    assert fetcher.resolve("library/x.jpg", Path("/data"), Path("/extra")) == Path("/data/library/x.jpg")


def _archive(folder: Path, files: dict[str, bytes]) -> Path:
    path = folder / "pkg-1.0.tgz"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_fetch_extracts_the_named_files_and_refuses_any_that_differ(tmp_path, monkeypatch):
    photo = b"\xff\xd8 a photo"
    scratch = tmp_path / "built"
    scratch.mkdir()
    archive = _archive(scratch, {"package/demo/a.jpg": photo, "package/other.js": b"x"})

    def download(source, folder):
        target = folder / archive.name
        target.write_bytes(archive.read_bytes())
        return target

    monkeypatch.setattr(fetcher, "_download", download)
    source = fetcher.Source("npm-pkg-1.0", "npm", "pkg", "1.0", _sha(archive.read_bytes()), "MIT",
                            {"package/demo/a.jpg": _sha(photo)})
    dest = tmp_path / "dest"
    assert fetcher.fetch(source, dest) == 1
    assert (dest / "npm-pkg-1.0/package/demo/a.jpg").read_bytes() == photo
    assert not (dest / "npm-pkg-1.0/package/other.js").exists()
    assert fetcher.fetch(source, dest) == 0  # there already: nothing downloaded again

    changed = fetcher.Source("npm-pkg-1.0", "npm", "pkg", "1.0", "0" * 64, "MIT", {"package/demo/a.jpg": _sha(photo)})
    with pytest.raises(SystemExit, match="sha256"):
        fetcher.fetch(changed, tmp_path / "elsewhere")
    wrong_file = fetcher.Source("npm-pkg-1.0", "npm", "pkg", "1.0", _sha(archive.read_bytes()), "MIT",
                                {"package/demo/a.jpg": "1" * 64})
    with pytest.raises(SystemExit, match="sha256"):
        fetcher.fetch(wrong_file, tmp_path / "third")
    assert not (tmp_path / "third/npm-pkg-1.0/package/demo/a.jpg").exists()  # a file that differs is not left


SAMPLE6 = "extra/npm-vladmandic-face-api-1.7.15/package/demo/sample6.jpg"  # four friends, all at the camera


def test_the_pose_stage_on_a_fetched_group_photo():
    from plvm_photos.engines.face import landmark_models
    from plvm_photos.engines.face.judgements import Seen, judge

    path = fetcher.resolve(SAMPLE6, Path("."))
    if not path.exists():
        pytest.skip(f"{SAMPLE6} not fetched (python -m tools.fetch_interaction_photos)")
    if not landmark_models.available():
        pytest.skip(landmark_models.missing())
    from plvm_photos.engines.face.engine import FaceAnalyzer, FaceEngineConfig
    from plvm_photos.imaging import decode

    labels = load_face_labels()[SAMPLE6]
    boxes = [tuple(f["box"]) for f in labels]
    cues = FaceAnalyzer(FaceEngineConfig(pose=True)).people_cues(decode(path, max_side=1024), boxes)
    seen = [Seen(b, c) for b, c in zip(boxes, cues)]
    for person, label in zip(seen, labels):
        assert judge("looking_at_camera", [person]).holds is label["camera"]
    assert judge("smiling", [seen[1]]).holds is True and judge("not_smiling", [seen[2]]).holds is True
    for a in range(4):
        for b in range(a + 1, 4):
            assert judge("talking", [seen[a], seen[b]], seen).holds is False  # a posed group photo


def test_list_names_every_source_and_its_licence_without_fetching(capsys, tmp_path):
    assert fetcher.main(["--list", str(tmp_path / "unused")]) == 0
    printed = capsys.readouterr().out
    for source in fetcher.SOURCES:
        assert f"{source.package} {source.version}" in printed and source.licence in printed
    assert not (tmp_path / "unused").exists()
