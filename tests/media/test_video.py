"""Videos: frames sampled at spread times (keyframes where near), a phone clip turned upright,
damaged clips refused with a reason within their budget; faces followed through a clip."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from plvm_photos.errors import ImageError
from plvm_photos.media.times import spans
from plvm_photos.media.tracks import Sighting, track_faces
from plvm_photos.media.video import Sampler, VideoSampling, probe
from tests.media.clips import Shown, truncate, write_clip


@pytest.fixture(scope="module")
def face(library_data) -> Image.Image:
    return Image.open(library_data / "barack_obama" / "test" / "facerec__obama.jpg")


def test_frames_are_spread_over_the_clip_and_keyframes_are_used(tmp_path, face):
    path = write_clip(tmp_path / "a.mp4", 30, [Shown(face, 0, 30)], gop=5)  # a keyframe every second
    with Sampler(str(path), VideoSampling(), 1024) as sampler:
        frames = list(sampler.frames())
        assert sampler.info.interval == pytest.approx(5.0)
    times = [f.time for f in frames]
    assert len(frames) == 6 and all(f.keyframe for f in frames)
    assert all(abs(t - (5 * i + 2.5)) <= 0.5 for i, t in enumerate(times))


def test_without_keyframes_near_the_frame_at_the_time_is_decoded(tmp_path, face):
    path = write_clip(tmp_path / "b.mp4", 20, [Shown(face, 0, 20)], gop=100)  # one keyframe (at 0: the first sample's)
    # the others: the first frame (5 a second) at or after 7.5, 12.5 and 17.5 s
    with Sampler(str(path), VideoSampling(), 1024) as sampler:
        frames = list(sampler.frames())
    assert sum(not f.keyframe for f in frames) == 3 and sorted(round(f.time, 1) for f in frames)[1:] == [7.6, 12.6, 17.6]


def test_a_phone_clip_is_turned_upright(tmp_path, face):
    path = write_clip(tmp_path / "c.mov", 4, [Shown(face, 0, 4)], size=(480, 320), rotation=90)
    with Sampler(str(path), VideoSampling(), 1024) as sampler:
        frame = next(iter(sampler.frames()))
        assert (sampler.info.width, sampler.info.height) == (480, 320)
    assert frame.pixels.shape == (320, 480, 3)


def test_a_truncated_clip_is_an_error(tmp_path, face):
    whole = write_clip(tmp_path / "d.mp4", 20, [Shown(face, 0, 20)], faststart=True)
    with pytest.raises(ImageError, match="truncated|damaged"):
        with Sampler(str(truncate(whole, tmp_path / "cut.mp4", 0.5)), VideoSampling(), 1024) as sampler:
            list(sampler.frames())
    with pytest.raises(ImageError, match="not a readable video"):
        probe(str(truncate(write_clip(tmp_path / "e.mp4", 4, []), tmp_path / "cut2.mp4", 0.5)))


def test_sampling_past_its_budget_is_an_error(tmp_path, face):
    path = write_clip(tmp_path / "f.mp4", 10, [Shown(face, 0, 10)])
    with pytest.raises(ImageError, match="time budget"):
        with Sampler(str(path), VideoSampling(seconds=0.0, seconds_per_frame=0.0), 1024) as sampler:
            list(sampler.frames())


def test_not_a_video(tmp_path):
    (tmp_path / "x.mp4").write_bytes(b"\0" * 5000)
    with pytest.raises(ImageError, match="not a readable video"):
        probe(str(tmp_path / "x.mp4"))


def _v(*values):
    return np.asarray(values, dtype=np.float32)


def test_faces_are_followed_through_a_clip():
    a, b = _v(0, 0), _v(1, 0)
    frames = [
        (0.0, [Sighting(0.0, (0, 0, 1, 1), 1.0, a)]),
        (5.0, [Sighting(5.0, (0, 0, 1, 1), 1.0, a + 0.05), Sighting(5.0, (5, 0, 6, 1), 1.0, b)]),
        (10.0, [Sighting(10.0, (5, 0, 6, 1), 1.0, b + 0.05)]),
        (25.0, [Sighting(25.0, (0, 0, 1, 1), 1.0, a - 0.05)]),  # a came back
    ]
    tracks = track_faces(frames, same_face=0.5)
    assert len(tracks) == 2
    assert [t.segments(5.0) for t in tracks] == [[(0.0, 5.0), (25.0, 25.0)], [(5.0, 10.0)]]
    assert spans(tracks[0].segments(5.0)) == "0:00–0:05, 0:25"


def test_two_faces_in_one_frame_are_two_people_however_close():
    a = _v(0, 0)
    tracks = track_faces([(0.0, [Sighting(0.0, (0, 0, 1, 1), 1.0, a), Sighting(0.0, (5, 0, 6, 1), 1.0, a + 0.01)])], 0.5)
    assert len(tracks) == 2
