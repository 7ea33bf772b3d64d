import json

from PIL import Image

from plvm_model.synthesis import SynthesisConfig, prompt_templates, synthesize_identity


def test_two_hundred_distinct_prompts_from_the_template():
    prompts = prompt_templates()
    assert len(prompts) == len(set(prompts)) == 200
    assert all(p.startswith("A person wearing ") and " is " in p and " at " in p for p in prompts)


def test_filters_keep_only_images_passing_both_thresholds(tmp_path):
    # the fake generator encodes the seed in the pixel colour so the scorers can be told apart
    def generate(face, prompt, seed):
        return Image.new("RGB", (16, 16), (seed % 4 * 60, 0, 0))

    def clip_sim(image, prompt):  # colours 0 and 60 fail CLIP (< 0.2)
        return {0: 0.1, 60: 0.19, 120: 0.2, 180: 0.3}[image.getpixel((0, 0))[0]]

    def face_sim(face, image):  # colour 120 fails the face filter (< 0.5)
        return {120: 0.49, 180: 0.5}[image.getpixel((0, 0))[0]]

    report = synthesize_identity(Image.new("RGB", (16, 16)), "ann", tmp_path, ["A person is walking at a park."],
                                 generate, clip_sim, face_sim, SynthesisConfig(images_per_identity=3, max_attempts=40))
    assert len(report.kept) == 3
    assert all(c.kept == (c.clip_similarity >= 0.2 and (c.face_similarity or 0) >= 0.5) for c in report.candidates)
    assert all(c.face_similarity is None for c in report.candidates if c.clip_similarity < 0.2)
    assert sorted(p.name for p in (tmp_path / "ann" / "query").iterdir()) == ["0000.jpg", "0001.jpg", "0002.jpg"]
    assert (tmp_path / "ann" / "ref.jpg").exists()
    assert len(json.loads((tmp_path / "ann" / "synthesis.json").read_text())) == len(report.candidates)
