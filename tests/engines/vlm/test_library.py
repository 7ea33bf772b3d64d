"""End to end with a tiny random model on disk: scan, the face engine's people, the model's captions
(and when they are written again), and visual questions through ``plvm-photos ask``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.engines.vlm.helpers import LIBRARY_FAMILY, options, plvm_photos

from plvm_photos.db.models import Concept, File, Photo, Region, Verdict
from plvm_photos.engines.base import PresentPerson
from plvm_photos.engines.vlm.model import MarkedPhoto, VlmModel
from plvm_photos.engines.vlm.visual import VlmVisualAnswers

GROUPS = ("2024-party/eileen-and-grace.jpg", "2024-party/grace-and-eileen.jpg")


def _by_file(library) -> dict[str, dict]:
    """relative path -> engine, caption, the names present."""
    with library.session() as s:
        rows = s.execute(select(File.path, Photo.id, Photo.engine, Photo.caption).join(Photo, Photo.id == File.photo_id)).all()
        present = s.execute(select(Verdict.photo_id, Concept.name).join(Concept, Concept.id == Verdict.concept_id)
                            .where(Verdict.present.is_(True))).all()
    names: dict[int, set] = {}
    for pid, name in present:
        names.setdefault(pid, set()).add(name)
    return {"/".join(Path(p).parts[-2:]): {"engine": e, "caption": c, "present": names.get(pid, set())}
            for p, pid, e, c in rows}


def _model(tiny_vlms) -> VlmModel:
    return VlmModel(options(tiny_vlms[LIBRARY_FAMILY]))


def _visual(model) -> VlmVisualAnswers:
    return VlmVisualAnswers(model, model.options)


def _open(visual: VlmVisualAnswers, library, path: str) -> MarkedPhoto:
    """The photo as the engine is shown it, the people decided present in it marked (``ask``
    passes them in the same way)."""
    with library.session() as s:
        rows = s.execute(select(Concept.display, Region.left, Region.top, Region.right, Region.bottom)
                         .select_from(File).join(Verdict, Verdict.photo_id == File.photo_id)
                         .join(Region, Region.id == Verdict.region_id).join(Concept, Concept.id == Verdict.concept_id)
                         .where(File.path == path, Verdict.present.is_(True))).all()
    return visual.open_photo(path, [PresentPerson(name, tuple(box)) for name, *box in rows])


def test_people_are_the_face_engines_and_captions_the_models(vlm_library, tiny_vlms, demo_set):
    photos = _by_file(vlm_library)
    assert {k: v["present"] for k, v in photos.items()} == {
        "2023-trip/eileen-mirror.jpg": {"eileen"}, "2023-trip/grace-mirror.jpg": {"grace"},
        GROUPS[0]: {"eileen", "grace"}, GROUPS[1]: {"eileen", "grace"}, "misc/coffee.jpg": set(), "misc/notes.jpg": set(),
    }
    assert {v["engine"] for v in photos.values()} == {"vlm"}
    with vlm_library.session() as s:
        kinds = set(s.scalars(select(Region.kind)))
        faces = len(s.scalars(select(Region.id)).all())
    assert kinds == {"face"} and len(vlm_library.index) == faces  # the face engine's regions, in its index
    # A caption is the model's greedy caption of the photo with its people marked; the random model
    # names nobody as <name>, so the structured caption leads it.
    model = _model(tiny_vlms)
    visual = _visual(model)
    photo_dir = demo_set[1]
    for relative, names, lead in ((GROUPS[1], ["grace", "eileen"], "<grace> (left) and <eileen> (right)"),
                                  ("2023-trip/eileen-mirror.jpg", ["eileen"], "<eileen> (center)")):
        marked = _open(visual, vlm_library, str(photo_dir / relative))
        assert [p.name for p in marked.people] == names  # left to right
        assert photos[relative]["caption"] == f"{lead}: {model.caption(MarkedPhoto(marked.image, marked.people))}"
    assert photos["misc/coffee.jpg"]["caption"] == "no people" and photos["misc/notes.jpg"]["caption"] is None


def test_captions_are_written_again_only_where_the_people_changed(vlm_library, demo_set, monkeypatch):
    calls: list[tuple[str, ...]] = []
    original = VlmModel.caption

    def spy(self, photo):
        calls.append(tuple(p.name for p in photo.people))
        return original(self, photo)

    monkeypatch.setattr(VlmModel, "caption", spy)
    before = _by_file(vlm_library)
    # a new reference of <eileen>: decided again, same people on the same faces, captions kept
    vlm_library.add_reference("eileen", demo_set[1] / "2023-trip" / "eileen-mirror.jpg", force=True)
    assert calls == [] and _by_file(vlm_library) == before
    # <grace> removed: the two group photos are captioned again, with <eileen> alone
    vlm_library.remove_person("grace")
    after = _by_file(vlm_library)
    assert calls == [("eileen",), ("eileen",)]
    for group in GROUPS:
        assert after[group]["caption"] != before[group]["caption"] and "<grace>" not in after[group]["caption"]
        assert after[group]["caption"].startswith("<eileen> (")
    assert after["2023-trip/grace-mirror.jpg"]["caption"] == "1 unknown person"  # nobody to name: no model run
    assert after["2023-trip/eileen-mirror.jpg"]["caption"] == before["2023-trip/eileen-mirror.jpg"]["caption"]


def test_a_visual_question_is_answered_by_the_model_through_plvm_photos_ask(vlm_library_dir, copy_library, tiny_vlms,
                                                                            monkeypatch, capsys):
    from plvm_photos.ask.answer import ask
    from plvm_photos.library import Library

    root = copy_library(vlm_library_dir)
    code, out, _ = plvm_photos(monkeypatch, capsys, "-L", str(root), "ask", "photos where <eileen> and <grace> are talking",
                               "--json")
    assert code == 0
    data = json.loads(out)
    assert data["engine"] == "vlm" and (data["selected"], data["judged"]) == (2, 2)
    assert "the vlm engine looked at 2 of the 2 photo(s) with <eileen> and <grace>" in data["answer"]
    assert sorted("/".join(Path(p["path"]).parts[-2:]) for p in data["photos"]) == sorted(GROUPS)  # vlm.threshold 0
    model = _model(tiny_vlms)
    with Library(root) as library:
        visual = _visual(model)
        prompt = 'Does this photo match the description "<eileen> and <grace> are talking"? Answer with Yes or No.'
        for photo in data["photos"]:
            expected = model.yes_probability(_open(visual, library, photo["path"]), prompt, use_cache=False)
            assert photo["score"] == pytest.approx(expected, abs=1e-4)
        # an open question: each photo of <eileen> gets the model's answer about it
        answer = ask(library, "what is <eileen> wearing?").as_dict()
        assert (answer["selected"], answer["judged"]) == (3, 3)
        first = answer["photos"][0]
        assert first["reply"] == model.answer(_open(visual, library, first["path"]), "what is <eileen> wearing?")


def test_a_question_over_more_photos_than_the_limit_names_the_vlm_setting_that_raises_it(vlm_library_dir, copy_library,
                                                                                         monkeypatch, capsys):
    root = copy_library(vlm_library_dir)
    assert plvm_photos(monkeypatch, capsys, "-L", str(root), "config", "vlm.ask_limit", "1")[0] == 0
    code, out, _ = plvm_photos(monkeypatch, capsys, "-L", str(root), "ask", "photos where <eileen> and <grace> are talking",
                               "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["selected"], data["judged"]) == (2, 1)
    assert "plvm-photos config vlm.ask_limit N for more" in data["answer"]
    assert "plvm.ask_limit" not in data["answer"]
